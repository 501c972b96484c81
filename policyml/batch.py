"""Classify many policies: whole corpora, streamed in batches, optionally in parallel.

:func:`classify_many` (and :func:`iter_classify`, its streaming form) take texts, files,
folders or glob patterns, read files lazily, and classify policies ``batch_size`` at a time
with one ``predict_proba`` call per batch, so memory stays bounded whatever the corpus size.
``n_jobs`` spreads the batches over joblib (loky) worker processes, each of which loads the
model once.

Results are identical to calling :func:`policyml.classify` on every policy: the rows of a
batch carry a ``policy_id`` column, so a model's neighbour features never reach across two
policies.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Literal, overload

import pandas as pd

from policyml.exceptions import InvalidInputError, ModelLoadError, PolicyMLError
from policyml.frames import empty_result
from policyml.model import PolicyModel, resolve_model
from policyml.predict import label_paragraphs, paragraph_frame
from policyml.preprocess import FORMATS, resolve_limits, split_paragraphs
from policyml.sources import (
    KINDS,
    MAX_FILE_BYTES,
    PolicySource,
    SourceError,
    iter_policy_sources,
    policy_label,
    read_source,
)
from policyml.writers import OUTPUT_FORMATS, ResultWriter, arrow_schema

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_FILE_BYTES",
    "OUTPUT_FORMATS",
    "BatchResult",
    "FailedPolicy",
    "PolicySource",
    "ResultWriter",
    "SkippedPoliciesWarning",
    "arrow_schema",
    "check_options",
    "classify_batch",
    "classify_many",
    "iter_classify",
    "iter_policy_sources",
]

#: Policies classified together (one ``predict_proba`` call) by default.
DEFAULT_BATCH_SIZE = 64

_ERRORS = ("raise", "skip")
_PROGRESS_DELAY = 0.5  # seconds before a progress bar appears: none for quick runs


def check_options(fmt: str, kind: str, errors: str, batch_size: int) -> None:
    """Check the arguments :func:`classify_many` and :mod:`policyml.dask` share.

    Raises
    ------
    InvalidInputError
        Naming the argument and the value given.
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise InvalidInputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if errors not in _ERRORS:
        raise InvalidInputError(f"errors must be 'raise' or 'skip'; got {errors!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive int, got {batch_size!r}")


class SkippedPoliciesWarning(UserWarning):
    """Some policies could not be read or classified and were skipped (``errors="skip"``)."""


@dataclass(frozen=True)
class FailedPolicy:
    """A policy skipped by :func:`classify_many` with ``errors="skip"``.

    Attributes
    ----------
    policy : str or int or hashable
        The value its rows would have had in the ``policy`` column (a path, an index or an id).
    error : str
        Why it failed, e.g. ``"cannot read: Permission denied"``.
    """

    policy: Any
    error: str

    def __str__(self) -> str:
        return f"{policy_label(self.policy)}: {self.error}"


# --------------------------------------------------------------------------------------------
# Classifying a batch
# --------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """The outcome of :func:`classify_batch`."""

    frame: pd.DataFrame  # the rows of the batch's policies, ``policy`` column first
    failed: list[FailedPolicy]
    n_policies: int  # policies classified (a policy without paragraphs counts, with no row)
    row_sources: list[int]  # position in the batch of each row's policy
    failed_sources: list[int]  # position in the batch of each failed policy


def classify_batch(
    sources: list[PolicySource],
    model: PolicyModel,
    fmt: str,
    errors: str,
    limits: tuple[int | None, int | None] | None = None,
) -> BatchResult:
    """Classify ``sources`` with one ``predict_proba`` call over all their paragraphs;
    ``limits`` are ``(max_input_chars, max_input_lines)`` (default: this process's)."""
    chars, lines = limits if limits is not None else resolve_limits()
    failed: list[FailedPolicy] = []
    failed_sources: list[int] = []
    row_sources: list[int] = []
    policies: list[Any] = []
    policy_ids: list[int] = []
    paragraphs = []
    n_ok = 0
    for position, source in enumerate(sources):
        try:
            found = split_paragraphs(
                read_source(source), fmt=fmt, max_input_chars=chars, max_input_lines=lines
            )
        except ModelLoadError:
            raise  # the sentence splitter's parameters: every policy would fail alike
        except (SourceError, PolicyMLError) as error:
            if errors == "raise":
                raise InvalidInputError(f"{policy_label(source.policy)}: {error}") from (
                    error.__cause__ or error
                )
            failed.append(FailedPolicy(source.policy, str(error)))
            failed_sources.append(position)
            continue
        except Exception as error:
            if errors == "raise":
                if hasattr(error, "add_note"):
                    error.add_note(f"while classifying {policy_label(source.policy)}")
                raise
            failed.append(FailedPolicy(source.policy, f"{type(error).__name__}: {error}"))
            failed_sources.append(position)
            continue
        paragraphs += found
        row_sources += [position] * len(found)
        policies += [source.policy] * len(found)
        policy_ids += [n_ok] * len(found)
        n_ok += 1
    if not paragraphs:
        frame = empty_result(model.categories)
        frame.insert(0, "policy", pd.Series(dtype=object))
        return BatchResult(frame, failed, n_ok, row_sources, failed_sources)
    frame = paragraph_frame(paragraphs)
    frame.insert(0, "policy", pd.Series(policies, dtype=object))
    frame = label_paragraphs(frame, model, policy_ids)
    return BatchResult(frame, failed, n_ok, row_sources, failed_sources)


