"""Cut over-long paragraphs at sentence boundaries, keeping source offsets.

The paragraph's words are read in chunks of ``(words, starts, ends)`` (a slice of the source
at a time), and only the words of the piece being cut (about ``max_chars`` characters of them,
plus one chunk) are held, so memory stays proportional to ``max_chars`` and not to the
paragraph: a paragraph of 20 million characters of one-letter words would otherwise take tens
of millions of Python objects (2.3 GB, and 27 s instead of 5).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import accumulate
from operator import add

from policyml.preprocess._lines import NONWS_RE, Unit
from policyml.preprocess._sentences import MAX_BREAK_CHECKS, SENT_END_TOKEN_RE, sentence_tokenizer
from policyml.preprocess._unicode import clean_text, one_to_one_normalized

# normalised words, and their start and end offsets in the source
Chunk = tuple[list[str], list[int], list[int]]

_SLICE = 1 << 16  # characters of an atom read at a time
_WHITESPACE_RE = re.compile(r"\s")
_SPACES_RE = re.compile(r"(\s+)")
# a word after which a sentence may end, followed by the space that joins it to the next
_SENT_END_JOINED_RE = re.compile(SENT_END_TOKEN_RE.pattern.rstrip("$") + " ")


def _exact_chunks(text: str, s: int) -> Iterator[Chunk]:
    """Normalised whitespace tokens of an exact atom starting at source offset ``s``.

    A long atom is read a slice at a time, cut before whitespace (so no token is cut), which
    keeps one slice's normalised copy in memory instead of the whole atom's.
    """
    pos, n = 0, len(text)
    while pos < n:
        end = pos + _SLICE
        if end < n:
            space = _WHITESPACE_RE.search(text, end)
            end = n if space is None else space.start()
        part = text if (pos, end) == (0, n) else text[pos:end]
        yield _exact_slice(part, s + pos)
        pos = end


def _exact_slice(text: str, s: int) -> Chunk:
    norm = one_to_one_normalized(text)
    if norm is not None:
        # normalisation keeps every character in place (the usual case): positions map 1:1.
        # Each token then normalises to itself alone, so this gives the tokens of the general
        # case below, only faster: a slice may take either branch.
        # [word, space, word, ..., word] (words may be empty at the ends) and where each
        # part starts: strings and ints only, no regex match objects, which the cyclic
        # garbage collector would have to scan (3x slower on millions of words)
        parts = _SPACES_RE.split(norm)
        offsets = list(accumulate(map(len, parts), initial=s))
        words, starts, ends = parts[::2], offsets[:-1:2], offsets[1::2]
        if not words[-1]:
            del words[-1], starts[-1], ends[-1]
        if words and not words[0]:
            del words[0], starts[0], ends[0]
        return words, starts, ends
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in NONWS_RE.finditer(text):
        for w in clean_text(m.group()).split():
            words.append(w)
            starts.append(s + m.start())
            ends.append(s + m.end())
    return words, starts, ends


_ALNUM_RE = re.compile(r"[^\W_]+")
_ALIGN_WINDOW = 1000


def _aligned_chunks(text: str, src: str, s: int, e: int) -> Iterator[Chunk]:
    """The cleaned words of the non-verbatim atom ``text`` with their spans in ``src[s:e]``.

    Markup removal deletes characters but never reorders text, so each word's first and last
    letter/digit runs are searched for in order (within a bounded window, so this is linear).
    A word that cannot be found (changed by NFKC, glued to a neighbour by markup removal) gets
    the next whitespace-delimited source token.
    """
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
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
        words.append(w)
        starts.append(start)
        ends.append(pos)
        if len(words) >= _SLICE // 2:
            yield words, starts, ends
            words, starts, ends = [], [], []
    yield words, starts, ends


def _unit_chunks(unit: Unit, src: str) -> Iterator[Chunk]:
    """Normalised whitespace tokens of ``unit`` with their source spans, in order, a chunk
    at a time; the last token seen is held back until the next atom (which may continue it)
    has been read."""
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for line in unit.lines:
        glue = False
        for text, s, e, exact in line.atoms:
            if not text:
                continue
            chunks = _exact_chunks(text, s) if exact else _aligned_chunks(text, src, s, e)
            first = glue and not text[0].isspace()
            for more, a, b in chunks:
                if not more:
                    continue
                if first and words:
                    # the atom continues the previous token, e.g. "foo<b>bar</b>" or "AT&amp;T"
                    words[-1] += more[0]
                    ends[-1] = b[0]
                    more, a, b = more[1:], a[1:], b[1:]
                first = False
                words += more
                starts += a
                ends += b
                if len(words) > _SLICE // 2:
                    yield words[:-1], starts[:-1], ends[:-1]
                    words, starts, ends = words[-1:], starts[-1:], ends[-1:]
            glue = not text[-1].isspace()
    if words:
        yield words, starts, ends


def split_long(unit: Unit, src: str, max_chars: int) -> list[tuple[str, int, int]]:
    """Cut ``unit`` into pieces of at most ``max_chars`` at sentence boundaries.

    Each piece is as long as it can be: it ends at the last sentence boundary (one of the last
    ``MAX_BREAK_CHECKS`` candidates that Punkt accepts) within ``max_chars``, else at the last
    space within ``max_chars``; a single token longer than ``max_chars`` is kept whole.
    """
    chunks = _unit_chunks(unit, src)
    sentences = sentence_tokenizer()
    # The window: the tokens from the start of the next piece on. Positions are in the text
    # of all the unit's tokens joined by single spaces: ``after[k]`` is where the token after
    # window token k starts, ``first`` where window token 0 starts.
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    after: list[int] = []
    first = 0
    more = True
    pieces: list[tuple[str, int, int]] = []
    while True:
        # read until the window holds more than max_chars (or every token)
        while more and (not after or after[-1] - 1 - first <= max_chars):
            chunk = next(chunks, None)
            if chunk is None:
                more = False
                break
            base = after[-1] if after else first
            # base + the lengths of the chunk's words so far + one space after each
            spaces = range(base + 1, base + 1 + len(chunk[0]))
            after += map(add, accumulate(map(len, chunk[0])), spaces)
            words += chunk[0]
            starts += chunk[1]
            ends += chunk[2]
        if not words:
            break
        if after[-1] - 1 - first <= max_chars:
            cut = len(words)  # the rest fits
            text = " ".join(words)
        else:
            limit = first + max_chars + 1
            last = bisect_right(after, limit) - 1  # last token ending within max_chars
            if last < 0:
                cut = 1  # one token longer than max_chars: keep it whole
                text = words[0]
            else:
                cut = last + 1  # fallback: the sentence itself is too long, cut at a space
                joined = " ".join(words[: last + 2])
                candidates = [m.end() for m in _SENT_END_JOINED_RE.finditer(joined)]
                for position in candidates[::-1][:MAX_BREAK_CHECKS]:
                    k = bisect_left(after, first + position)  # the token ending before it
                    if sentences.text_contains_sentbreak(f"{words[k]} {words[k + 1]}"):
                        cut = k + 1
                        break
                text = joined[: after[cut - 1] - 1 - first]
        pieces.append((text, starts[0], ends[cut - 1]))
        first = after[cut - 1]
        del words[:cut], starts[:cut], ends[:cut], after[:cut]
    if not pieces:
        return [(unit.text, unit.start, unit.end)]
    return pieces
