"""policyml's HTML tokenizer (``policyml.preprocess._tags``) and what it means for paragraphs.

The tokenizer follows the HTML standard's tokenizer where it matters for what a reader sees:
where a tag ends (quoted attribute values may hold ``>``), which ``<`` and ``&`` are text,
where a comment ends, and which elements hold raw text. The property test at the end builds
broken HTML whose visible words are known by construction (they were checked against html5lib,
a Python implementation of the standard's parsing algorithm, while this was written): marker
words sit only in attribute values, comments and hidden elements, real words only in text.
"""

from __future__ import annotations

import re
import time
import tracemalloc
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyml._resources import shipped_file
from policyml.datasets import MODERN_LABELS, load_modern
from policyml.preprocess import decode_bytes, normalize_text, split_paragraphs
from policyml.preprocess._tags import (
    END,
    REF,
    SELF_CLOSING,
    START,
    TEXT,
    attributes,
    iter_tokens,
)


def tokens(src: str) -> list[tuple]:
    """Tokens with the source slice of each (and the decoded text of references)."""
    out = []
    for kind, start, end, name, attrs in iter_tokens(src):
        if kind == TEXT:
            out.append(("text", src[start:end]))
        elif kind == REF:
            out.append(("ref", src[start:end], name))
        elif kind == END:
            out.append(("end", name, src[start:end]))
        else:
            label = {START: "start", SELF_CLOSING: "selfclosing"}[kind]
            out.append((label, name, attrs, src[start:end]))
    return out


def texts(src: str) -> list[str]:
    return [p.text for p in split_paragraphs(src, "html")]


# --------------------------------------------------------------------------------------------
# the tokenizer
# --------------------------------------------------------------------------------------------


def test_tokens_have_exact_offsets_and_raw_attributes() -> None:
    src = "<P Class=\"x>y\" data-a='1'\nhidden>Caf&eacute; &amp co <br/>AT&T</p >"
    assert tokens(src) == [
        ("start", "p", " Class=\"x>y\" data-a='1'\nhidden", "<P Class=\"x>y\" data-a='1'\nhidden>"),
        ("text", "Caf"),
        ("ref", "&eacute;", "é"),
        ("text", " "),
        ("ref", "&amp", "&"),
        ("text", " co "),
        ("selfclosing", "br", "", "<br/>"),
        ("text", "AT&T"),  # "&T" is no reference: it stays in the text run
        ("end", "p", "</p >"),
    ]
    assert attributes(" Class=\"x>y\" data-a='1'\nhidden") == {
        "class": "x>y",
        "data-a": "1",
        "hidden": "",
    }


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("a < b <3 c", [("text", "a < b <3 c")]),  # "<" not followed by a letter, "/", "!", "?"
        ("x</>y", [("text", "x"), ("text", "y")]),  # "</>" is dropped
        ("x</ y>z", [("text", "x"), ("text", "z")]),  # "</" + non-letter: bogus comment
        ("x</", [("text", "x</")]),
        ("<!DOCTYPE html><?xml v?>x<![CDATA[a>b", [("text", "x"), ("text", "b")]),  # bogus
        (
            "a<!-->b<!--->c<!-- d --!>e<!-- f -- >g-->h",
            [("text", "a"), ("text", "b"), ("text", "c"), ("text", "e"), ("text", "h")],
        ),
        ("a<!-- never closed <p>b</p>", [("text", "a")]),
        ("a<!x b", [("text", "a")]),  # unclosed bogus comment: the rest is hidden
        ("a<p title='b>c", [("text", "a")]),  # the tag never ends: the rest is hidden
        (
            "a<div\nclass=x\n>b",
            [("text", "a"), ("start", "div", "\nclass=x\n", "<div\nclass=x\n>"), ("text", "b")],
        ),
        ("<a href=/x/>y", [("start", "a", " href=/x/", "<a href=/x/>"), ("text", "y")]),
        ("<a b=\"c\"d='e'>", [("start", "a", " b=\"c\"d='e'", "<a b=\"c\"d='e'>")]),
        ('<a b="c" "d">', [("start", "a", ' b="c" "d"', '<a b="c" "d">')]),
        ('<a b=c"d>e', [("start", "a", ' b=c"d', '<a b=c"d>'), ("text", "e")]),
        ('</p class="a>b">x', [("end", "p", '</p class="a>b">'), ("text", "x")]),
    ],
)
def test_what_is_markup_and_what_is_text(src: str, expected: list[tuple]) -> None:
    assert tokens(src) == expected


