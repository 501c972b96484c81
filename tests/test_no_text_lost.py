"""Area 2 of the reliability issue: no visible word is lost, as a hypothesis property.

Policies are generated as structured blocks (headings, paragraphs, bullets, table rows, code)
and rendered as plain text, Markdown or HTML; every word of the visible text must come out in
some paragraph's ``text`` or ``heading``, offsets must lie inside the input in order, and
splitting must be deterministic. The HTML and Markdown paths are also fuzzed for crashes.
tests/test_preprocess.py has a smaller, fragment-based property on offsets; these complement it.
"""

from __future__ import annotations

import contextlib
import html
import re
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyml
from policyml.exceptions import PolicyMLError
from policyml.preprocess import Paragraph, split_paragraphs

EXAMPLES = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_WORD_RE = re.compile(r"[^\W_]+")

words_st = st.lists(
    st.text(alphabet=string.ascii_letters + "éü", min_size=1, max_size=10),
    min_size=1,
    max_size=12,
)
block_st = st.tuples(
    st.sampled_from(["heading", "para", "para", "bullet", "table", "code"]), words_st
)
doc_st = st.lists(block_st, min_size=1, max_size=12)
sep_st = st.sampled_from(["\n\n", "\r\n\r\n", "\r\r", "\n \n", "\n\n\n"])


def render_text(blocks: list[tuple[str, list[str]]], sep: str) -> str:
    out = []
    for kind, ws in blocks:
        line = " ".join(ws)
        if kind == "heading":
            line = line.upper()
        elif kind == "bullet":
            line = "- " + line
        elif kind == "table":
            line = " | ".join(ws)
        elif kind == "para" and len(ws) > 6:  # hard-wrapped
            line = " ".join(ws[:6]) + sep[0] + " ".join(ws[6:])
        out.append(line)
    return sep.join(out)


def render_markdown(blocks: list[tuple[str, list[str]]], sep: str) -> str:
    out = []
    for kind, ws in blocks:
        if kind == "heading":
            out.append("## " + " ".join(ws))
        elif kind == "bullet":
            out.append("\n".join("- " + w for w in ws))
        elif kind == "table":
            cells = ws if len(ws) > 1 else [*ws, "x"]
            out.append(
                "| " + " | ".join(cells[:2]) + " |\n|---|---|\n| " + " | ".join(cells[2:] or ["y"])
                + " |"
            )
        elif kind == "code":
            out.append("```\n" + " ".join(ws) + "\n```")
        else:
            first, *rest = ws
            out.append(f"**{first}** [{' '.join(rest) or 'link'}](https://example.org/p)")
    return sep.join(out)


def render_html(blocks: list[tuple[str, list[str]]], sep: str) -> str:
    out = ["<html><head><title>T</title><style>.hidden{}</style></head><body>"]
    for kind, ws in blocks:
        text = html.escape(" ".join(ws))
        if kind == "heading":
            out.append(f"<h2>{text}</h2>")
        elif kind == "bullet":
            out.append("<ul>" + "".join(f"<li>{w}</li>" for w in ws) + "</ul>")
        elif kind == "table":
            out.append("<table><tr>" + "".join(f"<td>{w}</td>" for w in ws) + "</tr></table>")
        elif kind == "code":
            out.append(f"<pre><code>{text}</code></pre><script>var hidden = 1;</script>")
        else:
            out.append(f"<p>{text.replace(' ', ' <b>', 1)}</b>{sep}</p>")
    out.append("</body></html>")
    return "".join(out)


def visible_words(blocks: list[tuple[str, list[str]]], fmt: str) -> set[str]:
    found = set()
    for kind, ws in blocks:
        for w in ws:
            found.update(_WORD_RE.findall(w.upper() if kind == "heading" and fmt == "text" else w))
    return found


def output_words(paragraphs: list[Paragraph]) -> set[str]:
    found: set[str] = set()
    for p in paragraphs:
        found.update(_WORD_RE.findall(p.text))
        found.update(_WORD_RE.findall(p.heading or ""))
    return found


