"""Unicode clean-up and byte decoding: the text every parser works on."""

from __future__ import annotations

import re
import unicodedata

from policyml.exceptions import InvalidInputError


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in (0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0x2039, 0x203A, 0x00B4):
        table[cp] = "'"
    for cp in (0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x2036, 0x00AB, 0x00BB, 0x301D, 0x301E):
        table[cp] = '"'
    # zero-width and invisible formatting characters, soft hyphen
    for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x00AD,
               0x180E):
        table[cp] = None
    # bidirectional controls
    for cp in (0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[cp] = None
    # exotic spaces (NFKC folds most of them too, but not all)
    for cp in (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000):
        table[cp] = " "
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    # C0 controls other than \t and \n; \r is handled separately; VT and FF break lines
    for cp in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F):
        table[cp] = None
    table[0x0B] = "\n"
    table[0x0C] = "\n"
    table[0x0D] = "\n"
    # C1 controls almost always come from cp1252 text decoded as Latin-1: repair them
    for cp in range(0x80, 0xA0):
        try:
            char = bytes([cp]).decode("cp1252")
        except UnicodeDecodeError:
            table[cp] = None
        else:
            table[cp] = table.get(ord(char), char) if ord(char) in table else char
    # private-use bullets produced by Symbol/Wingdings fonts in converted documents
    for cp in (0xF0B7, 0xF0A7, 0xF0D8, 0xF076, 0xF0FC, 0xF0A8, 0xF06C, 0xF06E):
        table[cp] = "\u2022"
    return table


_TRANSLATION = _build_translation()
_ASCII_SPECIAL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_DELETED_CHARS_RE = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp, repl in sorted(_TRANSLATION.items()) if repl is None)
    + "]"
)
_DECODE_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")
_DECODE_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])
# str.translate with a dict costs ~60 ns a character; most text has few characters to map, so
# find them with a regex instead. No replacement is itself mapped, so one pass is enough.
_TRANSLATED_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TRANSLATION)) + "]")
_REPLACEMENT = {chr(cp): repl or "" for cp, repl in _TRANSLATION.items()}
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def normalize_text(text: str) -> str:
    r"""Normalise Unicode and line endings of ``text``.

    Applies, in order: ``CRLF``/``CR`` -> ``\n``; removal of zero-width, soft-hyphen, bidi and
    C0 control characters (VT/FF become ``\n``); NBSP and other exotic spaces -> space; C1
    control characters are repaired as the cp1252 characters they almost always are;
    typographic quotes -> ASCII quotes; lone surrogates -> U+FFFD; NFKC. Whitespace is *not*
    collapsed.

    Parameters
    ----------
    text : str
        Text to normalise.

    Returns
    -------
    str
        The normalised text.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> normalize_text("\u201cOur\u00a0policy\u201d\r\n")
    '"Our policy"\n'
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be str, got {type(text).__name__}")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if text.isascii():
        return text.translate(_TRANSLATION) if _ASCII_SPECIAL_RE.search(text) else text
    if _SURROGATE_RE.search(text):  # lone surrogates cannot be encoded: U+FFFD, same length
        text = _SURROGATE_RE.sub("\ufffd", text)
    text = _translate(text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _translate(unicodedata.normalize("NFKC", text))


def _translate(text: str) -> str:
    """``text.translate(_TRANSLATION)``, faster when few characters change."""
    if _TRANSLATED_RE.search(text) is None:
        return text
    return _TRANSLATED_RE.sub(lambda m: _REPLACEMENT[m.group()], text)


_CLEAN_CHUNK = 1 << 16


def clean_text(text: str) -> str:
    """Normalise ``text`` and collapse all whitespace runs to single spaces."""
    if len(text) <= _CLEAN_CHUNK:
        return " ".join(normalize_text(text).split())
    # A long text (a 20 MB line) is cleaned a slice at a time, cut before a space, where both
    # steps work piecewise: a space is unchanged by them and NFKC never joins it to the
    # character before. This avoids a list of millions of words (1 GB of one-letter words)
    # and, when the text is clean already (the usual case), returns it without a copy.
    parts: list[str] | None = None  # None while every slice is unchanged
    pos, n = 0, len(text)
    while pos < n:
        end = text.find(" ", pos + _CLEAN_CHUNK)
        end = n if end < 0 else end
        piece = " ".join(normalize_text(text[pos:end]).split())
        if parts is None and (not piece or piece != text[pos + (pos > 0) : end]):
            parts = [text[:pos]] if pos else []  # the slices so far, unchanged
        if parts is not None and piece:
            parts.append(piece)
        pos = end
    return text if parts is None else " ".join(parts)


def decode_bytes(data: bytes) -> str:
    r"""Decode raw policy bytes to text.

    UTF-8 (with or without BOM) is tried first, then UTF-16 when a UTF-16 BOM is present, and
    cp1252 as the fallback (undecodable bytes become U+FFFD). NUL and C0 control characters
    other than ``\n``, ``\t`` and ``\r`` are removed; vertical tab and form feed become ``\n``.

    Parameters
    ----------
    data : bytes
        Raw bytes (``bytearray`` and ``memoryview`` are accepted too).

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    InvalidInputError
        If ``data`` is not bytes-like.

    Examples
    --------
    >>> decode_bytes(b"caf\xe9 \x93ok\x94\x00!")  # not UTF-8: read as cp1252
    'café “ok”!'
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInputError(f"data must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if utf16:
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    if "\x0b" in text or "\x0c" in text:
        text = text.replace("\x0b", "\n").replace("\x0c", "\n")
    if not utf16 and len(raw.translate(None, _DECODE_CONTROL_BYTES)) == len(raw):
        # UTF-8 and cp1252 decode these bytes, and only these, to the controls: a fast check
        return text
    return _DECODE_CONTROL_RE.sub("", text)


def one_to_one_normalized(text: str) -> str | None:
    """``normalize_text(text)`` if it maps character i to character i, else None."""
    if text.isascii():
        return None if _ASCII_SPECIAL_RE.search(text) else text
    if "\r" in text or _DELETED_CHARS_RE.search(text):
        return None
    norm = text.translate(_TRANSLATION)  # now only 1:1 replacements
    return norm if unicodedata.is_normalized("NFKC", norm) else None