def test_raw_text_elements() -> None:
    src = (
        "<style>p{}</p></style ><iframe src=x>Fallback <b>text</b></iframe>"
        "<noscript><img src=y></noscript><xmp><b>&amp;</b></xmp>"
        "<title>A &amp; <b>B</title><textarea>C</textarea>"
    )
    assert tokens(src) == [
        ("start", "style", "", "<style>"),
        ("end", "style", "</style >"),
        ("start", "iframe", " src=x", "<iframe src=x>"),
        ("end", "iframe", "</iframe>"),
        ("start", "noscript", "", "<noscript>"),
        ("end", "noscript", "</noscript>"),
        ("start", "xmp", "", "<xmp>"),
        ("text", "<b>&amp;</b>"),
        ("end", "xmp", "</xmp>"),
        ("start", "title", "", "<title>"),
        ("text", "A "),
        ("ref", "&amp;", "&"),
        ("text", " <b>B"),
        ("end", "title", "</title>"),
        ("start", "textarea", "", "<textarea>"),
        ("text", "C"),
        ("end", "textarea", "</textarea>"),
    ]
    # the self-closing flag does not apply to raw-text elements: their content is skipped
    assert [t[0] for t in tokens("<script src=x />alert(1)</script>z")] == ["start", "end", "text"]
    assert tokens("x<style>never closed") == [("text", "x"), ("start", "style", "", "<style>")]
    assert tokens("a<plaintext>b</plaintext>") == [
        ("text", "a"),
        ("start", "plaintext", "", "<plaintext>"),
        ("text", "b</plaintext>"),  # no end tag: the rest of the page is text
    ]


@pytest.mark.parametrize(
    ("script", "visible"),
    [
        ("<script>a</script>b", "b"),
        ("<script>a</scripts></script >b", "b"),
        ("<script>x='</SCRIPT>'</script>b", "'b"),  # ends at the first </script>
        # inside <!--, a <script> starts a part where </script> does not end the element
        ("<script><!-- d.write('<script>x</script>') --></script>b", "b"),
        ("<script><!-- <script> --></script>b", "b"),  # "-->" leaves the nested part too
        ("<script><!--></script>b", "b"),
        ("<script><!-- x </script>b", "b"),  # no nested <script>: </script> ends it
        ("<script><!-- <script> </script> </script>b", "b"),
        ("<script><!-- <script> never closed</script>b", ""),
    ],
)
def test_script_escapes_follow_the_standard(script: str, visible: str) -> None:
    shown = "".join(t[1] for t in tokens(script) if t[0] == "text")
    assert shown.lower() == visible


def test_attributes() -> None:
    assert attributes("") == {}
    assert attributes(' a=1 A=2 b="x y" c=\'\' d e=f"g h=="i"') == {
        "a": "1",
        "b": "x y",
        "c": "",
        "d": "",
        "e": 'f"g',
        "h": '="i"',
    }
    assert attributes(' href="?a=1&amp;b=2" title=\'unclosed') == {
        "href": "?a=1&b=2",
        "title": "unclosed",
    }


# --------------------------------------------------------------------------------------------
# what it changes in paragraphs (browser-faithful where html.parser leaked)
# --------------------------------------------------------------------------------------------


def test_iframe_content_and_broken_quotes_inside_it_are_not_text() -> None:
    # As on several news sites' ad slots: an attribute value holding an unescaped '"'. The tag
    # ends at "<html>" (an attribute named "<html"); the rest is the iframe's raw text.
    doc = (
        "<p>Before the ad.</p><div><iframe src=\"javascript:\"<html><body style='x'></body>"
        '</html>"" style="border: 0px; vertical-align: bottom;"></iframe></div>'
        '<p>After the ad.</p><iframe src="a.html">Your browser does not support iframes.'
        "</iframe>"
    )
    assert texts(doc) == ["Before the ad.", "After the ad."]


@pytest.mark.opp115
def test_the_modern_labels_still_match_the_splitter(c3pa_root: Path) -> None:
    """The modern corpus's labels are keyed by paragraph offsets and text hashes: every label
    must find its paragraph of the whole page (load_modern raises otherwise), in page order."""
    frame = load_modern(c3pa_root, chrome=True)
    assert len(frame) == len(pd.read_csv(shipped_file("data", MODERN_LABELS)))
    for page, rows in frame.groupby("policy_id"):
        raw = (c3pa_root / "html" / page).read_bytes()
        index = {(p.start, p.end): p.index for p in split_paragraphs(raw, content="all")}
        found = [index[span] for span in zip(rows["start"], rows["end"], strict=True)]
        assert found == sorted(found)


def test_unclosed_tags_at_the_end_are_not_text() -> None:
    assert texts("<p>We keep logs.</p><img src='pixel.gif") == ["We keep logs."]
    assert texts("<p>We keep logs. <br") == ["We keep logs."]
    assert texts("<p>One < two & three <3</p>") == ["One < two & three <3"]


