from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import policyml
from policyml.datasets import (
    OPP115_CATEGORIES,
    PRIVACYGLUE_CATEGORIES,
    load_example_csv,
    load_example_policy,
    load_labeled_csv,
    load_opp115,
)


@pytest.mark.opp115
def test_opp115_counts_match_the_documented_mapping(opp115):
    assert len(opp115) == 3792
    positives = opp115[list(policyml.CATEGORIES)].sum().to_dict()
    assert positives == {
        "collection": 1209,
        "sharing": 945,
        "cookies": 409,
        "children": 173,
        "security": 210,
    }
    assert opp115["policy_id"].nunique() == 115
    assert opp115["policy_id"].map(type).eq(str).all()
    assert set(opp115["fold"]) == {0, 1, 2, 3, 4}
    # each policy sits in exactly one fold
    assert opp115.groupby("policy_id")["fold"].nunique().max() == 1
    assert opp115["text"].str.len().min() > 0
    assert not opp115["text"].str.contains("<br", regex=False).any()


@pytest.mark.opp115
def test_opp115_agreement_threshold_is_monotone(opp115_root):
    one = load_opp115(opp115_root, min_agreement=1)
    three = load_opp115(opp115_root, min_agreement=3)
    for category in policyml.CATEGORIES:
        assert one[category].sum() > 0
        assert three[category].sum() <= one[category].sum()


@pytest.mark.opp115
@pytest.mark.parametrize(
    ("taxonomy", "categories"),
    [("opp115", OPP115_CATEGORIES), ("privacyglue", PRIVACYGLUE_CATEGORIES)],
)
def test_opp115_other_taxonomies(opp115_root, taxonomy, categories):
    frame = load_opp115(opp115_root, taxonomy=taxonomy)
    assert len(frame) == 3792
    assert all(frame[c].sum() > 0 for c in categories)
    if taxonomy == "opp115":
        assert len(categories) == 10
        assert frame["first_party_collection"].sum() > frame["data_security"].sum()
    else:
        assert len(categories) == 12


def test_opp115_errors(tmp_path):
    with pytest.raises(policyml.DataValidationError, match="not an OPP-115 folder"):
        load_opp115(tmp_path)
    with pytest.raises(policyml.InvalidInputError, match="taxonomy"):
        load_opp115(tmp_path, taxonomy="nope")


def test_example_files_are_bundled():
    policy = load_example_policy()
    assert policy.startswith("# ")
    frame = load_example_csv()
    assert list(frame.columns[:6]) == ["text", *policyml.CATEGORIES]
    assert (frame[list(policyml.CATEGORIES)].sum() >= 5).all()


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


HEADER = "text,collection,sharing,cookies,children,security\n"


def test_labeled_csv_wide_format(tmp_path):
    path = write(tmp_path, HEADER + "We collect email.,1,0,0,0,0\nWe use cookies.,0,0,1,0,0\n")
    frame = load_labeled_csv(path)
    assert frame["text"].tolist() == ["We collect email.", "We use cookies."]
    assert frame["cookies"].tolist() == [0, 1]
    assert frame["cookies"].dtype == "int8"


def test_labeled_csv_labels_column(tmp_path):
    path = write(
        tmp_path,
        'text,labels,policy_id\n"Cookies, beacons.",cookies;sharing,p1\nNothing here.,,p1\n',
    )
    frame = load_labeled_csv(path)
    assert frame.loc[0, ["cookies", "sharing", "collection"]].tolist() == [1, 1, 0]
    assert frame.loc[1, list(policyml.CATEGORIES)].sum() == 0
    assert frame["policy_id"].tolist() == ["p1", "p1"]


def test_labeled_csv_custom_categories(tmp_path):
    path = write(tmp_path, "text,alpha,beta\nx one,1,0\ny two,0,1\n")
    frame = load_labeled_csv(path)
    assert list(frame.columns) == ["text", "alpha", "beta"]
    frame = load_labeled_csv(path, categories=["beta"])
    assert list(frame.columns[:2]) == ["text", "beta"]


