"""Area 1 of the reliability issue: what classify/split_paragraphs/classify_many accept.

Complements tests/test_preprocess.py (format details) and tests/test_classify.py.
"""

from __future__ import annotations

import time

import pytest

import policyml
from policyml import InvalidInputError, classify, classify_many
from policyml.frames import result_columns
from policyml.preprocess import check_input_size, split_paragraphs

COLUMNS = result_columns(["collection", "sharing", "cookies", "children", "security"])


@pytest.mark.parametrize("bad", [123, 1.5, None, {"a": "b"}, object(), {1, 2}])
@pytest.mark.parametrize("func", [classify, split_paragraphs, classify_many])
def test_unusable_types_name_what_was_given(func, bad):
    name = type(bad).__name__
    if func is classify_many and isinstance(bad, dict | set):
        bad = [bad]  # a mapping is {id: text}, a set an iterable of policies: nest them
    with pytest.raises(InvalidInputError, match=name):
        func(bad)


@pytest.mark.parametrize("func", [classify, split_paragraphs])
def test_list_with_a_bad_item_names_the_item(func):
    with pytest.raises(InvalidInputError, match="paragraph 1 of the list is int"):
        func(["We use cookies.", 7])


def test_lists_of_str_and_bytes_are_paragraphs():
    paragraphs = split_paragraphs(["We use  cookies.", b"We sell\x00 nothing.", ""])
    assert [p.text for p in paragraphs] == ["We use cookies.", "We sell nothing.", ""]
    assert [(p.start, p.end) for p in paragraphs] == [(0, 16), (0, 16), (0, 0)]  # NUL removed
    assert len(classify(("We use cookies.", b"caf\xe9 data"))) == 2


@pytest.mark.parametrize("blank", ["", " \n\t\r\n ", b"", b"\x01 \r\n", [], "\u200b\u00a0"])
def test_blank_input_gives_empty_frame_with_columns(blank):
    result = classify(blank)
    assert len(result) == 0
    assert list(result.columns) == COLUMNS


def test_blank_input_to_classify_many_keeps_columns():
    result = classify_many(["  ", ""])
    assert len(result) == 0
    assert list(result.columns) == ["policy", *COLUMNS]


def test_bytes_utf8_and_cp1252_fallback_strip_controls():
    assert classify("Café data.".encode())["text"].tolist() == ["Café data."]
    text = classify(b"We \x93collect\x94 caf\xe9\x07 data.")["text"].tolist()
    assert text == ['We "collect" café data.']
    # a NUL byte makes bytes binary, as it makes a file binary (tests/test_classify.py)
    with pytest.raises(InvalidInputError, match="binary data"):
        classify(b"We \x93collect\x94 caf\xe9\x00\x07 data.")


def test_line_endings_crlf_and_lone_cr():
    for sep in ("\r\n", "\r"):
        doc = f"Cookies{sep}{sep}We use cookies to track you.{sep}We share data with partners."
        result = classify(doc)
        assert result["text"].tolist() == [
            "We use cookies to track you.",
            "We share data with partners.",
        ]
        assert all(result["heading"] == "Cookies")
        for row in result.itertuples():
            assert doc[row.start : row.end] == row.text


def test_invisible_and_bidi_characters_removed():
    doc = "We\u202e collect\u200b your\u00a0data\u2066 and\ufeff share\u200f it."
    assert classify(doc)["text"].tolist() == ["We collect your data and share it."]


@pytest.mark.parametrize(
    "doc",
    [
        "abc \ud800 def",
        "# Head \udfff\n\nWe collect \ud83d data.",
        "<p>We \ud800 collect</p><br><p>x",
    ],
)
def test_lone_surrogates_do_not_crash(doc):
    result = classify(doc)
    assert len(result) >= 1
    assert all("\ud800" not in t and "\udfff" not in t for t in result["text"])
    assert "\ufffd" in " ".join(result["text"]) + " ".join(map(str, result["heading"]))


def test_emoji_kept():
    assert classify("We 🍪 use cookies 👍🏽.")["text"].tolist() == ["We 🍪 use cookies 👍🏽."]


def test_huge_line_token_and_many_tiny_lines():
    line = "word " * 200_000  # one 1 MB line
    paragraphs = split_paragraphs(line)
    assert sum(len(p.text.split()) for p in paragraphs) == 200_000
    assert all(len(p.text) <= 1500 for p in paragraphs)
    token = "a" * 1_000_000  # one 1 MB token is kept whole
    assert [len(p.text) for p in split_paragraphs(token)] == [1_000_000]
    tiny = "\n\n".join(f"Line{i}." for i in range(20_000))
    assert len(split_paragraphs(tiny)) == 20_000


