"""HTML: text runs with exact source offsets, from policyml's own tokenizer (``_tags``).

No HTML library is used here because none reports the source offset of every text run and
character reference, which ``Paragraph.start``/``end`` need.
"""

from __future__ import annotations

import re

from policyml.preprocess._lines import Atom, Line, Unit, group_lines
from policyml.preprocess._tags import END, REF, SELF_CLOSING, START, TEXT, attributes, iter_tokens
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

# Where a line sits in the page, for telling page furniture from the policy's text
# (policyml.preprocess._boilerplate): one bit per kind of enclosing element.
HINTS = (
    "nav",  # <nav>, <menu>
    "header",  # <header>
    "footer",  # <footer>
    "aside",  # <aside>
    "form",  # <form>
    "chrome_name",  # class/id/role naming furniture: nav, menu, footer, cookie, share, ...
    "content_name",  # class/id/role naming content: content, main, article, policy, ...
    "main",  # <main>, <article>
    "anchor_link",  # a link to a place on the same page (href="#...")
    "table",  # inside a table
    "widget_name",  # class/id naming a furniture widget: menu, cookie banner, share buttons...
)
_HINT_TAGS = {"nav": 1, "menu": 1, "header": 2, "footer": 4, "aside": 8, "form": 16, "main": 128,
              "article": 128, "table": 512, "td": 512, "th": 512}
_CHROME_NAME = 32
_CONTENT_NAME = 64
_ANCHOR = 256
_WIDGET_NAME = 1024
_NAMED_ATTRS_RE = re.compile(r"\b(?:class|id|role|href)\s*=", re.I)
_CHROME_NAME_RE = re.compile(
    r"nav|menu|footer|header|sidebar|breadcrumb|share|social|cookie|banner|consent|modal|popup|"
    r"widget|related|advert|promo|subscribe|newsletter|search|login|sign-?in|comment|skip|"
    r"masthead|toolbar|dropdown|utility|copyright|sitemap|carousel|slider|complementary|"
    r"contentinfo|\bads?\b|\btags?\b",
    re.I,
)
# names that only furniture widgets carry ("cookie-policy" names content; "cookie-banner" does
# not; page builders call every block a "widget", so that word is not one of them)
_WIDGET_NAME_RE = re.compile(
    r"\b(?:[\w-]*[-_])?(?:nav(?:bar|igation)?|menu|mega-?menu|dropdown|breadcrumbs?|"
    r"cookie[-_]?(?:banner|bar|notice|consent|popup|modal|law|message|alert)|consent[-_]?"
    r"(?:banner|bar|manager|popup|modal)|onetrust[\w-]*|cookiebot[\w-]*|cmp[-_]\w+|gdpr[-_]\w+|"
    r"share(?:[-_]?(?:buttons?|links?|icons?|bar|tools?|this|widget))?|sharethis|addthis|"
    r"social(?:[-_]?(?:links?|icons?|media|share|buttons?))?|sidebar|related[\w-]*|"
    r"popular[\w-]*|advert\w*|ads?|ad[-_]slot|banner[-_]?ad|back[-_]?to[-_]?top|skip[-_]?link|"
    r"search[-_](?:form|box|bar)|login|signin|newsletter|subscribe)(?:[-_][\w-]*)?\b",
    re.I,
)
_CONTENT_NAME_RE = re.compile(
    r"content|main|article|policy|privacy|post|entry|body|text|legal", re.I
)

# one dict lookup per tag instead of one set lookup per category
_BLOCK, _SKIP, _HEADING, _BOLD, _LINK, _ITEM, _VOID, _HEAD = (1 << k for k in range(8))


def _tag_flags() -> dict[str, int]:
    flags: dict[str, int] = {}
    for flag, names in (
        (_BLOCK, _BLOCK_TAGS), (_SKIP, _SKIP_TAGS), (_HEADING, _HEADING_TAGS),
        (_BOLD, _BOLD_TAGS), (_LINK, {"a"}), (_ITEM, _LIST_ITEM_TAGS),
        (_VOID, _VOID_TAGS), (_HEAD, _HEAD_TAGS),
    ):
        for name in names:
            flags[name] = flags.get(name, 0) | flag
    return flags


_FLAGS = _tag_flags()


def _hint(tag: str, attrs: str) -> int:
    """The :data:`HINTS` bits of an element."""
    hint = _HINT_TAGS.get(tag, 0)
    # <html>/<body> classes describe the whole page ("page-template-sidebar"), not a part
    if tag in ("html", "body") or not _NAMED_ATTRS_RE.search(attrs):
        return hint
    values = attributes(attrs)
    names = " ".join(values.get(key, "") for key in ("class", "id", "role"))
    if _CHROME_NAME_RE.search(names):
        hint |= _CHROME_NAME
        if _WIDGET_NAME_RE.search(values.get("class", "") + " " + values.get("id", "")):
            hint |= _WIDGET_NAME
    if _CONTENT_NAME_RE.search(names):
        hint |= _CONTENT_NAME
    if tag == "a" and values.get("href", "").startswith("#"):
        hint |= _ANCHOR
    return hint


