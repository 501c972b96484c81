"""Plots of model quality and of a classified policy (matplotlib, imported on first use).

Every function draws on ``ax`` when given, else on a new figure, and returns the Axes (or the
Figure for :func:`evaluation`); save with ``ax.figure.savefig("out.png")``. Install matplotlib
with ``pip install 'policyml[plot]'``.

The evaluation plots take labeled data and predictions in the shapes policyml produces:

- ``y_true``: a DataFrame with a 0/1 column per category (a labeled CSV as loaded by
  :func:`policyml.datasets.load_labeled_csv`) or an array;
- ``proba``/``y_pred``: a DataFrame with ``p_<category>`` probabilities and 0/1 ``<category>``
  decisions (``policyml.cross_validate(...).predictions``, or built from
  ``model.predict_proba``/``model.predict``) or arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from policyml.categories import CATEGORIES
from policyml.datasets import labeled_frame
from policyml.display import category_colors
from policyml.exceptions import InvalidInputError
from policyml.frames import PROBA_PREFIX, check_result, decide, result_categories
from policyml.metrics import bootstrap_intervals
from policyml.model import PolicyModel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "confusion",
    "evaluation",
    "learning_curves",
    "metric_intervals",
    "metrics",
    "policy_map",
    "pr_curves",
]

_METRICS = ("precision", "recall", "f1")


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("policyml.plot needs matplotlib: pip install 'policyml[plot]'") from error
    return plt


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=figsize, layout="constrained")
    return ax


def _colors(categories: Sequence[str]) -> dict[str, str]:
    return category_colors(categories)


# --------------------------------------------------------------------------- inputs


def _categories(*frames: Any, categories: Sequence[str] | None = None) -> list[str]:
    if categories is not None:
        return list(categories)
    for frame in frames:
        if isinstance(frame, pd.DataFrame):
            found = result_categories(frame)
            if found:
                return found

    for frame in frames:
        if isinstance(frame, pd.DataFrame):
            found = [c for c in CATEGORIES if c in frame.columns]
            if found:
                return found
    for frame in frames:
        if frame is not None:
            width = np.asarray(frame).shape[1] if np.ndim(frame) == 2 else 1
            return list(CATEGORIES) if width == len(CATEGORIES) else [f"c{i}" for i in range(width)]
    raise InvalidInputError("cannot tell the categories: pass categories=[...]")


def _matrix(values: Any, categories: Sequence[str], *, prefix: str = "") -> np.ndarray:
    """The ``(n, k)`` matrix of ``values`` for ``categories`` (columns ``prefix + category``)."""
    if isinstance(values, pd.DataFrame):
        names = [f"{prefix}{c}" for c in categories]
        missing = [n for n in names if n not in values.columns]
        if missing:
            raise InvalidInputError(
                f"missing column(s) {missing} (columns: {list(map(str, values.columns))})"
            )
        return values[names].to_numpy(dtype=float)
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2 or matrix.shape[1] != len(categories):
        raise InvalidInputError(
            f"expected a matrix with {len(categories)} columns, got shape {matrix.shape}"
        )
    return matrix


def _decisions(y_pred: Any, categories: Sequence[str]) -> np.ndarray:
    return (_matrix(y_pred, categories) >= 0.5).astype(int)


# --------------------------------------------------------------------------- metrics


def metric_intervals(
    y_true: Any,
    y_pred: Any,
    *,
    categories: Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Per-category precision, recall and F1 with bootstrap confidence intervals.

    Like :func:`policyml.metrics.classification_report` plus ``<metric>_low`` and
    ``<metric>_high`` columns for precision, recall and F1, from resampling whole groups
    (policies: paragraphs of one policy are not independent).

    Parameters
    ----------
    y_true, y_pred : DataFrame or array
        True and predicted 0/1 labels, one column per category.
    categories : sequence of str, optional
        Default: inferred from the columns.
    groups : sequence, optional
        The group (policy) of each row; default every row its own group.
    n_boot : int, default 1000
        Bootstrap resamples.
    level : float, default 0.95
        Confidence level.
    random_state : int, default 0

    Returns
    -------
    pandas.DataFrame
        Indexed by category, ``"micro avg"`` and ``"macro avg"``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> report = metric_intervals(y, y, categories=["a", "b"], n_boot=50)
    >>> report.loc["a", ["precision", "precision_low", "f1_high"]].tolist()
    [1.0, 1.0, 1.0]
    """
    cats = _categories(y_true, y_pred, categories=categories)
    return bootstrap_intervals(
        _decisions(y_true, cats),
        _decisions(y_pred, cats),
        cats,
        groups,
        n_boot=n_boot,
        level=level,
        random_state=random_state,
    )


