from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd
import pytest

import policyml
from policyml.datasets import load_example_policy

OBVIOUS = {
    "collection": "We collect your name, email address and phone number when you register an"
    " account, and we use this information to provide the service.",
    "sharing": "We share your personal information with third-party advertisers and marketing"
    " partners, who may use it to send you offers.",
    "cookies": "We and our partners use cookies, web beacons and similar tracking technologies"
    " to remember your preferences. You can disable cookies in your browser settings.",
    "children": "Our service is not directed to children under the age of 13 and we do not"
    " knowingly collect personal information from children under 13.",
    "security": "We use industry-standard encryption (SSL) and firewalls to protect your personal"
    " information against unauthorized access, loss or alteration.",
}


@pytest.mark.parametrize("category", list(OBVIOUS))
def test_obvious_paragraph_gets_its_category(category):
    result = policyml.classify([OBVIOUS[category]])
    assert category in result.loc[0, "labels"], result.iloc[0].to_dict()
    # and it is the most probable category
    probs = result.loc[0, [f"p_{c}" for c in policyml.CATEGORIES]].astype(float)
    assert probs.idxmax() == f"p_{category}"


def test_unrelated_paragraph_gets_no_label():
    result = policyml.classify(["This policy was last updated on 1 March 2026."])
    assert result.loc[0, "labels"] == ()


def test_result_columns_and_offsets_for_a_whole_policy():
    policy = load_example_policy()
    result = policyml.classify(policy)
    expected = ["paragraph", "heading", "lead_in", "text", "start", "end", "labels"] + [
        f"p_{c}" for c in policyml.CATEGORIES
    ]
    assert list(result.columns) == expected
    assert result["paragraph"].tolist() == list(range(len(result)))
    assert 8 <= len(result) <= 20
    for row in result.itertuples():
        assert 0 <= row.start < row.end <= len(policy)
        source = policy[row.start : row.end]
        assert row.text.split()[0].strip("*_") in source
    # sections of the example land in the right categories
    by_heading = result.groupby("heading")["labels"].sum().map(set)
    assert "cookies" in by_heading["3. Cookies and similar technologies"]
    assert "children" in by_heading["4. Children"]
    assert "security" in by_heading["5. Security"]
    assert "sharing" in by_heading["2. How we share information"]
    assert "collection" in by_heading["1. Information we collect"]


def test_bytes_and_list_inputs():
    text = "We use cookies to remember you.\n\nWe encrypt your data."
    from_str = policyml.classify(text)
    from_bytes = policyml.classify(text.encode("utf-8"))
    pd.testing.assert_frame_equal(from_str, from_bytes)
    from_list = policyml.classify(["We use cookies to remember you.", "", "We encrypt."])
    assert from_list["paragraph"].tolist() == [0, 1, 2]
    assert from_list.loc[1, "labels"] == ()
    assert from_list["end"].tolist() == [31, 0, 11]


def test_latin1_bytes_fall_back():
    result = policyml.classify("Nous utilisons des cookies \u2013 caf\u00e9.".encode("cp1252"))
    assert "caf\u00e9" in result.loc[0, "text"]


@pytest.mark.parametrize("empty", ["", "   \n\n\t", [], b""])
def test_empty_input_gives_empty_frame_with_columns(empty):
    result = policyml.classify(empty)
    assert len(result) == 0
    assert "p_cookies" in result.columns and "labels" in result.columns


@pytest.mark.parametrize(
    ("policy", "pattern"),
    [(42, "got int"), (None, "got NoneType"), (["ok", 3], "paragraph 1 of the list is int")],
)
def test_bad_input_raises_invalid_input_error(policy, pattern):
    with pytest.raises(policyml.InvalidInputError, match=pattern):
        policyml.classify(policy)


def test_bad_model_argument():
    with pytest.raises(policyml.InvalidInputError, match="PolicyModel"):
        policyml.classify("text", model=object())
    with pytest.raises(policyml.ModelLoadError):
        policyml.classify("text", model="/nonexistent/model.skops")


def test_threads_give_identical_results():
    policy = load_example_policy()
    expected = policyml.classify(policy)
    results: list[pd.DataFrame] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(policyml.classify(policy))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8
    for result in results:
        pd.testing.assert_frame_equal(result, expected)


def test_model_from_path(tmp_path):
    model = policyml.load_model()
    path = model.save(tmp_path / "copy.skops")
    a = policyml.classify("We use cookies.", model=path)
    b = policyml.classify("We use cookies.", model=model)
    np.testing.assert_allclose(a["p_cookies"], b["p_cookies"])


# --------------------------------------------------------------------------- issue 14, items 1-3