class _Table:
    """Where the extractor is in a table: row and column, and the header cells' text."""

    __slots__ = ("column", "header", "header_row", "row")

    def __init__(self) -> None:
        self.row = 0
        self.column = -1
        self.header_row = False  # the first row, or one with <th> cells, names the columns
        self.header: dict[int, list[str]] = {}

    def start_row(self) -> None:
        self.row += 1
        self.column = -1
        self.header_row = self.row == 1

    def start_cell(self, tag: str) -> None:
        self.column += 1
        if tag == "th" and not self.header_row:
            self.header_row = True
            self.header = {}  # a later header row names the columns from here on

    def place(self, line: Line) -> None:
        """Record a header line, or give a body line its column's header."""
        if self.column < 0:
            return
        if self.header_row:
            self.header.setdefault(self.column, []).append(line.clean)
        elif self.column in self.header:
            line.column = " ".join(self.header[self.column])


class _HTMLExtractor:
    """Turn HTML tokens (:func:`iter_tokens`) into :class:`Line` runs with exact source spans.

    Every text token is a verbatim slice of the source and every character reference has its
    raw extent, so spans are exact.
    """

    def __init__(self, source: str) -> None:
        self._src = source
        self.lines: list[Line] = []
        self.breaks: list[str] = []  # boundary kind before each line: "block" or "br"
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
        self._hints: list[int] = []  # per open element with flags: its HINTS bits
        self._hint_count = [0] * len(HINTS)  # open elements with each bit
        self._active = 0  # the bits of the open elements
        self._hint_chars: dict[int, int] = {}  # chars of the current line under each bit set
        self._hint_cache: dict[tuple[str, str], int] = {}
        self._tables: list[_Table] = []

    # -- element stack ---------------------------------------------------------------------
    def _hint(self, tag: str, attrs: str | None) -> int:
        if not attrs:
            return _HINT_TAGS.get(tag, 0)
        key = (tag, attrs)  # pages repeat the same markup (menu items, rows): read it once
        hint = self._hint_cache.get(key)
        if hint is None:
            hint = self._hint_cache[key] = _hint(tag, attrs)
        return hint

    def _count_hint(self, hint: int, step: int) -> None:
        counts = self._hint_count
        active = 0
        for bit in range(len(HINTS)):
            if hint >> bit & 1:
                counts[bit] += step
            if counts[bit]:
                active |= 1 << bit
        self._active = active

    def _push(self, tag: str, flags: int, attrs: str | None = None) -> None:
        self._stack.append(tag)
        self._open[tag] = self._open.get(tag, 0) + 1
        if tag == "table":
            self._tables.append(_Table())
        elif self._tables:
            if tag == "tr":
                self._tables[-1].start_row()
            elif tag in ("td", "th"):
                self._tables[-1].start_cell(tag)
        hint = self._hint(tag, attrs)
        self._hints.append(hint)
        if hint:
            self._count_hint(hint, 1)
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

    def _pop_to(self, tag: str | None) -> None:
        """Pop elements up to and including ``tag`` (everything when ``tag`` is None)."""
        stack = self._stack
        while stack:
            t = stack.pop()
            self._open[t] -= 1
            flags = _FLAGS.get(t, 0)
            if flags:
                hint = self._hints.pop()
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
                if hint:
                    self._count_hint(hint, -1)
                if t == "table" and self._tables:
                    self._tables.pop()
            if t == tag:
                return

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
                line.hints = self._line_hints(tot)
                if self._tables:
                    self._tables[-1].place(line)
                self.lines.append(line)
                self.breaks.append(self._brk)
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
        self._hint_chars = {}

    def _line_hints(self, tot: int) -> tuple[float, ...]:
        """The share of the line's characters under each of :data:`HINTS`, then in links."""
        shares = [0.0] * len(HINTS)
        for mask, chars in self._hint_chars.items():
            for bit in range(len(HINTS)):
                if mask >> bit & 1:
                    shares[bit] += chars / tot
        return (*shares, self._lk / tot)

    # -- tokens ----------------------------------------------------------------------------
    def feed(self) -> None:
        # The hot loop: _add and the no-text case of _flush are inlined (same logic).
        src = self._src
        open_ = self._open
        stack = self._stack
        flush = self._flush
        flags_of = _FLAGS
        for kind, start, end, name, attrs in iter_tokens(src):
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
                if self._active:
                    self._hint_chars[self._active] = self._hint_chars.get(self._active, 0) + n
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
                    self._push(name, flags, attrs)
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
        """Close every open element after parsing."""
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
