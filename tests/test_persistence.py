from __future__ import annotations

import os
import pickle
import sys
import zipfile

import joblib
import numpy as np
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

import policyml
from policyml.datasets import load_example_csv
from policyml.persistence import ModelVersionWarning

TEXTS = ["We use cookies.", "We share data with partners.", "Children under 13."]


@pytest.fixture(scope="module")
def model():
    return policyml.train(load_example_csv(), thresholds=0.5)


def test_bundled_model_loads_with_metadata():
    model = policyml.load_model()
    assert model.categories == list(policyml.CATEGORIES)
    meta = model.metadata
    for key in ("policyml_version", "sklearn_version", "python_version", "created", "thresholds"):
        assert key in meta
    # the default recipe: OPP-115's 3,792 segments and the modern dev half's 10,413 paragraphs
    assert meta["training_data"]["rows"] == 3792 + 10_413
    assert "modern corpus dev half" in meta["training_data"]["source"]
    assert len(meta["training_data"]["sha256"]) == 64
    assert "macro avg" in meta["cv_metrics"]["report"]


def test_skops_round_trip(tmp_path, model):
    path = model.save(tmp_path / "m.skops")
    assert zipfile.is_zipfile(path)
    loaded = policyml.load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    np.testing.assert_array_equal(loaded.thresholds, model.thresholds)
    assert loaded.metadata == model.metadata
    # the file contains only types on policyml's allow-list
    assert set(skops.io.get_untrusted_types(file=path)) <= {
        "policyml.features.CompactTfidfVectorizer",
        "policyml.features.ContextColumns",
        "policyml.features.NeighbourTfidf",
        "policyml.tokens.StemTokenizer",
    }


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, model):
    path = tmp_path / "m.skops"
    model.save(path)
    model.save(path)  # overwrite in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.scorer.npz", "m.skops"]
    np.testing.assert_array_equal(
        policyml.load_model(path).predict_proba(TEXTS), model.predict_proba(TEXTS)
    )


def test_joblib_needs_trusted(tmp_path, model):
    path = model.save(tmp_path / "m.joblib")
    with pytest.raises(policyml.ModelLoadError, match="trusted=True"):
        policyml.load_model(path)
    loaded = policyml.load_model(path, trusted=True)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


class _RunsCommand:
    def __reduce__(self):
        marker = os.environ["POLICYML_TEST_MARKER"]
        return (os.system, (f"{sys.executable} -c \"open('{marker}', 'w').write('pwned')\"",))


def test_malicious_pickle_is_never_executed(tmp_path, monkeypatch):
    marker = tmp_path / "marker"
    monkeypatch.setenv("POLICYML_TEST_MARKER", str(marker))
    path = tmp_path / "evil.joblib"
    with open(path, "wb") as handle:
        pickle.dump({"format": "policyml-model", "payload": _RunsCommand()}, handle)
    with pytest.raises(policyml.ModelLoadError, match="arbitrary code"):
        policyml.load_model(path)
    assert not marker.exists()


def test_skops_file_with_foreign_types_is_refused(tmp_path):
    path = tmp_path / "foreign.skops"
    # os.system is a function skops can reference; policyml must not load it
    skops.io.dump({"format": "policyml-model", "hook": os.system}, path)
    with pytest.raises(policyml.ModelLoadError, match="allow-list"):
        policyml.load_model(path)


def test_skops_file_of_another_model_is_refused(tmp_path):
    path = tmp_path / "sklearn.skops"
    skops.io.dump(LogisticRegression(), path)
    with pytest.raises(policyml.ModelLoadError, match="not a policyml model file"):
        policyml.load_model(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, I am a text file\n", bytes(range(256)) * 10, b"PK\x03\x04garbage"],
    ids=["empty", "text", "random", "fake-zip"],
)
def test_garbage_files_raise_model_load_error(tmp_path, content):
    path = tmp_path / "bad.skops"
    path.write_bytes(content)
    with pytest.raises(policyml.ModelLoadError, match=r"bad\.skops"):
        policyml.load_model(path)


def test_truncated_file_raises_model_load_error(tmp_path, model):
    path = model.save(tmp_path / "m.skops")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(policyml.ModelLoadError, match=r"m\.skops"):
        policyml.load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(policyml.ModelLoadError, match="no such model file"):
        policyml.load_model(tmp_path / "absent.skops")


def test_version_mismatch_warns_naming_both_versions(tmp_path, model):
    import copy

    old = copy.copy(model)
    old.metadata = {**model.metadata, "sklearn_version": "0.0.1", "policyml_version": "0.0.0"}
    path = old.save(tmp_path / "old.skops")
    # loading reads the compiled scorer: policyml's version is what matters for predictions
    with pytest.warns(ModelVersionWarning, match=r"policyml 0\.0\.0; running policyml"):
        loaded = policyml.load_model(path)
    # reading the pipeline (explain, sklearn use) checks scikit-learn's version too
    with pytest.warns(ModelVersionWarning, match=r"scikit-learn 0\.0\.1.*running scikit-learn"):
        _ = loaded.pipeline
    # without the scorer file, the skops file is read at once and both are checked
    path.with_name("old.scorer.npz").unlink()
    with pytest.warns(ModelVersionWarning, match=r"scikit-learn 0\.0\.1.*running scikit-learn"):
        policyml.load_model(path)


def test_trusted_pickle_of_foreign_object(tmp_path):
    path = tmp_path / "x.joblib"
    joblib.dump([1, 2, 3], path)
    with pytest.raises(policyml.ModelLoadError, match="not a policyml model"):
        policyml.load_model(path, trusted=True)


def test_installed_package_carries_model_and_examples():
    """From a wheel, the model and examples are package data (not the checkout's folders)."""
    from pathlib import Path

    from policyml._resources import shipped_file
    from policyml.persistence import DEFAULT_MODEL_NAME

    package = Path(policyml.__file__).resolve().parent
    if "site-packages" not in package.parts:
        pytest.skip("policyml is imported from a source checkout, not an installation")
    for folder, name in [("models", DEFAULT_MODEL_NAME), ("data", "example_policy.md")]:
        assert shipped_file(folder, name).resolve().parent == package / folder
