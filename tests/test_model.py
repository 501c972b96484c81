from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

import policyml
from policyml.datasets import load_base_corpus, load_example_csv, load_modern
from policyml.metrics import classification_report
from policyml.model import MIN_POSITIVES, THRESHOLD_GRID, best_threshold, build_pipeline

#: The bundled model's macro-F1 on the modern test half (MODEL_CARD.md) minus 0.01.
MODERN_TEST_GATE = 0.807


@pytest.fixture(scope="module")
def example():
    return load_example_csv()


@pytest.fixture(scope="module")
def small_model(example):
    return policyml.train(example, thresholds=0.5)


def test_train_returns_a_real_pipeline(small_model, example):
    assert isinstance(small_model.pipeline, Pipeline)
    assert small_model.categories == list(policyml.CATEGORIES)
    proba = small_model.predict_proba(example["text"].tolist())
    assert proba.shape == (len(example), 5)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = small_model.predict(example)
    assert pred.shape == (len(example), 5)
    assert set(np.unique(pred)) <= {0, 1}
    # the model has learned its (tiny) training set
    assert (pred == example[list(policyml.CATEGORIES)].to_numpy()).mean() > 0.9


def test_predict_accepts_list_series_and_frame(small_model):
    texts = ["We use cookies.", "We encrypt data."]
    a = small_model.predict_proba(texts)
    b = small_model.predict_proba(pd.Series(texts))
    c = small_model.predict_proba(pd.DataFrame({"text": texts, "unrelated": [1, 2]}))
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(a, c)
    assert small_model.predict_proba([]).shape == (0, 5)


@pytest.mark.parametrize(
    ("X", "pattern"),
    [
        ("a single string", "single string"),
        (pd.DataFrame({"body": ["x"]}), "no 'text' column"),
        (["ok", 3], "position 1 is int"),
        (42, "got int"),
    ],
)
def test_predict_rejects_bad_input(small_model, X, pattern):
    with pytest.raises(policyml.InvalidInputError, match=pattern):
        small_model.predict(X)


def test_training_is_deterministic(example):
    a = policyml.train(example)
    b = policyml.train(example)
    texts = ["We sell data to advertisers.", "Children under 13 may not register."]
    np.testing.assert_array_equal(a.predict_proba(texts), b.predict_proba(texts))
    np.testing.assert_array_equal(a.thresholds, b.thresholds)


def test_custom_categories_and_labels_column():
    rows = [
        ("We collect your email address.", "collection"),
        ("Cookies remember you.", "cookies"),
        ("We keep logs of visits.", "collection"),
        ("Beacons and cookies track visits.", "cookies"),
        ("Tracking pixels are used.", "cookies"),
        ("Your IP address is stored.", "collection"),
        ("We use local storage and cookies.", "cookies"),
        ("We record your purchases.", "collection"),
        ("Ad cookies follow you.", "cookies"),
        ("We ask for your phone number.", "collection"),
        ("Third-party cookies measure ads.", "cookies"),
        ("We collect your date of birth.", "collection"),
    ]
    frame = pd.DataFrame(rows, columns=["text", "labels"])
    frame["policy_id"] = [f"p{i % 3}" for i in range(len(frame))]
    model = policyml.train(frame, categories=["collection", "cookies"], thresholds=0.5)
    assert model.categories == ["collection", "cookies"]
    assert model.predict(["Advertising cookies and pixels."])[0].tolist() == [0, 1]


def test_too_few_positives_is_refused(example):
    frame = example.copy()
    frame["children"] = 0
    frame.loc[: MIN_POSITIVES - 2, "children"] = 1
    with pytest.raises(policyml.DataValidationError, match="'children' has 4 positive"):
        policyml.train(frame)


def test_missing_category_and_unknown_option(example):
    with pytest.raises(policyml.DataValidationError, match="lacks category column"):
        policyml.train(example.drop(columns="security"))
    with pytest.raises(policyml.InvalidInputError, match="unknown training option"):
        policyml.train(example, colour="blue")
    with pytest.raises(policyml.InvalidInputError, match="thresholds"):
        policyml.train(example, thresholds=2)
    with pytest.raises(policyml.InvalidInputError, match="DataFrame or a CSV path"):
        policyml.train([1, 2, 3])


def test_train_from_csv_path(tmp_path, example):
    path = tmp_path / "labeled.csv"
    example.to_csv(path, index=False)
    model = policyml.train(path, thresholds=0.5)
    assert model.metadata["training_data"]["rows"] == len(example)
    assert model.metadata["training_data"]["source"] == str(path)
    assert len(model.metadata["training_data"]["sha256"]) == 64


def test_best_threshold_maximises_f1():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = np.clip(y * 0.3 + rng.random(200) * 0.7, 0, 1)
    t = best_threshold(y, p)
    f1 = lambda thr: 2 * ((p >= thr) & (y == 1)).sum() / ((p >= thr).sum() + y.sum())  # noqa: E731
    assert t in THRESHOLD_GRID
    assert f1(t) >= max(f1(g) for g in THRESHOLD_GRID) - 1e-9
    assert f1(t) > f1(0.5)


