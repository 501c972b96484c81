"""Frames: what goes into a model (text plus context columns) and what comes out of classify.

Model input is coerced to one DataFrame shape (:func:`as_frame`, :func:`context_columns`).
A classify result has one row per paragraph and the columns of :func:`result_columns`; the
probability of category ``c`` is in column ``p_c`` and a paragraph's labels are the categories
whose probability reaches the threshold (:func:`decide`, :func:`add_predictions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from policyml.exceptions import InvalidInputError

__all__ = [
    "CONTEXT_COLUMNS",
    "PROBA_PREFIX",
    "add_predictions",
    "as_frame",
    "check_result",
    "context_columns",
    "decide",
    "empty_result",
    "heading_column",
    "is_result",
    "label_tuples",
    "model_input",
    "resolve_thresholds",
    "result_categories",
    "result_columns",
]

#: Prefix of the probability columns of a classify result: ``p_<category>``.
PROBA_PREFIX = "p_"


#: Columns of model input besides ``text`` that models read: the section heading, the lead-in
#: of a list item, and which policy a row belongs to (rows are in document order).
CONTEXT_COLUMNS: tuple[str, ...] = ("heading", "lead_in", "policy_id")


def as_frame(X: Any, *, context_columns: Sequence[str] = CONTEXT_COLUMNS) -> pd.DataFrame:
    """Coerce model input to a DataFrame with a ``text`` column plus known context columns.

    ``X`` is a list/array/Series of strings or a DataFrame with a ``text`` column; other
    DataFrame columns than ``text`` and ``context_columns`` are ignored.
    """
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise InvalidInputError(
                f"input DataFrame has no 'text' column (columns: {list(map(str, X.columns))})"
            )
        keep = ["text", *[c for c in context_columns if c in X.columns]]
        frame = X[keep].reset_index(drop=True)
    elif isinstance(X, str | bytes):
        raise InvalidInputError(
            "expected a list of paragraph texts, got a single string; wrap it in a list"
            " (or use policyml.classify for a whole policy)"
        )
    elif isinstance(X, pd.Series | np.ndarray | list | tuple):
        frame = pd.DataFrame({"text": list(X)})
    else:
        raise InvalidInputError(
            f"expected a list of strings or a DataFrame with a 'text' column,"
            f" got {type(X).__name__}"
        )
    bad = [i for i, value in enumerate(frame["text"]) if not isinstance(value, str)]
    if bad:
        value = frame["text"].iloc[bad[0]]
        raise InvalidInputError(
            f"text at position {bad[0]} is {type(value).__name__} ({value!r:.40}), expected str"
            f" ({len(bad)} non-string value(s) in all)"
        )
    return frame


def context_columns(frame: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """``(texts, headings, policies)`` of an :func:`as_frame` result, as the feature blocks read
    them: a missing or non-string heading is ``""``, and a list item's lead-in is read with its
    heading (``"Sharing / We may share your data with:"``), so headings and lead-ins share the
    heading block's vocabulary and weights; without a ``policy_id`` column all rows belong to
    one policy (rows are in document order).

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["a", "b"], "heading": ["Sharing", None],
    ...                       "lead_in": ["We share it with:", None]})
    >>> context_columns(frame)[1]
    ['Sharing / We share it with:', '']
    """
    n = len(frame)
    texts = frame["text"].tolist()
    headings = _strings(frame, "heading", n)
    if "lead_in" in frame.columns:
        headings = [
            f"{h} / {lead}" if h and lead else h or lead
            for h, lead in zip(headings, _strings(frame, "lead_in", n), strict=True)
        ]
    has_policy = "policy_id" in frame.columns
    policies = frame["policy_id"].astype(str).tolist() if has_policy else [""] * n
    return texts, headings, policies


def _strings(frame: pd.DataFrame, column: str, n: int) -> list[str]:
    if column not in frame.columns:
        return [""] * n
    return [v if isinstance(v, str) else "" for v in frame[column]]


def model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``text`` and context columns (:data:`CONTEXT_COLUMNS`) of ``frame`` that it has, as
    object columns with a fresh index: what a model reads of a classify result."""
    keep = ["text", *(c for c in CONTEXT_COLUMNS if c in frame.columns)]
    part = frame[keep].reset_index(drop=True)
    return pd.DataFrame({c: part[c].astype(object) for c in keep})


# --------------------------------------------------------------------------- results


def result_columns(categories: Sequence[str], *, boilerplate: bool = False) -> list[str]:
    """Columns of a :func:`policyml.classify` result for a model with these categories (with
    ``boilerplate``: of a whole-page result, ``content="all"``).

    Examples
    --------
    >>> result_columns(["cookies"])
    ['paragraph', 'heading', 'lead_in', 'text', 'start', 'end', 'labels', 'p_cookies']
    """
    return [
        "paragraph",
        "heading",
        "lead_in",
        "text",
        "start",
        "end",
        *(["boilerplate"] if boilerplate else []),
        "labels",
        *(PROBA_PREFIX + c for c in categories),
    ]


def heading_column(values: Any, index: Any = None) -> pd.Series:
    """A ``heading`` column: object dtype, the heading's text or ``None`` (never NaN).

    Missing values of any kind (``None``, NaN, ``pd.NA``, non-strings) become ``None``, so a
    result shows ``None`` in Python and writes ``null`` in JSON.

    Examples
    --------
    >>> heading_column(["Cookies", None, float("nan")]).tolist()
    ['Cookies', None, None]
    """
    if index is None and isinstance(values, pd.Series):
        index = values.index
    cells = [value if isinstance(value, str) else None for value in values]
    return pd.Series(cells, index=index, dtype=object, name="heading")


