"""Persistence: save and load models safely.

The default format is skops (a zip of JSON and arrays that loads only allowed types, never
running code). Pickle/joblib files can run arbitrary code when loaded, so they load only with an
explicit ``trusted=True``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path
from typing import Any

from policyml._resources import shipped_file
from policyml._version import __version__
from policyml.exceptions import InvalidInputError, ModelLoadError

__all__ = ["DEFAULT_MODEL_NAME", "ModelVersionWarning", "load_model", "save_model"]

#: File name of the bundled default model in ``models/``.
DEFAULT_MODEL_NAME = "policyml-opp115.skops"

_FORMAT = "policyml-model"
_FORMAT_VERSION = 1

# Types a policyml skops file may contain beyond those skops trusts by default. Anything else
# in a file makes loading fail: a skops file can name any importable callable.
_ALLOWED_TYPES = frozenset(
    {
        "policyml.features.CompactTfidfVectorizer",
        "policyml.features.ContextColumns",
        "policyml.features.NeighbourTfidf",
        "policyml.features.StemTokenizer",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.multiclass.OneVsRestClassifier",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._label.LabelBinarizer",
        "sklearn.svm._classes.LinearSVC",
        "sklearn.calibration.CalibratedClassifierCV",
        "builtins.slice",
        "numpy.float32",
        "numpy.float64",
        "numpy.int64",
        "numpy.dtype",
        "numpy.ndarray",
        "numpy.random.mtrand.RandomState",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csr.csr_array",
    }
)


class ModelVersionWarning(UserWarning):
    """A model file was written by other versions of scikit-learn or policyml than running now."""


def save_model(model: Any, path: str | Path, *, format: str | None = None) -> Path:
    """Write ``model`` to ``path`` atomically (temporary file, then rename).

    Parameters
    ----------
    model : PolicyModel
    path : str or Path
    format : {"skops", "joblib"}, optional
        Default: ``"joblib"`` when the file name ends in ``.joblib`` or ``.pkl``, else skops.

    Examples
    --------
    >>> import policyml, tempfile, os
    >>> model = policyml.load_model()
    >>> path = model.save(os.path.join(tempfile.mkdtemp(), "model.skops"))
    >>> policyml.load_model(path).categories == model.categories
    True
    """
    path = Path(path)
    if format is None:
        format = "joblib" if path.suffix in {".joblib", ".pkl", ".pickle"} else "skops"
    if format not in {"skops", "joblib"}:
        raise InvalidInputError(f"unknown model format {format!r}; use 'skops' or 'joblib'")
    payload = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "categories": list(model.categories),
        "thresholds": [float(t) for t in model.thresholds],
        "metadata": json.dumps(model.metadata, sort_keys=True),
        "pipeline": model.pipeline,
    }
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(handle)
    try:
        if format == "skops":
            import skops.io

            skops.io.dump(payload, temp_name, compression=zipfile.ZIP_DEFLATED)
        else:
            import joblib

            joblib.dump(payload, temp_name, compress=3)
        with open(temp_name, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


_DEFAULT_LOCK = threading.Lock()
_DEFAULT_MODEL: Any = None


def default_model() -> Any:
    """The bundled model, loaded once per process (thread-safe)."""
    global _DEFAULT_MODEL
    if _DEFAULT_MODEL is None:
        with _DEFAULT_LOCK:
            if _DEFAULT_MODEL is None:
                _DEFAULT_MODEL = load_model()
    return _DEFAULT_MODEL


def load_model(path: str | Path | None = None, *, trusted: bool = False) -> Any:
    """Load a model saved by :meth:`PolicyModel.save`.

    Parameters
    ----------
    path : str or Path, optional
        The model file; ``None`` loads the bundled default model (trained on OPP-115).
    trusted : bool, default False
        Allow loading a pickle/joblib file. Such files execute code when loaded: pass True only
        for files from a source you trust. skops files never need it.

    Returns
    -------
    PolicyModel

    Raises
    ------
    ModelLoadError
        The file is missing, truncated, corrupt, not a policyml model, contains types outside
        policyml's allow-list, or is a pickle file and ``trusted`` is False.

    Examples
    --------
    >>> import policyml
    >>> policyml.load_model().categories
    ['collection', 'sharing', 'cookies', 'children', 'security']
    """
    if path is None:
        path = shipped_file("models", DEFAULT_MODEL_NAME)
        if not path.is_file():
            raise ModelLoadError(
                f"{path}: the bundled model is missing from this installation; reinstall"
                " policyml or pass a model path"
            )
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such model file")
    payload = _load_skops(path) if zipfile.is_zipfile(path) else _load_pickle(path, trusted)
    return _to_model(payload, path)


def _load_skops(path: Path) -> Any:
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except Exception as error:  # skops raises many types for a damaged archive
        raise ModelLoadError(f"{path}: not a readable skops model file ({error})") from None
    refused = sorted(set(untrusted) - _ALLOWED_TYPES)
    if refused:
        raise ModelLoadError(
            f"{path}: refused to load types outside policyml's allow-list: {refused}"
        )
    try:
        return skops.io.load(path, trusted=list(untrusted))
    except Exception as error:
        raise ModelLoadError(f"{path}: corrupt skops model file ({error})") from None


def _load_pickle(path: Path, trusted: bool) -> Any:
    if not trusted:
        raise ModelLoadError(
            f"{path}: not a skops model file. If it is a pickle/joblib file, loading it can run"
            " arbitrary code: pass trusted=True (CLI: --trusted) only if you trust its source"
        )
    import joblib

    try:
        return joblib.load(path)
    except Exception as error:
        raise ModelLoadError(f"{path}: cannot unpickle model file ({error})") from None


def _to_model(payload: Any, path: Path) -> Any:
    from policyml.model import PolicyModel

    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ModelLoadError(f"{path}: not a policyml model file")
    if payload.get("format_version") != _FORMAT_VERSION:
        raise ModelLoadError(
            f"{path}: model format version {payload.get('format_version')} is not supported by"
            f" policyml {__version__} (supports {_FORMAT_VERSION})"
        )
    try:
        metadata = json.loads(payload["metadata"])
        model = PolicyModel(
            payload["pipeline"], payload["categories"], payload["thresholds"], metadata
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelLoadError(f"{path}: incomplete policyml model file ({error})") from None
    _warn_on_version_mismatch(metadata, path)
    return model


def _warn_on_version_mismatch(metadata: dict[str, Any], path: Path) -> None:
    import sklearn

    saved_sklearn = metadata.get("sklearn_version")
    saved_policyml = metadata.get("policyml_version")
    if saved_sklearn != sklearn.__version__ or saved_policyml != __version__:
        warnings.warn(
            f"{path} was saved with scikit-learn {saved_sklearn} and policyml"
            f" {saved_policyml}; running scikit-learn {sklearn.__version__} and policyml"
            f" {__version__}. Predictions may differ; retrain the model to be sure.",
            ModelVersionWarning,
            stacklevel=3,
        )