def metrics(
    report: Any,
    *,
    ax: Axes | None = None,
    which: Sequence[str] = _METRICS,
    averages: bool = True,
    title: str | None = "Per-category metrics",
) -> Axes:
    """Grouped bars of precision, recall and F1 per category, with confidence intervals.

    Parameters
    ----------
    report : DataFrame or CrossValidationResult
        A metrics table indexed by category (:func:`policyml.evaluate`,
        :func:`metric_intervals`, ``cross_validate(...).report``, or the result itself). Error
        bars come from its ``<metric>_low``/``<metric>_high`` columns, where present.
    ax : matplotlib Axes, optional
    which : sequence of str
        Metric columns to draw.
    averages : bool, default True
        Include the ``micro avg`` and ``macro avg`` rows.
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> ax = metrics(metric_intervals(y, y[::-1], categories=["a", "b"], n_boot=20))
    >>> len(ax.patches)
    12
    """
    table = report
    if not isinstance(report, pd.DataFrame) and hasattr(report, "report"):
        table = report.report  # a CrossValidationResult
    if not isinstance(table, pd.DataFrame) or not set(which) <= set(table.columns):
        raise InvalidInputError(
            f"expected a metrics table with columns {list(which)} (e.g. policyml.evaluate)"
        )
    rows = [r for r in table.index if averages or r not in ("micro avg", "macro avg")]
    table = table.loc[rows]
    ax = _axes(ax, (max(6.0, 1.1 * len(rows) + 2), 4.0))
    shades = {"precision": "#4C78A8", "recall": "#F58518", "f1": "#54A24B"}
    width = 0.8 / len(which)
    x = np.arange(len(rows))
    for k, name in enumerate(which):
        values = table[name].to_numpy(dtype=float)
        offset = (k - (len(which) - 1) / 2) * width
        errors = None
        if f"{name}_low" in table.columns and f"{name}_high" in table.columns:
            low = values - table[f"{name}_low"].to_numpy(dtype=float)
            high = table[f"{name}_high"].to_numpy(dtype=float) - values
            errors = np.vstack([np.clip(low, 0, None), np.clip(high, 0, None)])
        ax.bar(
            x + offset,
            values,
            width,
            yerr=errors,
            capsize=2.5,
            label=name if name != "f1" else "F1",
            color=shades.get(name),
            error_kw={"elinewidth": 1, "ecolor": "#333333"},
        )
    ax.set_xticks(x, [str(r) for r in rows], rotation=20 if len(rows) > 6 else 0)
    ax.set_ylim(0, 1.16)  # room for the legend above the bars
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("score")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper right", ncols=len(which), fontsize="small", frameon=False)
    if averages and "micro avg" in rows:
        ax.axvline(rows.index("micro avg") - 0.5, color="#999999", linewidth=0.8, linestyle=":")
    if title:
        ax.set_title(title)
    return ax


