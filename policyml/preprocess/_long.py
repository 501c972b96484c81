"""Cut over-long paragraphs at sentence boundaries, keeping source offsets.

The paragraph's words are read as a stream of ``(word, start, end)`` tokens, and only the
tokens of the piece being cut (about ``max_chars`` characters of them, plus one) are held at
a time, so memory stays proportional to ``max_chars`` and not to the paragraph: a paragraph of
20 million characters of one-letter words would otherwise take tens of millions of Python
objects (2.2 GB).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from policyml.preprocess._lines import NONWS_RE, Unit
from policyml.preprocess._sentences import MAX_BREAK_CHECKS, SENT_END_TOKEN_RE, sentence_tokenizer
from policyml.preprocess._unicode import clean_text, one_to_one_normalized

# (normalised word, start, end in the source)
Token = tuple[str, int, int]


_CHUNK = 1 << 16
_WHITESPACE_RE = re.compile(r"\s")


def _exact_tokens(text: str, s: int) -> Iterator[Token]:
    """Normalised whitespace tokens of an exact atom starting at source offset ``s``.

    A long atom is read a slice at a time, cut before whitespace (so no token is cut), which
    keeps one slice's normalised copy in memory instead of the whole atom's.
    """
    pos, n = 0, len(text)
    while pos < n:
        end = pos + _CHUNK
        if end < n:
            space = _WHITESPACE_RE.search(text, end)
            end = n if space is None else space.start()
        part = text if (pos, end) == (0, n) else text[pos:end]
        yield from _exact_slice_tokens(part, s + pos)
        pos = end


def _exact_slice_tokens(text: str, s: int) -> Iterator[Token]:
    norm = one_to_one_normalized(text)
    if norm is not None:
        # normalisation keeps every character in place (the usual case): positions map 1:1.
        # Each token then normalises to itself alone, so this gives the tokens of the general
        # case below, only faster: a slice may take either branch.
        for m in NONWS_RE.finditer(norm):
            a, b = m.span()
            yield m.group(), s + a, s + b
        return
    for m in NONWS_RE.finditer(text):
        for w in clean_text(m.group()).split():
            yield w, s + m.start(), s + m.end()


_ALNUM_RE = re.compile(r"[^\W_]+")
_ALIGN_WINDOW = 1000


def _aligned_tokens(text: str, src: str, s: int, e: int) -> Iterator[Token]:
    """The cleaned words of the non-verbatim atom ``text`` with their spans in ``src[s:e]``.

    Markup removal deletes characters but never reorders text, so each word's first and last
    letter/digit runs are searched for in order (within a bounded window, so this is linear).
    A word that cannot be found (changed by NFKC, glued to a neighbour by markup removal) gets
    the next whitespace-delimited source token.
    """
    pos = s
    for word in NONWS_RE.finditer(clean_text(text)):  # the words of clean_text(text).split()
        w = word.group()
        runs = _ALNUM_RE.findall(w)
        i = src.find(runs[0], pos, min(e, pos + _ALIGN_WINDOW)) if runs else -1
        j = src.find(runs[-1], i, min(e, i + len(w) + _ALIGN_WINDOW)) if i >= 0 else -1
        if j >= 0:
            start = i
            pos = j + len(runs[-1])
        elif i >= 0:
            start = i
            m = NONWS_RE.search(src, i, e)
            pos = m.end() if m else i + len(runs[0])
        else:
            m = NONWS_RE.search(src, pos, e)
            if m is None:
                start = min(pos, e - 1)
                pos = e
            else:
                start = m.start()
                pos = m.end()
        yield w, start, pos


def _unit_tokens(unit: Unit, src: str) -> Iterator[Token]:
    """Normalised whitespace tokens of ``unit`` with their source spans, in order."""
    last: Token | None = None  # held back: the next atom may continue it
    for line in unit.lines:
        glue = False
        for text, s, e, exact in line.atoms:
            if not text:
                continue
            words = _exact_tokens(text, s) if exact else _aligned_tokens(text, src, s, e)
            first = glue and not text[0].isspace()
            for token in words:
                if first and last is not None:
                    # the atom continues the previous token, e.g. "foo<b>bar</b>" or "AT&amp;T"
                    last = (last[0] + token[0], last[1], token[2])
                else:
                    if last is not None:
                        yield last
                    last = token
                first = False
            glue = not text[-1].isspace()
    if last is not None:
        yield last


def split_long(unit: Unit, src: str, max_chars: int) -> list[tuple[str, int, int]]:
    """Cut ``unit`` into pieces of at most ``max_chars`` at sentence boundaries.

    Each piece is as long as it can be: it ends at the last sentence boundary (one of the last
    ``MAX_BREAK_CHECKS`` candidates that Punkt accepts) within ``max_chars``, else at the last
    space within ``max_chars``; a single token longer than ``max_chars`` is kept whole.
    """
    tokens = _unit_tokens(unit, src)
    window: list[Token] = []  # the tokens from the start of the next piece on
    ends: list[int] = []  # ends[k]: end of window[k] in the piece's text (words joined by " ")
    pieces: list[tuple[str, int, int]] = []
    sentences = sentence_tokenizer()
    more = True
    while True:
        # read until the window holds more than max_chars (or every token)
        while more and (not ends or ends[-1] <= max_chars):
            token = next(tokens, None)
            if token is None:
                more = False
            else:
                ends.append((ends[-1] + 1 if ends else 0) + len(token[0]))
                window.append(token)
        if not window:
            break
        if ends[-1] <= max_chars:
            cut = len(window)  # the rest fits
        else:
            last = bisect_right(ends, max_chars) - 1  # last token ending within max_chars
            if last < 0:
                cut = 1  # one token longer than max_chars: keep it whole
            else:
                cut = last + 1  # fallback: the sentence itself is too long, cut at a space
                checks = 0
                for k in range(last, -1, -1):
                    if checks >= MAX_BREAK_CHECKS:
                        break
                    if SENT_END_TOKEN_RE.search(window[k][0]):
                        checks += 1
                        if sentences.text_contains_sentbreak(f"{window[k][0]} {window[k + 1][0]}"):
                            cut = k + 1
                            break
        pieces.append((" ".join(w for w, _, _ in window[:cut]), window[0][1], window[cut - 1][2]))
        shift = ends[cut - 1] + 1
        window = window[cut:]
        ends = [x - shift for x in ends[cut:]]
    if not pieces:
        return [(unit.text, unit.start, unit.end)]
    return pieces
