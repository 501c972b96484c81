"""The line and unit model the three parsers share, and how lines join into units."""

from __future__ import annotations

import re
from collections.abc import Iterator

# (text, start, end, exact): ``exact`` means text == source[start:end]
Atom = tuple[str, int, int, bool]

_NEWLINE_RE = re.compile(r"\r\n|[\r\n\x0b\x0c\u2028\u2029]")
NONWS_RE = re.compile(r"\S+")
HAS_WORD_RE = re.compile(r"[^\W_]")
_BULLET_RE = re.compile(
    "^[-*+\u2022\u25e6\u25aa\u2023\u25cf\u25cb\u25a0\u25a1\u00b7\u2013\u2014\u2043>\u00bb](?:\\s|$)"
)
ENUM_RE = re.compile(
    r"^(?:(?:section|article|part|chapter|step)\s+)?"
    r"(?:(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?|(?P<alpha>[A-Za-z])[.)]|(?P<roman>[ivxlcIVXLC]{1,6})[.)]"
    r"|\(\s*(?P<paren>\d{1,3}|[A-Za-z]|[ivxIVX]{1,5})\s*\))(?=\s)",
    re.I,
)
CLOSERS = "\"')]}*"


class Line:
    """A source line (or HTML text run) with its cleaned text, span and layout flags."""

    __slots__ = ("atoms", "bold", "bullet", "clean", "code", "column", "end", "enum", "hints",
                 "level", "link", "nojoin", "start")

    def __init__(self, atoms: list[Atom], clean: str, start: int, end: int) -> None:
        self.atoms = atoms
        self.clean = clean
        self.start = start
        self.end = end
        self.level = 0  # explicit heading level (Markdown ATX/setext, HTML h1-h6)
        self.bold = False  # whole line is bold (HTML b/strong, Markdown **x**)
        self.link = False  # whole line is link text (HTML)
        self.bullet = _BULLET_RE.match(clean) is not None  # bulleted list item
        self.enum = ENUM_RE.match(clean) is not None  # numbered/lettered line
        self.nojoin = False  # table rows and the like: never merged with neighbours
        self.code = False  # fenced code block content
        # HTML: share of the line under each kind of element (see _html.HINTS), then in links
        self.hints: tuple[float, ...] = ()
        # HTML: for a line in a table's body cell, the text of its column's header cell
        self.column: str | None = None


class Unit:
    """A paragraph candidate: one or more joined lines."""

    __slots__ = ("end", "lines", "start", "text")

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.text = lines[0].clean if len(lines) == 1 else " ".join(ln.clean for ln in lines)
        self.start = lines[0].start
        self.end = lines[-1].end


def iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of every line of ``text`` (line terminators excluded)."""
    pos = 0
    for m in _NEWLINE_RE.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def content_span(text: str, s: int, e: int) -> tuple[str, int, int]:
    """Strip surrounding whitespace of ``text[s:e]``; return ``(content, start, end)``."""
    raw = text[s:e]
    body = raw.strip()
    if not body:
        return "", s, s
    lead = len(raw) - len(raw.lstrip())
    return body, s + lead, s + lead + len(body)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSERS)[-1:] in (".", "!", "?", ":", ";")


def _joins(a: Line, b: Line, mode: str, wrap: int) -> bool:
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


def group_lines(blocks: list[list[Line]], modes: list[str], wrap: int) -> list[Unit]:
    units: list[Unit] = []
    for block, mode in zip(blocks, modes, strict=True):
        cur: list[Line] = []
        for line in block:
            if cur and _joins(cur[-1], line, mode, wrap):
                cur.append(line)
            else:
                if cur:
                    units.append(Unit(cur))
                cur = [line]
        if cur:
            units.append(Unit(cur))
    return units