# --------------------------------------------------------------------------------------------
# Models in worker processes: written once, loaded once per process
# --------------------------------------------------------------------------------------------

_MODEL_CACHE: dict[tuple[Any, ...], Any] = {}
_MODEL_CACHE_SIZE = 2
_MODEL_CACHE_LOCK = threading.Lock()


def _model_from_ref(ref: tuple[Any, ...]) -> PolicyModel:
    """The model in the file ``ref = ("own", path)`` that :func:`_ship_model` wrote (a joblib
    pickle this process family made itself), loaded at most once per worker process."""
    import joblib

    path = ref[1]
    info = os.stat(path)
    key = (path, info.st_mtime_ns, info.st_size)
    with _MODEL_CACHE_LOCK:
        model = _MODEL_CACHE.get(key)
        if model is None:
            model = joblib.load(path)
            while len(_MODEL_CACHE) >= _MODEL_CACHE_SIZE:
                _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
            _MODEL_CACHE[key] = model
    return model


def _run_batch(
    sources: list[PolicySource],
    ref: tuple[Any, ...],
    fmt: str,
    errors: str,
    limits: tuple[int, int] | None = None,
) -> BatchResult:
    """Worker task: classify one batch with the process's cached model."""
    return classify_batch(sources, _model_from_ref(ref), fmt, errors, limits)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def iter_classify(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = None,
    n_jobs: int | None = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    fmt: str = "auto",
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
    kind: str = "auto",
    errors: Literal["raise", "skip"] = "raise",
    progress: bool | None = None,
) -> Iterator[pd.DataFrame]:
    """Classify many policies, yielding one DataFrame per batch (bounded memory).

    Takes the same arguments as :func:`classify_many`; see there. Arguments are checked when
    this is called, the policies are read and classified as the iterator is consumed.

    Yields
    ------
    pandas.DataFrame
        The rows of one batch of ``batch_size`` policies, in input order (possibly empty),
        with ``attrs["errors"]`` (tuple of :class:`FailedPolicy` of that batch) and
        ``attrs["n_policies"]`` (policies of the batch classified).

    Examples
    --------
    >>> import policyml.batch
    >>> texts = ["We use cookies.", "We never sell your data.", "We encrypt data."]
    >>> for frame in policyml.batch.iter_classify(texts, batch_size=2):
    ...     print(frame["policy"].tolist())
    [0, 1]
    [2]
    """
    return _iter_classify(
        policies,
        model=model,
        n_jobs=n_jobs,
        batch_size=batch_size,
        fmt=fmt,
        limits=_limits(max_input_chars, max_input_lines),
        kind=kind,
        errors=errors,
        progress=progress,
        warn=True,
    )


def _iter_classify(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None,
    n_jobs: int | None,
    batch_size: int,
    fmt: str,
    limits: tuple[int, int],
    kind: str,
    errors: str,
    progress: bool | None,
    warn: bool,
) -> Iterator[pd.DataFrame]:
    check_options(fmt, kind, errors, batch_size)
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)):
        raise InvalidInputError(f"n_jobs must be an int or None, got {n_jobs!r}")
    sources = iter_policy_sources(policies, kind=kind)
    resolved = resolve_model(model)  # loaded here too, so a bad model fails before any work
    jobs = 1 if n_jobs in (None, 0, 1) else _effective_jobs(n_jobs)
    if jobs == 1:
        results = (
            classify_batch(batch, resolved, fmt, errors, limits)
            for batch in _batches(sources, batch_size)
        )
        return _stream(results, progress, cleanup=None, warn=warn)
    ref, cleanup = _ship_model(resolved)
    from joblib import Parallel, delayed

    parallel = Parallel(
        n_jobs=jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs"
    )
    results = parallel(
        delayed(_run_batch)(batch, ref, fmt, errors, limits)
        for batch in _batches(sources, batch_size)
    )
    return _stream(results, progress, cleanup=cleanup, warn=warn)


