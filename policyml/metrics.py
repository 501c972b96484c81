"""Evaluation: per-category precision, recall, F1 and support; grouped cross-validation."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from policyml.categories import CATEGORIES
from policyml.datasets import labeled_frame
from policyml.exceptions import DataValidationError, InvalidInputError
from policyml.frames import PROBA_PREFIX, decide
from policyml.model import CategoryTooRareError, PolicyModel, train, training_rows

__all__ = [
    "CrossValidationResult",
    "TrainingDataWarning",
    "bootstrap_ci",
    "bootstrap_intervals",
    "classification_report",
    "cross_validate",
    "evaluate",
]

_COLUMNS = ["precision", "recall", "f1", "support"]
_METRICS = ("precision", "recall", "f1")


def classification_report(
    y_true: np.ndarray, y_pred: np.ndarray, categories: Sequence[str]
) -> pd.DataFrame:
    """Per-category precision, recall, F1 and support, plus micro and macro averages.

    Examples
    --------
    >>> import numpy as np
    >>> report = classification_report(np.array([[1, 0], [0, 1]]), np.array([[1, 0], [1, 1]]),
    ...                                ["a", "b"])
    >>> report.loc[["a", "b"], ["precision", "f1", "support"]]
              precision   f1  support
    category
    a               0.5  0.666667        1
    b               1.0  1.000000        1
    """
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    tp = (y_true & y_pred).sum(axis=0)
    predicted = y_pred.sum(axis=0)
    support = y_true.sum(axis=0)
    precision, recall, f1 = _prf(tp, predicted, support)
    rows = {
        name: [precision[j], recall[j], f1[j], int(support[j])] for j, name in enumerate(categories)
    }
    mp, mr, mf = _prf(tp.sum(), predicted.sum(), support.sum())
    rows["micro avg"] = [float(mp), float(mr), float(mf), int(support.sum())]
    rows["macro avg"] = [
        float(precision.mean()),
        float(recall.mean()),
        float(f1.mean()),
        int(support.sum()),
    ]
    report = pd.DataFrame.from_dict(rows, orient="index", columns=_COLUMNS)
    report["support"] = report["support"].astype(int)
    report.index.name = "category"
    return report


def _prf(tp: Any, predicted: Any, support: Any) -> tuple[Any, Any, Any]:
    tp, predicted, support = (np.asarray(a, dtype=float) for a in (tp, predicted, support))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * tp / (predicted + support), 0.0)
    return precision, recall, f1


class TrainingDataWarning(UserWarning):
    """:func:`evaluate` was given (mostly) the rows the model was trained on: its scores say how
    well the model remembers them, not how it does on policies it has not seen."""


#: :func:`evaluate` warns when at least this share of its rows are training rows.
TRAINING_SHARE_WARNING = 0.5


def evaluate(model: PolicyModel, data: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Score a model on labeled paragraphs.

    Scores on a model's own training data overstate its accuracy: when at least half of the
    rows are training rows (by the SHA-256 and the digest of the training rows in the model's
    metadata, :func:`policyml.model.training_rows`), a :class:`TrainingDataWarning` says so.

    Parameters
    ----------
    model : PolicyModel
        A trained model (e.g. :func:`policyml.load_model`).
    data : DataFrame or path
        Labeled paragraphs with a ``text`` column and a 0/1 column per model category (or a CSV
        file as read by :func:`policyml.datasets.load_labeled_csv`).

    Returns
    -------
    pandas.DataFrame
        Indexed by category plus ``"micro avg"`` and ``"macro avg"``; columns ``precision``,
        ``recall``, ``f1``, ``support``.

    Examples
    --------
    >>> import policyml
    >>> from policyml.datasets import load_example_csv
    >>> report = policyml.evaluate(policyml.load_model(), load_example_csv())
    >>> list(report.columns)
    ['precision', 'recall', 'f1', 'support']
    """
    categories = list(model.categories)
    frame, source = labeled_frame(data, categories)
    seen = training_rows(model, frame, categories)
    if seen is not None and seen[0] >= TRAINING_SHARE_WARNING:
        share, how = seen
        warnings.warn(
            f"{source}: {'all' if share >= 1 else f'about {share:.0%} of the'} {len(frame):,}"
            f" rows are rows the model was trained on ({how}), so these scores overstate how"
            " well it does on new policies; evaluate on held-out data, or cross-validate"
            " (policyml.cross_validate; the train command prints cross-validated scores)",
            TrainingDataWarning,
            stacklevel=2,
        )
    predictions = model.predict(frame)
    return classification_report(frame[categories].to_numpy(dtype=int), predictions, categories)


