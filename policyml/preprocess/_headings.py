"""Which units are section headings (and so context of the paragraphs below them)."""

from __future__ import annotations

import re

from policyml.preprocess._lines import CLOSERS, ENUM_RE, Unit

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


def _looks_like_heading(text: str, nxt: Unit) -> bool:
    """Plain-text heading heuristic for a single short line followed by ``nxt``."""
    last = text.rstrip(CLOSERS)[-1:]
    if len(text) > 120 or last in (".", ",", ";", "!") or _URLISH_RE.search(text):
        return False
    m = ENUM_RE.match(text)
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
        nm = ENUM_RE.match(nxt.text)
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


def is_heading(unit: Unit, nxt: Unit | None) -> bool:
    line = unit.lines[0]
    if len(unit.lines) > 1 or line.code or line.nojoin:
        return False
    if line.level:
        return len(unit.text) <= 200
    if nxt is None or line.link or line.bullet:
        return False
    if line.bold and len(unit.text) <= 150:
        n_words = len(unit.text.split())
        last = unit.text.rstrip(CLOSERS)[-1:]
        # a bold title, but not a bold list item or a bold warning sentence
        if n_words <= 20 and last not in (",", ";") and (last != "." or n_words <= 8):
            return True
    return _looks_like_heading(unit.text, nxt)
