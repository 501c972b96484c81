"""HTML: text runs with exact source offsets, from the event-based ``html.parser``.

No HTML library is used here because none reports the source offset of every text run and
character reference, which ``Paragraph.start``/``end`` need.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from policyml.preprocess._lines import Atom, Line, Unit, group_lines
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


class _StopParsing(Exception):
    """Raised from a parser callback to end parsing early (unclosed comment)."""


class _HTMLExtractor(HTMLParser):
    """Turn HTML events into :class:`Line` runs with exact source spans.

    ``convert_charrefs`` is off so that every data event is a verbatim slice of the source and
    every character reference has a known raw extent.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._src = source
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
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


def html_units(src: str) -> list[Unit]:
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
    blocks: list[list[Line]] = []
    for line, brk in zip(parser.lines, parser.breaks, strict=True):
        if brk == "block" or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return group_lines(blocks, ["cont"] * len(blocks), 0)
