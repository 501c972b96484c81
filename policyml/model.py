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
from policyml.frames import as_frame, context_columns, decide, resolve_thresholds
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
    "CategoryTooRareError",
    "PolicyModel",
    "RowDigest",
    "best_threshold",
    "build_pipeline",
    "check_trainable",
    "default_model",
    "fit_classifier",
    "frame_sha256",
    "load_model",
    "out_of_fold_proba",
    "resolve_model",
    "row_weights",
    "train",
    "training_rows",
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


def _fit(
    pipeline: Pipeline, X: pd.DataFrame, Y: np.ndarray, weights: np.ndarray | None = None
) -> Pipeline:
    """Fit ``pipeline``; ``weights`` weigh the rows in the classifier's loss."""
    if weights is None or np.all(weights == weights[0]):
        with _FIT_LOCK:
            return pipeline.fit(X, Y)
    features = pipeline[:-1].fit_transform(X, Y)
    fit_classifier(pipeline.steps[-1][1], features, Y, weights)
    return pipeline


def fit_classifier(
    classifier: Any, features: Any, Y: np.ndarray, weights: np.ndarray | None = None
) -> Any:
    """Fit the last step of a :func:`build_pipeline` pipeline on feature rows already
    computed (e.g. once for several weightings of the same rows); ``weights`` weigh the rows
    in the loss. One fit at a time, as every policyml fit (see ``_FIT_LOCK``)."""
    with _FIT_LOCK:
        if weights is None:
            return classifier.fit(features, Y)
        import sklearn

        # one-vs-rest passes sample weights on only through metadata routing; the request is
        # dropped afterwards so that model files hold plain estimators
        with sklearn.config_context(enable_metadata_routing=True):
            classifier.estimator.set_fit_request(sample_weight=True)
            classifier.fit(features, Y, sample_weight=weights)
        for estimator in (classifier.estimator, *classifier.estimators_):
            estimator.__dict__.pop("_metadata_request", None)
        return classifier


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

    def with_thresholds(self, thresholds: Any) -> PolicyModel:
        """This model labelling at other thresholds (the fitted pipeline is shared).

        Parameters
        ----------
        thresholds : float, mapping or str
            One threshold for every category, ``{category: threshold}`` for some, or a string
            ``"0.4"`` / ``"collection=0.3,sharing=0.6"`` (the command line's ``--threshold``);
            see :func:`policyml.frames.resolve_thresholds`.

        Examples
        --------
        >>> import policyml
        >>> model = policyml.load_model()
        >>> strict = model.with_thresholds({"sharing": 0.9})
        >>> float(strict.thresholds[1]), float(strict.thresholds[0]) == float(model.thresholds[0])
        (0.9, True)
        """
        import copy

        model = copy.copy(self)  # shares the pipeline and its compiled scorer
        model.thresholds = resolve_thresholds(thresholds, self.categories, self.thresholds)
        model.metadata = dict(self.metadata)
        return model

    def save(self, path: str | Path, *, format: str | None = None) -> Path:
        """Write the model atomically, as skops unless asked otherwise (see
        :func:`policyml.persistence.write_model`)."""
        return write_model(self.to_parts(), path, format=format)


