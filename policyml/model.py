"""Model: a TF-IDF + one-vs-rest logistic regression pipeline with per-category thresholds.

:class:`PolicyModel` (training with :func:`train`, loading with :func:`load_model`) predicts
through its compiled scorer (:mod:`policyml.scoring`) when it has one; the files are written and
read by :mod:`policyml.persistence`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import platform
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from policyml._version import __version__
from policyml.categories import CATEGORIES
from policyml.datasets import labeled_frame
from policyml.exceptions import DataValidationError, InvalidInputError, ModelLoadError
from policyml.frames import as_frame, context_columns, decide
from policyml.persistence import (
    ModelParts,
    bundled_model_file,
    read_model,
    read_pipeline,
    write_model,
)
from policyml.scoring import LinearScorer, compile_pipeline
from policyml.tokens import stemmer_version

# scikit-learn is imported where a pipeline is built or fitted, not here: predicting with a
# loaded model goes through its compiled scorer (policyml.scoring) and never needs it.
if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = [
    "DEFAULT_OPTIONS",
    "MIN_POSITIVES",
    "THRESHOLD_GRID",
    "PolicyModel",
    "best_threshold",
    "build_pipeline",
    "default_model",
    "load_model",
    "out_of_fold_proba",
    "resolve_model",
    "train",
]

#: A category needs at least this many positive (and negative) training paragraphs.
MIN_POSITIVES = 5

#: The training recipe; every key can be overridden through ``train(..., **options)``.
DEFAULT_OPTIONS: dict[str, Any] = {
    "word_ngrams": (1, 2),
    "char_ngrams": None,
    "max_char_features": 200_000,
    "heading_weight": 0.3,
    "neighbour_weight": 0.2,
    "min_df": 2,
    "stem": True,
    "C": 10.0,
    "class_weight": "balanced",
    "thresholds": "cv",  # "cv": per-category thresholds from inner CV; a float: fixed
    "inner_folds": 4,
    "random_state": 0,
}


def build_pipeline(**options: Any) -> Pipeline:
    """The unfitted scikit-learn Pipeline for a recipe (see :data:`DEFAULT_OPTIONS`).

    Examples
    --------
    >>> pipe = build_pipeline()
    >>> [name for name, _ in pipe.steps]
    ['context', 'features', 'classifier']
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    from policyml.features import ContextColumns, make_features

    opts = _options(options)
    features = make_features(
        word_ngrams=tuple(opts["word_ngrams"]),
        char_ngrams=tuple(opts["char_ngrams"]) if opts["char_ngrams"] else None,
        max_char_features=opts["max_char_features"],
        heading_weight=opts["heading_weight"],
        neighbour_weight=opts["neighbour_weight"],
        min_df=opts["min_df"],
        stem=opts["stem"],
    )
    classifier = OneVsRestClassifier(
        LogisticRegression(
            C=opts["C"],
            class_weight=opts["class_weight"],
            max_iter=2000,
            solver="liblinear",
            dual=True,  # far faster than the primal when features outnumber paragraphs
            random_state=opts["random_state"],
        )
    )
    return Pipeline(
        [
            ("context", ContextColumns()),
            ("features", features),
            ("classifier", classifier),
        ]
    )


def _options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(DEFAULT_OPTIONS))
    if unknown:
        raise InvalidInputError(
            f"unknown training option(s) {unknown}; known: {sorted(DEFAULT_OPTIONS)}"
        )
    return {**DEFAULT_OPTIONS, **options}


# liblinear draws from one process-wide random generator (scikit-learn's newrand.h), seeded at
# the start of each fit and used without the GIL: fits in parallel threads interleave draws and
# converge to slightly different coefficients. One fit at a time keeps training deterministic.
_FIT_LOCK = threading.Lock()


def _fit(pipeline: Pipeline, X: pd.DataFrame, Y: np.ndarray) -> Pipeline:
    with _FIT_LOCK:
        return pipeline.fit(X, Y)


_UNSET: Any = object()  # a scorer not compiled yet (None means: cannot be compiled)


