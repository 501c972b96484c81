from __future__ import annotations

import threading

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