def _limits(max_input_chars: int | None, max_input_lines: int | None) -> tuple[int, int]:
    """The size limits as explicit ints, resolved in this process: worker processes do not see
    changes made here to ``policyml.preprocess.MAX_INPUT_*``, and "no limit" becomes
    ``sys.maxsize``."""
    chars, lines = resolve_limits(max_input_chars, max_input_lines)
    return (
        sys.maxsize if chars is None else chars,
        sys.maxsize if lines is None else lines,
    )


def _effective_jobs(n_jobs: int) -> int:
    from joblib import effective_n_jobs

    return max(1, int(effective_n_jobs(n_jobs)))


def _ship_model(model: PolicyModel) -> tuple[tuple[Any, ...], Any]:
    """Write ``model`` once to a private temporary file that each worker loads once.

    A joblib pickle written by this process is safe to load, and loads in a fraction of the
    time a skops file takes (no allow-list check, no import of every scikit-learn estimator).
    Returns the reference for :func:`_model_from_ref` and a function deleting the file.
    """
    import shutil

    import joblib

    folder = tempfile.mkdtemp(prefix="policyml-model-")
    try:
        path = os.path.join(folder, "model.joblib")
        joblib.dump(model, path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ("own", path), lambda: shutil.rmtree(folder, ignore_errors=True)


def _batches(sources: Iterator[PolicySource], size: int) -> Iterator[list[PolicySource]]:
    while batch := list(islice(sources, size)):
        yield batch


def _stream(
    results: Iterable[BatchResult], progress: bool | None, *, cleanup: Any, warn: bool
) -> Iterator[pd.DataFrame]:
    from tqdm.auto import tqdm

    show = _stderr_is_tty() if progress is None else bool(progress)
    failed: list[FailedPolicy] = []
    paragraphs = 0
    bar = tqdm(
        total=None,
        unit=" policies",
        disable=not show,
        file=sys.stderr,
        delay=_PROGRESS_DELAY,
        dynamic_ncols=True,
    )
    try:
        for result in results:
            frame = result.frame
            frame.attrs["errors"] = tuple(result.failed)
            frame.attrs["n_policies"] = result.n_policies
            failed.extend(result.failed)
            paragraphs += len(frame)
            bar.update(result.n_policies + len(result.failed))
            bar.set_postfix(paragraphs=paragraphs, failed=len(failed), refresh=False)
            yield frame
    finally:
        bar.close()
        if cleanup is not None:
            cleanup()
    if failed and warn:
        _warn_skipped(failed, stacklevel=3)


def _warn_skipped(failed: list[FailedPolicy], stacklevel: int) -> None:
    listed = "; ".join(str(f) for f in failed[:5])
    more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
    warnings.warn(
        f"skipped {len(failed)} policies that could not be classified: {listed}{more}"
        " (all are listed in the result's attrs['errors'])",
        SkippedPoliciesWarning,
        stacklevel=stacklevel,
    )


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@overload
def classify_many(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = ...,
    n_jobs: int | None = ...,
    batch_size: int = ...,
    fmt: str = ...,
    max_input_chars: int | None = ...,
    max_input_lines: int | None = ...,
    kind: str = ...,
    errors: Literal["raise", "skip"] = ...,
    progress: bool | None = ...,
    stream: Literal[False] = ...,
) -> pd.DataFrame: ...


@overload
def classify_many(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = ...,
    n_jobs: int | None = ...,
    batch_size: int = ...,
    fmt: str = ...,
    max_input_chars: int | None = ...,
    max_input_lines: int | None = ...,
    kind: str = ...,
    errors: Literal["raise", "skip"] = ...,
    progress: bool | None = ...,
    stream: Literal[True],
) -> Iterator[pd.DataFrame]: ...


def classify_many(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = None,
    n_jobs: int | None = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    fmt: str = "auto",
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
    kind: str = "auto",
    errors: Literal["raise", "skip"] = "raise",
    progress: bool | None = None,
    stream: bool = False,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Classify many policies: texts, files, folders or glob patterns.

    Policies are read lazily and classified ``batch_size`` at a time (one ``predict_proba``
    call per batch); the rows are those :func:`policyml.classify` gives for each policy, in
    input order, with a ``policy`` column in front.

    Parameters
    ----------
    policies : str, path, bytes, mapping or iterable
        A folder (every file in it, recursively, in sorted order, skipping names that start
        with ``"."``), a glob pattern (``"corpus/**/*.html"``), a file, or an iterable of
        texts, paths and ``(id, text)`` pairs; a mapping or pandas Series ``{id: text}``. See
        :func:`iter_policy_sources` for how ``str`` items are told apart (``kind``).
    model : PolicyModel or path, optional
        Default: the bundled model. It is loaded once here; with ``n_jobs > 1`` it is also
        written once to a private temporary file that each worker process loads once.
    n_jobs : int or None, default 1
        Worker processes (joblib/loky); ``-1`` uses every core; ``None`` or 1 runs in this
        process.
    batch_size : int, default 64
        Policies per batch. Memory use is about ``(2 * n_jobs + 1) * batch_size`` policies.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format of every policy (``"auto"`` detects it per policy).
    max_input_chars, max_input_lines : int, optional
        Size limits of each policy, as in :func:`policyml.classify`; default
        :data:`policyml.preprocess.MAX_INPUT_CHARS` and ``MAX_INPUT_LINES`` as set in this
        process (worker processes get the same limits).
    kind : {"auto", "text", "path"}, default "auto"
        Whether ``str`` items of an iterable are paths or texts (see
        :func:`iter_policy_sources`).
    errors : {"raise", "skip"}, default "raise"
        A policy that cannot be read or classified (missing, unreadable, binary, over
        :data:`MAX_FILE_BYTES` or over a size limit) raises
        :class:`~policyml.InvalidInputError` naming it, or, with ``"skip"``, is left out and
        listed in ``attrs["errors"]`` and in a :class:`SkippedPoliciesWarning`. Errors of the
        model or of the arguments always raise.
    progress : bool, optional
        Show a tqdm progress bar on stderr; default: only when stderr is a terminal.
    stream : bool, default False
        Return an iterator of one DataFrame per batch (see :func:`iter_classify`) instead of
        one concatenated DataFrame, so memory stays bounded however many policies there are.

    Returns
    -------
    pandas.DataFrame or iterator of DataFrame
        Columns ``policy`` (the file's path; a text's position in the input; the id of an
        ``(id, text)`` pair or of a mapping key) plus the columns of
        :func:`policyml.classify`. ``attrs["errors"]`` is a tuple of :class:`FailedPolicy`
        and ``attrs["n_policies"]`` counts the policies classified (a policy with no paragraph
        counts but gives no row).

    Raises
    ------
    InvalidInputError
        Unusable ``policies`` type or argument, or (``errors="raise"``) a policy that cannot
        be read, with its name in the message.
    ModelLoadError
        The model cannot be loaded.

    Examples
    --------
    >>> import policyml
    >>> result = policyml.classify_many({
    ...     "shop": "We share your address with couriers.",
    ...     "kids": "Children under 13 may not use this site."})
    >>> result[["policy", "labels"]].values.tolist()
    [['shop', ('sharing',)], ['kids', ('children',)]]

    A folder, in 4 processes, streamed to a CSV file batch by batch::

        for i, frame in enumerate(policyml.classify_many("corpus/", n_jobs=4, stream=True)):
            frame.to_csv("out.csv", mode="a", header=i == 0, index=False)
    """
    frames = _iter_classify(
        policies,
        model=model,
        n_jobs=n_jobs,
        batch_size=batch_size,
        fmt=fmt,
        limits=_limits(max_input_chars, max_input_lines),
        kind=kind,
        errors=errors,
        progress=progress,
        warn=stream,
    )
    if stream:
        return frames
    parts: list[pd.DataFrame] = []
    failed: list[FailedPolicy] = []
    n_policies = 0
    for frame in frames:
        failed.extend(frame.attrs["errors"])
        n_policies += frame.attrs["n_policies"]
        frame.attrs = {}
        parts.append(frame)
    nonempty = [frame for frame in parts if len(frame)]
    if nonempty:
        result = pd.concat(nonempty, ignore_index=True)
    elif parts:
        result = parts[0]
    else:
        result = empty_result(resolve_model(model).categories)
        result.insert(0, "policy", pd.Series(dtype=object))
    result.attrs = {"errors": tuple(failed), "n_policies": n_policies}
    if failed:
        _warn_skipped(failed, stacklevel=2)
    return result