def strict_json(text: str):
    """``json.loads`` as strict as ``JSON.parse``: NaN, Infinity and -Infinity are refused."""
    import json

    def refuse(name: str):
        raise ValueError(f"invalid JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_strict_json_refuses_nan():
    with pytest.raises(ValueError, match="NaN"):
        strict_json('[{"heading": NaN}]')


def test_missing_headings_are_none_never_nan(tmp_path):
    from policyml.writers import ResultWriter, to_json

    policy = "We collect your email.\n\n## Cookies\n\nWe use cookies to count visits.\n"
    result = policyml.classify(policy, fmt="markdown")
    assert result["heading"].tolist() == [None, "Cookies"]
    assert result["heading"].dtype == object
    assert policyml.classify(["a paragraph", "another"])["heading"].tolist() == [None, None]
    assert policyml.classify("")["heading"].dtype == object
    # classify_many (several policies, one without any heading) keeps None too
    many = policyml.classify_many({"a": policy, "b": "We sell nothing."})
    assert [h for h in many["heading"] if not isinstance(h, str)] == [None, None]
    # a frame that went through pandas operations producing NaN is written as null
    reindexed = result.reindex([0, 1, 2])
    assert reindexed["heading"].isna().sum() == 2 and reindexed["heading"].map(type).eq(float).any()
    rows = strict_json(to_json(reindexed))
    assert [r["heading"] for r in rows] == [None, "Cookies", None]
    assert rows[2]["p_cookies"] is None and rows[2]["labels"] == []
    lines = to_json(reindexed, lines=True).splitlines()
    assert [strict_json(line)["heading"] for line in lines] == [None, "Cookies", None]
    out = tmp_path / "out.jsonl"
    with ResultWriter(out) as writer:
        writer.write(reindexed.assign(policy="p")[["policy", *result.columns]])
    assert [strict_json(line)["heading"] for line in out.read_text().splitlines()] == [
        None,
        "Cookies",
        None,
    ]


def test_a_path_is_read_and_a_str_naming_a_file_warns(tmp_path, monkeypatch):
    from pathlib import Path

    from policyml.predict import PathLikeTextWarning

    policy = tmp_path / "policy.txt"
    policy.write_text("We share your data with advertisers.\n\nWe use cookies.\n")
    from_path = policyml.classify(policy)
    expected = policyml.classify(policy.read_text())
    pd.testing.assert_frame_equal(from_path, expected)
    with pytest.raises(policyml.InvalidInputError, match=r"absent\.txt: cannot read"):
        policyml.classify(tmp_path / "absent.txt")
    with pytest.raises(policyml.InvalidInputError, match="cannot read: a directory"):
        policyml.classify(Path(tmp_path))
    # a str is the policy's text, even when it names a file: classified as given, with a warning
    with pytest.warns(PathLikeTextWarning, match=r"Path\(") as caught:
        as_text = policyml.classify(str(policy))
    assert issubclass(PathLikeTextWarning, UserWarning)
    assert caught[0].filename == __file__  # points at the caller's line
    assert as_text["text"].tolist() == [str(policy)]
    monkeypatch.chdir(tmp_path)
    with pytest.warns(PathLikeTextWarning, match="folder"):
        policyml.classify(".")
    with warnings.catch_warnings():  # ordinary text, or a line naming nothing, does not warn
        warnings.simplefilter("error")
        policyml.classify("policy.md")
        policyml.classify("We use cookies.")
        policyml.classify(f"{policy}\nsecond line")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 /Filter /FlateDecode >>\x00\x00stream",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
    ids=["pdf", "docx", "png"],
)
def test_binary_bytes_are_refused_as_the_cli_refuses_binary_files(tmp_path, data):
    from _cli import run_in_process

    with pytest.raises(policyml.InvalidInputError, match=r"binary data \(NUL bytes\)"):
        policyml.classify(data)
    with pytest.raises(policyml.InvalidInputError, match="paragraph 1 of the list: binary"):
        policyml.classify(["We use cookies.", data])
    with pytest.raises(policyml.InvalidInputError, match="binary"):
        policyml.classify_many([data])
    with pytest.raises(policyml.InvalidInputError, match="binary"):
        policyml.explain(data)
    path = tmp_path / "policy.bin"
    path.write_bytes(data)
    with pytest.raises(policyml.InvalidInputError, match="binary file"):
        policyml.classify(path)
    cli = run_in_process("classify", str(path))
    assert cli.returncode == 1 and b"binary file (NUL bytes)" in cli.stderr
    # text in UTF-16 (with its byte-order mark) has NUL bytes and is text
    utf16 = "We use cookies.".encode("utf-16")
    assert policyml.classify(utf16)["text"].tolist() == ["We use cookies."]
