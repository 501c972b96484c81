"""Classify a whole policy: split it into paragraphs, then label every paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from policyml.exceptions import InvalidInputError
from policyml.persistence import default_model, load_model
from policyml.preprocess import Paragraph, split_paragraphs
from policyml.report import PolicyResult

__all__ = ["classify", "result_columns"]


def result_columns(categories: Sequence[str]) -> list[str]:
    """Columns of a :func:`classify` result for a model with these categories."""
    return [
        "paragraph",
        "heading",
        "text",
        "start",
        "end",
        "labels",
        *(f"p_{c}" for c in categories),
    ]


def classify(
    policy: str | bytes | Sequence[str],
    *,
    model: Any = None,
    fmt: str = "auto",
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
) -> pd.DataFrame:
    """Split a privacy policy into paragraphs and predict each paragraph's practice categories.

    Parameters
    ----------
    policy : str, bytes or list of str
        A whole policy (plain text, Markdown or HTML; bytes are decoded as UTF-8, falling back
        to Windows-1252), or a list of already-split paragraphs.
    model : PolicyModel or path, optional
        Default: the bundled model, loaded once and cached.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format of a whole policy.
    max_input_chars, max_input_lines : int, optional
        Size limits of a whole policy; default
        :data:`policyml.preprocess.MAX_INPUT_CHARS` (20,000,000) and
        :data:`policyml.preprocess.MAX_INPUT_LINES` (1,000,000). See docs/errors.md.

    Returns
    -------
    pandas.DataFrame
        One row per paragraph: ``paragraph`` (0-based), ``heading`` (nearest section heading
        or None), ``text``, ``start``/``end`` (offsets: ``policy[start:end]`` is the
        paragraph's source; for a list input, offsets within each item), ``labels`` (tuple of
        predicted categories) and ``p_<category>`` probabilities. Empty or blank input
        gives an empty DataFrame with these columns.

    Raises
    ------
    InvalidInputError
        ``policy`` is not str, bytes or a list of them (the message names the type given), an
        argument is invalid, or the policy is over a size limit.
    ModelLoadError
        ``model`` is a path that cannot be loaded.

    Examples
    --------
    >>> import policyml
    >>> result = policyml.classify(
    ...     "## Cookies\\n\\nWe use cookies and web beacons to remember your preferences.")
    >>> result.loc[0, "heading"], result.loc[0, "labels"]
    ('Cookies', ('cookies',))
    """
    model = _resolve_model(model)
    paragraphs = _paragraphs(policy, fmt, max_input_chars, max_input_lines)
    categories = list(model.categories)
    columns = result_columns(categories)
    if not paragraphs:
        return PolicyResult(_empty_result(columns))
    frame = pd.DataFrame(
        {
            "paragraph": [p.index for p in paragraphs],
            "heading": [p.heading for p in paragraphs],
            "text": [p.text for p in paragraphs],
            "start": [p.start for p in paragraphs],
            "end": [p.end for p in paragraphs],
        }
    )
    frame["heading"] = frame["heading"].astype(object)
    proba = model.predict_proba(frame[["text", "heading"]])
    chosen = proba >= model.thresholds
    frame["labels"] = [
        tuple(c for c, on in zip(categories, row, strict=True) if on) for row in chosen
    ]
    for j, category in enumerate(categories):
        frame[f"p_{category}"] = proba[:, j]
    return PolicyResult(frame[columns])  # a DataFrame that Jupyter shows highlighted


def _resolve_model(model: Any) -> Any:
    if model is None:
        return default_model()
    if isinstance(model, str) or hasattr(model, "__fspath__"):
        return load_model(model)
    if not hasattr(model, "predict_proba") or not hasattr(model, "categories"):
        raise InvalidInputError(
            f"model must be a PolicyModel or a path to one, got {type(model).__name__}"
        )
    return model


def _paragraphs(
    policy: Any, fmt: str, max_input_chars: int | None = None, max_input_lines: int | None = None
) -> list[Paragraph]:
    if isinstance(policy, pd.Series):
        policy = list(policy)
    if isinstance(policy, str | bytes | bytearray | memoryview | list | tuple):
        return split_paragraphs(
            policy, fmt=fmt, max_input_chars=max_input_chars, max_input_lines=max_input_lines
        )
    raise InvalidInputError(
        f"policy must be a str, bytes, or a list of paragraph strings; got {type(policy).__name__}"
    )


def _empty_result(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for c in ("paragraph", "start", "end"):
        frame[c] = frame[c].astype(int)
    for c in columns:
        if c.startswith("p_"):
            frame[c] = frame[c].astype(float)
    return frame
