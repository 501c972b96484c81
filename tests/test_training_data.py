"""Area 3 of the reliability issue: gaps left by tests/test_datasets.py and tests/test_model.py
in the validation of labeled training data."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import policyml
from policyml.datasets import load_labeled_csv
from policyml.model import MIN_POSITIVES

HEADER = "text,collection,sharing,cookies,children,security\n"


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def test_words_that_look_missing_are_kept_as_text(tmp_path):
    path = write(tmp_path, HEADER + "NaN,1,0,0,0,0\nNA,0,1,0,0,0\nnull,0,0,1,0,0\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing dropped, nothing to warn about
        frame = load_labeled_csv(path)
    assert frame["text"].tolist() == ["NaN", "NA", "null"]


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (HEADER + "ok,1,0,0,0,0\nfine,,0,0,0,0\n", r"data\.csv, line 3, column 'collection'"),
        (HEADER + "ok,1,0,0,0,0\nfine,1,0,0,0,nan\n", r"line 3, column 'security'"),
        ("text|collection\nx|1\n", r"line 1: no 'text' column \(the header looks pipe-separated"),
    ],
)
def test_missing_labels_and_pipe_delimiter(tmp_path, content, pattern):
    with pytest.raises(policyml.DataValidationError, match=pattern):
        load_labeled_csv(write(tmp_path, content))


def test_utf16_file_is_refused_naming_it(tmp_path):
    path = write(tmp_path, (HEADER + "ok,1,0,0,0,0\n").encode("utf-16"), "wide.csv")
    with pytest.raises(policyml.DataValidationError, match=r"wide\.csv"):
        load_labeled_csv(path)


def test_crlf_and_bom_together_are_fine(tmp_path):
    content = "\ufeff" + (HEADER + "We collect email.,1,0,0,0,0\n").replace("\n", "\r\n")
    frame = load_labeled_csv(write(tmp_path, content))
    assert frame.loc[0, "text"] == "We collect email."
    assert frame.loc[0, "collection"] == 1


def test_train_from_csv_reports_dropped_duplicates_with_count(tmp_path):
    frame = policyml.datasets.load_example_csv()
    duplicated = pd.concat([frame, frame.iloc[:3]], ignore_index=True)
    path = tmp_path / "dups.csv"
    duplicated.to_csv(path, index=False)
    with pytest.warns(UserWarning, match=r"dups\.csv: dropped 3 exact duplicate row"):
        policyml.train(path)


def test_min_positives_is_documented_and_negatives_count_too():
    assert MIN_POSITIVES == 5
    assert "MIN_POSITIVES" in (policyml.model.train.__doc__ or "")
    frame = pd.DataFrame(
        {"text": [f"We collect item {i}." for i in range(12)], "collection": [1] * 12}
    )
    with pytest.raises(policyml.DataValidationError, match="'collection' has 12 positive and 0"):
        policyml.train(frame, categories=["collection"])