class PolicyModel:
    """A fitted policyml model: a scikit-learn Pipeline plus per-category thresholds.

    Predictions go through the pipeline's compiled form, :attr:`scorer` (the same
    probabilities computed with numpy alone; see :mod:`policyml.scoring`), when the pipeline can
    be compiled, and through the pipeline otherwise.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted pipeline whose ``predict_proba`` gives one column per category.
    categories : sequence of str
        Category names, in the pipeline's output order.
    thresholds : sequence of float
        Decision threshold per category: a paragraph is labeled when its probability is at
        least the threshold.
    metadata : dict, optional
        Provenance: versions, training data hash and size, CV metrics, creation time.

    Examples
    --------
    >>> import policyml
    >>> model = policyml.load_model()  # doctest: +SKIP
    >>> model.predict(["We share your data with advertisers."])  # doctest: +SKIP
    array([[0, 1, 0, 0, 0]])
    """

    def __init__(
        self,
        pipeline: Pipeline,
        categories: Sequence[str],
        thresholds: Sequence[float],
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._pipeline: Pipeline | None = pipeline
        self._pipeline_file: tuple[Path, str | None] | None = None
        self._scorer: LinearScorer | None = _UNSET
        self._lock = threading.Lock()
        self.categories = list(categories)
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.metadata = dict(metadata or {})
        if len(self.thresholds) != len(self.categories):
            raise InvalidInputError("one threshold per category is needed")

    @classmethod
    def from_parts(cls, parts: ModelParts) -> PolicyModel:
        """The model of a file's parts (:func:`policyml.persistence.read_model`). A model read
        through its scorer reads its pipeline from ``parts.pipeline_file`` only when something
        asks for :attr:`pipeline`."""
        model = cls(parts.pipeline, parts.categories, parts.thresholds, parts.metadata)
        if parts.scorer is not None:
            model._scorer = parts.scorer
        if parts.pipeline is None and parts.pipeline_file is not None:
            model._pipeline_file = (parts.pipeline_file, parts.pipeline_sha256)
        return model

    def to_parts(self) -> ModelParts:
        """What :meth:`save` writes."""
        return ModelParts(
            list(self.categories),
            [float(t) for t in self.thresholds],
            dict(self.metadata),
            pipeline=self.pipeline,
            scorer=self.scorer,
        )

    def __repr__(self) -> str:
        return f"PolicyModel(categories={self.categories})"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def pipeline(self) -> Pipeline:
        """The fitted scikit-learn Pipeline (read from the model file on first use when the model
        was loaded through its compiled scorer)."""
        if self._pipeline is None and self._pipeline_file is not None:
            with self._lock:
                if self._pipeline is None:
                    self._pipeline = read_pipeline(*self._pipeline_file)
        if self._pipeline is None:
            raise ModelLoadError("this model has no pipeline")
        return self._pipeline

    @pipeline.setter
    def pipeline(self, pipeline: Pipeline) -> None:
        with self._lock:
            self._pipeline = pipeline
            self._pipeline_file = None
            self._scorer = _UNSET

    @property
    def scorer(self) -> LinearScorer | None:
        """The pipeline compiled to arrays (:class:`policyml.scoring.LinearScorer`), or None
        when it is not of a shape that compiles (then predictions use the pipeline)."""
        if self._scorer is _UNSET:
            pipeline = self.pipeline
            with self._lock:
                if self._scorer is _UNSET:
                    self._scorer = compile_pipeline(pipeline, self.categories)
        return self._scorer

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each category, shape ``(n_paragraphs, n_categories)``.

        ``X`` is a list/Series of strings or a DataFrame with a ``text`` column (plus optional
        ``heading`` and ``policy_id`` columns; other columns are ignored).
        """
        frame = as_frame(X)
        if frame.empty:
            return np.zeros((0, len(self.categories)))
        scorer = self.scorer
        if scorer is not None:
            return scorer.predict_proba(*context_columns(frame))
        proba = self.pipeline.predict_proba(frame)
        return np.asarray(proba, dtype=float).reshape(len(frame), len(self.categories))

    def fingerprint(self) -> str:
        """SHA-256 (hex) of what decides this model's predictions: categories, thresholds and
        the compiled scorer's arrays (or, for a pipeline that does not compile, the pickled
        pipeline). Equal for a model and its saved and reloaded copy; a run's manifest keeps it
        to refuse resuming an output with another model.

        Examples
        --------
        >>> import policyml
        >>> len(policyml.load_model().fingerprint())
        64
        """
        digest = hashlib.sha256()
        digest.update(np.asarray(self.thresholds, dtype="<f8").tobytes())
        digest.update("\x00".join(self.categories).encode())
        scorer = self.scorer
        if scorer is not None:
            scorer.fingerprint(digest)
        else:
            import joblib

            digest.update(joblib.hash(self.pipeline).encode())
        return digest.hexdigest()

    def predict(self, X: Any) -> np.ndarray:
        """0/1 label matrix, shape ``(n_paragraphs, n_categories)``, using the thresholds."""
        return decide(self.predict_proba(X), self.thresholds)

    def save(self, path: str | Path, *, format: str | None = None) -> Path:
        """Write the model atomically, as skops unless asked otherwise (see
        :func:`policyml.persistence.write_model`)."""
        return write_model(self.to_parts(), path, format=format)


def load_model(path: str | Path | None = None, *, trusted: bool = False) -> PolicyModel:
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
        The file is missing, a directory, truncated, corrupt, not a policyml model, contains
        types outside policyml's allow-list, or is a pickle file and ``trusted`` is False.

    Examples
    --------
    >>> import policyml
    >>> policyml.load_model().categories
    ['collection', 'sharing', 'cookies', 'children', 'security']
    """
    if path is None:
        path = bundled_model_file()
    return PolicyModel.from_parts(read_model(path, trusted=trusted))


