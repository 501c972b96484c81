"""Adapting to your own policies: train(..., base="opp115") and suggest()."""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pytest
from _cli import run_in_process

import policyml
from policyml.adapt import (
    NEAR_DUPLICATE,
    USER_DOMAIN,
    BaseDataNotFoundError,
    base_sample,
    choose_user_weight,
    find_base_data,
    uncertainty,
)
from policyml.datasets import load_example_csv, load_labeled_csv, load_opp115
from policyml.exceptions import DataValidationError, InvalidInputError
from policyml.model import default_model, frame_sha256
from policyml.tokens import analyze

CATS = list(policyml.CATEGORIES)

# Invented policy sentences: clear ones and hedged ones of each kind.
SENTENCES = [
    "We collect your name, email address and phone number when you create an account.",
    "We use your purchase history to recommend products you may like.",
    "We share your information with advertising partners and analytics providers.",
    "We may disclose personal information to a buyer if our business is sold.",
    "We use cookies and similar technologies to remember your preferences.",
    "You can disable cookies in your browser settings, but some features may stop working.",
    "Our service is not directed to children under 13 and we do not knowingly collect their data.",
    "If a parent learns that a child gave us information, they can ask us to delete it.",
    "We protect your data with encryption in transit and at rest.",
    "Access to personal data is limited to employees who need it for their work.",
    "This policy may change from time to time; we will post the new version here.",
    "Contact our privacy team with any question about this notice.",
    "Information may be processed in other countries where our providers operate.",
    "Some information is kept for as long as needed for the purposes described.",
    "Partners may receive device identifiers to measure how our emails perform.",
    "We may use service providers to help us run the site and send newsletters.",
]


def _policy(rng: random.Random, k: int = 8) -> str:
    return "\n\n".join(rng.sample(SENTENCES, k))


