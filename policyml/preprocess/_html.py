"""HTML: text runs with exact source offsets, from policyml's own tokenizer (``_tags``).

No HTML library is used here because none reports the source offset of every text run and
character reference, which ``Paragraph.start``/``end`` need.
"""

from __future__ import annotations

from policyml.preprocess._lines import Atom, Line, Unit, group_lines
from policyml.preprocess._tags import END, REF, SELF_CLOSING, START, TEXT, iter_tokens
from policyml.preprocess._unicode import clean_text

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


class _HTMLExtractor:
    """Turn HTML tokens (:func:`iter_tokens`) into :class:`Line` runs with exact source spans.

    Every text token is a verbatim slice of the source and every character reference has its
    raw extent, so spans are exact.
    """

    def __init__(self, source: str) -> None:
        self._src = source
        self.lines: list[Line] = []
        self.breaks: list[str] = []  # boundary kind before each line: "block" or "br"
        self._nonlink_cum: list[int] = []  # running total of non-link text length per line
        self._brk = "block"
        self._atoms: list[Atom] = []
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
            clean = clean_text("".join(a[0] for a in atoms))
            if clean:
                line = Line(atoms, clean, start, end)
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

    # -- tokens ----------------------------------------------------------------------------
    def feed(self) -> None:
        src = self._src
        for kind, start, end, name, _attrs in iter_tokens(src):
            if kind == TEXT:
                self.handle_data(src[start:end], start, end)
            elif kind == REF:
                if not self._skip:
                    self._add(name, start, end, False)
            elif kind == START:
                self.handle_starttag(name)
            elif kind == END:
                self.handle_endtag(name)
            elif kind == SELF_CLOSING:
                self.handle_startendtag(name)

    def handle_starttag(self, tag: str) -> None:
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

    def handle_startendtag(self, tag: str) -> None:
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

    def handle_data(self, data: str, start: int, end: int) -> None:
        if self._skip:
            if self._skip == 1 and self._open.get("head") and data.strip() and not (
                self._open.get("title") or self._open.get("style") or self._open.get("script")
            ):
                self._pop_to("head")  # stray text in <head> starts the body
            else:
                return
        self._add(data, start, end, True)

    def finish(self) -> None:
        """Close every open element (deciding pending nav/form groups) after parsing."""
        self._flush("block")
        self._pop_to(None)
        self._flush("block")


def html_units(src: str) -> list[Unit]:
    parser = _HTMLExtractor(src)
    parser.feed()
    parser.finish()
    blocks: list[list[Line]] = []
    for line, brk in zip(parser.lines, parser.breaks, strict=True):
        if brk == "block" or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return group_lines(blocks, ["cont"] * len(blocks), 0)