_DEFAULT_LOCK = threading.Lock()
_DEFAULT_MODEL: PolicyModel | None = None


def default_model() -> PolicyModel:
    """The bundled model, loaded once per process (thread-safe)."""
    global _DEFAULT_MODEL
    if _DEFAULT_MODEL is None:
        with _DEFAULT_LOCK:
            if _DEFAULT_MODEL is None:
                _DEFAULT_MODEL = load_model()
    return _DEFAULT_MODEL


def resolve_model(model: PolicyModel | str | Path | None) -> PolicyModel:
    """The model an API call uses: the bundled one for None, a :class:`PolicyModel` (or an
    object with its ``categories`` and ``predict_proba``) as it is, or the model in a file.

    Raises
    ------
    InvalidInputError
        ``model`` is none of these.
    ModelLoadError
        ``model`` is a path that cannot be loaded.
    """
    if model is None:
        return default_model()
    if isinstance(model, str | Path) or hasattr(model, "__fspath__"):
        return load_model(model)  # type: ignore[arg-type]
    if not hasattr(model, "predict_proba") or not hasattr(model, "categories"):
        raise InvalidInputError(
            f"model must be a PolicyModel or a path to one, got {type(model).__name__}"
        )
    return model


def train(
    data: pd.DataFrame | str | Path,
    *,
    categories: Sequence[str] | None = None,
    progress: bool = False,
    **options: Any,
) -> PolicyModel:
    """Train a model on labeled paragraphs.

    Parameters
    ----------
    data : DataFrame or path
        A ``text`` column and one 0/1 column per category (or a CSV file in the format of
        :func:`policyml.datasets.load_labeled_csv`); optional ``policy_id`` (groups inner
        cross-validation and neighbour context) and ``heading`` columns.
    categories : sequence of str, optional
        The label set; default :data:`policyml.CATEGORIES`.
    progress : bool, default False
        Show a progress bar over the inner cross-validation fits.
    **options
        Overrides of :data:`DEFAULT_OPTIONS` (n-gram ranges, ``C``, feature weights,
        ``thresholds``: ``"cv"`` to choose each category's threshold on inner
        cross-validated probabilities of the training data, or a fixed float).

    Returns
    -------
    PolicyModel

    Raises
    ------
    DataValidationError
        Malformed data, or a category with fewer than :data:`MIN_POSITIVES` positive or
        negative paragraphs.

    Examples
    --------
    >>> import policyml
    >>> from policyml.datasets import load_example_csv
    >>> model = policyml.train(load_example_csv(), thresholds=0.5)
    >>> model.categories
    ['collection', 'sharing', 'cookies', 'children', 'security']
    """
    opts = _options(options)
    frame, source = labeled_frame(data, categories)
    cats = list(categories) if categories is not None else list(CATEGORIES)
    Y = frame[cats].to_numpy(dtype=int)
    _check_trainable(Y, cats, source)
    opts = _drop_empty_blocks(frame, opts)

    thresholds = _choose_thresholds(frame, Y, opts, progress)
    pipeline = _fit(build_pipeline(**opts), as_frame(frame), Y)
    metadata = {
        "policyml_version": __version__,
        "sklearn_version": _sklearn_version(),
        "stemmer": stemmer_version(),
        "python_version": platform.python_version(),
        "categories": cats,
        "thresholds": [round(float(t), 6) for t in thresholds],
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()},
        "training_data": {
            "source": source,
            "sha256": _frame_sha256(frame, cats),
            "rows": len(frame),
            "positives": {c: int(frame[c].sum()) for c in cats},
        },
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return PolicyModel(pipeline, cats, thresholds, metadata)