def bootstrap_intervals(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    categories: Sequence[str],
    groups: Sequence[Any] | None = None,
    *,
    metrics: Sequence[str] = _METRICS,
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """:func:`classification_report` plus bootstrap confidence intervals resampling groups.

    Whole groups (policies: paragraphs of one policy are not independent) are drawn with
    replacement ``n_boot`` times. A resample in which a metric is undefined (precision with
    nothing predicted, recall or F1 with no positive at all) says nothing about it: it is left
    out of that metric's quantiles and of that resample's macro average.

    Parameters
    ----------
    y_true, y_pred : array of shape (n, k)
        0/1 labels and decisions.
    categories : sequence of str
    groups : sequence, optional
        The group of each row; default every row its own group.
    metrics : sequence of {"precision", "recall", "f1"}
        Metrics that get ``<metric>_low`` and ``<metric>_high`` columns.
    n_boot : int, default 1000
    level : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    pandas.DataFrame
        Indexed by category, ``"micro avg"`` and ``"macro avg"``.

    Examples
    --------
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> report = bootstrap_intervals(y, y, ["a", "b"], n_boot=50)
    >>> report.loc["a", ["f1", "f1_low", "f1_high"]].tolist()
    [1.0, 1.0, 1.0]
    """
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    report = classification_report(y_true, y_pred, categories)
    unknown = [m for m in metrics if m not in _METRICS]
    if unknown:
        raise InvalidInputError(f"unknown metric(s) {unknown}; choose from {list(_METRICS)}")
    if n_boot <= 0 or not len(y_true):
        return report
    rows = range(len(y_true)) if groups is None else list(groups)
    codes = pd.factorize(pd.Series(rows).astype(str))[0]
    n_groups = int(codes.max()) + 1
    # per-group sufficient statistics: tp, predicted, support per category
    stats = np.zeros((n_groups, 3, len(categories)))
    np.add.at(stats[:, 0], codes, y_true & y_pred)
    np.add.at(stats[:, 1], codes, y_pred)
    np.add.at(stats[:, 2], codes, y_true)
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n_groups, size=(n_boot, n_groups))
    totals = stats[draws].sum(axis=1)  # (n_boot, 3, k)
    tp, predicted, support = totals[:, 0], totals[:, 1], totals[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_category = {
            "precision": np.where(predicted > 0, tp / predicted, np.nan),
            "recall": np.where(support > 0, tp / support, np.nan),
            "f1": np.where(predicted + support > 0, 2 * tp / (predicted + support), np.nan),
        }
        tp_all, pred_all, sup_all = tp.sum(1), predicted.sum(1), support.sum(1)
        micro = {
            "precision": np.where(pred_all > 0, tp_all / pred_all, np.nan),
            "recall": np.where(sup_all > 0, tp_all / sup_all, np.nan),
            "f1": np.where(pred_all + sup_all > 0, 2 * tp_all / (pred_all + sup_all), np.nan),
        }
    alpha = (1 - level) / 2
    for name in metrics:
        with warnings.catch_warnings():  # all-NaN columns (a metric never defined) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            macro = np.nanmean(per_category[name], axis=1)
            samples = np.column_stack([per_category[name], micro[name], macro])
            low, high = np.nanquantile(samples, [alpha, 1 - alpha], axis=0)
        report[f"{name}_low"] = low
        report[f"{name}_high"] = high
    return report


def bootstrap_ci(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    groups: Sequence[Any],
    categories: Sequence[str],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Bootstrap confidence intervals of F1 resampling whole groups (policies).

    Returns a DataFrame indexed like :func:`classification_report` (categories, ``"micro
    avg"``, ``"macro avg"``) with columns ``f1``, ``f1_low``, ``f1_high``; see
    :func:`bootstrap_intervals`.
    """
    report = bootstrap_intervals(
        y_true,
        y_pred,
        categories,
        groups,
        metrics=("f1",),
        n_boot=n_boot,
        level=level,
        random_state=random_state,
    )
    return report[["f1", "f1_low", "f1_high"]]


@dataclass
class CrossValidationResult:
    """Outcome of :func:`cross_validate`.

    Attributes
    ----------
    report : DataFrame
        Pooled out-of-fold metrics (like :func:`evaluate`) with bootstrap CI columns
        ``f1_low``/``f1_high`` (95 %, resampling groups).
    fold_reports : DataFrame
        Per-fold metrics, indexed by (fold, category).
    predictions : DataFrame
        One row per input row: ``fold``, ``p_<category>`` out-of-fold probabilities and the
        0/1 predictions under each fold model's thresholds.
    thresholds : DataFrame
        The thresholds each fold's model chose (inner CV on its training folds), fold × category.
    """

    report: pd.DataFrame
    fold_reports: pd.DataFrame
    predictions: pd.DataFrame
    thresholds: pd.DataFrame
    categories: list[str] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return float(self.report.loc["macro avg", "f1"])

    def _repr_html_(self) -> str:
        return self.report.to_html(float_format="{:.3f}".format)

    def __repr__(self) -> str:
        return f"CrossValidationResult(macro_f1={self.macro_f1:.4f})\n{self.report.round(3)}"


def cross_validate(
    data: pd.DataFrame | str | Path,
    *,
    groups: str = "policy_id",
    folds: int | str = 5,
    categories: Sequence[str] | None = None,
    progress: bool = False,
    n_boot: int = 1000,
    **options: Any,
) -> CrossValidationResult:
    """Grouped cross-validation: train on some policies, score on unseen ones.

    Paragraphs of one policy never sit on both sides of a split (policies reuse boilerplate,
    so random paragraph splits overstate accuracy). Every hyper-parameter that depends on data
    (the per-category thresholds) is chosen inside each training fold.

    Parameters
    ----------
    data : DataFrame or path
        Labeled paragraphs (see :func:`policyml.train`) with a ``groups`` column.
    groups : str, default "policy_id"
        Column naming each row's group (policy).
    folds : int or str, default 5
        Number of :class:`~sklearn.model_selection.GroupKFold` folds, or the name of a column
        holding a fixed fold number per row (``"fold"`` of :func:`~policyml.datasets.load_opp115`,
        the shared OPP-115 split). Rows of a negative fold are in every training fold and
        never scored (their predictions are NaN): e.g. the modern rows of
        :func:`~policyml.datasets.load_base_corpus`.
    categories : sequence of str, optional
        Label set (default :data:`policyml.CATEGORIES`).
    progress : bool, default False
        Show a progress bar over folds.
    n_boot : int, default 1000
        Bootstrap resamples for the confidence intervals (0 to skip).
    **options
        Training options passed to :func:`policyml.train`.

    Returns
    -------
    CrossValidationResult

    Examples
    --------
    >>> import policyml
    >>> from policyml.datasets import load_opp115
    >>> opp115 = load_opp115("../shared/opp115")  # doctest: +SKIP
    >>> cv = policyml.cross_validate(opp115, folds="fold")  # doctest: +SKIP
    >>> round(cv.macro_f1, 2)  # doctest: +SKIP
    0.84
    """
    from sklearn.model_selection import GroupKFold

    frame, _ = labeled_frame(data, categories)
    cats = list(categories) if categories is not None else list(CATEGORIES)
    if groups not in frame.columns:
        raise DataValidationError(
            f"cross-validation needs a {groups!r} column naming each row's policy (columns:"
            f" {list(map(str, frame.columns))}); pass groups=... to use another column"
        )
    group_values = frame[groups].astype(str).to_numpy()
    if isinstance(folds, str):
        if folds not in frame.columns:
            raise DataValidationError(f"no fold column {folds!r} in the data")
        fold_of = frame[folds].to_numpy()
    elif isinstance(folds, int) and folds >= 2:
        if len(set(group_values)) < folds:
            raise DataValidationError(
                f"{folds}-fold grouped CV needs at least {folds} distinct {groups!r} values"
            )
        fold_of = np.empty(len(frame), dtype=int)
        for i, (_, test) in enumerate(GroupKFold(n_splits=folds).split(frame, groups=group_values)):
            fold_of[test] = i
    else:
        raise InvalidInputError(f"folds must be an int >= 2 or a column name, got {folds!r}")

    Y = frame[cats].to_numpy(dtype=int)
    proba = np.full(Y.shape, np.nan)
    pred = np.zeros(Y.shape, dtype=int)
    fold_rows, threshold_rows = [], []
    fold_ids = sorted(f for f in set(fold_of.tolist()) if f >= 0)  # < 0: always trained on
    tested = fold_of >= 0
    iterator: Any = fold_ids
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(fold_ids, desc="cross-validation", unit="fold")
    for fold in iterator:
        test = fold_of == fold
        try:
            model = train(frame.loc[~test], categories=cats, **options)
        except CategoryTooRareError as error:
            raise error.within(f"training folds without fold {fold}") from None
        except DataValidationError as error:
            raise DataValidationError(f"training folds without fold {fold}: {error}") from None
        proba[test] = model.predict_proba(frame.loc[test])
        pred[test] = decide(proba[test], model.thresholds)
        report = classification_report(Y[test], pred[test], cats)
        report.insert(0, "fold", fold)
        fold_rows.append(report.reset_index())
        threshold_rows.append(pd.Series(model.thresholds, index=cats, name=fold))

    report = classification_report(Y[tested], pred[tested], cats)
    if n_boot:
        ci = bootstrap_ci(Y[tested], pred[tested], group_values[tested], cats, n_boot=n_boot)
        report["f1_low"] = ci["f1_low"]
        report["f1_high"] = ci["f1_high"]
    predictions = pd.DataFrame({"fold": fold_of})
    for j, c in enumerate(cats):
        predictions[PROBA_PREFIX + c] = proba[:, j]
    for j, c in enumerate(cats):
        predictions[c] = pred[:, j]
    return CrossValidationResult(
        report=report,
        fold_reports=pd.concat(fold_rows).set_index(["fold", "category"]),
        predictions=predictions,
        thresholds=pd.DataFrame(threshold_rows).rename_axis("fold"),
        categories=cats,
    )