def pr_curves(
    y_true: Any,
    proba: Any,
    *,
    categories: Sequence[str] | None = None,
    y_pred: Any = None,
    ax: Axes | None = None,
    title: str | None = "Precision–recall",
) -> Axes:
    """Precision–recall curve of each category, average precision in the legend.

    The operating point (the model's thresholded decisions) is marked when ``y_pred`` is
    given, or when ``proba`` is a DataFrame that also has the 0/1 ``<category>`` columns (as
    ``cross_validate(...).predictions`` does).

    Parameters
    ----------
    y_true : DataFrame or array
        True 0/1 labels.
    proba : DataFrame or array
        Probabilities (``p_<category>`` columns of a DataFrame).
    categories : sequence of str, optional
    y_pred : DataFrame or array, optional
        Decisions, to mark the operating point.
    ax : matplotlib Axes, optional
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1], [0], [1], [0]])
    >>> ax = pr_curves(y, np.array([[0.9], [0.2], [0.6], [0.7]]), categories=["cookies"])
    >>> ax.get_legend_handles_labels()[1]
    ['cookies (AP 0.83)']
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    cats = _categories(proba, y_true, categories=categories)
    truth = _decisions(y_true, cats)
    prefix = PROBA_PREFIX if isinstance(proba, pd.DataFrame) else ""
    scores = _matrix(proba, cats, prefix=prefix)
    if y_pred is None and isinstance(proba, pd.DataFrame) and set(cats) <= set(proba.columns):
        y_pred = proba
    decided = None if y_pred is None else _decisions(y_pred, cats)
    colors = _colors(cats)
    ax = _axes(ax, (5.5, 4.5))
    for j, category in enumerate(cats):
        if truth[:, j].sum() == 0:
            continue  # no positives: precision-recall is undefined
        precision, recall, _ = precision_recall_curve(truth[:, j], scores[:, j])
        ap = average_precision_score(truth[:, j], scores[:, j])
        ax.step(
            recall,
            precision,
            where="post",
            color=colors[category],
            linewidth=1.6,
            label=f"{category} (AP {ap:.2f})",
        )
        if decided is not None:
            tp = int((decided[:, j] & truth[:, j]).sum())
            n_pred, n_true = int(decided[:, j].sum()), int(truth[:, j].sum())
            if n_pred:
                ax.plot(
                    tp / n_true,
                    tp / n_pred,
                    "o",
                    color=colors[category],
                    markeredgecolor="black",
                    markersize=6,
                )
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    if title:
        ax.set_title(title + (" (dots: operating points)" if decided is not None else ""))
    return ax


def confusion(
    y_true: Any,
    y_pred: Any = None,
    *,
    categories: Sequence[str] | None = None,
    normalize: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Heatmap of true against predicted labels (or of label co-occurrence).

    Labels are multi-label, so cell (*i*, *j*) counts paragraphs labeled *i* that were
    predicted *j*: the diagonal holds the hits, off-diagonal cells show which categories get
    mixed up. A ``(none)`` row counts paragraphs without any true label (false alarms), a
    ``(none)`` column paragraphs predicted nothing. Without ``y_pred``, the heatmap shows how
    often the labels of ``y_true`` occur together.

    Parameters
    ----------
    y_true : DataFrame or array
        True 0/1 labels.
    y_pred : DataFrame or array, optional
        Predicted 0/1 labels (``<category>`` columns of a DataFrame).
    categories : sequence of str, optional
    normalize : bool, default True
        Show each row as fractions of its paragraphs (the diagonal is then the recall), with
        counts in the cells.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> ax = confusion(y, np.array([[1, 0], [1, 1], [1, 0], [0, 1]]), categories=["a", "b"])
    >>> ax.images[0].get_array().shape
    (3, 3)
    """
    cats = _categories(y_pred, y_true, categories=categories)
    truth = _decisions(y_true, cats)
    if y_pred is None:
        counts = truth.T @ truth
        rows, columns = cats, cats
        default_title = "Label co-occurrence (paragraphs)"
    else:
        pred = _decisions(y_pred, cats)
        truth_x = np.column_stack([truth, truth.sum(1) == 0]).astype(int)
        pred_x = np.column_stack([pred, pred.sum(1) == 0]).astype(int)
        counts = truth_x.T @ pred_x
        rows, columns = [*cats, "(none)"], [*cats, "(none)"]
        default_title = "True (rows) vs predicted (columns)"
    counts = np.asarray(counts, dtype=float)
    if normalize:
        # paragraphs per row: with label i (the "(none)" row: with no label)
        denominator = np.diag(counts) if y_pred is None else truth_x.sum(axis=0).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.where(denominator[:, None] > 0, counts / denominator[:, None], 0.0)
    else:
        shown = counts
    ax = _axes(ax, (1.0 * len(columns) + 2, 0.8 * len(rows) + 1.5))
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(columns)):
            value = shown[i, j]
            text = f"{value:.2f}\n({int(counts[i, j])})" if normalize else f"{int(counts[i, j])}"
            light = value > (0.6 if normalize else 0.6 * max(shown.max(), 1))
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize="x-small",
                color="white" if light else "black",
            )
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted" if y_pred is not None else "label")
    ax.set_ylabel("true" if y_pred is not None else "label")
    ax.figure.colorbar(
        image,
        ax=ax,
        shrink=0.8,
        label="share of the row's paragraphs" if normalize else "paragraphs",
    )
    ax.set_title(title if title is not None else default_title)
    return ax