def _corpus(n: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    return {f"site-{i:04d}": _policy(rng) for i in range(n)}


# --------------------------------------------------------------------------- uncertainty


def test_uncertainty_is_highest_at_the_threshold_and_uses_each_categorys_threshold():
    proba = np.array([[0.30, 0.01], [0.60, 0.01], [0.95, 0.01], [0.99, 0.89]])
    scores = uncertainty(proba, [0.3, 0.9])
    assert scores[0] == pytest.approx(1.0)  # right at category 0's threshold
    assert scores[3] > scores[2]  # 0.89 is near category 1's threshold of 0.9
    assert scores[1] > scores[2]  # 0.6 is nearer 0.3 than 0.95 is
    assert ((scores > 0) & (scores <= 1)).all()


# --------------------------------------------------------------------------- suggest


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return _corpus(60)


@pytest.fixture(scope="module")
def sheet(corpus) -> pd.DataFrame:
    return policyml.suggest(corpus, n=12, progress=False)


def test_suggest_writes_a_labeling_sheet(sheet, corpus):
    assert list(sheet.columns) == [
        "text",
        "heading",
        "lead_in",
        "policy_id",
        *CATS,
        *(f"p_{c}" for c in CATS),
        "predicted",
        "source",
        "start",
        "end",
    ]
    assert len(sheet) == 12
    assert all(str(sheet[c].dtype) == "Int8" and sheet[c].isna().all() for c in CATS)
    # where each paragraph came from: policy[start:end] is its source
    for row in sheet.itertuples():
        assert corpus[row.source][row.start : row.end] == row.text
    # the hints are the model's probabilities and the labels they give
    model = default_model()
    proba = sheet[[f"p_{c}" for c in CATS]].to_numpy()
    decided = proba >= model.thresholds
    labels = [";".join(c for c, on in zip(CATS, row, strict=True) if on) for row in decided]
    assert sheet["predicted"].tolist() == labels
    assert sheet.attrs["n_policies"] == 60 and sheet.attrs["n_paragraphs"] == 60 * 8


def test_suggest_never_picks_copies_or_near_copies(sheet):
    # the corpus has 16 distinct paragraphs, each in about half of the 60 policies
    assert sheet["text"].is_unique
    assert len(sheet) <= len(SENTENCES)


def test_suggest_counts_copies_up_to_case_digits_and_punctuation_once():
    boiler = "Copyright 2024 Example Inc. All rights reserved."
    policies = {
        f"p{i}": f"{boiler.replace('2024', str(2000 + i))}\n\n{SENTENCES[i % len(SENTENCES)]}"
        for i in range(30)
    }
    policies["p0"] = policies["p0"].upper()
    sheet = policyml.suggest(policies, n=30, progress=False)
    copyright_rows = sheet["text"].str.contains("rights reserved", case=False)
    assert copyright_rows.sum() <= 1
    assert len(sheet) <= len(SENTENCES) + 1


def test_suggest_drops_near_duplicates():
    base = SENTENCES[2]
    near = base.replace("analytics providers", "analytics providers too")
    policies = {f"p{i}": f"{base if i % 2 else near}\n\n{SENTENCES[i % 16]}" for i in range(40)}
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(analyzer=analyze, sublinear_tf=True).fit_transform([base, near])
    assert (vectors[0] @ vectors[1].T).toarray()[0, 0] >= NEAR_DUPLICATE  # near, not equal
    sheet = policyml.suggest(policies, n=40, progress=False)
    assert sheet["text"].isin([base, near]).sum() <= 1


def test_suggest_leans_towards_uncertain_paragraphs():
    model = default_model()
    columns = [f"p_{c}" for c in CATS]
    corpus = _corpus(150, seed=4)
    every = policyml.classify_many(corpus)
    sheet = policyml.suggest(corpus, n=6, progress=False)
    picked = uncertainty(sheet[columns].to_numpy(), model.thresholds)
    assert picked.mean() > uncertainty(every[columns].to_numpy(), model.thresholds).mean()
    assert (np.diff(picked) <= 0).all()  # the most uncertain first


def test_suggest_spreads_its_picks_over_policies():
    # one long policy and many short ones, all of distinct paragraphs (random words)
    rng = random.Random(3)
    words = sorted({w.strip(".,;") for s in SENTENCES for w in s.lower().split()})

    def paragraphs(k: int) -> str:
        return "\n\n".join(" ".join(rng.sample(words, 12)) + "." for _ in range(k))

    policies = {"long": paragraphs(60), **{f"p{i}": paragraphs(3) for i in range(30)}}
    sheet = policyml.suggest(policies, n=10, progress=False)
    assert sheet["policy_id"].value_counts()["long"] <= 2
    assert sheet["policy_id"].nunique() >= 8


def test_suggest_streams_with_a_bounded_pool():
    def policies():  # a generator: read once, never held as a whole
        rng = random.Random(5)
        for i in range(400):
            words = " ".join(rng.sample(SENTENCES[i % 16].split(), 6))
            yield (f"site-{i}", f"{_policy(rng, 3)}\n\n{words} number {i}.")

    sheet = policyml.suggest(policies(), n=5, pool_size=40, progress=False)
    assert sheet.attrs["n_policies"] == 400
    assert 8 <= sheet.attrs["candidates"] <= 40  # the pool never grows past pool_size
    assert len(sheet) == 5


def test_suggest_is_reproducible_and_seeded(corpus):
    a = policyml.suggest(corpus, n=8, progress=False, random_state=1)
    b = policyml.suggest(corpus, n=8, progress=False, random_state=1)
    pd.testing.assert_frame_equal(a, b)


def test_suggest_returns_fewer_rows_when_the_corpus_is_small():
    sheet = policyml.suggest(["We use cookies.\n\nWe sell nothing."], n=50, progress=False)
    assert len(sheet) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a positive int"),
        ({"n": 2.5}, "n must be a positive int"),
        ({"n": 10, "pool_size": 5}, "pool_size must be an int of at least n"),
        ({"n": 5, "model": 42}, "model must be a PolicyModel"),
    ],
)
def test_suggest_rejects_bad_arguments(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        policyml.suggest(["We use cookies."], **kwargs)


def test_suggest_names_an_unreadable_policy(tmp_path):
    with pytest.raises(InvalidInputError, match=r"missing\.html"):
        policyml.suggest([str(tmp_path / "missing.html")], n=3, kind="path")


# --------------------------------------------------------------------------- the labeling sheet


def _fill(sheet: pd.DataFrame) -> pd.DataFrame:
    """A sheet filled in from its own hints (a stand-in for a person's labels)."""
    filled = sheet.copy()
    for c in CATS:
        filled[c] = filled["predicted"].str.split(";").map(lambda labels, c=c: int(c in labels))
    return filled


def test_an_unlabeled_row_is_an_error_naming_file_line_and_column(sheet, tmp_path):
    path = tmp_path / "to_label.csv"
    filled = _fill(sheet)
    filled.loc[1, "sharing"] = pd.NA
    filled.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as error:
        load_labeled_csv(path)
    assert f"{path}, line 3, column 'sharing': empty; label it 0 or 1" in str(error.value)
    with pytest.raises(DataValidationError, match="line 3, column 'sharing': empty"):
        policyml.train(path, base="opp115", opp115=tmp_path)  # before looking for the base
    with pytest.raises(DataValidationError, match="row 1, column 'sharing': empty"):
        policyml.train(filled, base="opp115", opp115=tmp_path)


def test_a_filled_sheet_reads_as_labeled_data_and_its_hints_are_ignored(sheet, tmp_path):
    path = tmp_path / "to_label.csv"
    _fill(sheet).to_csv(path, index=False)
    data = load_labeled_csv(path)
    assert list(data.columns[: 1 + len(CATS)]) == ["text", *CATS]
    assert len(data) == len(sheet)
    # a sheet of a model with other categories: p_<category> is never read as a category
    other = _fill(sheet)[["text", "policy_id", "cookies", "p_cookies", "source", "start", "end"]]
    other = other.rename(columns={"cookies": "tracking", "p_cookies": "p_tracking"})
    other.to_csv(path, index=False)
    assert list(load_labeled_csv(path).columns[:2]) == ["text", "tracking"]


# --------------------------------------------------------------------------- train(base=...)


def test_train_without_base_is_the_plain_trainer():
    data = load_example_csv()
    a = policyml.train(data, thresholds=0.5)
    b = policyml.model.train(data, thresholds=0.5)
    texts = data["text"].tolist()
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))
    assert "base" not in a.metadata
    with pytest.raises(InvalidInputError, match="user_weight go"):
        policyml.train(data, user_weight=3)


