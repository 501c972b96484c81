"""Classify a whole policy: split it into paragraphs, then label every paragraph."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from policyml.display import PolicyResult
from policyml.exceptions import InvalidInputError
from policyml.frames import (
    add_predictions,
    context_columns,
    empty_result,
    heading_column,
    model_input,
    result_columns,
)
from policyml.model import PolicyModel, resolve_model
from policyml.preprocess import Paragraph, split_paragraphs
from policyml.sources import PolicySource, existing_path_kind

__all__ = ["PathLikeTextWarning", "classify", "label_paragraphs", "paragraph_frame"]


class PathLikeTextWarning(UserWarning):
    """:func:`classify` got a ``str`` that names an existing file or folder: it classifies the
    string itself as the policy's text. Pass a :class:`pathlib.Path` to read the file."""


def classify(
    policy: str | bytes | os.PathLike | Sequence[str],
    *,
    model: PolicyModel | str | Path | None = None,
    fmt: str = "auto",
    content: str = "policy",
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
) -> PolicyResult:
    """Split a privacy policy into paragraphs and predict each paragraph's practice categories.

    Parameters
    ----------
    policy : str, bytes, path-like or list of str
        A whole policy (plain text, Markdown or HTML; bytes are decoded as UTF-8, falling back
        to Windows-1252), a file to read (a :class:`pathlib.Path` or other ``os.PathLike``,
        read as the command line reads files), or a list of already-split paragraphs.
        A ``str`` is always the policy's text: when it is one short line naming an existing
        file, a :class:`PathLikeTextWarning` says so (pass ``Path(name)`` to read the file).
    model : PolicyModel or path, optional
        Default: the bundled model, loaded once and cached.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format of a whole policy.
    content : {"policy", "all"}, default "policy"
        Of a web page, only the policy's own text (menus, footers, cookie banners and other
        page furniture left out), or the whole page with a ``boilerplate`` column telling
        which rows are furniture (see :func:`policyml.preprocess.split_paragraphs`).
    max_input_chars, max_input_lines : int, optional
        Size limits of a whole policy; default
        :data:`policyml.preprocess.MAX_INPUT_CHARS` (20,000,000) and
        :data:`policyml.preprocess.MAX_INPUT_LINES` (200,000); see
        ``help(policyml.preprocess)``.

    Returns
    -------
    PolicyResult
        A DataFrame with one row per paragraph: ``paragraph`` (0-based), ``heading`` (nearest
        section heading or None), ``lead_in`` (for an item of a list, the paragraph that
        introduces it, e.g. "We use your information to:"; else None), ``text``,
        ``start``/``end`` (offsets: ``policy[start:end]`` is the paragraph's source; for a
        list input, offsets within each item), ``boilerplate`` (with ``content="all"`` only),
        ``labels`` (tuple of predicted categories) and ``p_<category>`` probabilities. Empty or
        blank input gives an empty DataFrame with these columns.

    Raises
    ------
    InvalidInputError
        ``policy`` is not str, bytes, a path or a list of them (the message names the type
        given), bytes are binary (a NUL byte among the first 8,000, as for files: a PDF or
        Word file is not a policy's text), a file cannot be read (missing, a folder, binary,
        over 64 MiB; the message names it), an argument is invalid, or the policy is over a
        size limit.
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

    A file is read when given as a path:

    >>> from pathlib import Path
    >>> from policyml._resources import shipped_file
    >>> len(policyml.classify(Path(shipped_file("data", "example_policy.md"))))
    9
    """
    model = resolve_model(model)
    paragraphs = _paragraphs(policy, fmt, content, max_input_chars, max_input_lines)
    flagged = content == "all"
    if not paragraphs:
        return PolicyResult(empty_result(model.categories, boilerplate=flagged))
    frame = paragraph_frame(paragraphs, boilerplate=flagged)
    del paragraphs  # the frame holds the texts now: a long policy's paragraphs are large
    return PolicyResult(label_paragraphs(frame, model))


def paragraph_frame(paragraphs: Sequence[Paragraph], *, boilerplate: bool = False) -> pd.DataFrame:
    """The ``paragraph``, ``heading``, ``lead_in``, ``text``, ``start`` and ``end`` columns of
    paragraphs, and their ``boilerplate`` flags when asked for."""
    frame = pd.DataFrame(
        {
            "paragraph": [p.index for p in paragraphs],
            "heading": heading_column([p.heading for p in paragraphs]),
            "lead_in": heading_column([p.lead_in for p in paragraphs]),
            "text": [p.text for p in paragraphs],
            "start": [p.start for p in paragraphs],
            "end": [p.end for p in paragraphs],
        }
    )
    if boilerplate:
        frame["boilerplate"] = [p.boilerplate for p in paragraphs]
    return frame


def label_paragraphs(
    frame: pd.DataFrame, model: PolicyModel, policy_ids: Sequence[Any] | None = None
) -> pd.DataFrame:
    """``frame`` (paragraphs in document order, with ``text`` and ``heading``) with the model's
    ``labels`` and ``p_<category>`` columns added, in the column order of a classify result.

    ``policy_ids`` tells which policy each row belongs to, when the frame holds several: the
    model's neighbour features never reach across two policies.
    """
    scorer = getattr(model, "scorer", None)
    if scorer is not None:  # the common case: straight to the arrays, no model input frame
        texts, headings, _ = context_columns(frame)
        proba = scorer.predict_proba(texts, headings, policy_ids)
    else:
        inputs = model_input(frame)
        if policy_ids is not None:
            inputs = inputs.assign(policy_id=list(policy_ids))
        proba = model.predict_proba(inputs)
    add_predictions(frame, proba, model.thresholds, model.categories)
    columns = result_columns(model.categories, boilerplate="boilerplate" in frame.columns)
    extra = [c for c in frame.columns if c not in columns]
    return frame[extra + columns]


def _paragraphs(
    policy: Any,
    fmt: str,
    content: str,
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
) -> list[Paragraph]:
    if isinstance(policy, pd.Series):
        policy = list(policy)
    if isinstance(policy, os.PathLike):
        path = os.fspath(policy)
        if not isinstance(path, str):
            path = os.fsdecode(path)
        policy = PolicySource(path, path=path).read()  # as the CLI reads a file
    elif isinstance(policy, bytes | bytearray | memoryview):
        policy = PolicySource("policy (bytes)", text=bytes(policy)).read()  # refuses binary
    elif isinstance(policy, str):
        _warn_if_path(policy)
    elif isinstance(policy, list | tuple):
        policy = [
            PolicySource(f"paragraph {i} of the list", text=bytes(item)).read()
            if isinstance(item, bytes | bytearray | memoryview)
            else item
            for i, item in enumerate(policy)
        ]
    if isinstance(policy, str | list):
        return split_paragraphs(
            policy,
            fmt=fmt,
            content=content,
            max_input_chars=max_input_chars,
            max_input_lines=max_input_lines,
        )
    raise InvalidInputError(
        "policy must be a str, bytes, a path, or a list of paragraph strings;"
        f" got {type(policy).__name__}"
    )


def _warn_if_path(text: str) -> None:
    kind = existing_path_kind(text)
    if kind is None:
        return
    name = text.strip()
    how = (
        f"to read the file, pass a pathlib.Path: policyml.classify(Path({name!r}))"
        if kind == "file"
        else f"for the policies in a folder use policyml.classify_many(Path({name!r}))"
    )
    warnings.warn(
        f"classify() got a str that names an existing {kind} and classifies the string itself"
        f" as the policy's text; {how}",
        PathLikeTextWarning,
        stacklevel=4,
    )
