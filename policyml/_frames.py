"""Model input: coerce what users pass (lists, Series, DataFrames) to one DataFrame shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from policyml.exceptions import InvalidInputError

__all__ = ["as_frame"]


def as_frame(X: Any, *, context_columns: Sequence[str] = ("heading", "policy_id")) -> pd.DataFrame:
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
    them: a missing or non-string heading is ``""``; without a ``policy_id`` column all rows
    belong to one policy (rows are in document order)."""
    n = len(frame)
    texts = frame["text"].tolist()
    if "heading" in frame.columns:
        headings = [h if isinstance(h, str) else "" for h in frame["heading"]]
    else:
        headings = [""] * n
    has_policy = "policy_id" in frame.columns
    policies = frame["policy_id"].astype(str).tolist() if has_policy else [""] * n
    return texts, headings, policies