def test_base_data_not_found_says_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYML_OPP115", raising=False)
    with pytest.raises(BaseDataNotFoundError) as error:
        policyml.train(load_example_csv(), base="opp115")
    message = str(error.value)
    assert "not set" in message and "licensed for research" in message
    assert "opp115=PATH" in message and "POLICYML_OPP115" in message and "--opp115" in message
    assert isinstance(error.value, DataValidationError)
    with pytest.raises(
        BaseDataNotFoundError, match=re.escape(f"{tmp_path} (opp115=) is not an OPP-115")
    ):
        find_base_data(opp115=tmp_path)
    monkeypatch.setenv("POLICYML_OPP115", str(tmp_path / "nope"))
    with pytest.raises(BaseDataNotFoundError, match=r"\(POLICYML_OPP115\) does not exist"):
        find_base_data()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"base": "c3pa"}, InvalidInputError, "unknown base 'c3pa'"),
        ({"base": "opp115", "user_weight": 0}, InvalidInputError, "positive number"),
        ({"base": "opp115", "user_weight": "x"}, InvalidInputError, "positive number"),
        ({"base": "opp115", "colour": 1}, InvalidInputError, "unknown training option"),
        (
            {"base": "opp115", "categories": ["cookies", "gdpr", "ccpa"]},
            DataValidationError,
            "categories 'gdpr', 'ccpa' not in the base data",
        ),
    ],
)
def test_train_with_base_rejects_bad_arguments_before_any_work(kwargs, error, message, tmp_path):
    with pytest.raises(error, match=message):
        policyml.train(load_example_csv(), opp115=tmp_path, **kwargs)


def test_a_category_the_base_lacks_is_named(tmp_path):
    data = load_example_csv().assign(gdpr=lambda f: (f.index % 2).astype(str))
    with pytest.raises(DataValidationError, match="category 'gdpr' not in the base data"):
        policyml.train(data, base="opp115", opp115=tmp_path)
    path = tmp_path / "mine.csv"
    data.drop(columns=CATS[1:]).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=re.escape(f"{path}: category 'gdpr'")):
        policyml.train(path, base="opp115", opp115=tmp_path)
    data[["text", "policy_id"]].to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="no category column of the base"):
        policyml.train(path, base="opp115", opp115=tmp_path)


