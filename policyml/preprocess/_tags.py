"""HTML tokens with exact source offsets, in one linear pass.

A small tokenizer after the HTML standard's, for what a reader of the page sees: where each tag
starts and ends (a tag ends at the first ``>`` outside quoted attribute values), which ``<``
and ``&`` are plain text, where comments end (an unclosed one hides the rest of the page), and
which elements hold raw text (script, style, iframe, ... never shown; title and textarea hold
text but no tags). It reports offsets into the source string itself, so no line/column
bookkeeping is needed. Attribute values are not parsed: a start tag carries its raw attribute
string (:func:`attributes` reads it).

Where it differs from the standard: it builds no tree (implied end tags are the caller's);
noscript is raw text (as in browsers, which run scripts); ``<![CDATA[`` is a bogus comment even
inside SVG/MathML; the self-closing flag is reported as written (browsers ignore it on non-void
elements) except on raw-text and RCDATA elements, whose content follows either way; character
references are decoded as :func:`html.unescape` decodes them; NUL is not replaced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

#: token kinds (first item of each token)
TEXT = 0  # (TEXT, start, end, None, None): source[start:end] is verbatim text
REF = 1  # (REF, start, end, decoded, None): a character reference, decoded as html.unescape
START = 2  # (START, start, end, name, attrs): name lower-cased, attrs the raw attribute string
SELF_CLOSING = 3  # (SELF_CLOSING, start, end, name, attrs): <name ... />
END = 4  # (END, start, end, name, None)

#: content never shown: skipped up to the end tag (script has its own rules, see _script_end)
RAW_TEXT_HIDDEN = frozenset({"script", "style", "iframe", "noembed", "noframes", "noscript"})
#: content shown verbatim, tags and references included (plaintext: to the end of the page)
RAW_TEXT_SHOWN = frozenset({"xmp", "plaintext"})
#: content is text with character references, but no tags
RCDATA = frozenset({"title", "textarea"})
_SPECIAL_CONTENT = RAW_TEXT_HIDDEN | RAW_TEXT_SHOWN | RCDATA

_WS = "\t\n\f\r "
# The attribute part of a tag, as the standard's attribute states read it: separators (white
# space and "/") and attributes, each a name and maybe "=" and a value ('...', "..." or bare;
# a quote not right after "=" is part of a name). An unclosed quote runs to the end. Every
# alternative starts with a different character class, and the part sits in a lookahead that is
# matched once and then consumed with a backreference (an atomic group, which Python 3.10
# lacks), so nothing is ever retried. At most _CHUNK attributes are read per match, since the
# regex engine keeps a little state for every repetition: a tag with millions of attributes is
# read chunk by chunk, in linear time and bounded memory.
_CHUNK = 16
_SEP = rf"[{_WS}/]*"
_ATTRIBUTE = (
    rf"[^{_WS}/>][^{_WS}/>=]*"
    rf"""(?:[{_WS}]*=[{_WS}]*(?:"[^"]*"?|'[^']*'?|[^{_WS}>"'][^{_WS}>]*)?)?"""
)
# (attributes, the separator after them: "<br />" is self-closing, "<a href=x/>" is not)
_ATTRS = rf"((?:{_SEP}{_ATTRIBUTE}){{0,{_CHUNK}}})({_SEP})"
# the next token: a whole tag (groups: "/", name, attributes, separator, ">"), a character
# reference (group 6), or other markup after "<"
_NEXT_RE = re.compile(
    rf"<(/?)([A-Za-z][^{_WS}/>]*)(?={_ATTRS})\3\4(>)?"
    r"|&(#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z0-9]+;?)|<[!?/]"
)
_MORE_ATTRS_RE = re.compile(rf"(?={_ATTRS})\1\2(>)?")
_REF_RE = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z0-9]+;?)")
_COMMENT_END_RE = re.compile(r"--!?>")
_SCRIPT_DATA_RE = re.compile(rf"<!--|</script[{_WS}/>]", re.I)
_SCRIPT_ESCAPED_RE = re.compile(rf"-->|</?script[{_WS}/>]", re.I)
_SCRIPT_DOUBLE_RE = re.compile(rf"-->|</script[{_WS}/>]", re.I)
_ATTR_RE = re.compile(
    rf"""([^{_WS}/>][^{_WS}/>=]*)(?:[{_WS}]*=[{_WS}]*("[^"]*"?|'[^']*'?|[^{_WS}>]*))?"""
)
_end_tag_res: dict[str, re.Pattern[str]] = {}


