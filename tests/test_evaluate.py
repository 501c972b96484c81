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


# --------------------------------------------------------------------------- issue 14, item 4


@pytest.fixture(scope="module")
def split_example():
    """The example data twice (reworded), and a model trained on one half of the policies."""
    frame = load_example_csv()
    copy = frame.assign(text=frame["text"] + " (reworded)", policy_id=frame["policy_id"] + "2")
    both = pd.concat([frame, copy], ignore_index=True)
    trained = both[both["policy_id"].str.endswith("2")].reset_index(drop=True)
    held_out = both[~both["policy_id"].str.endswith("2")].reset_index(drop=True)
    return policyml.train(trained, thresholds=0.5), trained, held_out


def evaluate_warnings(model, data) -> list[str]:
    import warnings

    from policyml.metrics import TrainingDataWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        policyml.evaluate(model, data)
    assert all(issubclass(w.category, UserWarning) for w in caught)
    return [str(w.message) for w in caught if issubclass(w.category, TrainingDataWarning)]


def test_evaluate_warns_on_the_models_own_training_rows(split_example):
    model, trained, held_out = split_example
    assert evaluate_warnings(model, held_out) == []
    # the very same data: the SHA-256 in the metadata says so
    (same,) = evaluate_warnings(model, trained)
    assert "all 52 rows are rows the model was trained on" in same and "SHA-256" in same
    # shuffled, re-spaced, or a subset: the digest of the training rows says so
    shuffled = trained.sample(frac=1, random_state=0).assign(text=lambda f: f["text"] + "  ")
    (found,) = evaluate_warnings(model, shuffled)
    assert "all 52 rows" in found and "digest" in found
    assert evaluate_warnings(model, trained.iloc[:10])
    # mostly new rows: no warning; mostly training rows: a warning
    n = len(held_out)
    assert evaluate_warnings(model, pd.concat([trained.iloc[: n // 3], held_out])) == []
    mostly = pd.concat([trained, held_out.iloc[: n // 3]], ignore_index=True)
    (share,) = evaluate_warnings(model, mostly)
    assert "about 75% of the 69 rows" in share


def test_training_digest_is_small_and_exact_enough():
    from policyml.model import RowDigest

    texts = [f"Paragraph number {i} of a policy." for i in range(100_000)]
    digest = RowDigest.of(texts)
    assert digest.contains(texts).all()  # no false negatives
    others = [f"Another paragraph {i}." for i in range(20_000)]
    assert digest.contains(others).mean() < 0.02
    assert digest.false_positive_rate < 0.02
    stored = digest.to_json()
    assert len(stored["data"]) < 180_000  # base64 in the metadata: a few hundred KB at most
    big = RowDigest.of(texts * 10 + [f"more {i}" for i in range(900_000)])  # capped in size
    assert len(big.bits) == RowDigest.MAX_BITS
    assert RowDigest.from_json({"kind": "other"}) is None and RowDigest.from_json(None) is None


def test_training_digest_survives_save_and_load(split_example, tmp_path):
    from policyml.model import training_rows

    model, trained, held_out = split_example
    loaded = policyml.load_model(model.save(tmp_path / "m.skops"))
    assert training_rows(loaded, trained.iloc[::-1]) == (1.0, "by the digest of its training rows")
    share, _ = training_rows(loaded, held_out)
    assert share < 0.1


@pytest.mark.opp115
def test_bundled_model_warns_on_opp115(opp115):
    (message,) = evaluate_warnings(policyml.load_model(), opp115)
    assert "all 3,792 rows" in message
    assert evaluate_warnings(policyml.load_model(), load_example_csv()) == []
