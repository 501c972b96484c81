"""The compiled scorer gives the pipeline's probabilities, and is only used when it belongs to
the model file it sits beside."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyml
from policyml.datasets import load_example_csv
from policyml.persistence import scorer_path
from policyml.scoring import LinearScorer, ScorerWarning, compile_pipeline

TEXTS = [
    "We use cookies and web beacons to remember your preferences.",
    "We share your email address with advertising partners.",
    "",
    "Children under 13 may not use the service.",
    "We protect your data with encryption.",
]


@pytest.fixture(scope="module")
def small_model():
    return policyml.train(load_example_csv(), thresholds=0.5)


@pytest.fixture(scope="module")
def bundled():
    return policyml.load_model()


def _pipeline_proba(model, frame) -> np.ndarray:
    return np.asarray(model.pipeline.predict_proba(frame), dtype=float)


def test_bundled_model_predicts_through_scorer_equal_to_pipeline(bundled):
    frame = pd.DataFrame(
        {
            "text": TEXTS * 3,
            "heading": ["Cookies", None, "", "Kids", "Security"] * 3,
            "policy_id": ["a"] * 5 + ["b"] * 7 + ["c"] * 3,
        }
    )
    assert bundled.scorer is not None
    got = bundled.predict_proba(frame)
    expected = _pipeline_proba(bundled, frame)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert got.shape == (15, 5)
    assert (got[:, 2] > 0.5).any()  # the cookie paragraphs are recognised: not all zeros


def test_scorer_equals_pipeline_on_all_opp115_segments(bundled, opp115):
    frame = opp115[["text", "heading", "policy_id"]]
    got = bundled.predict_proba(frame)
    expected = _pipeline_proba(bundled, frame)
    assert np.abs(got - expected).max() <= 1e-6
    near = np.abs(expected - bundled.thresholds) < 1e-6  # a tie may round either way
    assert ((got >= bundled.thresholds) == (expected >= bundled.thresholds))[~near].all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("abcdeoprsty ookiesharchildsecuré'-\n1")), max_size=80
        ),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.sampled_from(["", "Cookies", "Sharing data", None]), min_size=6, max_size=6),
)
def test_scorer_equals_pipeline_on_random_text(small_model, texts, headings):
    frame = pd.DataFrame({"text": texts, "heading": headings[: len(texts)]})
    np.testing.assert_allclose(
        small_model.predict_proba(frame), _pipeline_proba(small_model, frame), rtol=0, atol=1e-6
    )


def test_classify_needs_neither_sklearn_nor_nltk(tmp_path):
    """Cold start: the bundled model is read through its scorer file, so a first classify
    imports none of the heavy libraries (each costs seconds on a small machine)."""
    code = (
        "import sys, policyml\n"
        "r = policyml.classify('We use cookies. We share data with partners.')\n"
        "assert len(r) == 1, r\n"
        "heavy = [m for m in ('sklearn', 'scipy', 'nltk', 'skops', 'torch') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=tmp_path,  # the installed package, not a checkout in the working directory
    )
    assert out.stdout.strip() == "", f"imported: {out.stdout.strip()}"


def test_pipeline_is_read_on_first_use_and_explain_works(tmp_path, small_model):
    path = small_model.save(tmp_path / "m.skops")
    assert scorer_path(path).is_file()
    loaded = policyml.load_model(path)
    assert loaded._pipeline is None  # not read yet
    np.testing.assert_allclose(
        loaded.predict_proba(TEXTS), small_model.predict_proba(TEXTS), rtol=0, atol=1e-12
    )
    explained = policyml.explain(TEXTS[0], model=loaded)
    assert set(explained["category"]) == set(loaded.categories)
    assert loaded._pipeline is not None


def test_stale_scorer_file_is_ignored(tmp_path, small_model, bundled):
    """A scorer file beside a different skops file must not be used in its place."""
    path = small_model.save(tmp_path / "m.skops")
    other = bundled.save(tmp_path / "other.skops")
    shutil.copyfile(other, path)  # the skops file changes, its old scorer file stays
    loaded = policyml.load_model(path)
    np.testing.assert_allclose(
        loaded.predict_proba(TEXTS), bundled.predict_proba(TEXTS), rtol=0, atol=1e-6
    )
    assert loaded.categories == bundled.categories


def test_changed_file_is_noticed_when_the_pipeline_is_read(tmp_path, small_model, bundled):
    path = small_model.save(tmp_path / "m.skops")
    loaded = policyml.load_model(path)
    bundled.save(path)
    with pytest.raises(policyml.ModelLoadError, match="changed or went away"):
        _ = loaded.pipeline


@pytest.mark.parametrize(
    "content", [b"", b"garbage", b"PK\x03\x04broken zip", "npz-of-pickles", "wrong-arrays"]
)
def test_unreadable_scorer_file_falls_back_to_the_skops_file(tmp_path, small_model, content):
    path = small_model.save(tmp_path / "m.skops")
    target = scorer_path(path)
    if content == "npz-of-pickles":
        np.savez(target, header=np.array([{"format": "policyml-scorer"}], dtype=object))
    elif content == "wrong-arrays":
        header = json.dumps({"format": "policyml-scorer", "format_version": 1, "blocks": {}})
        with open(target, "wb") as handle:
            np.savez(handle, header=np.frombuffer(header.encode(), dtype=np.uint8))
    else:
        target.write_bytes(content)
    with pytest.warns(ScorerWarning, match=r"m\.scorer\.npz: unreadable compiled scorer"):
        loaded = policyml.load_model(path)
    np.testing.assert_allclose(
        loaded.predict_proba(TEXTS), small_model.predict_proba(TEXTS), rtol=0, atol=1e-12
    )


def test_pipeline_that_does_not_compile_predicts_through_sklearn(tmp_path):
    model = policyml.train(load_example_csv(), thresholds=0.5, char_ngrams=(2, 4))
    assert model.scorer is None
    assert compile_pipeline(model.pipeline, model.categories) is None
    proba = model.predict_proba(TEXTS)
    np.testing.assert_array_equal(proba, _pipeline_proba(model, pd.DataFrame({"text": TEXTS})))
    path = model.save(tmp_path / "chars.skops")
    assert not scorer_path(path).exists()
    np.testing.assert_array_equal(policyml.load_model(path).predict_proba(TEXTS), proba)


def test_a_scorer_that_disagrees_with_its_pipeline_warns_and_is_not_used(monkeypatch):
    """A compiled scorer off by more than the tolerance is a bug: the model says so and predicts
    through scikit-learn. (A tolerance below zero makes every scorer disagree.)"""
    from policyml import scoring

    model = policyml.train(load_example_csv(), thresholds=0.5)
    monkeypatch.setattr(scoring, "COMPILE_TOLERANCE", -1.0)
    with pytest.warns(ScorerWarning, match="predicting through scikit-learn instead"):
        assert model.scorer is None
    proba = model.predict_proba(TEXTS)
    np.testing.assert_array_equal(proba, _pipeline_proba(model, pd.DataFrame({"text": TEXTS})))


def test_scorer_round_trips_through_its_file(tmp_path, bundled):
    scorer = bundled.scorer
    scorer.save(tmp_path / "s.npz", extra={"note": "x"})
    again, extra = LinearScorer.load(tmp_path / "s.npz")
    assert extra == {"note": "x"}
    assert again.words.terms == scorer.words.terms
    np.testing.assert_array_equal(again.predict_proba(TEXTS), scorer.predict_proba(TEXTS))


def test_model_loaded_through_scorer_pickles(tmp_path, small_model):
    """Worker processes receive models by pickle (joblib, Dask)."""
    loaded = policyml.load_model(small_model.save(tmp_path / "m.skops"))
    again = pickle.loads(pickle.dumps(loaded))
    np.testing.assert_array_equal(again.predict_proba(TEXTS), loaded.predict_proba(TEXTS))
    assert again.pipeline is not None


def test_saved_model_files_are_not_private(tmp_path, small_model):
    path = small_model.save(tmp_path / "m.skops")
    mask = os.umask(0)
    os.umask(mask)
    for file in (path, scorer_path(path)):
        assert stat.S_IMODE(file.stat().st_mode) == 0o666 & ~mask
