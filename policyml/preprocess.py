"""Split privacy-policy documents into normalised paragraphs.

The entry point is :func:`split_paragraphs`. It accepts plain text (one paragraph per line or
blank-line separated, possibly hard-wrapped), Markdown or raw HTML, and returns
:class:`Paragraph` records with normalised text, the nearest preceding section heading and the
character span of the paragraph in the *original* input string.

Design notes
------------
* Offsets always refer to the input string. Markup is located first, and Unicode normalisation
  (:func:`normalize_text`) is applied afterwards to each located piece, so NFKC changing string
  lengths never shifts an offset.
* HTML is read with the event-based :class:`html.parser.HTMLParser`, so deeply nested documents
  never hit the recursion limit.
* No word of the visible text is dropped: text that cannot be a paragraph body (a trailing
  heading, an over-long heading chain) becomes a paragraph of its own.
* Paragraphs longer than ``max_chars`` are cut at sentence boundaries found by an NLTK Punkt
  model whose parameters were trained on the OPP-115 policies (``tools/train_punkt.py``) and are
  shipped as JSON in ``policyml/resources``. No NLTK data package is needed or downloaded.
"""

from __future__ import annotations

import html
import json
import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import accumulate
from pathlib import Path
from typing import Any

from policyml.exceptions import InvalidInputError, ModelLoadError

__all__ = [
    "FORMATS",
    "MAX_INPUT_CHARS",
    "MAX_INPUT_LINES",
    "Paragraph",
    "check_input_size",
    "decode_bytes",
    "detect_format",
    "normalize_text",
    "split_paragraphs",
    "split_sentences",
]

#: Accepted values of the ``fmt`` argument of :func:`split_paragraphs`.
FORMATS = ("auto", "text", "markdown", "html")

#: Default limit on the length of one policy, in characters (after decoding bytes), for
#: :func:`split_paragraphs` and :func:`policyml.classify`; ``None`` means no limit. Measured on
#: 2 cores: a 20 MB policy of ordinary paragraphs splits in 3-5 s with < 150 MB extra memory;
#: the worst case found (20 M characters of one-letter words in a single paragraph) takes about
#: 30 s and 2.2 GB. Longer input raises :class:`~policyml.InvalidInputError` instead of
#: running for minutes. Override per call with ``max_input_chars=``.
MAX_INPUT_CHARS: int | None = 20_000_000

#: Default limit on the number of lines of one policy; ``None`` means no limit. One million
#: one-letter lines take about 20 s and 0.7 GB; ten million took three minutes and 5 GB, hence
#: this limit. Override per call with ``max_input_lines=``.
MAX_INPUT_LINES: int | None = 1_000_000


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a policy.

    Attributes
    ----------
    index : int
        0-based position in the list returned by :func:`split_paragraphs`.
    text : str
        Normalised paragraph text: markup removed, Unicode normalised, whitespace collapsed.
    start, end : int
        Character offsets into the *original* input string; ``source[start:end]`` is the
        source (including any inline markup) this paragraph was produced from.
    heading : str or None
        Normalised text of the nearest preceding section heading, or ``None``.
    """

    index: int
    text: str
    start: int
    end: int
    heading: str | None


# --------------------------------------------------------------------------------------------
# Unicode normalisation
# --------------------------------------------------------------------------------------------


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
    text = text.translate(_TRANSLATION)
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_TRANSLATION)


def _clean(text: str) -> str:
    """Normalise ``text`` and collapse all whitespace runs to single spaces."""
    return " ".join(normalize_text(text).split())


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
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
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
    return _DECODE_CONTROL_RE.sub("", text)


# --------------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------------

_HTML_START_RE = re.compile(r"<(?:!doctype\s+html|html[\s>]|\?xml|head[\s>]|body[\s>]|!--)", re.I)
_HTML_TAG_RE = re.compile(
    r"</?(?:p|div|br|span|a|li|ul|ol|table|tr|td|th|h[1-6]|b|strong|em|i|u|body|html|head|"
    r"section|article|script|style|meta|link|font|center|img|nav|header|footer|form)\b[^<>]*>",
    re.I,
)
_MD_FEATURES = (
    ("atx", re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M), 2),
    ("fence", re.compile(r"^ {0,3}(?:```|~~~)", re.M), 2),
    ("link", re.compile(r"!?\[[^\]\n]+\]\([^)\s]+\)"), 2),
    ("table", re.compile(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*\|", re.M), 2),
    ("escape", re.compile(r"\\[.\-*#_\[\]()!+`]"), 1),
    ("bold", re.compile(r"(?<!\w)\*\*[^*\n]+\*\*(?!\w)"), 1),
    ("quote", re.compile(r"^ {0,3}>[ \t]", re.M), 1),
)
_DETECT_SAMPLE = 200_000


def detect_format(text: str) -> str:
    """Guess whether ``text`` is HTML, Markdown or plain text.

    Parameters
    ----------
    text : str
        The document (only its first 200,000 characters are inspected).

    Returns
    -------
    str
        ``"html"``, ``"markdown"`` or ``"text"``.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> detect_format("<p>We use cookies.</p><p>We never sell data.</p><br>")
    'html'
    >>> detect_format("# Privacy\\n\\nSee [our terms](https://example.org).")
    'markdown'
    >>> detect_format("We use cookies.\\nWe never sell data.")
    'text'
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be str, got {type(text).__name__}")
    sample = text[:_DETECT_SAMPLE]
    head = sample.lstrip("\ufeff \t\r\n")
    if _HTML_START_RE.match(head):
        return "html"
    n_tags = sum(1 for _ in _HTML_TAG_RE.finditer(sample))
    md_score = 0
    kinds = 0
    atx = False
    for name, rx, weight in _MD_FEATURES:
        count = sum(1 for _ in rx.finditer(sample))
        if count:
            kinds += 1
            md_score += weight * min(count, 10)
            atx = atx or name == "atx"
    if n_tags > md_score and (n_tags >= 3 or (n_tags >= 1 and head.startswith("<"))):
        return "html"
    if md_score >= 3 and (kinds >= 2 or atx):
        return "markdown"
    return "text"