def test_labeled_csv_bom_is_fine(tmp_path):
    path = write(tmp_path, ("\ufeff" + HEADER + "We collect email.,1,0,0,0,0\n").encode("utf-8"))
    assert load_labeled_csv(path)["collection"].tolist() == [1]


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("", r"data\.csv: the file is empty"),
        ("   \n\n", r"the file is empty"),
        (HEADER, r"no data rows"),
        ("body,collection\nx,1\n", r"line 1: no 'text' column"),
        (
            "text\tcollection\tsharing\nx\t1\t0\n",
            r"line 1: no 'text' column \(the header looks tab-separated",
        ),
        ("text;collection;sharing\nx;1;0\n", r"semicolon-separated"),
        (HEADER + "ok,1,0,0,0,0\nbad,2,0,0,0,0\n", r"line 3, column 'collection': expected 0 or 1"),
        (HEADER + "ok,1,0,0,0,0\nbad,yes,0,0,0,0\n", r"line 3, column 'collection'.*'yes'"),
        (HEADER + "ok,1,0,0,0,0\n,1,0,0,0,0\n", r"line 3, column 'text': text is empty"),
        (HEADER + "ok,1,0,0,0,0\n   ,1,0,0,0,0\n", r"line 3, column 'text': text is empty"),
        (
            "text,labels\nok,collection\nbad,cookie\n",
            r"line 3, column 'labels': unknown label 'cookie'",
        ),
        (HEADER + "a, b,1,0,0,0,0\n", r"line 2: 7 fields, the header has 6"),
        ("text,collection\nx,1\n", r"missing category column\(s\) \['sharing'"),
        ("text,text\nx,y\n", r"duplicate column names"),
    ],
)
def test_labeled_csv_errors_name_file_line_and_column(tmp_path, content, pattern):
    path = write(tmp_path, content)
    with pytest.raises(policyml.DataValidationError, match=pattern) as info:
        load_labeled_csv(path)
    assert "data.csv" in str(info.value)


def test_labeled_csv_line_numbers_count_multiline_fields(tmp_path):
    path = write(tmp_path, HEADER + '"two\nlines",1,0,0,0,0\nbad,3,0,0,0,0\n')
    with pytest.raises(policyml.DataValidationError, match="line 4"):
        load_labeled_csv(path)


def test_labeled_csv_binary_and_missing_files(tmp_path):
    with pytest.raises(policyml.DataValidationError, match="binary file"):
        load_labeled_csv(write(tmp_path, b"PK\x03\x04\x00\x00binary"))
    with pytest.raises(policyml.DataValidationError, match="file not found"):
        load_labeled_csv(tmp_path / "absent.csv")


def test_labeled_csv_duplicates_dropped_with_count(tmp_path):
    row = "We collect email.,1,0,0,0,0\n"
    path = write(tmp_path, HEADER + row * 3 + "Other.,0,0,0,0,0\n")
    with pytest.warns(UserWarning, match="dropped 2 exact duplicate row"):
        frame = load_labeled_csv(path)
    assert len(frame) == 2


def test_labeled_csv_windows_1252_accepted_with_warning(tmp_path):
    path = write(tmp_path, (HEADER + "We don\u2019t sell data.,0,1,0,0,0\n").encode("cp1252"))
    with pytest.warns(UserWarning, match="Windows-1252"):
        frame = load_labeled_csv(path)
    assert frame.loc[0, "text"] == "We don\u2019t sell data."


def test_validate_dataframe_nan_text_names_row():
    frame = pd.DataFrame({"text": ["ok", None], **{c: [0, 1] for c in policyml.CATEGORIES}})
    with pytest.raises(policyml.DataValidationError, match=r"row 1, column 'text'.*NaN"):
        policyml.train(frame)


def test_no_warning_for_clean_file(tmp_path):
    path = write(tmp_path, HEADER + "We collect email.,1,0,0,0,0\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_labeled_csv(path)


@pytest.mark.opp115
def test_privacyglue_splits_group_rows_by_text(opp115_root):
    from policyml.datasets import load_privacyglue

    root = opp115_root.parent / "privacyglue-opp115"
    sizes = {split: len(load_privacyglue(root, split)) for split in ("train", "validation", "test")}
    assert sizes == {"train": 2185, "validation": 550, "test": 697}
    test = load_privacyglue(root, "test")
    assert list(test.columns[1:]) == list(PRIVACYGLUE_CATEGORIES)
    assert test["text"].is_unique
    assert (test[list(PRIVACYGLUE_CATEGORIES)].sum(axis=1) >= 1).all()
    with pytest.raises(policyml.InvalidInputError, match="split"):
        load_privacyglue(root, "dev")
