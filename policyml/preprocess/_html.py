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

# one dict lookup per tag instead of one set lookup per category
_BLOCK, _SKIP, _HEADING, _BOLD, _LINK, _ITEM, _SOFT, _VOID, _HEAD = (1 << k for k in range(9))


def _tag_flags() -> dict[str, int]:
    flags: dict[str, int] = {}
    for flag, names in (
        (_BLOCK, _BLOCK_TAGS), (_SKIP, _SKIP_TAGS), (_HEADING, _HEADING_TAGS),
        (_BOLD, _BOLD_TAGS), (_LINK, {"a"}), (_ITEM, _LIST_ITEM_TAGS), (_SOFT, _SOFT_SKIP_TAGS),
        (_VOID, _VOID_TAGS), (_HEAD, _HEAD_TAGS),
    ):
        for name in names:
            flags[name] = flags.get(name, 0) | flag
    return flags


_FLAGS = _tag_flags()


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
    def _push(self, tag: str, flags: int) -> None:
        self._stack.append(tag)
        self._open[tag] = self._open.get(tag, 0) + 1
        if flags:
            if flags & _SKIP:
                self._skip += 1
            elif flags & _HEADING:
                self._hstack.append(int(tag[1]))
            elif flags & _BOLD:
                self._bold += 1
            elif flags & _LINK:
                self._link += 1
            elif flags & _ITEM:
                self._li += 1
            if flags & _SOFT:
                self._groups.append((len(self.lines), len(self.breaks)))

    def _pop_to(self, tag: str | None) -> None:
        """Pop elements up to and including ``tag`` (everything when ``tag`` is None)."""
        stack = self._stack
        while stack:
            t = stack.pop()
            self._open[t] -= 1
            flags = _FLAGS.get(t, 0)
            if flags:
                if flags & _BLOCK:
                    self._flush("block")
                if flags & _SKIP:
                    self._skip -= 1
                elif flags & _HEADING:
                    self._hstack.pop()
                elif flags & _BOLD:
                    self._bold -= 1
                elif flags & _LINK:
                    self._link -= 1
                elif flags & _ITEM:
                    self._li -= 1
                if flags & _SOFT:
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
    def _flush(self, kind: str) -> None:
        atoms = self._atoms
        if not atoms:  # the common case: nothing since the last break
            if kind == "block" or self._brk == "br":
                self._brk = "block"
            return
        if self._tot:
            while not atoms[-1][0].strip():
                atoms.pop()
            first = 0
            while not atoms[first][0].strip():
                first += 1
            if first:
                atoms = atoms[first:]
            text, s, _, exact = atoms[0]
            start = s + (len(text) - len(text.lstrip())) if exact else s
            text, _, e, exact = atoms[-1]
            end = e - (len(text) - len(text.rstrip())) if exact else e
            clean = clean_text(text if len(atoms) == 1 else "".join([a[0] for a in atoms]))
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
        # The hot loop: _add and the no-text case of _flush are inlined (same logic).
        src = self._src
        open_ = self._open
        stack = self._stack
        flush = self._flush
        flags_of = _FLAGS
        for kind, start, end, name, _attrs in iter_tokens(src):
            if kind <= REF:  # TEXT or REF
                if self._skip:
                    if kind == REF:
                        continue
                    data = src[start:end]
                    if self._skip == 1 and open_.get("head") and data.strip() and not (
                        open_.get("title") or open_.get("style") or open_.get("script")
                    ):
                        self._pop_to("head")  # stray text in <head> starts the body
                    else:
                        continue
                text = src[start:end] if kind == TEXT else name
                n = len(text.strip())
                if not n:
                    if self._atoms:  # leading white space would be stripped by _flush anyway
                        self._atoms.append((text, start, end, kind == TEXT))
                    continue
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
                self._atoms.append((text, start, end, kind == TEXT))
            elif kind == START:
                flags = flags_of.get(name, 0)
                if open_.get("head") and (name == "body" or not flags & _HEAD):
                    self._pop_to("head")  # implicit </head>
                if flags & _VOID:
                    if name == "br":
                        flush("br")
                    elif name == "hr":
                        flush("block")
                    continue
                if flags & _BLOCK:
                    if self._atoms:
                        flush("block")
                    else:
                        self._brk = "block"
                if flags:
                    self._push(name, flags)
                else:
                    stack.append(name)
                    open_[name] = open_.get(name, 0) + 1
            elif kind == END:
                if name == "br":
                    flush("br")
                elif open_.get(name):
                    if stack[-1] == name and not flags_of.get(name):
                        stack.pop()  # the usual case: an inline element closes
                        open_[name] -= 1
                    else:
                        self._pop_to(name)
                elif flags_of.get(name, 0) & _BLOCK:
                    if self._atoms:
                        flush("block")
                    else:
                        self._brk = "block"
            elif kind == SELF_CLOSING:  # <x/>: no element is opened
                if name == "br":
                    flush("br")
                elif flags_of.get(name, 0) & _BLOCK:
                    flush("block")

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