def _end_tag_re(name: str) -> re.Pattern[str]:
    rx = _end_tag_res.get(name)
    if rx is None:
        rx = _end_tag_res[name] = re.compile(rf"</{name}[{_WS}/>]", re.I)
    return rx


def _script_end(src: str, pos: int) -> int:
    """Start of the end tag of a script whose content starts at ``pos``, or -1.

    Follows the standard's script data states: inside ``<!--`` a ``<script`` starts a nested
    ("double escaped") part in which ``</script>`` does not end the element, as happens with
    ``document.write("<script>...</script>")`` in an old-style commented script.
    """
    state = 0  # 0: script data, 1: escaped (after <!--), 2: double escaped
    while True:
        if state == 0:
            m = _SCRIPT_DATA_RE.search(src, pos)
            if m is None:
                return -1
            if m.group()[1] == "/":
                return m.start()
            state, pos = 1, m.start() + 2  # at the "--": "<!-->" closes at once
        else:
            m = (_SCRIPT_ESCAPED_RE if state == 1 else _SCRIPT_DOUBLE_RE).search(src, pos)
            if m is None:
                return -1
            token = m.group()
            if token == "-->":
                state = 0
            elif state == 2:
                state = 1
            elif token[1] == "/":
                return m.start()
            else:
                state = 2
            pos = m.end()


def _raw_text_end(src: str, name: str, pos: int) -> int:
    if name == "script":
        return _script_end(src, pos)
    m = _end_tag_re(name).search(src, pos)
    return -1 if m is None else m.start()


