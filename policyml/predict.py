"""Classify a whole policy: split it into paragraphs, then label every paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from policyml.exceptions import InvalidInputError
from policyml.persistence import default_model, load_model
from policyml.preprocess import Paragraph, decode_bytes, normalize_text, split_paragraphs
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

    Returns
    -------
    pandas.DataFrame
        One row per paragraph: ``paragraph`` (0-based), ``heading`` (nearest section heading
        or None), ``text``, ``start``/``end`` (offsets: ``policy[start:end]`` is the
        paragraph's source; for a list input, offsets within each item), ``labels`` (tuple of
        predicted categories) and ``p_<category>`` probabilities.

    Examples
    --------
    >>> import policyml
    >>> result = policyml.classify(
    ...     "## Cookies\\n\\nWe use cookies and web beacons to remember your preferences.")
    >>> result.loc[0, "heading"], result.loc[0, "labels"]
    ('Cookies', ('cookies',))
    """
    model = _resolve_model(model)
    paragraphs = _paragraphs(policy, fmt)
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


def _paragraphs(policy: Any, fmt: str) -> list[Paragraph]:
    if isinstance(policy, bytes | bytearray):
        policy = decode_bytes(bytes(policy))
    if isinstance(policy, str):
        return split_paragraphs(policy, fmt=fmt)
    if isinstance(policy, list | tuple | pd.Series):
        items = list(policy)
        paragraphs = []
        for i, item in enumerate(items):
            if isinstance(item, bytes | bytearray):
                item = decode_bytes(bytes(item))
            if not isinstance(item, str):
                raise InvalidInputError(
                    f"paragraph {i} of the list is {type(item).__name__}, expected str"
                )
            # every item stays a row, so row i is item i (an empty item gets no labels)
            text = " ".join(normalize_text(item).split())
            paragraphs.append(Paragraph(i, text, 0, len(item), None))
        return paragraphs
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
