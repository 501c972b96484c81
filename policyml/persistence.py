"""Persistence: write and read model files safely. The file layer: it reads and writes the parts
of a model (:class:`ModelParts`) and never imports the model class.

The default format is skops (a zip of JSON and arrays that loads only allowed types, never
running code). Pickle/joblib files can run arbitrary code when loaded, so they load only with an
explicit ``trusted=True``. Beside a skops file, the pipeline compiled to arrays
(:class:`policyml.scoring.LinearScorer`) is written as ``<name>.scorer.npz``, pinned to the skops
file's SHA-256, so that predicting needs neither scikit-learn nor skops.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyml._resources import shipped_file
from policyml._version import __version__
from policyml.exceptions import InvalidInputError, ModelLoadError
from policyml.scoring import LinearScorer, ScorerWarning

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = [
    "DEFAULT_MODEL_NAME",
    "PICKLE_SUFFIXES",
    "SCORER_SUFFIX",
    "SKOPS_SUFFIX",
    "ModelParts",
    "ModelVersionWarning",
    "bundled_model_file",
    "read_model",
    "read_pipeline",
    "scorer_path",
    "write_model",
]

#: File name of the bundled default model in ``models/``.
DEFAULT_MODEL_NAME = "policyml-opp115.skops"

#: Suffix of the compiled scorer file written beside a skops model file.
SCORER_SUFFIX = ".scorer.npz"

#: Suffix of a skops model file, the default format.
SKOPS_SUFFIX = ".skops"

#: Suffixes of pickle/joblib model files (written as joblib; loading them needs trusted=True).
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")

_FORMAT = "policyml-model"
_FORMAT_VERSION = 1

# Types a policyml skops file may contain beyond those skops trusts by default. Anything else
# in a file makes loading fail: a skops file can name any importable callable.
_ALLOWED_TYPES = frozenset(
    {
        "policyml.features.CompactTfidfVectorizer",
        "policyml.features.ContextColumns",
        "policyml.features.NeighbourTfidf",
        "policyml.features.StemTokenizer",  # files written before policyml.tokens existed
        "policyml.tokens.StemTokenizer",
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


@dataclass
class ModelParts:
    """What a model file holds.

    Attributes
    ----------
    categories : list of str
    thresholds : list of float
    metadata : dict
    pipeline : sklearn.pipeline.Pipeline or None
        The fitted pipeline; None when it was not read (see ``pipeline_file``).
    scorer : LinearScorer or None
        The compiled scorer, when there is one.
    pipeline_file : Path or None
        The skops file to read the pipeline from later (with :func:`read_pipeline`), when the
        model was read through its scorer file.
    pipeline_sha256 : str or None
        SHA-256 of ``pipeline_file`` when the scorer was read.
    """

    categories: list[str]
    thresholds: list[float]
    metadata: dict[str, Any] = field(default_factory=dict)
    pipeline: Pipeline | None = None
    scorer: LinearScorer | None = None
    pipeline_file: Path | None = None
    pipeline_sha256: str | None = None


def bundled_model_file() -> Path:
    """The bundled default model file (``models/policyml-opp115.skops``)."""
    path = shipped_file("models", DEFAULT_MODEL_NAME)
    if not path.is_file():
        raise ModelLoadError(
            f"{path}: the bundled model is missing from this installation; reinstall"
            " policyml or pass a model path"
        )
    return path


def write_model(parts: ModelParts, path: str | Path, *, format: str | None = None) -> Path:
    """Write a model's parts to ``path`` atomically (temporary file, then rename).

    Parameters
    ----------
    parts : ModelParts
        With its ``pipeline`` (and ``scorer``, written beside a skops file when given).
    path : str or Path
    format : {"skops", "joblib"}, optional
        Default: ``"joblib"`` when the file name ends in ``.joblib``, ``.pkl`` or ``.pickle``,
        else skops.

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
        format = "joblib" if path.suffix in PICKLE_SUFFIXES else "skops"
    if format not in {"skops", "joblib"}:
        raise InvalidInputError(f"unknown model format {format!r}; use 'skops' or 'joblib'")
    payload = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "categories": list(parts.categories),
        "thresholds": [float(t) for t in parts.thresholds],
        "metadata": json.dumps(parts.metadata, sort_keys=True),
        "pipeline": parts.pipeline,
    }
    if format == "skops":
        import skops.io

        _write_atomically(
            path, lambda name: skops.io.dump(payload, name, compression=zipfile.ZIP_DEFLATED)
        )
        _write_scorer(parts.scorer, path, payload)
    else:
        import joblib

        _write_atomically(path, lambda name: joblib.dump(payload, name, compress=3))
    return path


def _write_atomically(path: Path, write: Callable[[str], Any]) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(handle)
    try:
        write(temp_name)
        with open(temp_name, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())  # mkstemp makes it private; a model is not
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------------------
# The compiled scorer beside a skops file: classify without importing scikit-learn
# --------------------------------------------------------------------------------------------


