"""Markdown: a line-based reader of the block and inline syntax policies use.

Not markdown-it-py: its tokens give line ranges only (no character offsets of inline text),
and CommonMark reads text indented by four spaces, common in hard-wrapped policies, as code.
"""

from __future__ import annotations

import html
import re

from policyml.preprocess._lines import (
    HAS_WORD_RE,
    Line,
    Unit,
    content_span,
    group_lines,
    iter_lines,
)
from policyml.preprocess._unicode import clean_text

_MD_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_MD_QUOTE_RE = re.compile(r"^(?:>[ \t]?)+")
_MD_ATX_RE = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT_RE = re.compile(r"^(=+|-+)[ \t]*$")
_MD_HR_RE = re.compile(r"^([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_REFDEF_RE = re.compile(r"^\[[^\]]+\]:[ \t]*\S+")
_MD_TABLE_SEP_RE = re.compile(r"^\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_MD_LIST_RE = re.compile(r"^(?:(?P<bullet>[-*+])|\d{1,9}[.)])[ \t]+(?=\S)")
_MD_BOLDLINE_RE = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1[ \t]*:?$")
_MD_INLINE_RE = re.compile(
    r"""
    (?P<ESC>\\(?P<escch>[!-/:-@\[-`{-~]))
    | (?P<CODE>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))
    | (?P<LINK>!?\[(?P<ltext>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]
        (?:\([ \t]*<?[^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*>?
             (?:[ \t]+(?:"[^"]*"|'[^']*'|\([^()]*\)))?[ \t]*\)
          | \[[^\[\]]*\]))
    | <(?P<AUTO>(?:https?|ftp|mailto):[^<>\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>
    | (?P<COMMENT><!--.*?-->)
    | (?P<TAG></?(?P<tagname>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>)
    | (?P<EMPH>(?<![\w\\*_])[*_]{1,3}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,3}(?![\w*_]))
    | (?P<STRIKE>~~)
    """,
    re.X,
)
_MD_BLOCKISH_TAGS = frozenset({"br", "p", "div", "li", "tr", "td", "th", "hr"})


def _md_inline_repl(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if kind == "ESC":
        return m.group("escch")
    if kind == "CODE":
        return m.group("codetext")
    if kind == "LINK":
        return _md_inline(m.group("ltext"))
    if kind == "AUTO":
        return m.group("AUTO")
    if kind == "TAG":
        return " " if m.group("tagname").lower() in _MD_BLOCKISH_TAGS else ""
    return ""  # COMMENT, EMPH, STRIKE


def _md_inline(text: str) -> str:
    """Remove inline Markdown markup, keeping every visible word."""
    if not any(c in text for c in "\\`[<*_~&"):
        return text
    out = _MD_INLINE_RE.sub(_md_inline_repl, text)
    return html.unescape(out) if "&" in out else out


def _md_line(body: str, cs: int, ce: int) -> Line | None:
    text = _md_inline(body)
    clean = clean_text(text)
    if not HAS_WORD_RE.search(clean):
        return None
    return Line([(text, cs, ce, False)], clean, cs, ce)


def markdown_units(src: str) -> list[Unit]:
    blocks: list[list[Line]] = []
    cur: list[Line] = []
    fence = ""
    in_table = False
    n_blank = 0

    def close() -> None:
        nonlocal cur, in_table
        if cur:
            blocks.append(cur)
            cur = []
        in_table = False

    for s, e in iter_lines(src):
        body, cs, ce = content_span(src, s, e)
        if fence:
            if body.startswith(fence) and not body.strip(fence[0]):
                fence = ""
                close()
            elif body:
                line = Line([(body, cs, ce, True)], clean_text(body), cs, ce)
                if HAS_WORD_RE.search(line.clean):
                    line.code = True
                    cur.append(line)
            continue
        if not body:
            n_blank += 1
            close()
            continue
        m = _MD_FENCE_RE.match(body)
        if m:
            close()
            fence = m.group(1)
            continue
        m = _MD_QUOTE_RE.match(body)
        if m:
            body = body[m.end():].strip()
            if not body:
                close()
                continue
            cs = ce - len(body)
        m = _MD_ATX_RE.match(body)
        if m:
            close()
            line = _md_line(m.group(2) or "", cs, ce)
            if line is not None:
                line.level = len(m.group(1))
                line.bullet = line.enum = False
                blocks.append([line])
            continue
        m = _MD_SETEXT_RE.match(body)
        if m and cur and not (cur[-1].bullet or cur[-1].level or cur[-1].code
                              or cur[-1].nojoin) and len(cur[-1].clean) <= 150:
            cur[-1].level = 1 if body[0] == "=" else 2
            close()
            continue
        if _MD_HR_RE.match(body) or (m and body[0] == "-"):
            close()
            continue
        if _MD_REFDEF_RE.match(body):
            continue
        if "|" in body and _MD_TABLE_SEP_RE.match(body) and "-" in body:
            in_table = True
            if cur:
                cur[-1].nojoin = True
            continue
        if in_table or (body.startswith("|") and body.endswith("|") and body.count("|") >= 2):
            in_table = True
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", body.strip("|"))]
            line = _md_line(" | ".join(c for c in cells if c), cs, ce)
            if line is not None:
                line.nojoin = True
                cur.append(line)
            continue
        bullet = False
        m = _MD_LIST_RE.match(body)
        if m and m.group("bullet"):
            body = body[m.end():]
            cs = ce - len(body)
            bullet = True
        bold = _MD_BOLDLINE_RE.match(body) is not None
        line = _md_line(body, cs, ce)
        if line is None:
            continue
        if bullet:
            line.bullet = True
        line.bold = bold
        cur.append(line)
    close()
    modes = []
    for block in blocks:
        joinable = n_blank > 0 and len(block) > 1 and max(len(ln.clean) for ln in block[:-1]) <= 200
        modes.append("join" if joinable else "cont")
    return group_lines(blocks, modes, 0)