@pytest.mark.parametrize(
    "doc",
    [
        '<p title="' + "x" * 1_000_000,
        "<p " + '"' * 500_000,
        "<a b=" * 200_000,
        "</" * 300_000,
        "</x" * 300_000,
        "&#" * 300_000,
        "<script><!--<script>" * 50_000,
        "<p>x</p><title>" + "<b>y</b>" * 50_000,
        "<p>a</p><style></style>" * 50_000,
        "<p>a</p><!---->" * 50_000,
        "<p " + "a " * 1_000_000 + ">x",  # the regex engine keeps state per repetition
        "<p " + "a='b'" * 1_000_000 + " /" * 10,
    ],
    ids=[
        "unclosed-quote",
        "quotes",
        "unfinished-values",
        "end-tag-opens",
        "end-tags",
        "charref-opens",
        "script-escapes",
        "unclosed-title",
        "raw-text",
        "comments",
        "many-attributes",
        "many-values",
    ],
)
def test_tokenizer_is_linear_on_pathological_input(doc: str) -> None:
    start = time.perf_counter()
    # the tokenizer itself, beyond the default limit on tags (which would refuse these)
    paragraphs = split_paragraphs(doc, "html", max_input_lines=10**9)
    assert time.perf_counter() - start < 5
    assert all(0 <= p.start < p.end <= len(doc) for p in paragraphs)


def test_a_tag_with_a_million_attributes_needs_little_memory() -> None:
    doc = "<p " + "a " * 1_000_000 + ">Text after the tag."
    tracemalloc.start()
    try:
        kinds = [token[0] for token in iter_tokens(doc)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert kinds == [START, TEXT]
    assert peak < 50 * 2**20  # one regex match over the whole tag took ~700 MiB


# --------------------------------------------------------------------------------------------
# the Unicode clean-up's fast paths give what the plain ones gave
# --------------------------------------------------------------------------------------------


def _reference_normalize(text: str) -> str:
    """normalize_text as first written: str.translate, NFKC, str.translate."""
    from policyml.preprocess._unicode import _TRANSLATION

    text = text.replace("\r\n", "\n")
    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    text = text.translate(_TRANSLATION)
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATION)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=30)
    | st.text(
        alphabet="a \u00a0\u2019\u201c\u200b\u0085\u0093\ufb01\u2028\r\n\x0c\x00\u00e9"
        "e\u0301\u2163\ud800\uf0b7",
        max_size=30,
    )
)
def test_normalize_text_matches_the_plain_translation(text: str) -> None:
    assert normalize_text(text) == _reference_normalize(text)


@pytest.mark.parametrize(
    "data",
    [
        b"plain",
        b"with\x00nul\x1fand\x07bell",
        "caf\u00e9\x01".encode(),
        b"cp\xe9\x02 1252",
        b"\xef\xbb\xbfbom\x00",
        "utf16\x00x".encode("utf-16"),
        b"vt\x0bff\x0c",
        b"",
    ],
)
def test_decode_bytes_removes_controls_on_every_path(data: bytes) -> None:
    text = decode_bytes(data)
    assert not re.search(r"[\x00-\x08\x0b-\x0c\x0e-\x1f]", text)
    try:
        full = (
            data.decode("utf-16")
            if data[:2] in (b"\xff\xfe", b"\xfe\xff")
            else (data.decode("utf-8-sig"))
        )
    except UnicodeDecodeError:
        full = data.decode("cp1252", errors="replace")
    expected = re.sub(r"[\x00-\x08\x0e-\x1f]", "", full.replace("\x0b", "\n").replace("\x0c", "\n"))
    assert text == expected


# --------------------------------------------------------------------------------------------
# property: attribute text never becomes paragraph text, and no visible word is lost
# --------------------------------------------------------------------------------------------

# Real words use the letters a-m only; markup (tag and attribute names) and marker words always
# hold a letter from n-z, so any n-z letter in the output is leaked markup. Visible text holds
# no "=" or quote either.
_LEAK_RE = re.compile(r"[n-zN-Z=\"'`]|<[A-Za-z/!?]")
real_word = st.text(alphabet="abcdefghijklm", min_size=3, max_size=8)
marker = st.text(alphabet="nopqrstuvwxyz", min_size=1, max_size=6).map(lambda s: "qx" + s)
attr_name = st.sampled_from(["class", "title", "href", "data-x", "style", "id"])

