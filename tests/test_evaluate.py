from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support

import policyml
from policyml.datasets import load_example_csv
from policyml.metrics import bootstrap_ci, classification_report


def test_report_matches_sklearn():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (300, 4))
    p = np.where(rng.random((300, 4)) < 0.8, y, 1 - y)
    report = classification_report(y, p, list("abcd"))
    precision, recall, f1, support = precision_recall_fscore_support(y, p, zero_division=0)
    np.testing.assert_allclose(report.loc[list("abcd"), "precision"], precision)
    np.testing.assert_allclose(report.loc[list("abcd"), "recall"], recall)
    np.testing.assert_allclose(report.loc[list("abcd"), "f1"], f1)
    assert report.loc[list("abcd"), "support"].tolist() == support.tolist()
    micro = precision_recall_fscore_support(y, p, average="micro")[2]
    assert report.loc["micro avg", "f1"] == pytest.approx(micro)
    assert report.loc["macro avg", "f1"] == pytest.approx(f1.mean())


def test_evaluate_bundled_model_on_example():
    report = policyml.evaluate(policyml.load_model(), load_example_csv())
    assert list(report.index) == [*policyml.CATEGORIES, "micro avg", "macro avg"]
    assert list(report.columns) == ["precision", "recall", "f1", "support"]
    assert report.loc["macro avg", "f1"] > 0.5
    assert report.loc["collection", "support"] == 12


def test_bootstrap_ci_brackets_the_point_estimate():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, (400, 2))
    p = np.where(rng.random((400, 2)) < 0.85, y, 1 - y)
    groups = np.repeat(np.arange(40), 10)
    ci = bootstrap_ci(y, p, groups, ["a", "b"], n_boot=300)
    assert (ci["f1_low"] <= ci["f1"]).all() and (ci["f1"] <= ci["f1_high"]).all()
    assert (ci["f1_high"] - ci["f1_low"] < 0.2).all()


def test_cross_validate_groups_never_split(tmp_path):
    frame = load_example_csv()
    copy = frame.assign(text=frame["text"] + " again", policy_id=frame["policy_id"] + "2")
    frame = pd.concat([frame, copy], ignore_index=True)
    cv = policyml.cross_validate(frame, folds=3, thresholds=0.5, n_boot=50)
    folds_per_policy = pd.Series(cv.predictions["fold"]).groupby(frame["policy_id"]).nunique()
    assert (folds_per_policy == 1).all()
    assert set(cv.report.columns) >= {"precision", "recall", "f1", "support", "f1_low"}
    assert 0 <= cv.macro_f1 <= 1
    with pytest.raises(policyml.DataValidationError, match="needs a 'site' column"):
        policyml.cross_validate(frame, groups="site")
    with pytest.raises(policyml.DataValidationError, match="at least 500 distinct"):
        policyml.cross_validate(frame, folds=500)