def load_model(path: str | Path | None = None, *, trusted: bool = False) -> PolicyModel:
    """Load a model saved by :meth:`PolicyModel.save`.

    Parameters
    ----------
    path : str or Path, optional
        The model file; ``None`` loads the bundled default model (trained on OPP-115 and the
        modern corpus's dev half; see ``models/MODEL_CARD.md``).
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
        cross-validation and neighbour context), ``heading`` and ``lead_in`` columns, a
        ``weight`` column (each row's weight in the loss: positive numbers), and a ``domain``
        column (the kind of policy of each row: thresholds then maximise the mean F1 over
        domains, so that a large domain does not set them for a small one).
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
        Malformed data, or (:class:`CategoryTooRareError`) a category with fewer than
        :data:`MIN_POSITIVES` positive or negative paragraphs.

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
    pipeline = _fit(build_pipeline(**opts), as_frame(frame), Y, row_weights(frame))
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
            "sha256": frame_sha256(frame, cats),
            "rows": len(frame),
            "positives": {c: int(frame[c].sum()) for c in cats},
            "rows_digest": RowDigest.of(frame["text"]).to_json(),
        },
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return PolicyModel(pipeline, cats, thresholds, metadata)


class CategoryTooRareError(DataValidationError):
    """A category of the training data has fewer than :data:`MIN_POSITIVES` positive or
    negative paragraphs, so it cannot be learned.

    The message names the data (the CSV file) and says how to drop the category in Python
    syntax; :meth:`describe` gives it in command-line syntax (``--categories a,b``).
    """

    def __init__(
        self,
        source: str,
        category: str,
        positives: int,
        negatives: int,
        categories: Sequence[str],
        context: str = "",
    ) -> None:
        self.source, self.category, self.context = source, category, context
        self.positives, self.negatives = int(positives), int(negatives)
        self.categories = list(categories)
        super().__init__(self.describe())

    def __reduce__(self) -> tuple[Any, ...]:  # picklable despite its own __init__
        fields = (self.positives, self.negatives, self.categories, self.context)
        return (type(self), (self.source, self.category, *fields))

    def describe(self, syntax: str = "python") -> str:
        """The message, with the fix in ``"python"`` or ``"cli"`` syntax."""
        rest = [c for c in self.categories if c != self.category]
        if not rest:
            fix = "label more examples"
        elif syntax == "cli":
            fix = f"drop the category with --categories {','.join(rest)}, or label more examples"
        else:
            fix = f"drop the category with categories={rest!r}, or label more examples"
        return (
            f"{self.context}{self.source}: category {self.category!r} has {self.positives}"
            f" positive and {self.negatives} negative paragraphs; at least {MIN_POSITIVES} of"
            f" each are needed to learn it ({fix})"
        )

    def within(self, context: str) -> CategoryTooRareError:
        """The same error, its message prefixed by ``context`` (e.g. a CV fold)."""
        return CategoryTooRareError(
            self.source,
            self.category,
            self.positives,
            self.negatives,
            self.categories,
            f"{context}: {self.context}",
        )


def check_trainable(
    data: pd.DataFrame | str | Path, categories: Sequence[str] | None = None
) -> None:
    """Check that labeled data can train a model, before any (long) training starts.

    Raises
    ------
    DataValidationError
        Malformed data (see :func:`policyml.datasets.load_labeled_csv`), or
        :class:`CategoryTooRareError` for a category with fewer than :data:`MIN_POSITIVES`
        positive or negative paragraphs.

    Examples
    --------
    >>> from policyml.datasets import load_example_csv
    >>> check_trainable(load_example_csv())
    >>> check_trainable(load_example_csv().head(8))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyml.model.CategoryTooRareError: ...: category 'collection' has 7 positive and 1 negative...
    """
    frame, source = labeled_frame(data, categories)
    cats = list(categories) if categories is not None else list(CATEGORIES)
    _check_trainable(frame[cats].to_numpy(dtype=int), cats, source)


def _check_trainable(Y: np.ndarray, categories: list[str], source: str) -> None:
    positives = Y.sum(axis=0)
    negatives = len(Y) - positives
    for name, pos, neg in zip(categories, positives, negatives, strict=True):
        if pos < MIN_POSITIVES or neg < MIN_POSITIVES:
            raise CategoryTooRareError(source, name, pos, neg, categories)


def row_weights(frame: pd.DataFrame, source: str | None = None) -> np.ndarray | None:
    """The rows' weights in training: the ``weight`` column (positive numbers), if any.

    Raises
    ------
    DataValidationError
        A weight that is not a positive number, naming ``source`` (when given), the row and
        the value.
    """
    if "weight" not in frame.columns:
        return None
    weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(weights) | (weights <= 0))
    if len(bad):
        where = f"{source}, row" if source else "row"
        raise DataValidationError(
            f"{where} {int(bad[0])}, column 'weight': {frame['weight'].iloc[bad[0]]!r} is not"
            f" a positive number ({len(bad)} such row(s))"
        )
    return weights


def _drop_empty_blocks(frame: pd.DataFrame, opts: dict[str, Any]) -> dict[str, Any]:
    """Switch off the heading block when the data has no heading or lead-in to feed it."""
    opts = dict(opts)
    if not any(h.strip() for h in context_columns(as_frame(frame))[1]):
        opts["heading_weight"] = 0.0
    return opts


def _choose_thresholds(
    frame: pd.DataFrame, Y: np.ndarray, opts: dict[str, Any], progress: bool
) -> np.ndarray:
    """Per-category thresholds maximising F1 on inner out-of-fold probabilities (the mean F1
    over the data's domains, when it has a ``domain`` column)."""
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
    domains = frame["domain"].astype(str).to_numpy() if "domain" in frame.columns else None
    return np.array([best_threshold(Y[:, j], proba[:, j], domains) for j in range(k)])


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
        weights = row_weights(frame)
        _fit(pipe, X.iloc[train_idx], Ytr, None if weights is None else weights[train_idx])
        proba[test_idx] = pipe.predict_proba(X.iloc[test_idx])
    return proba


#: Candidate decision thresholds; a coarse grid keeps the choice from chasing single points.
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def best_threshold(y: np.ndarray, p: np.ndarray, groups: Sequence[Any] | None = None) -> float:
    """The threshold of :data:`THRESHOLD_GRID` with the best F1 (the lowest among ties).

    With ``groups`` (e.g. the domain of each row: policies of different kinds), the best mean
    of the groups' F1, so that a large group does not set the threshold for a small one.

    Examples
    --------
    >>> best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.9]))
    0.11
    """
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=float)
    keys = np.zeros(len(y), dtype=int) if groups is None else pd.factorize(np.asarray(groups))[0]
    f1 = np.zeros(len(THRESHOLD_GRID))
    for key in np.unique(keys):
        mine = keys == key
        predicted = p[mine, None] >= THRESHOLD_GRID[None, :]
        tp = (predicted & y[mine, None]).sum(axis=0)
        f1 += 2 * tp / np.maximum(predicted.sum(axis=0) + y[mine].sum(), 1)
    return float(THRESHOLD_GRID[int(np.argmax(f1))])