_ATTR_FORMS = [
    ' {n}="{a} {b}"',
    " {n}='{a}>{b}'",  # ">" inside quotes
    ' {n}="{a}<b>{b}</b>"',  # a tag inside quotes
    " {n}={a}",
    ' {n}={a}"{b}',  # stray quote inside an unquoted value
    " {n}={a}'{b}",
    ' {n}="{a}"{n}="{b}"',  # no space between attributes
    ' {n}="{a}""',  # stray quote after a value: an attribute named '"'
    '\n{n}\n=\n"{a}\n{b}"',  # newlines around "=" and inside the value
    " {n}",
    " {a}",  # a marker as an attribute name
    ' "{a}"',  # quotes in an attribute name
    ' {n}=="{a}"',  # "==": the value is '="..."', unquoted
    ' /{n}="{a}"/',  # stray slashes
    " {n}='{a}\"{b}'",
    " {n}=`{a}`",
    ' {n}="&quot;{a}&gt;"',
    "\t{n} = {a}",
]
attr_st = st.builds(
    lambda form, n, a, b: form.format(n=n, a=a, b=b),
    st.sampled_from(_ATTR_FORMS),
    attr_name,
    marker,
    marker,
)
attrs_st = st.lists(attr_st, max_size=3).map("".join)


@st.composite
def piece(draw: st.DrawFn) -> tuple[str, list[str]]:
    """One piece of a page: (HTML, the real words a browser shows of it)."""
    kind = draw(
        st.sampled_from(
            ["text", "text", "text", "open", "close", "element", "comment", "hidden", "other"]
        )
    )
    if kind == "text":
        ws = draw(st.lists(real_word, min_size=1, max_size=4))
        sep = draw(st.sampled_from([" ", "\n", " < ", " > ", " & ", " &amp; ", " &#60;3 "]))
        return f" {sep.join(ws)} ", ws
    if kind in ("open", "close", "element"):
        name = draw(st.sampled_from(["p", "div", "span", "b", "a", "li", "h2", "em", "td"]))
        gap = draw(st.sampled_from(["", "\n", " "]))
        if kind == "close":
            return f"</{name}{gap}{draw(attrs_st)}>", []  # end tags may carry attributes too
        end = draw(st.sampled_from([">", "/>", " >", "\n>"]))
        tag = f"<{name}{draw(attrs_st)}{gap}{end}"
        if kind == "open":
            return tag, []
        ws = draw(st.lists(real_word, min_size=1, max_size=3))
        return f"{tag} {' '.join(ws)} </{name}>", ws
    if kind == "comment":
        body = draw(st.sampled_from(["", " {a} ", " {a} > <p>{a}</p> ", "-{a}", " {a} -- > "]))
        close = draw(st.sampled_from(["-->", "--!>"]))
        return "<!--" + body.format(a=draw(marker)) + close, []
    if kind == "hidden":
        name = draw(st.sampled_from(["script", "style", "iframe", "noscript", "title"]))
        inner = draw(
            st.sampled_from(
                ["{a}", "</div>{a}<p>", "'{a}\"", "<!-- {a} -->", "document.write('<p>{a}</p>')"]
            )
        )
        return f"<{name}{draw(attrs_st)}>{inner.format(a=draw(marker))}</{name}>", []
    other = draw(
        st.sampled_from(
            [
                "<!DOCTYPE html>",
                "<?xml {a}?>",
                "</ {a}>",
                "<![CDATA[ {a} ]]>",
                "<!{a}>",
                "</>",
                "<br>",
                "<hr/>",
            ]
        )
    )
    return other.format(a=draw(marker)), []


@st.composite
def page(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """(HTML, words a browser shows, words only in the hidden rest after an unclosed construct)"""
    parts = draw(st.lists(piece(), min_size=1, max_size=25))
    html_text = "".join(p[0] for p in parts)
    visible = [w for p in parts for w in p[1]]
    hidden: list[str] = []
    if draw(st.booleans()):
        cut = draw(
            st.sampled_from(
                [
                    '<a title="{a} ',
                    "<div class={a} ",
                    "<!-- {a} ",
                    "<!{a} ",
                    "<style>{a} ",
                    "<p\n{a}=' ",
                ]
            )
        )
        hidden = draw(st.lists(real_word, min_size=1, max_size=3))
        html_text += cut.format(a=draw(marker)) + " ".join(hidden)
    return html_text, visible, hidden


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page())
def test_broken_markup_never_leaks_and_loses_no_word(case: tuple[str, list[str], list[str]]):
    doc, visible, hidden = case
    paragraphs = split_paragraphs(doc, "html")
    shown = [s for p in paragraphs for s in (p.text, p.heading or "")]
    for s in shown:
        assert not _LEAK_RE.search(s), (s, doc)
    got = {w for s in shown for w in re.findall(r"[a-m]+", s)}
    assert set(visible) <= got, (set(visible) - got, doc)
    assert not (set(hidden) - set(visible)) & got, doc
    assert all(0 <= p.start < p.end <= len(doc) for p in paragraphs)
    assert [p.start for p in paragraphs] == sorted(p.start for p in paragraphs)
