"""Classify a whole policy: split it into paragraphs, then label every paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from policyml.display import PolicyResult
from policyml.exceptions import InvalidInputError
from policyml.frames import add_predictions, empty_result, model_input, result_columns
from policyml.model import PolicyModel, resolve_model
from policyml.preprocess import Paragraph, split_paragraphs

__all__ = ["classify", "label_paragraphs", "paragraph_frame"]


def classify(
    policy: str | bytes | Sequence[str],
    *,
    model: PolicyModel | str | Path | None = None,
    fmt: str = "auto",
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
) -> PolicyResult:
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
    PolicyResult
        A DataFrame with one row per paragraph: ``paragraph`` (0-based), ``heading`` (nearest
        section heading or None), ``lead_in`` (for an item of a list, the paragraph that
        introduces it, e.g. "We use your information to:"; else None), ``text``,
        ``start``/``end`` (offsets: ``policy[start:end]`` is the paragraph's source; for a
        list input, offsets within each item), ``labels`` (tuple of predicted categories) and
        ``p_<category>`` probabilities. Empty or blank input gives an empty DataFrame with
        these columns.

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
    ('Cookies', ('collection', 'cookies'))

    (Cookies that record something about the user are first-party collection too, as in the
    OPP-115 annotations the model learned from.)
    """
    model = resolve_model(model)
    paragraphs = _paragraphs(policy, fmt, max_input_chars, max_input_lines)
    if not paragraphs:
        return PolicyResult(empty_result(model.categories))
    return PolicyResult(label_paragraphs(paragraph_frame(paragraphs), model))


def paragraph_frame(paragraphs: Sequence[Paragraph]) -> pd.DataFrame:
    """The ``paragraph``, ``heading``, ``lead_in``, ``text``, ``start`` and ``end`` columns of
    paragraphs."""
    return pd.DataFrame(
        {
            "paragraph": [p.index for p in paragraphs],
            "heading": pd.Series([p.heading for p in paragraphs], dtype=object),
            "lead_in": pd.Series([p.lead_in for p in paragraphs], dtype=object),
            "text": [p.text for p in paragraphs],
            "start": [p.start for p in paragraphs],
            "end": [p.end for p in paragraphs],
        }
    )


def label_paragraphs(
    frame: pd.DataFrame, model: PolicyModel, policy_ids: Sequence[Any] | None = None
) -> pd.DataFrame:
    """``frame`` (paragraphs in document order, with ``text`` and ``heading``) with the model's
    ``labels`` and ``p_<category>`` columns added, in the column order of a classify result.

    ``policy_ids`` tells which policy each row belongs to, when the frame holds several: the
    model's neighbour features never reach across two policies.
    """
    inputs = model_input(frame)
    if policy_ids is not None:
        inputs = inputs.assign(policy_id=list(policy_ids))
    proba = model.predict_proba(inputs)
    add_predictions(frame, proba, model.thresholds, model.categories)
    extra = [c for c in frame.columns if c not in result_columns(model.categories)]
    return frame[extra + result_columns(model.categories)]


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