def scorer_path(path: str | Path) -> Path:
    """Where the compiled scorer of the skops model file ``path`` lives: ``<name>.scorer.npz``
    beside it (written by :func:`write_model`, read by :func:`read_model`)."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(path.suffix) + SCORER_SUFFIX)


def _write_scorer(scorer: LinearScorer | None, path: Path, payload: dict[str, Any]) -> None:
    """Write the scorer file, pinned to the bytes of the skops file just written, so a stale
    or foreign scorer file is never used in its place."""
    target = scorer_path(path)
    if scorer is None:
        target.unlink(missing_ok=True)
        return
    extra = {
        "source_sha256": _sha256(path),
        "categories": payload["categories"],
        "thresholds": payload["thresholds"],
        "metadata": payload["metadata"],
    }
    _write_atomically(target, lambda name: scorer.save(name, extra=extra))


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_compiled(path: Path) -> ModelParts | None:
    """The parts of skops file ``path`` through its scorer file, or None when there is no
    scorer file or it does not belong to these exact bytes (then the skops file is read)."""
    target = scorer_path(path)
    if not target.is_file():
        return None
    try:
        scorer, extra = LinearScorer.load(target)
        sha256 = _sha256(path)
        if extra.get("source_sha256") != sha256 or extra["categories"] != scorer.categories:
            return None  # written for other bytes of the skops file: stale
        parts = ModelParts(
            list(extra["categories"]),
            [float(t) for t in extra["thresholds"]],
            json.loads(extra["metadata"]),
            scorer=scorer,
            pipeline_file=path,
            pipeline_sha256=sha256,
        )
    except Exception as error:  # numpy raises many types for a damaged file; it is only an
        warnings.warn(  # accelerator: the skops file is the model, so read that instead
            f"{target}: unreadable compiled scorer ({type(error).__name__}: {error}); reading"
            f" {path.name} instead (slower to load and predict). Save the model again to"
            " rewrite it.",
            ScorerWarning,
            stacklevel=4,
        )
        return None
    _warn_on_version_mismatch(parts.metadata, path, sklearn=False)
    return parts


def read_pipeline(path: str | Path, sha256: str | None = None) -> Pipeline:
    """The pipeline of skops model file ``path``, for a model read through its scorer file;
    with ``sha256``, the file must still hold the bytes the scorer was pinned to."""
    path = Path(path)
    if sha256 is not None and (not path.is_file() or _sha256(path) != sha256):
        raise ModelLoadError(
            f"{path} changed or went away since the model was loaded from it; load it again"
            " with load_model()"
        )
    return _to_parts(_read_skops(path), path).pipeline  # type: ignore[return-value]


def read_model(path: str | Path, *, trusted: bool = False) -> ModelParts:
    """Read the parts of a model file written by :func:`write_model`.

    A skops file with a matching scorer file is read through the scorer (the pipeline is then
    read on demand with :func:`read_pipeline`); otherwise the skops file itself is read.

    Raises
    ------
    ModelLoadError
        The file is missing, a directory, truncated, corrupt, not a policyml model, contains
        types outside policyml's allow-list, or is a pickle file and ``trusted`` is False.
    """
    path = Path(path)
    if path.is_dir():
        raise ModelLoadError(f"{path}: is a directory, not a model file{_models_in(path)}")
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        return _to_parts(_read_pickle(path, trusted), path)
    parts = _read_compiled(path)
    if parts is None:
        parts = _to_parts(_read_skops(path), path)
    return parts


def _models_in(folder: Path) -> str:
    """A hint naming the model files in ``folder`` (for a directory given as a model)."""
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(SKOPS_SUFFIX))
    except OSError:
        return ""
    if not names:
        return f" (and it holds no {SKOPS_SUFFIX} file)"
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return f"; pass one of its model files: {shown}"


def _read_skops(path: Path) -> Any:
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


def _read_pickle(path: Path, trusted: bool) -> Any:
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


def _to_parts(payload: Any, path: Path) -> ModelParts:
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ModelLoadError(f"{path}: not a policyml model file")
    if payload.get("format_version") != _FORMAT_VERSION:
        raise ModelLoadError(
            f"{path}: model format version {payload.get('format_version')} is not supported by"
            f" policyml {__version__} (supports {_FORMAT_VERSION})"
        )
    try:
        metadata = json.loads(payload["metadata"])
        categories = [str(c) for c in payload["categories"]]
        thresholds = [float(t) for t in payload["thresholds"]]
        pipeline = payload["pipeline"]
        if not hasattr(pipeline, "predict_proba") or len(thresholds) != len(categories):
            raise ValueError("no fitted pipeline, or not one threshold per category")
    except (KeyError, TypeError, ValueError) as error:
        raise ModelLoadError(f"{path}: incomplete policyml model file ({error})") from None
    _warn_on_version_mismatch(metadata, path)
    return ModelParts(categories, thresholds, metadata, pipeline=pipeline)


def _warn_on_version_mismatch(
    metadata: dict[str, Any], path: Path, *, sklearn: bool = True
) -> None:
    """Warn when the file was written by other versions. A model loaded through its scorer
    file does not run scikit-learn (so only policyml's version matters) until its pipeline is
    read, which checks scikit-learn's."""
    saved_policyml = metadata.get("policyml_version")
    saved = [f"policyml {saved_policyml}"]
    running = [f"policyml {__version__}"]
    differs = saved_policyml != __version__
    if sklearn:
        from importlib.metadata import version

        saved_sklearn = metadata.get("sklearn_version")
        saved.insert(0, f"scikit-learn {saved_sklearn}")
        running.insert(0, f"scikit-learn {version('scikit-learn')}")
        differs = differs or saved != running
    if differs:
        warnings.warn(
            f"{path} was saved with {' and '.join(saved)}; running {' and '.join(running)}."
            " Predictions may differ; retrain the model to be sure.",
            ModelVersionWarning,
            stacklevel=3,
        )