def frame_sha256(frame: pd.DataFrame, categories: Sequence[str]) -> str:
    """SHA-256 of labeled rows: every text and its 0/1 labels for ``categories``, in order
    (a model's metadata keeps it of its training data)."""
    digest = hashlib.sha256()
    for text, labels in zip(
        frame["text"], frame[list(categories)].to_numpy(dtype=int).tolist(), strict=True
    ):
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(bytes(labels))
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Which rows a model was trained on: a compact digest kept in its metadata
# --------------------------------------------------------------------------------------------


class RowDigest:
    """A Bloom filter of a model's training paragraphs, small enough for its metadata.

    Each text (whitespace collapsed, case folded) is hashed with SHA-256; ``hashes`` bits of a
    ``bits``-bit array, taken from the digest, are set. A text of the training data is always
    found (:meth:`contains`); another text is found by mistake with the probability
    :attr:`false_positive_rate` (under 1 % up to about 100,000 training rows: about 10 bits
    per row, at most :data:`MAX_BITS`, 128 KiB, for larger data).

    Examples
    --------
    >>> digest = RowDigest.of(["We use cookies.", "We sell nothing."])
    >>> digest.contains(["we  use COOKIES.", "Something new."]).tolist()
    [True, False]
    >>> RowDigest.from_json(digest.to_json()).contains(["We sell nothing."]).tolist()
    [True]
    """

    #: Largest filter, in bits (128 KiB in the model file, 175 KB as base64 in its metadata).
    MAX_BITS = 2**20
    BITS_PER_ROW = 10

    def __init__(self, bits: np.ndarray, hashes: int) -> None:
        self.bits = np.asarray(bits, dtype=bool)
        self.hashes = int(hashes)

    @staticmethod
    def _keys(texts: Any) -> np.ndarray:
        """Per text, 8 uint32 values of the SHA-256 of its normalised form."""
        digests = b"".join(
            hashlib.sha256(" ".join(str(t).split()).casefold().encode("utf-8", "replace")).digest()
            for t in texts
        )
        return np.frombuffer(digests, dtype="<u4").reshape(-1, 8)

    @classmethod
    def of(cls, texts: Any) -> RowDigest:
        """The digest of ``texts`` (the training paragraphs)."""
        keys = cls._keys(texts)
        n = max(len(keys), 1)
        size = int(min(max(1024, cls.BITS_PER_ROW * n), cls.MAX_BITS))
        size += -size % 8
        hashes = int(min(8, max(1, round(size / n * np.log(2)))))
        bits = np.zeros(size, dtype=bool)
        bits[(keys[:, :hashes] % size).ravel()] = True
        return cls(bits, hashes)

    def contains(self, texts: Any) -> np.ndarray:
        """Per text: found in the digest (a training row, or a false positive)."""
        keys = self._keys(texts)
        if not len(keys):
            return np.zeros(0, dtype=bool)
        return self.bits[keys[:, : self.hashes] % len(self.bits)].all(axis=1)

    @property
    def false_positive_rate(self) -> float:
        """Probability that a text not in the training data is found anyway."""
        return float(self.bits.mean() ** self.hashes)

    def to_json(self) -> dict[str, Any]:
        import base64

        packed = np.packbits(self.bits).tobytes()
        return {
            "kind": "bloom-sha256",
            "bits": len(self.bits),
            "hashes": self.hashes,
            "data": base64.b64encode(packed).decode("ascii"),
        }

    @classmethod
    def from_json(cls, value: Any) -> RowDigest | None:
        """The digest stored by :meth:`to_json`, or None when absent or unreadable."""
        import base64

        try:
            if value.get("kind") != "bloom-sha256":
                return None
            size = int(value["bits"])
            packed = np.frombuffer(base64.b64decode(value["data"]), dtype=np.uint8)
            bits = np.unpackbits(packed)[:size].astype(bool)
            if len(bits) != size or size < 8:
                return None
            return cls(bits, int(value["hashes"]))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