# --------------------------------------------------------------------------------------------
# Shared line / unit model
# --------------------------------------------------------------------------------------------

# (text, start, end, exact): ``exact`` means text == source[start:end]
_Atom = tuple[str, int, int, bool]

_NEWLINE_RE = re.compile(r"\r\n|[\r\n\x0b\x0c\u2028\u2029]")
_NONWS_RE = re.compile(r"\S+")
_HAS_WORD_RE = re.compile(r"[^\W_]")
_BULLET_RE = re.compile(
    "^[-*+\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u00b7\u2013\u2014\u2043>\u00bb](?:\\s|$)"
)
_ENUM_RE = re.compile(
    r"^(?:(?:section|article|part|chapter|step)\s+)?"
    r"(?:(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?|(?P<alpha>[A-Za-z])[.)]|(?P<roman>[ivxlcIVXLC]{1,6})[.)]"
    r"|\(\s*(?P<paren>\d{1,3}|[A-Za-z]|[ivxIVX]{1,5})\s*\))(?=\s)",
    re.I,
)
_URLISH_RE = re.compile(r"https?:|www\.|@|\.com\b", re.I)
_ALPHA_RE = re.compile(r"[^\W\d_]")
_ALPHA_WORD_RE = re.compile(r"[^\W\d_][\w'-]*")
_SMALL_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for",
        "with", "from", "as", "into", "onto", "upon", "via", "per", "vs", "than", "about", "over",
        "under", "&", "de", "la", "le", "du",
    }
)
_DANGLING_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for",
        "with", "from", "as", "into", "such", "including", "that", "which", "our", "your", "their",
        "its", "is", "are", "be", "e.g", "i.e",
    }
)
_CLOSERS = "\"')]}*"


class _Line:
    """A source line (or HTML text run) with its cleaned text, span and layout flags."""

    __slots__ = ("atoms", "bold", "bullet", "clean", "code", "end", "enum", "level", "link",
                 "nojoin", "start")

    def __init__(self, atoms: list[_Atom], clean: str, start: int, end: int) -> None:
        self.atoms = atoms
        self.clean = clean
        self.start = start
        self.end = end
        self.level = 0  # explicit heading level (Markdown ATX/setext, HTML h1-h6)
        self.bold = False  # whole line is bold (HTML b/strong, Markdown **x**)
        self.link = False  # whole line is link text (HTML)
        self.bullet = _BULLET_RE.match(clean) is not None  # bulleted list item
        self.enum = _ENUM_RE.match(clean) is not None  # numbered/lettered line
        self.nojoin = False  # table rows and the like: never merged with neighbours
        self.code = False  # fenced code block content


class _Unit:
    """A paragraph candidate: one or more joined lines."""

    __slots__ = ("end", "lines", "start", "text")

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.text = lines[0].clean if len(lines) == 1 else " ".join(ln.clean for ln in lines)
        self.start = lines[0].start
        self.end = lines[-1].end