def policy_map(
    result: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    max_ticks: int = 25,
) -> Axes:
    """A classified policy at a glance: categories (rows) along its paragraphs (columns).

    Each cell's colour intensity is the paragraph's probability for the category; predicted
    labels are outlined. Section starts are marked along the x axis.

    Parameters
    ----------
    result : DataFrame
        A :func:`policyml.classify` result.
    ax : matplotlib Axes, optional
    title : str, optional
    max_ticks : int, default 25
        At most this many section names on the x axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import policyml
    >>> ax = policy_map(policyml.classify(policyml.datasets.load_example_policy()))
    >>> [t.get_text() for t in ax.get_yticklabels()][:2]
    ['collection', 'sharing']
    """
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    cats = check_result(result)
    proba = result[[PROBA_PREFIX + c for c in cats]].to_numpy(dtype=float).T  # (k, n)
    k, n = proba.shape
    colors = _colors(cats)
    rgb = np.ones((k, max(n, 1), 3))
    for j, category in enumerate(cats):
        base = np.asarray(to_rgb(colors[category]))
        rgb[j, :n] = 1 - proba[j][:, None] * (1 - base)  # white → category colour
    ax = _axes(ax, (min(max(7.0, 0.12 * n + 2.5), 16.0), 0.45 * k + 2.0))
    ax.imshow(rgb, aspect="auto", interpolation="nearest")
    labels = result["labels"].tolist()
    for i, value in enumerate(labels):
        for j, category in enumerate(cats):
            if category in value:
                ax.add_patch(
                    Rectangle(
                        (i - 0.5, j - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=0.9
                    )
                )
    ax.set_yticks(range(k), cats)
    headings = result["heading"].tolist() if "heading" in result.columns else [None] * n
    starts = [
        i
        for i in range(n)
        if isinstance(headings[i], str) and (i == 0 or headings[i] != headings[i - 1])
    ]
    if starts and len(starts) <= max_ticks:
        names = [h if len(h) <= 28 else h[:26] + "…" for h in (headings[i] for i in starts)]
        ax.set_xticks(starts, names, rotation=40, ha="right", fontsize="small")
        for i in starts[1:]:
            ax.axvline(i - 0.5, color="#888888", linewidth=0.6)
    else:
        ax.set_xlabel("paragraph")
    ax.set_title(
        title
        if title is not None
        else f"Policy map, {n} paragraphs (shade: probability · box: label)"
    )
    return ax


# --------------------------------------------------------------------------- learning curves


def learning_curves(
    curves: pd.DataFrame,
    *,
    x: str = "n",
    y: str = "f1",
    low: str | None = "f1_low",
    high: str | None = "f1_high",
    by: str = "curve",
    baseline: dict[str, float] | None = None,
    ax: Axes | None = None,
    xlabel: str = "paragraphs labelled",
    ylabel: str = "macro-F1",
    title: str | None = "Learning curves",
) -> Axes:
    """Scores against the amount of labelled data, one line per curve, with confidence bands.

    Parameters
    ----------
    curves : DataFrame
        One row per point: the curve's name (column ``by``), ``x`` (e.g. paragraphs
        labelled), the score ``y`` and, where present, the band's ``low`` and ``high`` ends
        (e.g. a bootstrap CI); ``benchmarks/adapt.py`` writes such a table.
    x, y, low, high, by : str
        Column names; ``low``/``high`` None (or absent) for no band.
    baseline : dict, optional
        ``{label: score}`` drawn as horizontal dashed lines (e.g. the model before adapting).
    ax : matplotlib Axes, optional
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> curves = pd.DataFrame({"curve": ["a", "a", "b", "b"], "n": [0, 100, 0, 100],
    ...                        "f1": [0.6, 0.7, 0.6, 0.65], "f1_low": [0.55, 0.66, 0.55, 0.6],
    ...                        "f1_high": [0.65, 0.74, 0.65, 0.7]})
    >>> ax = learning_curves(curves, baseline={"before": 0.6})
    >>> [line.get_label() for line in ax.get_lines()]
    ['a', 'b', 'before']
    """
    if not isinstance(curves, pd.DataFrame) or not {x, y, by} <= set(curves.columns):
        raise InvalidInputError(
            f"expected a DataFrame with columns {by!r}, {x!r} and {y!r}"
            f" (got {list(map(str, getattr(curves, 'columns', [])))})"
        )
    banded = low in curves.columns and high in curves.columns if low and high else False
    ax = _axes(ax, (7.0, 4.5))
    palette = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#9D755D"]
    styles = ["-", "-", "--", "--", ":", ":", "-."]
    for k, (name, group) in enumerate(curves.groupby(by, sort=False)):
        group = group.sort_values(x)
        color = palette[k % len(palette)]
        ax.plot(
            group[x], group[y], styles[k % len(styles)], marker="o", color=color, label=str(name)
        )
        if banded:
            ax.fill_between(group[x], group[low], group[high], color=color, alpha=0.15, lw=0)
    for k, (name, value) in enumerate((baseline or {}).items()):
        ax.axhline(value, color="#555555", linestyle=(0, (4, 2 + 2 * k)), lw=1, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(fontsize="small", frameon=False)
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- one figure


def evaluation(
    model: PolicyModel,
    data: pd.DataFrame | str | Path,
    *,
    groups: str = "policy_id",
    n_boot: int = 1000,
) -> Figure:
    """One figure of a model's quality on labeled data: metrics with CIs, PR curves, confusion.

    Parameters
    ----------
    model : PolicyModel
        The model to evaluate.
    data : DataFrame or path
        Labeled paragraphs (a labeled CSV, as for :func:`policyml.evaluate`).
    groups : str, default "policy_id"
        Column grouping rows for the bootstrap (rows are their own groups without it).
    n_boot : int, default 1000
        Bootstrap resamples for the confidence intervals.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import policyml
    >>> figure = evaluation(policyml.load_model(), policyml.datasets.load_example_csv())
    >>> figure.savefig("evaluation.png")  # doctest: +SKIP
    """
    categories = list(model.categories)
    frame, _ = labeled_frame(data, model.categories)
    proba = model.predict_proba(frame)
    decided = decide(proba, model.thresholds)
    truth = frame[categories].to_numpy(dtype=int)
    group_values = frame[groups].tolist() if groups in frame.columns else None
    report = metric_intervals(
        truth, decided, categories=categories, groups=group_values, n_boot=n_boot
    )
    figure = _pyplot().figure(figsize=(12, 9), layout="constrained")
    axes = figure.subplot_mosaic([["metrics", "metrics"], ["pr", "confusion"]])
    metrics(
        report, ax=axes["metrics"], title=f"Per-category metrics, 95% CIs ({len(frame)} paragraphs)"
    )
    pr_curves(truth, proba, categories=categories, y_pred=decided, ax=axes["pr"])
    confusion(truth, decided, categories=categories, ax=axes["confusion"])
    return figure
