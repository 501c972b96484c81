from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.multiclass import OneVsRestClassifier
from sklearn.tree import DecisionTreeClassifier

import policyml
from policyml.datasets import load_example_csv, load_example_policy
from policyml.interpret import (
    EXPLAIN_COLUMNS,
    FUNCTION_WORDS_TERM,
    SUMMARY_COLUMNS,
    errors,
    top_features,
)
from policyml.model import PolicyModel, build_pipeline, default_model
from policyml.preprocess import split_sentences
from policyml.tokens import is_function_term

MIXED = (
    "We encrypt your data in transit with TLS and restrict access to our engineers."
    " We use cookies and web beacons to remember your preferences and count visits."
)


@pytest.fixture(scope="module")
def model():
    return default_model()


@pytest.fixture(scope="module")
def result(model):
    return policyml.classify(load_example_policy(), model=model)


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def test_contributions_add_up_to_the_models_score(model, result):
    """In its policy (neighbours included), contributions + intercept = the log-odds."""
    for row in result.index:
        why = policyml.explain(result, row=row, model=model, top=None)
        for category in model.categories:
            mine = why[why["category"] == category]
            p = result.loc[row, f"p_{category}"]
            if len(mine):
                assert mine["probability"].iloc[0] == pytest.approx(p, abs=1e-12)
            score = mine["contribution"].sum() + why.attrs["intercept"][category]
            assert score == pytest.approx(_logit(p), abs=1e-6)
    assert why.attrs["text"] == result["text"].iloc[-1]


def test_explain_one_paragraph(model):
    why = policyml.explain(MIXED, model=model, top=4)
    assert list(why.columns) == EXPLAIN_COLUMNS
    assert set(why["category"]) <= set(model.categories)
    for _, rows in why.groupby("category", sort=False):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        rows = rows[rows["term"] != FUNCTION_WORDS_TERM]  # the summed line comes last
        assert len(rows) <= 4
        magnitude = rows["contribution"].abs().to_numpy()
        assert (np.diff(magnitude) <= 1e-12).all()
        assert rows["contribution"].to_numpy() == pytest.approx(
            (rows["coefficient"] * rows["value"]).to_numpy()
        )
    cookies = why[why["category"] == "cookies"]
    assert cookies["predicted"].all()
    top = cookies.iloc[0]
    assert top["contribution"] > 0 and top["term"] == "cooki" and top["phrase"] == "cookies"
    assert top["feature"] == f"{top['block']}__{top['term']}"
    # negative contributions are listed too: they push a category down
    assert (why["contribution"] < 0).any()


COLLECTION = (
    "We collect your name, email address and phone number when you register, and we use them"
    " to provide the service and improve it."
)


def test_function_words_are_one_line_after_the_evidence(model):
    """Issue 14: "and" was the 2nd strongest collection term of such a paragraph. Terms made
    only of function words are summed into one line after the top terms; the account of the
    score stays exact."""
    shown = policyml.explain(COLLECTION, model=model, top=None, function_words="show")
    collection = shown[shown["category"] == "collection"]
    assert "and" in collection["term"].head(5).tolist()  # the model does lean on "and" ...
    grouped = policyml.explain(COLLECTION, model=model, top=6)
    collection = grouped[grouped["category"] == "collection"]
    last = collection.iloc[-1]
    assert last["term"] == last["feature"] == FUNCTION_WORDS_TERM
    assert "and" in last["phrase"].split(", ") and np.isnan(last["coefficient"])
    words = collection.iloc[:-1]
    assert len(words) == 6 and not any(is_function_term(t) for t in words["term"])
    assert words["term"].iloc[0] == "collect"  # ... but the evidence a reader sees is this
    everything = policyml.explain(COLLECTION, model=model, top=None)
    for category in model.categories:
        a = everything.loc[everything["category"] == category, "contribution"].sum()
        b = shown.loc[shown["category"] == category, "contribution"].sum()
        assert a == pytest.approx(b, abs=1e-9)
    function = shown[(shown["category"] == "collection") & shown["term"].map(is_function_term)]
    assert last["contribution"] == pytest.approx(function["contribution"].sum(), abs=1e-9)
    with pytest.raises(policyml.InvalidInputError, match="function_words"):
        policyml.explain(COLLECTION, model=model, function_words="hide")


def test_evidence_is_the_most_probable_sentence(model):
    why = policyml.explain(MIXED, model=model)
    first, second = split_sentences(MIXED)
    evidence = why.groupby("category", sort=False)["evidence"].first()
    assert evidence["cookies"] == second
    if why.loc[why["category"] == "security", "predicted"].any():
        assert evidence["security"] == first
    for category, sentence in evidence.items():
        predicted = why.loc[why["category"] == category, "predicted"].iloc[0]
        assert (sentence is not None) == bool(predicted)
        if sentence is not None:
            assert sentence in (first, second)


def test_explain_accepts_a_row_and_a_heading(model, result):
    row = result.loc[int(result["p_children"].idxmax())]
    by_row = policyml.explain(row, model=model)
    by_args = policyml.explain(row["text"], heading=row["heading"], model=model)
    pd.testing.assert_frame_equal(by_row, by_args)
    assert by_row.attrs["heading"] == row["heading"]
    heading_terms = by_row[by_row["block"] == "heading"]
    assert not heading_terms.empty  # the model reads the heading too
    without = policyml.explain(row["text"], model=model)
    assert without.attrs["heading"] is None
    assert (without["block"] != "heading").all()


