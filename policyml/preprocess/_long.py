"""Cut over-long paragraphs at sentence boundaries, keeping source offsets."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

from policyml.preprocess._lines import NONWS_RE, Unit
from policyml.preprocess._sentences import MAX_BREAK_CHECKS, SENT_END_JOINED_RE, sentence_tokenizer
from policyml.preprocess._unicode import clean_text, one_to_one_normalized


def _exact_tokens(text: str, s: int) -> tuple[list[str], list[int], list[int]]:
    """Normalised whitespace tokens of an exact atom starting at source offset ``s``."""
    norm = one_to_one_normalized(text)
    if norm is not None:
        # normalisation keeps every character in place (the usual case): positions map 1:1
        spans = [m.span() for m in NONWS_RE.finditer(norm)]
        return (
            [norm[a:b] for a, b in spans],
            [s + a for a, _ in spans],
            [s + b for _, b in spans],
        )
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
            m = NONWS_RE.search(src, i, e)
            pos = m.end() if m else i + len(runs[0])
        else:
            m = NONWS_RE.search(src, pos, e)
            if m is None:
                starts.append(min(pos, e - 1))
                pos = e
            else:
                starts.append(m.start())
                pos = m.end()
        ends.append(pos)
    return starts, ends


def _unit_tokens(unit: Unit, src: str) -> tuple[list[str], list[int], list[int]]:
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
                words = clean_text(text).split()
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


def split_long(unit: Unit, src: str, max_chars: int) -> list[tuple[str, int, int]]:
    """Cut ``unit`` into pieces of at most ``max_chars`` at sentence boundaries."""
    toks, starts, ends = _unit_tokens(unit, src)
    if not toks:
        return [(unit.text, unit.start, unit.end)]
    joined = " ".join(toks)
    tend = list(accumulate(len(w) + 1 for w in toks))  # end of token i in ``joined`` plus one
    tend = [x - 1 for x in tend]
    tpos = [x - len(w) for x, w in zip(tend, toks, strict=True)]
    # ends (in ``joined``) of tokens after which a sentence may end
    cands = [m.end() - 1 for m in SENT_END_JOINED_RE.finditer(joined)]
    n = len(toks)
    sentences = sentence_tokenizer()
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
                while c >= 0 and cands[c] > first and checks < MAX_BREAK_CHECKS:
                    j = bisect_left(tend, cands[c])
                    checks += 1
                    if sentences.text_contains_sentbreak(f"{toks[j]} {toks[j + 1]}"):
                        j_end = j + 1
                        break
                    c -= 1
        pieces.append((" ".join(toks[i0:j_end]), starts[i0], ends[j_end - 1]))
        i0 = j_end
    return pieces