def training_rows(
    model: Any, frame: pd.DataFrame, categories: Sequence[str] | None = None
) -> tuple[float, str] | None:
    """How much of labeled ``frame`` the model was trained on, from its metadata.

    Returns ``(share, how)``: the share of ``frame``'s rows that are training rows (1.0 when
    its SHA-256 equals the training data's; else estimated from the model's
    :class:`RowDigest`, corrected for its false positives) and how it was found; None when the
    model's metadata holds neither (a model trained elsewhere).

    Examples
    --------
    >>> import policyml
    >>> from policyml.datasets import load_example_csv
    >>> data = load_example_csv()
    >>> model = policyml.train(data, thresholds=0.5)
    >>> training_rows(model, data)
    (1.0, 'same SHA-256 as its training data')
    """
    info = getattr(model, "metadata", {}).get("training_data") or {}
    cats = list(categories) if categories is not None else list(model.categories)
    if not len(frame):
        return None
    if info.get("sha256") and info["sha256"] == frame_sha256(frame, cats):
        return 1.0, "same SHA-256 as its training data"
    digest = RowDigest.from_json(info.get("rows_digest"))
    if digest is None:
        return None
    found = float(digest.contains(frame["text"]).mean())
    rate = digest.false_positive_rate
    share = min(max((found - rate) / (1 - rate), 0.0), 1.0) if rate < 1 else 0.0
    return share, "by the digest of its training rows"


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__