def _iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of every line of ``text`` (line terminators excluded)."""
    pos = 0
    for m in _NEWLINE_RE.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _content_span(text: str, s: int, e: int) -> tuple[str, int, int]:
    """Strip surrounding whitespace of ``text[s:e]``; return ``(content, start, end)``."""
    raw = text[s:e]
    body = raw.strip()
    if not body:
        return "", s, s
    lead = len(raw) - len(raw.lstrip())
    return body, s + lead, s + lead + len(body)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in (".", "!", "?", ":", ";")


def _joins(a: _Line, b: _Line, mode: str, wrap: int) -> bool:
    """Decide whether line ``b`` continues the paragraph whose last line is ``a``."""
    if a.level or b.level or a.nojoin or b.nojoin or a.bold or b.bold:
        return False
    if a.code or b.code:
        return a.code and b.code
    if b.bullet or b.enum:
        return False
    if mode == "join":
        return True
    if mode == "wrap" and len(a.clean) >= 0.6 * wrap:
        return True
    # a lower-case continuation ("...such as\nyour name"), but not a brand like "eCommerce"
    return b.clean.split(" ", 1)[0].islower() and not _ends_sentence(a.clean)


def _group(blocks: list[list[_Line]], modes: list[str], wrap: int) -> list[_Unit]:
    units: list[_Unit] = []
    for block, mode in zip(blocks, modes, strict=True):
        cur: list[_Line] = []
        for line in block:
            if cur and _joins(cur[-1], line, mode, wrap):
                cur.append(line)
            else:
                if cur:
                    units.append(_Unit(cur))
                cur = [line]
        if cur:
            units.append(_Unit(cur))
    return units


# --------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------


def _text_lines(src: str) -> list[list[_Line]]:
    """Blank-line separated blocks of non-blank lines (lines without any word separate too)."""
    blocks: list[list[_Line]] = []
    cur: list[_Line] = []
    for s, e in _iter_lines(src):
        body, cs, ce = _content_span(src, s, e)
        clean = _clean(body) if body else ""
        if not clean or not _HAS_WORD_RE.search(clean):
            if cur:
                blocks.append(cur)
                cur = []
            continue
        cur.append(_Line([(body, cs, ce, True)], clean, cs, ce))
    if cur:
        blocks.append(cur)
    return blocks


def _wrap_width(blocks: list[list[_Line]]) -> int:
    """Detect hard-wrapped text; return the wrap width, or 0 when lines are not wrapped."""
    n_lines = sum(len(b) for b in blocks)
    if len(blocks) < 2 or len(blocks) < 0.05 * n_lines:
        return 0  # (almost) no blank lines: one paragraph per line
    lengths = sorted(len(ln.clean) for b in blocks if len(b) > 1 for ln in b[:-1])
    if len(lengths) < 3:
        return 0
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not 30 <= width <= 160:
        return 0
    near = sum(1 for n in lengths if n >= 0.75 * width)
    return width if near >= 0.6 * len(lengths) else 0


def _text_units(src: str) -> list[_Unit]:
    blocks = _text_lines(src)
    wrap = _wrap_width(blocks)
    return _group(blocks, ["wrap" if wrap else "cont"] * len(blocks), wrap)


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

_MD_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_MD_QUOTE_RE = re.compile(r"^(?:>[ \t]?)+")
_MD_ATX_RE = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT_RE = re.compile(r"^(=+|-+)[ \t]*$")
_MD_HR_RE = re.compile(r"^([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_REFDEF_RE = re.compile(r"^\[[^\]]+\]:[ \t]*\S+")
_MD_TABLE_SEP_RE = re.compile(r"^\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_MD_LIST_RE = re.compile(r"^(?:(?P<bullet>[-*+])|\d{1,9}[.)])[ \t]+(?=\S)")
_MD_BOLDLINE_RE = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1[ \t]*:?$")
_MD_INLINE_RE = re.compile(
    r"""
    (?P<ESC>\\(?P<escch>[!-/:-@\[-`{-~]))
    | (?P<CODE>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))
    | (?P<LINK>!?\[(?P<ltext>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]
        (?:\([ \t]*<?[^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*>?
             (?:[ \t]+(?:"[^"]*"|'[^']*'|\([^()]*\)))?[ \t]*\)
          | \[[^\[\]]*\]))
    | <(?P<AUTO>(?:https?|ftp|mailto):[^<>\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>
    | (?P<COMMENT><!--.*?-->)
    | (?P<TAG></?(?P<tagname>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>)
    | (?P<EMPH>(?<![\w\\*_])[*_]{1,3}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,3}(?![\w*_]))
    | (?P<STRIKE>~~)
    """,
    re.X,
)
_MD_BLOCKISH_TAGS = frozenset({"br", "p", "div", "li", "tr", "td", "th", "hr"})


def _md_inline_repl(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if kind == "ESC":
        return m.group("escch")
    if kind == "CODE":
        return m.group("codetext")
    if kind == "LINK":
        return _md_inline(m.group("ltext"))
    if kind == "AUTO":
        return m.group("AUTO")
    if kind == "TAG":
        return " " if m.group("tagname").lower() in _MD_BLOCKISH_TAGS else ""
    return ""  # COMMENT, EMPH, STRIKE


def _md_inline(text: str) -> str:
    """Remove inline Markdown markup, keeping every visible word."""
    if not any(c in text for c in "\\`[<*_~&"):
        return text
    out = _MD_INLINE_RE.sub(_md_inline_repl, text)
    return html.unescape(out) if "&" in out else out


def _md_line(body: str, cs: int, ce: int) -> _Line | None:
    text = _md_inline(body)
    clean = _clean(text)
    if not _HAS_WORD_RE.search(clean):
        return None
    return _Line([(text, cs, ce, False)], clean, cs, ce)


def _markdown_units(src: str) -> list[_Unit]:
    blocks: list[list[_Line]] = []
    cur: list[_Line] = []
    fence = ""
    in_table = False
    n_blank = 0

    def close() -> None:
        nonlocal cur, in_table
        if cur:
            blocks.append(cur)
            cur = []
        in_table = False

    for s, e in _iter_lines(src):
        body, cs, ce = _content_span(src, s, e)
        if fence:
            if body.startswith(fence) and not body.strip(fence[0]):
                fence = ""
                close()
            elif body:
                line = _Line([(body, cs, ce, True)], _clean(body), cs, ce)
                if _HAS_WORD_RE.search(line.clean):
                    line.code = True
                    cur.append(line)
            continue
        if not body:
            n_blank += 1
            close()
            continue
        m = _MD_FENCE_RE.match(body)
        if m:
            close()
            fence = m.group(1)
            continue
        m = _MD_QUOTE_RE.match(body)
        if m:
            body = body[m.end():].strip()
            if not body:
                close()
                continue
            cs = ce - len(body)
        m = _MD_ATX_RE.match(body)
        if m:
            close()
            line = _md_line(m.group(2) or "", cs, ce)
            if line is not None:
                line.level = len(m.group(1))
                line.bullet = line.enum = False
                blocks.append([line])
            continue
        m = _MD_SETEXT_RE.match(body)
        if m and cur and not (cur[-1].bullet or cur[-1].level or cur[-1].code
                              or cur[-1].nojoin) and len(cur[-1].clean) <= 150:
            cur[-1].level = 1 if body[0] == "=" else 2
            close()
            continue
        if _MD_HR_RE.match(body) or (m and body[0] == "-"):
            close()
            continue
        if _MD_REFDEF_RE.match(body):
            continue
        if "|" in body and _MD_TABLE_SEP_RE.match(body) and "-" in body:
            in_table = True
            if cur:
                cur[-1].nojoin = True
            continue
        if in_table or (body.startswith("|") and body.endswith("|") and body.count("|") >= 2):
            in_table = True
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", body.strip("|"))]
            line = _md_line(" | ".join(c for c in cells if c), cs, ce)
            if line is not None:
                line.nojoin = True
                cur.append(line)
            continue
        bullet = False
        m = _MD_LIST_RE.match(body)
        if m and m.group("bullet"):
            body = body[m.end():]
            cs = ce - len(body)
            bullet = True
        bold = _MD_BOLDLINE_RE.match(body) is not None
        line = _md_line(body, cs, ce)
        if line is None:
            continue
        if bullet:
            line.bullet = True
        line.bold = bold
        cur.append(line)
    close()
    modes = []
    for block in blocks:
        joinable = n_blank > 0 and len(block) > 1 and max(len(ln.clean) for ln in block[:-1]) <= 200
        modes.append("join" if joinable else "cont")
    return _group(blocks, modes, 0)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr",
        "html", "iframe", "legend", "li", "main", "menu", "nav", "noframes", "ol", "optgroup",
        "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)
#: content of these is never visible text
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "select", "datalist"}
)
#: page chrome: dropped unless it turns out to hold substantial non-link text (see _decide)
_SOFT_SKIP_TAGS = frozenset({"nav", "form"})
_VOID_TAGS = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "hr", "img", "input", "keygen",
        "link", "meta", "param", "source", "track", "wbr",
    }
)
_HEAD_TAGS = frozenset(
    {"html", "head", "meta", "link", "title", "style", "script", "noscript", "base", "template"}
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD_TAGS = frozenset({"b", "strong"})
_LIST_ITEM_TAGS = frozenset({"li", "option"})
_KEEP_SOFT_MIN_CHARS = 1000


class _StopParsing(Exception):
    """Raised from a parser callback to end parsing early (unclosed comment)."""


class _HTMLExtractor(HTMLParser):
    """Turn HTML events into :class:`_Line` runs with exact source spans.

    ``convert_charrefs`` is off so that every data event is a verbatim slice of the source and
    every character reference has a known raw extent.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._src = source
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self.lines: list[_Line] = []
        self.breaks: list[str] = []  # boundary kind before each line: "block" or "br"
        self._nonlink_cum: list[int] = []  # running total of non-link text length per line
        self._brk = "block"
        self._atoms: list[_Atom] = []
        self._tot = self._hd = self._bd = self._lk = 0
        self._li_line = False
        self._level = 0
        self._stack: list[str] = []
        self._open: dict[str, int] = {}
        self._skip = 0
        self._hstack: list[int] = []
        self._bold = 0
        self._link = 0
        self._li = 0
        self._groups: list[tuple[int, int]] = []  # (len(lines), len(breaks)) at nav/form start

    # -- positions -------------------------------------------------------------------------
    def _pos(self) -> int:
        lineno, col = self.getpos()
        return self._line_starts[lineno - 1] + col

    # -- element stack ---------------------------------------------------------------------
    def _push(self, tag: str) -> None:
        self._stack.append(tag)
        self._open[tag] = self._open.get(tag, 0) + 1
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _HEADING_TAGS:
            self._hstack.append(int(tag[1]))
        elif tag in _BOLD_TAGS:
            self._bold += 1
        elif tag == "a":
            self._link += 1
        elif tag in _LIST_ITEM_TAGS:
            self._li += 1
        if tag in _SOFT_SKIP_TAGS:
            self._groups.append((len(self.lines), len(self.breaks)))

    def _pop_to(self, tag: str | None) -> None:
        """Pop elements up to and including ``tag`` (everything when ``tag`` is None)."""
        while self._stack:
            t = self._stack.pop()
            if t in _BLOCK_TAGS:
                self._flush("block")
            self._open[t] -= 1
            if t in _SKIP_TAGS:
                self._skip -= 1
            elif t in _HEADING_TAGS:
                self._hstack.pop()
            elif t in _BOLD_TAGS:
                self._bold -= 1
            elif t == "a":
                self._link -= 1
            elif t in _LIST_ITEM_TAGS:
                self._li -= 1
            if t in _SOFT_SKIP_TAGS:
                self._decide(*self._groups.pop())
            if t == tag:
                return

    def _decide(self, n_lines: int, n_breaks: int) -> None:
        """Drop a closed nav/form unless it holds substantial non-link text.

        Some sites (ASP.NET WebForms) wrap the whole page, policy included, in one <form>.
        """
        cum = self._nonlink_cum
        before = cum[n_lines - 1] if n_lines else 0
        if (cum[-1] if cum else 0) - before < _KEEP_SOFT_MIN_CHARS:
            del self.lines[n_lines:]
            del self.breaks[n_breaks:]
            del cum[n_lines:]
            self._brk = "block"

    # -- text runs -------------------------------------------------------------------------
    def _add(self, text: str, start: int, end: int, exact: bool) -> None:
        n = len(text.strip())
        if n:
            self._tot += n
            if self._hstack:
                self._hd += n
                self._level = self._level or self._hstack[-1]
            if self._bold:
                self._bd += n
            if self._link:
                self._lk += n
            if self._li:
                self._li_line = True
        self._atoms.append((text, start, end, exact))

    def _flush(self, kind: str) -> None:
        atoms = self._atoms
        if self._tot:
            while not atoms[-1][0].strip():
                atoms.pop()
            first = 0
            while not atoms[first][0].strip():
                first += 1
            atoms = atoms[first:]
            text, s, _, exact = atoms[0]
            start = s + (len(text) - len(text.lstrip())) if exact else s
            text, _, e, exact = atoms[-1]
            end = e - (len(text) - len(text.rstrip())) if exact else e
            clean = _clean("".join(a[0] for a in atoms))
            if clean:
                line = _Line(atoms, clean, start, end)
                tot = self._tot
                line.level = self._level if self._hd == tot else 0
                line.bold = self._bd == tot
                line.link = self._lk == tot
                line.bullet = line.bullet or self._li_line
                self.lines.append(line)
                self.breaks.append(self._brk)
                cum = self._nonlink_cum
                cum.append((cum[-1] if cum else 0) + (0 if line.link else len(clean)))
                self._brk = kind
            elif kind == "block":
                self._brk = "block"
        elif kind == "block" or self._brk == "br":
            # an empty run between two <br> (i.e. <br><br>) separates paragraphs
            self._brk = "block"
        self._atoms = []
        self._tot = self._hd = self._bd = self._lk = 0
        self._li_line = False
        self._level = 0

    # -- HTMLParser callbacks --------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open.get("head") and (tag == "body" or tag not in _HEAD_TAGS):
            self._pop_to("head")  # implicit </head>
        if tag in _VOID_TAGS:
            if tag == "br":
                self._flush("br")
            elif tag == "hr":
                self._flush("block")
            return
        if tag in _BLOCK_TAGS:
            self._flush("block")
        self._push(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush("br")
        elif tag in _BLOCK_TAGS:
            self._flush("block")

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self._flush("br")
        elif self._open.get(tag):
            self._pop_to(tag)
        elif tag in _BLOCK_TAGS:
            self._flush("block")

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._skip == 1 and self._open.get("head") and data.strip() and not (
                self._open.get("title") or self._open.get("style") or self._open.get("script")
            ):
                self._pop_to("head")  # stray text in <head> starts the body
            else:
                return
        if _LT_PLACEHOLDER in data or _AMP_PLACEHOLDER in data:
            data = data.translate(_UNPLACEHOLD)
        if data.startswith("<!--"):
            # HTMLParser reports an unclosed comment as text; in browsers it hides the rest
            # of the page. Stop here: this also avoids rescanning for further "<!--".
            raise _StopParsing
        pos = self._pos()
        self._add(data, pos, pos + len(data), True)

    def _ref(self, prefix: str, name: str) -> None:
        if self._skip:
            return
        pos = self._pos()
        end = pos + len(prefix) + len(name)
        if self._src.startswith(";", end):
            end += 1
        self._add(html.unescape(self._src[pos:end]), pos, end, False)

    def handle_entityref(self, name: str) -> None:
        self._ref("&", name)

    def handle_charref(self, name: str) -> None:
        self._ref("&#", name)

    def finish(self) -> None:
        """Close every open element (deciding pending nav/form groups) after parsing."""
        self._flush("block")
        self._pop_to(None)
        self._flush("block")


_LT_PLAIN_RE = re.compile(r"<(?![A-Za-z/!?])")
_AMP_PLAIN_RE = re.compile(r"&(?![A-Za-z]|#[0-9]|#[xX][0-9a-fA-F])")
_MARKED_RE = re.compile(r"<!\[(?P<name>[a-zA-Z][-_.a-zA-Z0-9]*)?")
_MARKED_CLOSE_RE = re.compile(r"\]\s*\]\s*>")
_MS_MARKED_CLOSE_RE = re.compile(r"\]\s*>")
_LT_PLACEHOLDER = "\ue000"
_AMP_PLACEHOLDER = "\ue001"
_UNPLACEHOLD = str.maketrans({_LT_PLACEHOLDER: "<", _AMP_PLACEHOLDER: "&"})


def _last_end(rx: re.Pattern[str], text: str) -> int:
    end = -1
    for m in rx.finditer(text):
        end = m.end()
    return end


def _html_parser_input(src: str) -> str:
    """Defuse constructs that make ``HTMLParser`` quadratic or make it raise.

    ``HTMLParser`` rescans to the end of the input for every construct whose terminator is
    missing (``<a`` with no ``>`` after it, ``<!--`` with no ``-->``), handles each ``<`` or ``&``
    that starts no markup as a separate event, and raises on unknown ``<![`` sections. The
    returned string has the same length as the part of ``src`` to parse, so offsets are kept:
    such ``<`` and ``&`` are swapped for private-use placeholders (mapped back in the text),
    and a ``<![`` section without its terminator becomes a bogus comment (``<!`` +
    placeholder). The first unclosed ``<!--`` stops parsing (see ``handle_data``).
    """
    last_gt = src.rfind(">")
    src = _LT_PLAIN_RE.sub(_LT_PLACEHOLDER, src)
    if "<" in src[last_gt + 1:]:
        src = src[:last_gt + 1] + src[last_gt + 1:].replace("<", _LT_PLACEHOLDER)
    src = _AMP_PLAIN_RE.sub(_AMP_PLACEHOLDER, src)
    if "<![" in src:
        bad = []
        last_cd = _last_end(_MARKED_CLOSE_RE, src)
        last_ms = _last_end(_MS_MARKED_CLOSE_RE, src)
        for m in _MARKED_RE.finditer(src):
            name = (m.group("name") or "").strip().lower()
            if name in ("temp", "cdata", "ignore", "include", "rcdata"):
                ok = m.end() < last_cd
            elif name in ("if", "else", "endif"):
                ok = m.end() < last_ms
            else:
                ok = False
            if not ok:
                bad.append(m.start())
        if bad:  # as browsers do: a bogus comment up to the next ">" (one exists, see above)
            chars = list(src)
            for pos in bad:
                chars[pos + 2] = _LT_PLACEHOLDER
            src = "".join(chars)
    return src


def _html_units(src: str) -> list[_Unit]:
    prepared = _html_parser_input(src)
    parser = _HTMLExtractor(src)
    try:
        parser.feed(prepared)
        parser.close()
    except _StopParsing:
        pass
    except AssertionError:  # pragma: no cover - defensive: malformed <![ sections
        parser = _HTMLExtractor(src)
        try:
            parser.feed(prepared.replace("<![", "<!" + _LT_PLACEHOLDER))
            parser.close()
        except _StopParsing:
            pass
    parser.finish()
    blocks: list[list[_Line]] = []
    for line, brk in zip(parser.lines, parser.breaks, strict=True):
        if brk == "block" or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return _group(blocks, ["cont"] * len(blocks), 0)


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------


def _enum_style(m: re.Match[str]) -> str:
    if m.group("num") is not None:
        return f"num{m.group('num').count('.')}"
    if m.group("paren") is not None:
        return "paren"
    if m.group("roman") is not None:
        return "roman"
    return "alpha-upper" if m.group("alpha").isupper() else "alpha-lower"


def _is_caps(core: str) -> bool:
    return core.upper() == core and sum(1 for c in core if c.isupper()) >= 2


def _is_title(core: str) -> bool:
    sig = [w for w in _ALPHA_WORD_RE.findall(core) if w.lower() not in _SMALL_WORDS]
    if not sig:
        return False
    return 4 * sum(1 for w in sig if w[0].isupper()) >= 3 * len(sig)


def _looks_like_heading(text: str, nxt: _Unit) -> bool:
    """Plain-text heading heuristic for a single short line followed by ``nxt``."""
    last = text.rstrip(_CLOSERS)[-1:]
    if len(text) > 120 or last in (".", ",", ";", "!") or _URLISH_RE.search(text):
        return False
    m = _ENUM_RE.match(text)
    core = text[m.end():].lstrip() if m else text
    alpha = _ALPHA_RE.search(core)
    if alpha is None or (not m and text[0] in "([{\"'"):
        return False
    style = _enum_style(m) if m else ""
    if alpha.group().islower() and style in ("", "alpha-lower", "paren"):
        return False
    n_words = len(core.split())
    question = last == "?"
    if n_words > (25 if question else 15):
        return False
    caps = _is_caps(core)
    title = _is_title(core)
    if last == ":" and not (caps or title):
        return False
    if m:
        nm = _ENUM_RE.match(nxt.text)
        # "1. foo" followed by "2. bar" is a list, not a heading
        return nm is None or _enum_style(nm) != style
    if caps or title:
        return True
    if question:
        return len(nxt.text) > len(text)
    if n_words <= 8 and core.split()[-1].lower() not in _DANGLING_WORDS:
        # a short sentence-case title ("Our promise") must introduce a clearly longer text
        return len(nxt.text) >= max(1.5 * len(text), 30)
    return False


def _is_heading(unit: _Unit, nxt: _Unit | None) -> bool:
    line = unit.lines[0]
    if len(unit.lines) > 1 or line.code or line.nojoin:
        return False
    if line.level:
        return len(unit.text) <= 200
    if nxt is None or line.link or line.bullet:
        return False
    if line.bold and len(unit.text) <= 150:
        n_words = len(unit.text.split())
        last = unit.text.rstrip(_CLOSERS)[-1:]
        # a bold title, but not a bold list item or a bold warning sentence
        if n_words <= 20 and last not in (",", ";") and (last != "." or n_words <= 8):
            return True
    return _looks_like_heading(unit.text, nxt)


# --------------------------------------------------------------------------------------------
# Sentences (Punkt with policy-trained parameters)
# --------------------------------------------------------------------------------------------

_PUNKT_RESOURCE = Path(__file__).resolve().parent / "resources" / "punkt_policy.json"
_PUNKT_FORMAT = "policyml-punkt-params"
_tokenizer: Any = None
_tokenizer_lock = threading.Lock()
_SENT_END_TOKEN_RE = re.compile("[.?!][\"')\\]}\u2019\u201d\u00bb]*$")
_SENT_END_JOINED_RE = re.compile("[.?!][\"')\\]}\u2019\u201d\u00bb]* ")
_MAX_BREAK_CHECKS = 8


def _load_punkt(path: Path) -> Any:
    """Build a ``PunktSentenceTokenizer`` from the JSON parameters at ``path``."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot read sentence-splitter parameters {path}: {exc}") from exc
    try:
        if data.get("format") != _PUNKT_FORMAT:
            raise TypeError(f"format is {data.get('format')!r}, expected {_PUNKT_FORMAT!r}")
        params = PunktParameters()
        params.abbrev_types = {str(x) for x in data["abbrev_types"]}
        params.collocations = {(str(a), str(b)) for a, b in data["collocations"]}
        params.sent_starters = {str(x) for x in data["sent_starters"]}
        for key, flags in data.get("ortho_context", {}).items():
            params.ortho_context[str(key)] = int(flags)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"malformed sentence-splitter parameters {path}: {exc}") from exc
    return PunktSentenceTokenizer(params)


def _sentence_tokenizer() -> Any:
    """The shared tokenizer, loaded once (thread-safe) on first use."""
    global _tokenizer
    tok = _tokenizer
    if tok is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                _tokenizer = _load_punkt(_PUNKT_RESOURCE)
            tok = _tokenizer
    return tok


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences with Punkt using policy-trained parameters.

    A sentence boundary is only ever placed at whitespace after ``.``, ``?`` or ``!`` (with
    optional closing quotes/brackets); Punkt decides from the surrounding tokens whether it is a
    real boundary (abbreviations such as "e.g." or "Inc." are not). Sentences are returned as
    stripped substrings of ``text``; no normalisation is applied.

    Parameters
    ----------
    text : str
        Text to split, typically one paragraph.

    Returns
    -------
    list of str
        The sentences, in order; ``[]`` for blank input.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a ``str``.
    ModelLoadError
        If the packaged Punkt parameters are missing or corrupt.

    Examples
    --------
    >>> split_sentences("We use cookies, e.g. session cookies. You can refuse them.")
    ['We use cookies, e.g. session cookies.', 'You can refuse them.']
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be str, got {type(text).__name__}")
    spans = [m.span() for m in _NONWS_RE.finditer(text)]
    if not spans:
        return []
    tok = _sentence_tokenizer()
    out: list[str] = []
    first = 0
    for i in range(len(spans) - 1):
        word = text[spans[i][0]:spans[i][1]]
        if _SENT_END_TOKEN_RE.search(word) and tok.text_contains_sentbreak(
            f"{word} {text[spans[i + 1][0]:spans[i + 1][1]]}"
        ):
            out.append(text[spans[first][0]:spans[i][1]])
            first = i + 1
    out.append(text[spans[first][0]:spans[-1][1]])
    return out


# --------------------------------------------------------------------------------------------
# Splitting long paragraphs
# --------------------------------------------------------------------------------------------


def _one_to_one_normalized(text: str) -> str | None:
    """``normalize_text(text)`` if it maps character i to character i, else None."""
    if text.isascii():
        return None if _ASCII_SPECIAL_RE.search(text) else text
    if "\r" in text or _DELETED_CHARS_RE.search(text):
        return None
    norm = text.translate(_TRANSLATION)  # now only 1:1 replacements
    return norm if unicodedata.is_normalized("NFKC", norm) else None


def _exact_tokens(text: str, s: int) -> tuple[list[str], list[int], list[int]]:
    """Normalised whitespace tokens of an exact atom starting at source offset ``s``."""
    norm = _one_to_one_normalized(text)
    if norm is not None:
        # normalisation keeps every character in place (the usual case): positions map 1:1
        spans = [m.span() for m in _NONWS_RE.finditer(norm)]
        return (
            [norm[a:b] for a, b in spans],
            [s + a for a, _ in spans],
            [s + b for _, b in spans],
        )
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _NONWS_RE.finditer(text):
        for w in _clean(m.group()).split():
            words.append(w)
            starts.append(s + m.start())
            ends.append(s + m.end())
    return words, starts, ends


_ALNUM_RE = re.compile(r"[^\W_]+")
_ALIGN_WINDOW = 1000


def _aligned_spans(words: list[str], src: str, s: int, e: int) -> tuple[list[int], list[int]]:
    """Source spans in ``src[s:e]`` of the cleaned ``words`` of a non-verbatim atom.

    Markup removal deletes characters but never reorders text, so each word's first and last
    letter/digit runs are searched for in order (within a bounded window, so this is linear).
    A word that cannot be found (changed by NFKC, glued to a neighbour by markup removal) gets
    the next whitespace-delimited source token.
    """
    starts: list[int] = []
    ends: list[int] = []
    pos = s
    for w in words:
        runs = _ALNUM_RE.findall(w)
        i = src.find(runs[0], pos, min(e, pos + _ALIGN_WINDOW)) if runs else -1
        j = src.find(runs[-1], i, min(e, i + len(w) + _ALIGN_WINDOW)) if i >= 0 else -1
        if j >= 0:
            starts.append(i)
            pos = j + len(runs[-1])
        elif i >= 0:
            starts.append(i)
            m = _NONWS_RE.search(src, i, e)
            pos = m.end() if m else i + len(runs[0])
        else:
            m = _NONWS_RE.search(src, pos, e)
            if m is None:
                starts.append(min(pos, e - 1))
                pos = e
            else:
                starts.append(m.start())
                pos = m.end()
        ends.append(pos)
    return starts, ends


def _unit_tokens(unit: _Unit, src: str) -> tuple[list[str], list[int], list[int]]:
    """Normalised whitespace tokens of ``unit`` with their source spans."""
    toks: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for line in unit.lines:
        glue = False
        for text, s, e, exact in line.atoms:
            if not text:
                continue
            if exact:
                words, a, b = _exact_tokens(text, s)
            else:
                words = _clean(text).split()
                a, b = _aligned_spans(words, src, s, e)
            if words:
                if glue and toks and not text[0].isspace():
                    # the atom continues the previous token, e.g. "foo<b>bar</b>" or "AT&amp;T"
                    toks[-1] += words[0]
                    ends[-1] = b[0]
                    words, a, b = words[1:], a[1:], b[1:]
                toks.extend(words)
                starts.extend(a)
                ends.extend(b)
            glue = not text[-1].isspace()
    return toks, starts, ends


def _split_long(unit: _Unit, src: str, max_chars: int) -> list[tuple[str, int, int]]:
    """Cut ``unit`` into pieces of at most ``max_chars`` at sentence boundaries."""
    toks, starts, ends = _unit_tokens(unit, src)
    if not toks:
        return [(unit.text, unit.start, unit.end)]
    joined = " ".join(toks)
    tend = list(accumulate(len(w) + 1 for w in toks))  # end of token i in ``joined`` plus one
    tend = [x - 1 for x in tend]
    tpos = [x - len(w) for x, w in zip(tend, toks, strict=True)]
    # ends (in ``joined``) of tokens after which a sentence may end
    cands = [m.end() - 1 for m in _SENT_END_JOINED_RE.finditer(joined)]
    n = len(toks)
    sentences = _sentence_tokenizer()
    pieces: list[tuple[str, int, int]] = []
    i0 = 0
    while i0 < n:
        first = tpos[i0]
        if tend[-1] - first <= max_chars:
            j_end = n
        else:
            limit = first + max_chars
            jmax = bisect_right(tend, limit) - 1
            if jmax < i0:
                j_end = i0 + 1  # one token longer than max_chars: keep it whole
            else:
                j_end = jmax + 1  # fallback: the sentence itself is too long, cut at a space
                c = bisect_right(cands, limit) - 1
                checks = 0
                while c >= 0 and cands[c] > first and checks < _MAX_BREAK_CHECKS:
                    j = bisect_left(tend, cands[c])
                    checks += 1
                    if sentences.text_contains_sentbreak(f"{toks[j]} {toks[j + 1]}"):
                        j_end = j + 1
                        break
                    c -= 1
        pieces.append((" ".join(toks[i0:j_end]), starts[i0], ends[j_end - 1]))
        i0 = j_end
    return pieces


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------

_HEADING_CHAIN_MAX_PARTS = 3
_HEADING_CHAIN_MAX_CHARS = 200


def _limit(value: int | None, default: int | None, name: str) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{name} must be a positive int or None, got {value!r}")
    return value


def check_input_size(
    text: str, *, max_input_chars: int | None = None, max_input_lines: int | None = None
) -> None:
    """Raise :class:`InvalidInputError` if ``text`` is over the size limits.

    Parameters
    ----------
    text : str
        The whole policy.
    max_input_chars, max_input_lines : int, optional
        Limits; default :data:`MAX_INPUT_CHARS` and :data:`MAX_INPUT_LINES` (``None`` there
        means no limit).

    Examples
    --------
    >>> check_input_size("a\\nb\\nc", max_input_lines=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyml.exceptions.InvalidInputError: policy has 3 lines, over the limit of 2 (...)
    """
    chars = _limit(max_input_chars, MAX_INPUT_CHARS, "max_input_chars")
    lines = _limit(max_input_lines, MAX_INPUT_LINES, "max_input_lines")
    if chars is not None and len(text) > chars:
        raise InvalidInputError(
            f"policy is {len(text):,} characters, over the limit of {chars:,}"
            f" (max_input_chars={chars}; see docs/errors.md)"
        )
    if lines is not None and len(text) > lines:
        n = 1 + text.count("\n") + text.count("\r") - text.count("\r\n")
        if n > lines:
            raise InvalidInputError(
                f"policy has {n:,} lines, over the limit of {lines:,}"
                f" (max_input_lines={lines}; see docs/errors.md)"
            )


def _list_paragraphs(items: list[Any] | tuple[Any, ...]) -> list[Paragraph]:
    """One paragraph per item of an already-split policy (see :func:`split_paragraphs`)."""
    paragraphs = []
    for i, item in enumerate(items):
        if isinstance(item, bytes | bytearray | memoryview):
            item = decode_bytes(item)
        if not isinstance(item, str):
            raise InvalidInputError(
                f"paragraph {i} of the list is {type(item).__name__}, expected str or bytes"
            )
        # every item stays a row, so row i is item i (an empty item gets no labels)
        paragraphs.append(Paragraph(i, _clean(item), 0, len(item), None))
    return paragraphs


def split_paragraphs(
    text: str | bytes | list[str | bytes] | tuple[str | bytes, ...],
    fmt: str = "auto",
    *,
    max_chars: int = 1500,
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
) -> list[Paragraph]:
    """Split a privacy policy into normalised paragraphs with headings and source offsets.

    Parameters
    ----------
    text : str, bytes, or list of str/bytes
        The policy. Bytes are decoded with :func:`decode_bytes` first, and offsets then refer
        to the decoded string. A list (or tuple) is taken as already-split paragraphs: item
        ``i`` becomes paragraph ``i`` (normalised, whitespace collapsed, no heading, offsets
        within the item), even when empty.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format; ``"auto"`` uses :func:`detect_format`. Plain text may have one paragraph
        per line or blank-line separated (possibly hard-wrapped) paragraphs.
    max_chars : int, default 1500
        Paragraphs longer than this are cut at sentence boundaries (or, for a single
        over-long sentence, at whitespace). A single token longer than ``max_chars`` is kept
        whole.
    max_input_chars : int, optional
        Refuse a policy longer than this many characters. Default: :data:`MAX_INPUT_CHARS`
        (read at call time; ``None`` there means no limit).
    max_input_lines : int, optional
        Refuse a policy with more lines than this. Default: :data:`MAX_INPUT_LINES`.

    Returns
    -------
    list of Paragraph
        In document order, with non-decreasing ``start``. Short title lines ("6. Cookies",
        "PRIVACY POLICY", "What do we collect?", ``<h2>``, bold-only lines, Markdown headings)
        are not returned as paragraphs but become the ``heading`` of the paragraphs that follow;
        consecutive headings are joined with ``" / "``. A heading with nothing after it is
        returned as a paragraph. Blank input gives ``[]``.

    Raises
    ------
    InvalidInputError
        If ``text`` is not str/bytes (or a list of them), ``fmt`` is not one of
        :data:`FORMATS`, ``max_chars`` is not a positive integer, or the policy is over
        ``max_input_chars`` characters or ``max_input_lines`` lines.
    ModelLoadError
        If a paragraph needs splitting and the packaged Punkt parameters are unusable.

    Notes
    -----
    Headings are Markdown ATX/setext headings and HTML ``h1``-``h6`` (up to 200 characters),
    HTML/Markdown lines that are entirely bold (up to 20 words, not ending in ``,``/``;``),
    and single short lines (at most 120 characters, no final ``.``, ``,``, ``;`` or ``!``, no
    URL or e-mail) that are followed by another unit and are

    * numbered or lettered ("6. Cookies", "E. COOKIES", "(a) Scope") -- unless the next line
      has the same numbering style, which makes both list items;
    * ALL CAPS or Title Case (a trailing ``:`` is allowed for these two);
    * a question of at most 25 words followed by a longer text; or
    * at most 8 words not ending in a function word ("Our promise") and followed by a text at
      least 1.5 times as long.

    Bulleted lines and HTML ``<li>`` and link-only lines are never headings by these rules.

    Examples
    --------
    >>> doc = "1. Cookies\\nWe use cookies to keep you signed in.\\nYou can block them."
    >>> for p in split_paragraphs(doc):
    ...     print(p.index, p.heading, "|", p.text, doc[p.start:p.end] == p.text)
    0 1. Cookies | We use cookies to keep you signed in. True
    1 1. Cookies | You can block them. True
    >>> [p.text for p in split_paragraphs("<h2>Sharing</h2><p>We do not sell data.<br>Ever.")]
    ['We do not sell data.', 'Ever.']
    """
    if isinstance(text, list | tuple):
        return _list_paragraphs(text)
    if isinstance(text, bytes | bytearray | memoryview):
        text = decode_bytes(text)
    elif not isinstance(text, str):
        raise InvalidInputError(
            f"text must be str, bytes or a list of them, got {type(text).__name__}"
        )
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise InvalidInputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise InvalidInputError(f"max_chars must be a positive int, got {max_chars!r}")
    check_input_size(text, max_input_chars=max_input_chars, max_input_lines=max_input_lines)
    if not text or text.isspace():
        return []
    if fmt == "auto":
        fmt = detect_format(text)
    if fmt == "html":
        units = _html_units(text)
    elif fmt == "markdown":
        units = _markdown_units(text)
    else:
        units = _text_units(text)
    units = [u for u in units if _HAS_WORD_RE.search(u.text)]

    out: list[Paragraph] = []

    def emit(unit: _Unit, heading: str | None) -> None:
        if len(unit.text) <= max_chars:
            out.append(Paragraph(len(out), unit.text, unit.start, unit.end, heading))
            return
        for piece, start, end in _split_long(unit, text, max_chars):
            out.append(Paragraph(len(out), piece, start, end, heading))

    heading: str | None = None
    pending: list[_Unit] = []
    for i, unit in enumerate(units):
        if _is_heading(unit, units[i + 1] if i + 1 < len(units) else None):
            if pending and (
                len(pending) >= _HEADING_CHAIN_MAX_PARTS
                or sum(len(u.text) + 3 for u in pending) + len(unit.text)
                > _HEADING_CHAIN_MAX_CHARS
            ):
                for head in pending:  # too many stacked titles: keep them as paragraphs
                    emit(head, heading)
                pending = []
            pending.append(unit)
            continue
        if pending:
            heading = " / ".join(u.text for u in pending)
            pending = []
        emit(unit, heading)
    for head in pending:  # headings with no paragraph after them
        emit(head, heading)
    return out