def test_explain_rejects_bad_input(model, result):
    with pytest.raises(policyml.InvalidInputError, match="one paragraph"):
        policyml.explain(42, model=model)
    with pytest.raises(policyml.InvalidInputError, match="top"):
        policyml.explain("We use cookies.", model=model, top=0)
    with pytest.raises(policyml.InvalidInputError, match="row="):
        policyml.explain(result, model=model)
    with pytest.raises(policyml.InvalidInputError, match="not in the result"):
        policyml.explain(result, row=999, model=model)
    with pytest.raises(policyml.InvalidInputError, match="only for a DataFrame"):
        policyml.explain("We use cookies.", row=1, model=model)


def test_any_linear_recipe_works():
    """Other blocks (character n-grams), other label sets: still exact."""
    data = load_example_csv()
    model = policyml.train(
        data, categories=["cookies", "children"], thresholds=0.5, char_ngrams=(3, 4), min_df=1
    )
    text = "Our app is not for children. We use cookies."
    why = policyml.explain(text, model=model, top=None)
    assert set(why["category"]) == {"cookies", "children"}
    assert {"words", "chars"} <= set(why["block"])
    proba = model.predict_proba([text])[0]
    for j, category in enumerate(model.categories):
        mine = why[why["category"] == category]
        score = mine["contribution"].sum() + why.attrs["intercept"][category]
        assert score == pytest.approx(_logit(proba[j]), abs=1e-6)


def test_a_non_linear_classifier_is_refused():
    data = load_example_csv()
    cats = list(policyml.CATEGORIES)
    pipeline = build_pipeline(thresholds=0.5, heading_weight=0.0)
    pipeline.set_params(classifier=OneVsRestClassifier(DecisionTreeClassifier(random_state=0)))
    pipeline.fit(data[["text"]], data[cats].to_numpy())
    trees = PolicyModel(pipeline, cats, [0.5] * len(cats))
    with pytest.raises(policyml.InvalidInputError, match="linear classifier"):
        policyml.explain("We use cookies.", model=trees)
    with pytest.raises(policyml.InvalidInputError, match="linear classifier"):
        top_features(trees)

    class Bare:
        categories = cats
        pipeline = DecisionTreeClassifier()

        def predict_proba(self, X):  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(policyml.InvalidInputError, match="Pipeline"):
        policyml.explain("We use cookies.", model=Bare())


def test_explain_stays_the_function_after_importing_its_module():
    import policyml.interpret

    assert callable(policyml.explain)
    assert isinstance(policyml.explain("We use cookies.", top=1), pd.DataFrame)


def test_top_features(model):
    top = top_features(model, n=5)
    assert list(top.columns) == [
        "category",
        "direction",
        "rank",
        "feature",
        "block",
        "term",
        "coefficient",
    ]
    up = top[(top["category"] == "cookies") & (top["direction"] == "+")]
    assert up["term"].iloc[0] == "cooki"
    assert (top.loc[top["direction"] == "+", "coefficient"] > 0).all()
    assert (top.loc[top["direction"] == "-", "coefficient"] < 0).all()
    assert top.groupby(["category", "direction"]).size().max() == 5


def test_summarize(model, result):
    summary = policyml.summarize(result)
    assert list(summary.index) == list(model.categories)
    assert list(summary.columns) == SUMMARY_COLUMNS
    for category, row in summary.iterrows():
        has = result["labels"].map(lambda labels, c=category: c in labels)
        assert row["present"] == has.any()
        assert row["paragraphs"] == has.sum()
        assert row["probability"] == result[f"p_{category}"].max()
        if row["present"]:
            best = int(result[f"p_{category}"].idxmax())
            assert row["paragraph"] == result.loc[best, "paragraph"]
            assert row["evidence"] == result.loc[best, "text"]
    assert summary.loc["children", "heading"] == "4. Children"


def test_summarize_absent_categories_and_policies(model):
    summary = policyml.summarize("We use cookies to count visits.", model=model)
    assert summary.loc["cookies", "present"]
    absent = summary.loc["children"]
    assert not absent["present"] and absent["paragraphs"] == 0
    assert pd.isna(absent["paragraph"]) and absent["evidence"] is None
    assert 0 <= absent["probability"] < model.thresholds[model.categories.index("children")]
    empty = policyml.summarize(policyml.classify("", model=model))
    assert not empty["present"].any() and empty["probability"].isna().all()
    with pytest.raises(policyml.InvalidInputError, match="classify"):
        policyml.summarize(pd.DataFrame({"text": ["x"]}))


def test_errors_lists_the_most_confident_mistakes():
    data = pd.DataFrame(
        {
            "text": list("abcdef"),
            "policy_id": list("xxyyzz"),
            "cookies": [0, 0, 1, 1, 0, 1],
        }
    )
    predictions = pd.DataFrame(
        {"p_cookies": [0.7, 0.95, 0.1, 0.3, 0.2, 0.9], "cookies": [1, 1, 0, 0, 0, 1]}
    )
    table = errors(data, predictions, n=2)
    assert table["error"].tolist() == ["false positive"] * 2 + ["false negative"] * 2
    assert table["text"].tolist() == ["b", "a", "c", "d"]
    assert table["policy_id"].tolist() == ["x", "x", "y", "y"]
    with pytest.raises(policyml.InvalidInputError, match="align"):
        errors(data, predictions.head(2))