def test_best_threshold_by_groups_maximises_the_mean_f1():
    rng = np.random.default_rng(1)
    # a big group whose best threshold is high and a small one whose best threshold is low
    y = np.r_[rng.integers(0, 2, 900), np.ones(100, dtype=int)]
    p = np.r_[np.clip(y[:900] * 0.6 + rng.random(900) * 0.4, 0, 1), rng.random(100) * 0.3]
    groups = np.r_[["big"] * 900, ["small"] * 100]

    def mean_f1(thr: float) -> float:
        total = 0.0
        for g in ("big", "small"):
            mine = groups == g
            hit = (p[mine] >= thr) & (y[mine] == 1)
            total += 2 * hit.sum() / ((p[mine] >= thr).sum() + y[mine].sum())
        return total / 2

    pooled, by_group = best_threshold(y, p), best_threshold(y, p, groups)
    assert by_group < pooled
    assert mean_f1(by_group) >= max(mean_f1(g) for g in THRESHOLD_GRID) - 1e-9
    assert mean_f1(by_group) > mean_f1(pooled)


def test_row_weights_change_the_fit_and_are_validated(example):
    plain = policyml.train(example, thresholds=0.5)
    weights = np.where(example["cookies"] == 1, 10.0, 1.0)
    weighted = policyml.train(example.assign(weight=weights), thresholds=0.5)
    j = plain.categories.index("cookies")
    texts = example.loc[example["cookies"] == 1, "text"].tolist()
    assert weighted.predict_proba(texts)[:, j].mean() > plain.predict_proba(texts)[:, j].mean()
    assert weighted.scorer is not None  # still compiles to arrays
    np.testing.assert_allclose(
        policyml.train(example.assign(weight=1.0), thresholds=0.5).predict_proba(texts),
        plain.predict_proba(texts),
    )
    with pytest.raises(policyml.DataValidationError, match="column 'weight'"):
        policyml.train(example.assign(weight=-1.0), thresholds=0.5)


def test_pipeline_steps_are_sklearn_estimators():
    pipe = build_pipeline(neighbour_weight=0.2, char_ngrams=(3, 4))
    assert [name for name, _ in pipe.steps] == ["context", "features", "classifier"]
    assert "features__words__vectorizer__ngram_range" in pipe.get_params()


@pytest.mark.opp115
@pytest.mark.slow
def test_opp115_grouped_cv_reaches_target(opp115_root, c3pa_root):
    """Quality gate (task A): 5-fold policy-grouped CV on the shared OPP-115 folds with the
    default recipe and its data (the modern dev half in every training fold).

    The bundled recipe reaches 0.822 pooled macro-F1 (models/MODEL_CARD.md); this fails if a
    change drops it by more than 0.01.
    """
    base = load_base_corpus(opp115_root, c3pa_root)
    cv = policyml.cross_validate(base, folds="fold", n_boot=200)
    report = cv.report
    assert report.loc["macro avg", "f1"] >= 0.812, report
    assert (report.loc[list(policyml.CATEGORIES), "f1"] >= 0.74).all(), report
    assert report.loc["macro avg", "f1_low"] < report.loc["macro avg", "f1"]
    assert report.loc["macro avg", "f1"] < report.loc["macro avg", "f1_high"]
    # thresholds were chosen inside each training fold, not fixed
    assert cv.thresholds.shape == (5, 5)
    assert cv.thresholds.nunique().max() > 1
    scored = base[base["fold"] >= 0]  # the OPP-115 rows: modern rows are trained on, not scored
    assert int(report.loc["collection", "support"]) == int(scored["collection"].sum())


@pytest.mark.opp115
def test_modern_test_half_reaches_target(c3pa_root):
    """Quality gate (modern policies): the bundled model on the modern corpus's test half, end
    to end — each page classified from its raw HTML with the default content; a labelled
    paragraph missing from the output counts as predicted with no label. Fails if a change
    drops the macro-F1 more than 0.01 below what the bundled model reached (MODEL_CARD.md)."""
    model = policyml.load_model()
    labels = load_modern(c3pa_root, half="test")
    cats = list(model.categories)
    pred = np.zeros((len(labels), len(cats)), dtype=int)
    for page, rows in labels.groupby("policy_id", sort=False):
        result = policyml.classify((c3pa_root / "html" / page).read_bytes(), model=model)
        decided = result[[f"p_{c}" for c in cats]].to_numpy() >= model.thresholds
        spans = zip(result["start"], result["end"], strict=True)
        found = {span: decided[i] for i, span in enumerate(spans)}
        for k, span in zip(rows.index, zip(rows["start"], rows["end"], strict=True), strict=True):
            if span in found:
                pred[k] = found[span]
    report = classification_report(labels[cats].to_numpy(), pred, cats)
    print(report.round(3))
    assert report.loc["macro avg", "f1"] >= MODERN_TEST_GATE, report