def iter_tokens(src: str) -> Iterator[tuple[int, int, int, str | None, str | None]]:
    """Yield the tokens of HTML ``src`` in order, with their source spans.

    Text is reported as maximal verbatim runs (a ``<`` or ``&`` that starts no markup stays
    in the run); comments, doctypes, processing instructions and ``<![CDATA[`` sections, and
    the content of :data:`RAW_TEXT_HIDDEN` elements, yield nothing. Tokens end at the first
    unclosed comment, bogus comment or tag (whose rest of the page browsers do not show).

    Examples
    --------
    >>> for token in iter_tokens("<p class='a>b'>Caf&eacute; <br/>x</P><!-- no"):
    ...     print(token)
    (2, 0, 15, 'p', " class='a>b'")
    (0, 15, 18, None, None)
    (1, 18, 26, 'é', None)
    (0, 26, 27, None, None)
    (3, 27, 32, 'br', '')
    (0, 32, 33, None, None)
    (4, 33, 37, 'p', None)
    """
    n = len(src)
    pos = text_start = 0
    decoded: dict[str, str] = {}  # reference -> its text, per document
    search = _NEXT_RE.search
    special = _SPECIAL_CONTENT
    while True:
        m = search(src, pos)
        if m is None:
            break
        i = m.start()
        slash, name, attrs, sep, close, ref = m.groups()
        if name is not None:  # a tag
            if text_start < i:
                yield (TEXT, text_start, i, None, None)
            end = m.end()
            if close is None and end < n:  # more attributes than one match reads
                attrs_start = end - len(attrs) - len(sep)
                while close is None and end < n:
                    more = _MORE_ATTRS_RE.match(src, end)
                    end = more.end()
                    sep, close = more.group(2, 3)
                attrs = src[attrs_start : end - len(sep) - (close is not None)]
            if close is None:  # the tag never ends
                return
            name = name.lower()
            # "<br/>", "<a b='c' />" are self-closing, "<a href=x/>" is not
            self_closing = sep[-1:] == "/"
            attrs += sep[:-1] if self_closing else sep
            if slash:
                yield (END, i, end, name, None)
            elif name in special:
                # the self-closing flag does not apply here: the content follows either way
                yield (START, i, end, name, attrs)
                close_at = -1 if name == "plaintext" else _raw_text_end(src, name, end)
                stop = n if close_at < 0 else close_at
                if name in RCDATA:
                    yield from _rcdata(src, end, stop, decoded)
                elif name in RAW_TEXT_SHOWN and end < stop:
                    yield (TEXT, end, stop, None, None)
                if close_at < 0:
                    return
                end = close_at  # the end tag is read as any other
            elif self_closing:
                yield (SELF_CLOSING, i, end, name, attrs)
            else:
                yield (START, i, end, name, attrs)
            pos = text_start = end
            continue
        if ref is not None:
            end = m.end()
            raw = src[i:end]
            text = decoded.get(raw)
            if text is None:
                text = decoded[raw] = html.unescape(raw)
            if text == raw:  # "&T" in "AT&T": no reference, plain text
                pos = end
                continue
            if text_start < i:
                yield (TEXT, text_start, i, None, None)
            yield (REF, i, end, text, None)
            pos = text_start = end
            continue
        c = src[i + 1]
        if c == "/":  # "</" not followed by a letter
            if i + 2 >= n:  # "</" at the very end is text
                break
            if text_start < i:
                yield (TEXT, text_start, i, None, None)
            if src[i + 2] == ">":  # "</>" is dropped
                pos = text_start = i + 3
                continue
            end = src.find(">", i + 2) + 1  # "</ x>", "</3>": bogus comment
            if not end:
                return
            pos = text_start = end
            continue
        if c == "!" and src.startswith("--", i + 2):  # <!-- comment -->
            if src.startswith(">", i + 4):
                end = i + 5
            elif src.startswith("->", i + 4):
                end = i + 6
            else:
                cm = _COMMENT_END_RE.search(src, i + 4)
                end = -1 if cm is None else cm.end()
        else:  # doctype, <![CDATA[...]]>, <?pi>, other bogus comments: up to ">"
            end = src.find(">", i + 2) + 1 or -1
        if text_start < i:
            yield (TEXT, text_start, i, None, None)
        if end < 0:
            return
        pos = text_start = end
    if text_start < n:
        yield (TEXT, text_start, n, None, None)


def _rcdata(
    src: str, start: int, stop: int, decoded: dict[str, str]
) -> Iterator[tuple[int, int, int, str | None, str | None]]:
    """Text and references of RCDATA content (title, textarea): no tags in there."""
    text_start = start
    for m in _REF_RE.finditer(src, start, stop):
        raw = m.group()
        text = decoded.get(raw)
        if text is None:
            text = decoded[raw] = html.unescape(raw)
        if text == raw:
            continue
        if text_start < m.start():
            yield (TEXT, text_start, m.start(), None, None)
        yield (REF, m.start(), m.end(), text, None)
        text_start = m.end()
    if text_start < stop:
        yield (TEXT, text_start, stop, None, None)


def attributes(attrs: str) -> dict[str, str]:
    """The attributes of a start tag's raw attribute string, as browsers read them.

    Names are lower-cased, the first of repeated names wins, values are unquoted and their
    character references decoded; an attribute without a value has ``""``.

    Examples
    --------
    >>> attributes(''' class="nav main" ID=top hidden data-x='a&amp;b' class=other''')
    {'class': 'nav main', 'id': 'top', 'hidden': '', 'data-x': 'a&b'}
    """
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(attrs):
        name = m.group(1).lower()
        if name in out:
            continue
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
        out[name] = html.unescape(value) if "&" in value else value
    return out