def check(doc: str, fmt: str, expected: set[str]) -> None:
    paragraphs = split_paragraphs(doc, fmt)
    missing = expected - output_words(paragraphs)
    assert not missing, (missing, doc, paragraphs)
    starts = [p.start for p in paragraphs]
    assert starts == sorted(starts)
    assert all(0 <= p.start <= p.end <= len(doc) for p in paragraphs)
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))
    assert split_paragraphs(doc, fmt) == paragraphs  # deterministic
    assert split_paragraphs(doc, "auto") == split_paragraphs(doc, "auto")


@EXAMPLES
@given(blocks=doc_st, sep=sep_st)
def test_plain_text_loses_no_word(blocks: list[tuple[str, list[str]]], sep: str) -> None:
    check(render_text(blocks, sep), "text", visible_words(blocks, "text"))


@EXAMPLES
@given(blocks=doc_st, sep=sep_st)
def test_markdown_loses_no_word(blocks: list[tuple[str, list[str]]], sep: str) -> None:
    check(render_markdown(blocks, sep), "markdown", visible_words(blocks, "markdown"))


@EXAMPLES
@given(blocks=doc_st, sep=sep_st)
def test_html_loses_no_word(blocks: list[tuple[str, list[str]]], sep: str) -> None:
    doc = render_html(blocks, sep)
    paragraphs = split_paragraphs(doc, "html")
    assert "hidden" not in " ".join(p.text for p in paragraphs)
    check(doc, "html", visible_words(blocks, "html"))


_MARKUP = [
    "<p>", "</p>", "<div>", "</div>", "<h1>", "</h1>", "<li>", "<table><tr><td>", "</td>",
    "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>",
    "&", "&#x0;", "&#xd800;", "&bogus;", "<", ">", "</", "<a href='", "'>", "\"", "<b><i>",
    "# ", "## ", "```", "~~~", "| a | b |", "|---|", "- ", "1. ", "> ", "**", "__", "[", "](",
    ")", "\\", "---", "===", "\n", "\r", "\r\n", "\n\n", "\t", "\x00", "\x0b", "\u2028",
    "\u202e", "\u200b", "\ufeff", "\ud800", "\udfff", "🍪", "👍🏽", "Word", "We collect data.",
]
fuzz_st = st.lists(
    st.one_of(
        st.sampled_from(_MARKUP),
        st.text(alphabet=st.characters(blacklist_categories=()), max_size=8),
    ),
    max_size=60,
).map("".join)


def fuzz(doc: str, fmt: str) -> None:
    try:
        paragraphs = split_paragraphs(doc, fmt, max_chars=40)
    except PolicyMLError:
        return
    assert all(0 <= p.start <= p.end <= len(doc) for p in paragraphs)
    assert all(isinstance(p.text, str) for p in paragraphs)


@EXAMPLES
@given(doc=fuzz_st)
def test_fuzz_html_never_crashes(doc: str) -> None:
    fuzz(doc, "html")
    fuzz("<html><body>" + doc, "auto")


@EXAMPLES
@given(doc=fuzz_st)
def test_fuzz_markdown_never_crashes(doc: str) -> None:
    fuzz(doc, "markdown")
    fuzz("# Title\n\n" + doc, "auto")


@settings(max_examples=300, deadline=None)
@given(doc=fuzz_st, data=st.binary(max_size=40))
def test_fuzz_bytes_and_classify_never_crash(doc: str, data: bytes) -> None:
    for policy in (data, doc.encode("utf-8", "surrogatepass"), [doc, data]):
        with contextlib.suppress(PolicyMLError):
            split_paragraphs(policy)
    result = policyml.classify(doc)  # the bundled model, loaded once and cached
    assert list(result.columns)[:7] == [
        "paragraph", "heading", "lead_in", "text", "start", "end", "labels"
    ]
