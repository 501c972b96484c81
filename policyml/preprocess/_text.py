"""Plain text: one paragraph per line, or blank-line separated (possibly hard-wrapped)."""

from __future__ import annotations

from policyml.preprocess._lines import (
    HAS_WORD_RE,
    Line,
    Unit,
    content_span,
    group_lines,
    iter_lines,
)
from policyml.preprocess._unicode import clean_text


def _text_lines(src: str) -> list[list[Line]]:
    """Blank-line separated blocks of non-blank lines (lines without any word separate too)."""
    blocks: list[list[Line]] = []
    cur: list[Line] = []
    for s, e in iter_lines(src):
        body, cs, ce = content_span(src, s, e)
        clean = clean_text(body) if body else ""
        if not clean or not HAS_WORD_RE.search(clean):
            if cur:
                blocks.append(cur)
                cur = []
            continue
        cur.append(Line([(body, cs, ce, True)], clean, cs, ce))
    if cur:
        blocks.append(cur)
    return blocks


def _wrap_width(blocks: list[list[Line]]) -> int:
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


def text_units(src: str) -> list[Unit]:
    blocks = _text_lines(src)
    wrap = _wrap_width(blocks)
    return group_lines(blocks, ["wrap" if wrap else "cont"] * len(blocks), wrap)