def test_choose_user_weight_scores_each_weight_out_of_fold():
    data = load_example_csv().assign(weight=1.0)
    policies = sorted(data["policy_id"].unique())
    base = data[data["policy_id"].isin(policies[: len(policies) // 2])]
    user = data[~data["policy_id"].isin(base["policy_id"])].reset_index(drop=True)
    search = choose_user_weight(base, user, CATS, weights=(1, 10), folds=2, min_df=1)
    assert set(search.scores) == {1.0, 10.0} and search.weight in search.scores
    assert search.scores[search.weight] == max(search.scores.values())
    assert search.folds == 2 and search.groups == "policy_id"
    assert all(0 <= s <= 1 for s in [*search.scores.values(), search.base_alone])
    assert list(search.table().index) == ["base alone", "1", "10"]
    # rows of one policy are split by row
    one = user.assign(policy_id="same")
    assert choose_user_weight(base, one, CATS, weights=(1,), folds=2, min_df=1).groups == "row"


@pytest.fixture(scope="module")
def adapted(opp115_root):
    """The example CSV's rows on top of OPP-115 alone, the weight chosen by CV (on a sample
    of 1,000 base rows, to keep the test fast)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("POLICYML_C3PA", raising=False)
        patch.setattr(policyml.adapt, "SEARCH_BASE_ROWS", 1000)
        patch.setattr(policyml.adapt, "USER_WEIGHTS", (3.0, 30.0))
        return policyml.train(load_example_csv(), base="opp115", opp115=opp115_root, thresholds=0.5)


@pytest.mark.opp115
def test_train_with_base_records_the_combination(adapted, opp115_root, opp115):
    info = adapted.metadata["base"]
    example = load_example_csv()
    assert info["name"] == "opp115" and info["opp115"] == str(opp115_root)
    assert info["modern"] is None and "not used" in info["modern_note"]
    assert info["rows"] == {"opp115": len(opp115), USER_DOMAIN: len(example)}
    assert info["sha256"]["base"] == frame_sha256(opp115, CATS)
    assert info["sha256"][USER_DOMAIN] == frame_sha256(example, CATS)
    choice = info["weight_choice"]
    assert choice["macro_f1"][f"{info['user_weight']:g}"] == max(choice["macro_f1"].values())
    assert choice["folds"] == 3 and choice["groups"] == "policy_id"
    assert set(choice["macro_f1"]) == {"3", "30"}
    # a share of the policies (30 of 115), whose sizes vary: about 1,000 of the 3,792 rows
    assert 600 < choice["base_rows"] < 1400
    assert "base_alone_macro_f1" in choice
    assert adapted.metadata["training_data"]["rows"] == len(opp115) + len(example)
    assert "weight" in adapted.metadata["training_data"]["source"]


@pytest.mark.opp115
def test_train_with_base_on_a_subset_of_categories(opp115_root, tmp_path):
    data = load_example_csv()[["text", "policy_id", "collection", "cookies"]]
    model = policyml.train(
        data, base="opp115", opp115=opp115_root, modern=False, user_weight=5, thresholds=0.5
    )
    assert model.categories == ["collection", "cookies"]
    assert model.metadata["base"]["weight_choice"] == {"method": "given"}
    assert model.metadata["base"]["user_weight"] == 5
    assert model.metadata["base"]["sha256"]["base"] == frame_sha256(
        load_opp115(opp115_root), ["collection", "cookies"]
    )
    # the user's rows count: at a large weight their labels win on their own texts
    flipped = data.assign(cookies=1 - data["cookies"])
    strong = policyml.train(
        flipped, base="opp115", opp115=opp115_root, modern=False, user_weight=200, thresholds=0.5
    )
    agree = strong.predict(data)[:, 1] == flipped["cookies"].to_numpy()
    assert agree.mean() > 0.8


# --------------------------------------------------------------------------- command line


def test_cli_suggest_writes_the_sheet(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in _corpus(20).items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    (folder / "broken.html").write_bytes(b"\x00\x01binary")
    out = tmp_path / "to_label.csv"
    done = run_in_process("suggest", str(folder), "-n", "7", "-o", str(out), "--no-progress")
    assert done.returncode == 1  # the binary file failed; the sheet is still written
    assert b"policyml: error: " in done.stderr and b"broken.html" in done.stderr
    assert b"picked 7 of 160 paragraphs of 20 policies" in done.stderr
    sheet = pd.read_csv(out)
    assert len(sheet) == 7 and sheet[CATS].isna().all().all()
    assert sheet["source"].str.startswith(str(folder)).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["suggest", "x", "-o", "out.txt"], b"name it *.csv"),
        (["suggest", "x", "-n", "0", "-o", "out.csv"], b"-n must be at least 1"),
        (["train", "-o", "m.skops"], b"give a labeled CSV file or --opp115 ROOT"),
        (["train", "--base", "opp115", "-o", "m.skops"], b"give the CSV"),
        (["train", "a.csv", "--base", "opp115", "--folds", "3", "-o", "m.skops"], b"--folds"),
        (["train", "a.csv", "--user-weight", "3", "-o", "m.skops"], b"goes with --base"),
    ],
)
def test_cli_usage_errors(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = run_in_process(*args)
    assert done.returncode == 1
    assert done.stderr.startswith(b"policyml: error: ") and message in done.stderr
    assert done.stderr.count(b"\n") == 1


def test_cli_train_base_without_opp115_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYML_OPP115", raising=False)
    path = tmp_path / "mine.csv"
    load_example_csv().to_csv(path, index=False)
    done = run_in_process("train", str(path), "--base", "opp115", "-o", str(tmp_path / "m.skops"))
    assert done.returncode == 1 and done.stderr.count(b"\n") == 1
    assert b"licensed for research" in done.stderr and b"--opp115 PATH" in done.stderr


@pytest.mark.opp115
def test_cli_round_trip_suggest_fill_train(tmp_path, opp115_root, monkeypatch):
    monkeypatch.delenv("POLICYML_C3PA", raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in _corpus(40, seed=2).items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    sheet_path = tmp_path / "to_label.csv"
    done = run_in_process("suggest", str(corpus), "-n", "14", "-o", str(sheet_path))
    assert done.returncode == 0, done.stderr
    empty = tmp_path / "m0.skops"
    done = run_in_process(
        "train", str(sheet_path), "--base", "opp115", "--opp115", str(opp115_root), "-o", str(empty)
    )
    assert done.returncode == 1 and b"line 2, column 'collection': empty" in done.stderr
    _fill(pd.read_csv(sheet_path, keep_default_na=False)).to_csv(sheet_path, index=False)
    model_path = tmp_path / "mine.skops"
    done = run_in_process(
        "train",
        str(sheet_path),
        "--base",
        "opp115",
        "--opp115",
        str(opp115_root),
        "--user-weight",
        "10",
        "-o",
        str(model_path),
    )
    assert done.returncode == 0, done.stderr
    assert b"your rows' weight: 10 (--user-weight)" in done.stdout
    assert b"OPP-115 alone" in done.stdout
    model = policyml.load_model(model_path)
    assert model.metadata["base"]["rows"][USER_DOMAIN] == 14
    assert model.metadata["base"]["user_weight"] == 10


def test_the_weight_search_samples_a_large_base_keeping_each_domains_weight():
    base = pd.DataFrame(
        {
            "policy_id": [f"o{i // 10}" for i in range(300)] + [f"m{i // 20}" for i in range(700)],
            "domain": ["opp115"] * 300 + ["modern"] * 700,
            "weight": [1.0] * 300 + [2.0] * 700,
        }
    )
    sample = base_sample(base, 250, random_state=1)
    assert 200 <= len(sample) <= 300
    totals = sample.groupby("domain")["weight"].sum()
    assert totals["opp115"] == pytest.approx(300) and totals["modern"] == pytest.approx(1400)
    # whole policies: a sampled policy keeps all its rows
    sizes = sample["policy_id"].value_counts()
    assert sizes[sizes.index.str.startswith("o")].eq(10).all()
    assert sizes[sizes.index.str.startswith("m")].eq(20).all()
    assert base_sample(base, None, 0) is base and base_sample(base, 5000, 0) is base