def empty_result(categories: Sequence[str], *, boilerplate: bool = False) -> pd.DataFrame:
    """A result with no rows and the columns (and dtypes) of :func:`result_columns`."""
    columns = result_columns(categories, boilerplate=boilerplate)
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for c in ("paragraph", "start", "end"):
        frame[c] = frame[c].astype(int)
    if boilerplate:
        frame["boilerplate"] = frame["boilerplate"].astype(bool)
    for c in columns:
        if c.startswith(PROBA_PREFIX):
            frame[c] = frame[c].astype(float)
    return frame


def result_categories(frame: pd.DataFrame) -> list[str]:
    """The categories of a result: those with a ``p_<category>`` column, in column order.

    Examples
    --------
    >>> result_categories(pd.DataFrame(columns=["text", "p_cookies", "p_sharing"]))
    ['cookies', 'sharing']
    """
    n = len(PROBA_PREFIX)
    return [str(c)[n:] for c in frame.columns if str(c).startswith(PROBA_PREFIX)]


def is_result(frame: Any) -> bool:
    """Whether ``frame`` looks like a classify result (``text``, ``labels`` and ``p_`` columns)."""
    return (
        isinstance(frame, pd.DataFrame)
        and "text" in frame.columns
        and "labels" in frame.columns
        and bool(result_categories(frame))
    )


def check_result(frame: Any) -> list[str]:
    """The categories of a classify result; :class:`InvalidInputError` if it is not one."""
    if not is_result(frame):
        columns = list(map(str, frame.columns)) if isinstance(frame, pd.DataFrame) else []
        raise InvalidInputError(
            "expected a policyml.classify() result (columns text, labels and p_<category>);"
            f" got {f'columns {columns}' if columns else type(frame).__name__}"
        )
    return result_categories(frame)


def decide(proba: np.ndarray, thresholds: Any) -> np.ndarray:
    """0/1 decisions: 1 where a probability reaches its category's threshold.

    Examples
    --------
    >>> decide(np.array([[0.2, 0.7], [0.5, 0.1]]), [0.5, 0.5]).tolist()
    [[0, 1], [1, 0]]
    """
    return (np.asarray(proba, dtype=float) >= np.asarray(thresholds, dtype=float)).astype(int)


def resolve_thresholds(value: Any, categories: Sequence[str], current: Any) -> np.ndarray:
    """Thresholds for ``categories``: ``current`` with the changes ``value`` asks for.

    ``value`` is one number for every category, a mapping ``{category: number}``, or a string
    as the command line's ``--threshold`` takes it: ``"0.4"``, ``"collection=0.3,sharing=0.6"``
    or both (``"0.5,children=0.2"``: the number for all, then the named ones). Each threshold
    is in (0, 1): a paragraph is labelled when its probability reaches it.

    Raises
    ------
    InvalidInputError
        An unknown category, a value that is not a number in (0, 1), or a malformed string.

    Examples
    --------
    >>> resolve_thresholds("0.5,b=0.2", ["a", "b", "c"], [0.4, 0.4, 0.4]).tolist()
    [0.5, 0.2, 0.5]
    >>> resolve_thresholds({"c": 0.9}, ["a", "b", "c"], [0.4, 0.4, 0.4]).tolist()
    [0.4, 0.4, 0.9]
    """
    names = list(categories)
    out = np.array(current, dtype=float).reshape(len(names)).copy()
    items: list[tuple[str | None, Any]]
    if isinstance(value, str):
        items = []
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            name, sep, number = part.partition("=")
            items.append((name.strip(), number.strip()) if sep else (None, part))
        if not items:
            raise InvalidInputError("no threshold given; e.g. 0.4 or collection=0.3")
    elif isinstance(value, dict) or hasattr(value, "items"):
        items = [(str(k), v) for k, v in value.items()]
    else:
        items = [(None, value)]
    for name, number in items:
        try:
            threshold = float(number)
        except (TypeError, ValueError):
            threshold = float("nan")
        if not 0 < threshold < 1:
            where = f" for {name!r}" if name else ""
            raise InvalidInputError(
                f"threshold {number!r}{where} is not a number between 0 and 1 (exclusive)"
            )
        if name is None:
            out[:] = threshold
        elif name in names:
            out[names.index(name)] = threshold
        else:
            raise InvalidInputError(
                f"threshold for an unknown category {name!r}; the model's categories are"
                f" {', '.join(names)}"
            )
    return out


def label_tuples(decisions: np.ndarray, categories: Sequence[str]) -> list[tuple[str, ...]]:
    """The labels of each row of a 0/1 decision matrix, as tuples of category names.

    Examples
    --------
    >>> label_tuples(np.array([[0, 1], [1, 1], [0, 0]]), ["a", "b"])
    [('b',), ('a', 'b'), ()]
    """
    names = list(categories)
    decisions = np.asarray(decisions, dtype=bool).reshape(-1, len(names))
    if len(names) > 30:  # too many for one integer per row
        return [tuple(c for c, on in zip(names, row, strict=True) if on) for row in decisions]
    # one integer per row (its labels as bits), and one tuple per distinct integer
    codes = decisions @ (1 << np.arange(len(names), dtype=np.int64))
    tuples = {
        code: tuple(c for j, c in enumerate(names) if code >> j & 1)
        for code in np.unique(codes).tolist()
    }
    return [tuples[code] for code in codes.tolist()]


def add_predictions(
    frame: pd.DataFrame, proba: np.ndarray, thresholds: Any, categories: Sequence[str]
) -> pd.DataFrame:
    """``frame`` with a ``labels`` column and one ``p_<category>`` column per category
    (in place, and returned)."""
    frame["labels"] = label_tuples(decide(proba, thresholds), categories)
    for j, category in enumerate(categories):
        frame[PROBA_PREFIX + category] = proba[:, j]
    return frame