def _check_trainable(Y: np.ndarray, categories: list[str], source: str) -> None:
    positives = Y.sum(axis=0)
    negatives = len(Y) - positives
    for name, pos, neg in zip(categories, positives, negatives, strict=True):
        if pos < MIN_POSITIVES or neg < MIN_POSITIVES:
            raise DataValidationError(
                f"{source}: category {name!r} has {pos} positive and {neg} negative paragraphs;"
                f" at least {MIN_POSITIVES} of each are needed to learn it (drop the category"
                " with categories=[...] or label more examples)"
            )


def _drop_empty_blocks(frame: pd.DataFrame, opts: dict[str, Any]) -> dict[str, Any]:
    """Switch off the heading/context blocks when the data cannot feed them."""
    opts = dict(opts)
    if "heading" not in frame.columns or not frame["heading"].map(_has_text).any():
        opts["heading_weight"] = 0.0
    return opts


def _has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _choose_thresholds(
    frame: pd.DataFrame, Y: np.ndarray, opts: dict[str, Any], progress: bool
) -> np.ndarray:
    """Per-category thresholds maximising F1 on inner out-of-fold probabilities."""
    setting = opts["thresholds"]
    k = Y.shape[1]
    if setting != "cv":
        try:
            value = float(setting)
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"thresholds must be 'cv' or a number in (0, 1), got {setting!r}"
            ) from None
        if not 0 < value < 1:
            raise InvalidInputError(f"thresholds must be in (0, 1), got {value}")
        return np.full(k, value)
    proba = out_of_fold_proba(frame, Y, opts, folds=opts["inner_folds"], progress=progress)
    return np.array([best_threshold(Y[:, j], proba[:, j]) for j in range(k)])


def out_of_fold_proba(
    frame: pd.DataFrame,
    Y: np.ndarray,
    opts: dict[str, Any],
    *,
    folds: int,
    progress: bool = False,
) -> np.ndarray:
    """Cross-validated probabilities (grouped by ``policy_id`` when the frame has it)."""
    from sklearn.model_selection import GroupKFold, KFold

    X = as_frame(frame)
    if "policy_id" in frame.columns and frame["policy_id"].nunique() >= folds:
        splits = list(GroupKFold(n_splits=folds).split(X, Y, frame["policy_id"].astype(str)))
    else:
        splits = list(KFold(folds, shuffle=True, random_state=opts["random_state"]).split(X))
    proba = np.zeros(Y.shape, dtype=float)
    iterator = splits
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(splits, desc="inner CV", unit="fold", leave=False)
    fit_opts = {**opts, "thresholds": 0.5}
    for train_idx, test_idx in iterator:
        Ytr = Y[train_idx]
        pipe = build_pipeline(**fit_opts)
        constant = (Ytr.min(axis=0) == Ytr.max(axis=0)).any()
        if constant:  # a fold without positives: fall back to the base rate for it
            proba[test_idx] = Ytr.mean(axis=0)
            continue
        _fit(pipe, X.iloc[train_idx], Ytr)
        proba[test_idx] = pipe.predict_proba(X.iloc[test_idx])
    return proba


#: Candidate decision thresholds; a coarse grid keeps the choice from chasing single points.
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold of :data:`THRESHOLD_GRID` with the best F1 (the lowest among ties).

    Examples
    --------
    >>> best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.9]))
    0.11
    """
    y = np.asarray(y, dtype=bool)
    predicted = p[:, None] >= THRESHOLD_GRID[None, :]
    tp = (predicted & y[:, None]).sum(axis=0)
    f1 = 2 * tp / np.maximum(predicted.sum(axis=0) + y.sum(), 1)
    return float(THRESHOLD_GRID[int(np.argmax(f1))])


def _frame_sha256(frame: pd.DataFrame, categories: list[str]) -> str:
    digest = hashlib.sha256()
    for text, labels in zip(
        frame["text"], frame[categories].to_numpy(dtype=int).tolist(), strict=True
    ):
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(bytes(labels))
    return digest.hexdigest()


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__