def test_twenty_megabyte_policy_finishes_in_bounded_time():
    para = "We collect your email address and share it with advertisers. " * 5
    doc = "\n\n".join([para] * (20_000_000 // (len(para) + 2)))
    assert 19_000_000 < len(doc) <= policyml.preprocess.MAX_INPUT_CHARS
    t0 = time.perf_counter()
    paragraphs = split_paragraphs(doc)
    assert time.perf_counter() - t0 < 60
    assert len(paragraphs) == doc.count("\n\n") + 1


def test_limits_raise_clear_errors_and_are_configurable(monkeypatch):
    with pytest.raises(InvalidInputError, match=r"policy is 11 characters, over the limit of 10"):
        classify("We collect.", max_input_chars=10)
    with pytest.raises(InvalidInputError, match=r"3 lines, over the limit of 2 \(max_input_lines"):
        split_paragraphs("a\nb\r\nc", max_input_lines=2)
    assert len(split_paragraphs("a\r\nb", max_input_lines=2)) >= 1
    with pytest.raises(InvalidInputError, match="max_input_chars must be a positive int"):
        check_input_size("x", max_input_chars=0)
    monkeypatch.setattr(policyml.preprocess, "MAX_INPUT_CHARS", 5)
    with pytest.raises(InvalidInputError, match="over the limit of 5"):
        split_paragraphs("We collect data.")
    assert len(split_paragraphs("We collect data.", max_input_chars=100)) == 1
    monkeypatch.setattr(policyml.preprocess, "MAX_INPUT_CHARS", None)
    assert len(split_paragraphs("We collect data.")) == 1


def test_over_limit_policy_in_classify_many_is_reported_by_name(monkeypatch):
    monkeypatch.setattr(policyml.preprocess, "MAX_INPUT_CHARS", 50)
    with pytest.warns(policyml.batch.SkippedPoliciesWarning):
        result = classify_many({"big": "x " * 100, "ok": "We use cookies."}, errors="skip")
    assert result["policy"].tolist() == ["ok"]
    assert "over the limit" in result.attrs["errors"][0].error
    with pytest.raises(InvalidInputError, match="big: policy is 200 characters"):
        classify_many({"big": "x " * 100})


def test_deeply_nested_and_unclosed_html():
    deep = "<html><body>" + "<div>" * 100_000 + "Deep text here." + "</div>" * 100_000
    big = 10**6  # 200,000 tags: over the default limit, which is not what this tests
    assert [p.text for p in split_paragraphs(deep, max_input_lines=big)] == ["Deep text here."]
    unclosed = "<html><body>" + "<div><span>" * 100_000 + "Deep text here."
    assert [p.text for p in split_paragraphs(unclosed, max_input_lines=big)] == ["Deep text here."]
    malformed = "<html><body><p>One <b>two</i> three</p></div></span><p>Four < five & six"
    text = " ".join(p.text for p in split_paragraphs(malformed))
    assert text.split() == ["One", "two", "three", "Four", "<", "five", "&", "six"]


def test_open_comment_and_script_style_never_shown():
    doc = (
        "<html><head><style>.x{color:red} HIDDENSTYLE</style></head><body>"
        "<p>Visible text.</p><script>var s = 'HIDDENSCRIPT';</script>"
        "<p>More text.</p><!-- HIDDENCOMMENT never closed <p>gone</p>"
    )
    texts = [p.text for p in split_paragraphs(doc)]
    assert texts == ["Visible text.", "More text."]
    unclosed_script = "<html><body><p>Visible.</p><script>HIDDENSCRIPT never closed"
    assert [p.text for p in split_paragraphs(unclosed_script)] == ["Visible."]


def test_markdown_table_and_code_block():
    doc = (
        "# Data we keep\n\n| Type | Use |\n|---|---|\n| Email | Marketing |\n\n"
        "```\nretention = 30 days\n```\n"
    )
    paragraphs = split_paragraphs(doc)
    assert [p.text for p in paragraphs] == [
        "Type | Use",
        "Email | Marketing",
        "retention = 30 days",
    ]
    assert {p.heading for p in paragraphs} == {"Data we keep"}


def test_an_html_page_counts_its_tags_and_references_as_lines():
    page = "<p>" + "<b>a</b> " * 60 + "&amp; " * 30 + "</p>"  # 1 line, 122 tags, 30 refs
    with pytest.raises(InvalidInputError, match=r"HTML policy has 153 lines, tags and character"):
        split_paragraphs(page, max_input_lines=100)
    assert split_paragraphs(page, max_input_lines=200)
    # the same words as plain text are one line: within the limit
    assert split_paragraphs(page, fmt="text", max_input_lines=100)
    with pytest.raises(InvalidInputError, match="max_input_lines=100"):
        classify(page, max_input_lines=100)


def test_the_default_line_limit_bounds_tag_dense_pages():
    limit = policyml.preprocess.MAX_INPUT_LINES
    with pytest.raises(InvalidInputError, match="lines, tags and character references"):
        split_paragraphs("<p>a</p>" * (limit // 2 + 1))
    assert split_paragraphs("<p>a</p>" * 1_000)
