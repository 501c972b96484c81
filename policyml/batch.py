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

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import pandas as pd

from policyml._version import __version__
from policyml.checkpoint import Checkpoint
from policyml.exceptions import InvalidInputError, ModelLoadError, OutputError, PolicyMLError
from policyml.frames import empty_result, result_columns
from policyml.model import PolicyModel, resolve_model
from policyml.predict import label_paragraphs, paragraph_frame
from policyml.preprocess import CONTENTS, FORMATS, resolve_limits, split_paragraphs
from policyml.sources import (
    KINDS,
    MAX_FILE_BYTES,
    PolicySource,
    SourceError,
    iter_policy_sources,
    load_source,
    policy_label,
    source_key,
)
from policyml.writers import (
    OUTPUT_FORMATS,
    ChunkedWriter,
    ResultWriter,
    arrow_schema,
    encode_rows,
    output_format,
    publish,
)

__all__ = [
    "BATCH_MAX_CHARS",
    "COMMIT_SECONDS",
    "DEFAULT_BATCH_SIZE",
    "MAX_FILE_BYTES",
    "OUTPUT_FORMATS",
    "BatchResult",
    "FailedPolicy",
    "PolicySource",
    "ResultWriter",
    "RunInterrupted",
    "RunSummary",
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

#: A batch also ends once its policies reach this many characters (bytes of a file), so a
#: batch of huge policies does not hold ``batch_size`` of them in memory at once.
BATCH_MAX_CHARS = 16_000_000

#: ``classify_many(..., output=...)`` commits its output (makes it durable and records it in the
#: manifest) at most this often, and at the end: an interruption loses at most this much work.
COMMIT_SECONDS = 10.0

_ERRORS = ("raise", "skip")
_PROGRESS_DELAY = 0.5  # seconds before a progress bar appears: none for quick runs


def check_options(
    fmt: str, kind: str, errors: str, batch_size: int, content: str = "policy"
) -> None:
    """Check the arguments :func:`classify_many` and :mod:`policyml.dask` share.

    Raises
    ------
    InvalidInputError
        Naming the argument and the value given.
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise InvalidInputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if not isinstance(content, str) or content not in CONTENTS:
        raise InvalidInputError(f"content must be one of {', '.join(CONTENTS)}; got {content!r}")
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
    # with ``digest=True``: (content hash, size, mtime_ns) of each policy read, else None
    contents: list[tuple[str | None, int | None, int | None] | None] = field(default_factory=list)
    # with ``encode``: the rows encoded for the output (then ``frame`` has no rows)
    encoded: Any = None


def classify_batch(
    sources: list[PolicySource],
    model: PolicyModel,
    fmt: str,
    errors: str,
    limits: tuple[int | None, int | None] | None = None,
    digest: bool = False,
    encode: str | None = None,
    content: str = "policy",
) -> BatchResult:
    """Classify ``sources`` with one ``predict_proba`` call over all their paragraphs;
    ``content`` as in :func:`policyml.classify` (``"all"`` adds the ``boilerplate`` column);
    ``limits`` are ``(max_input_chars, max_input_lines)`` (default: this process's); with
    ``digest``, the hash of each policy's content is returned too; with ``encode`` (an
    output format), the rows come encoded for :meth:`ChunkedWriter.write_encoded` (done
    where the batch is classified, so worker processes share that work too)."""
    chars, lines = limits if limits is not None else resolve_limits()
    failed: list[FailedPolicy] = []
    failed_sources: list[int] = []
    row_sources: list[int] = []
    policies: list[Any] = []
    policy_ids: list[int] = []
    paragraphs = []
    contents: list[tuple[str | None, int | None, int | None] | None] = []
    n_ok = 0
    for position, source in enumerate(sources):
        contents.append(None)
        try:
            loaded = load_source(source, digest=digest)
            if digest:
                contents[-1] = (loaded.digest, loaded.size, loaded.mtime_ns)
            found = split_paragraphs(
                loaded.text,
                fmt=fmt,
                content=content,
                max_input_chars=chars,
                max_input_lines=lines,
            )
            del loaded
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
        del found  # else the last policy's paragraphs outlive ``del paragraphs`` below
    flagged = content == "all"
    if not paragraphs:
        frame = empty_result(model.categories, boilerplate=flagged)
        frame.insert(0, "policy", pd.Series(dtype=object))
        return BatchResult(frame, failed, n_ok, row_sources, failed_sources, contents)
    frame = paragraph_frame(paragraphs, boilerplate=flagged)
    del paragraphs
    frame.insert(0, "policy", pd.Series(policies, dtype=object))
    frame = label_paragraphs(frame, model, policy_ids)
    if encode is None:
        return BatchResult(frame, failed, n_ok, row_sources, failed_sources, contents)
    rows = encode_rows(frame, encode)
    return BatchResult(frame.iloc[:0], failed, n_ok, row_sources, failed_sources, contents, rows)


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
    digest: bool = False,
    encode: str | None = None,
    content: str = "policy",
) -> BatchResult:
    """Worker task: classify one batch with the process's cached model."""
    _watch_parent()
    model = _model_from_ref(ref)
    return classify_batch(sources, model, fmt, errors, limits, digest, encode, content)


_WATCHING: list[int] = []


def _watch_parent() -> None:
    """In a worker process: exit once the process that started it is gone. A parent killed
    with SIGKILL cannot stop its workers, which would otherwise idle on as orphans (holding
    its output pipes open)."""
    if _WATCHING:
        return
    _WATCHING.append(os.getppid())

    def watch() -> None:
        while os.getppid() == _WATCHING[0]:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="policyml-watch-parent", daemon=True).start()


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
    content: str = "policy",
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
        content=content,
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
    content: str,
    limits: tuple[int, int],
    kind: str,
    errors: str,
    progress: bool | None,
    warn: bool,
) -> Iterator[pd.DataFrame]:
    check_options(fmt, kind, errors, batch_size, content)
    _check_jobs(n_jobs)
    sources = iter_policy_sources(policies, kind=kind)
    resolved = resolve_model(model)  # loaded here too, so a bad model fails before any work
    results, close = _batch_results(
        _batches(sources, batch_size),
        resolved,
        n_jobs,
        fmt,
        errors,
        limits,
        digest=False,
        content=content,
    )
    return _stream(results, progress, cleanup=close, warn=warn)


def _check_jobs(n_jobs: Any) -> None:
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)):
        raise InvalidInputError(f"n_jobs must be an int or None, got {n_jobs!r}")


def _batch_results(
    batches: Iterator[list[PolicySource]],
    model: PolicyModel,
    n_jobs: int | None,
    fmt: str,
    errors: str,
    limits: tuple[int, int],
    *,
    digest: bool,
    encode: str | None = None,
    content: str = "policy",
) -> tuple[Iterator[BatchResult], Callable[[], None]]:
    """The results of ``batches`` in order, classified here or in ``n_jobs`` worker
    processes, and a function that stops the workers (when the results are not all read)
    and deletes the model file written for them."""
    jobs = 1 if n_jobs in (None, 0, 1) else _effective_jobs(n_jobs)
    if jobs == 1:
        results = (
            classify_batch(b, model, fmt, errors, limits, digest, encode, content) for b in batches
        )
        return results, results.close
    ref, cleanup = _ship_model(model)
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs")
    outputs = parallel(
        delayed(_run_batch)(batch, ref, fmt, errors, limits, digest, encode, content)
        for batch in batches
    )

    def close() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # joblib: "... tasks cancelled"
                outputs.close()  # unfinished: joblib kills the workers (they are not orphaned)
        finally:
            cleanup()

    return outputs, close


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
    """Lists of ``size`` sources, or fewer whose texts (files: sizes) reach
    :data:`BATCH_MAX_CHARS`."""
    batch: list[PolicySource] = []
    chars = 0
    for source in sources:
        batch.append(source)
        chars += _source_size(source)
        if len(batch) >= size or chars >= BATCH_MAX_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _source_size(source: PolicySource) -> int:
    if source.text is not None:
        return len(source.text)
    if source.path is not None:
        try:
            return os.stat(source.path).st_size
        except OSError:
            return 0  # fails when read, naming itself
    return 0


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
    content: str = ...,
    max_input_chars: int | None = ...,
    max_input_lines: int | None = ...,
    kind: str = ...,
    errors: Literal["raise", "skip"] = ...,
    progress: bool | None = ...,
    stream: Literal[False] = ...,
    output: None = ...,
    restart: bool = ...,
) -> pd.DataFrame: ...


@overload
def classify_many(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = ...,
    n_jobs: int | None = ...,
    batch_size: int = ...,
    fmt: str = ...,
    content: str = ...,
    max_input_chars: int | None = ...,
    max_input_lines: int | None = ...,
    kind: str = ...,
    errors: Literal["raise", "skip"] = ...,
    progress: bool | None = ...,
    stream: Literal[True],
    output: None = ...,
    restart: bool = ...,
) -> Iterator[pd.DataFrame]: ...


@overload
def classify_many(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = ...,
    n_jobs: int | None = ...,
    batch_size: int = ...,
    fmt: str = ...,
    content: str = ...,
    max_input_chars: int | None = ...,
    max_input_lines: int | None = ...,
    kind: str = ...,
    errors: Literal["raise", "skip"] = ...,
    progress: bool | None = ...,
    stream: Literal[False] = ...,
    output: str | os.PathLike[str],
    restart: bool = ...,
) -> RunSummary: ...


def classify_many(
    policies: Any,
    *,
    model: PolicyModel | str | Path | None = None,
    n_jobs: int | None = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    fmt: str = "auto",
    content: str = "policy",
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
    kind: str = "auto",
    errors: Literal["raise", "skip"] = "raise",
    progress: bool | None = None,
    stream: bool = False,
    output: str | os.PathLike[str] | None = None,
    restart: bool = False,
) -> pd.DataFrame | Iterator[pd.DataFrame] | RunSummary:
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
        Policies per batch (fewer when they reach :data:`BATCH_MAX_CHARS` characters).
        Memory use is about ``2 * n_jobs + 1`` batches.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format of every policy (``"auto"`` detects it per policy).
    content : {"policy", "all"}, default "policy"
        Of web pages, only the policy's own text, or every paragraph with a ``boilerplate``
        column telling which are page furniture, as in :func:`policyml.classify`.
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
    output : str or path, optional
        Write the rows to this file instead of returning them: ``.csv``, ``.jsonl``
        (``.ndjson``) or ``.parquet`` (a folder of part files, ``pandas.read_parquet``
        reads it). The run can be interrupted (crash, kill, full disk, Ctrl-C) and resumed:
        call again with the same arguments and it continues where it stopped, so that the
        output is the one an uninterrupted run writes. Rows go to ``OUTPUT.partial`` and
        are committed (made durable, then recorded in ``OUTPUT.manifest.json`` and
        ``OUTPUT.manifest.jsonl``) every :data:`COMMIT_SECONDS`; ``OUTPUT`` appears, whole,
        at the end. Another model, other options or another policyml version than the
        output was started with, inputs that are not those already done, or a policy done
        that changed since, raise :class:`~policyml.OutputError`: nothing is mixed. SIGINT
        and SIGTERM stop the run after committing what is written (workers are stopped) and
        raise :class:`RunInterrupted`. Policies that failed (``errors="skip"``) are not
        retried on resume.
    restart : bool, default False
        With ``output``: ignore an existing manifest and start the output over.

    Returns
    -------
    pandas.DataFrame or iterator of DataFrame or RunSummary
        Columns ``policy`` (the file's path; a text's position in the input; the id of an
        ``(id, text)`` pair or of a mapping key) plus the columns of
        :func:`policyml.classify`. ``attrs["errors"]`` is a tuple of :class:`FailedPolicy`
        and ``attrs["n_policies"]`` counts the policies classified (a policy with no paragraph
        counts but gives no row). With ``output``: a :class:`RunSummary` (counts of the
        whole run, earlier sessions included).

    Raises
    ------
    InvalidInputError
        Unusable ``policies`` type or argument, or (``errors="raise"``) a policy that cannot
        be read, with its name in the message.
    ModelLoadError
        The model cannot be loaded.
    OutputError
        With ``output``: it cannot be written (full disk, permissions; what is committed
        stays, to resume), is being written by another run, or cannot be resumed (see
        ``output``).
    RunInterrupted
        With ``output``: SIGINT or SIGTERM stopped the run (a ``KeyboardInterrupt``).

    Examples
    --------
    >>> import policyml
    >>> result = policyml.classify_many({
    ...     "shop": "We share your address with couriers.",
    ...     "kids": "Children under 13 may not use this site."})
    >>> result[["policy", "labels"]].values.tolist()
    [['shop', ('sharing',)], ['kids', ('children',)]]

    A folder, in 4 processes, to a JSON Lines file; run it again after an interruption and
    it resumes::

        summary = policyml.classify_many("corpus/", n_jobs=4, output="out.jsonl")
        summary.n_rows, summary.errors
    """
    if output is not None:
        if stream:
            raise InvalidInputError("stream=True and output= exclude each other")
        return _classify_to_file(
            policies,
            os.fspath(output),
            model=model,
            n_jobs=n_jobs,
            batch_size=batch_size,
            fmt=fmt,
            content=content,
            limits=_limits(max_input_chars, max_input_lines),
            kind=kind,
            errors=errors,
            progress=progress,
            restart=restart,
        )
    frames = _iter_classify(
        policies,
        model=model,
        n_jobs=n_jobs,
        batch_size=batch_size,
        fmt=fmt,
        content=content,
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
        result = empty_result(resolve_model(model).categories, boilerplate=content == "all")
        result.insert(0, "policy", pd.Series(dtype=object))
    result.attrs = {"errors": tuple(failed), "n_policies": n_policies}
    if failed:
        _warn_skipped(failed, stacklevel=2)
    return result


# --------------------------------------------------------------------------------------------
# Long runs to a file: crash-consistent, resumable
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """What ``classify_many(..., output=PATH)`` did, counting earlier sessions of the run.

    Attributes
    ----------
    output : str
        The output written (for Parquet, a folder of part files).
    n_policies : int
        Policies classified (a policy without paragraphs counts, with no row).
    n_rows : int
        Rows written.
    errors : tuple of FailedPolicy
        Policies that could not be read or classified (``errors="skip"``).
    n_resumed, n_resumed_rows : int
        Policies (classified or failed) and rows already done by earlier sessions when this
        one began.
    seconds : float
        Wall time of this session.
    """

    output: str
    n_policies: int
    n_rows: int
    errors: tuple[FailedPolicy, ...] = ()
    n_resumed: int = 0
    n_resumed_rows: int = 0
    seconds: float = 0.0


class RunInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped ``classify_many(..., output=...)``; what was written before
    is committed, and calling it again resumes. ``signal`` is the signal number and
    ``summary`` the :class:`RunSummary` of what is committed."""

    def __init__(self, signum: int, summary: RunSummary) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signal = signum
        self.summary = summary


class _Stop(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Signals:
    """While entered (in the main thread): SIGINT and SIGTERM raise :class:`_Stop`, except
    inside :meth:`critical`, whose end they wait for; after the first, others are noted only."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.stopping = False
        self._depth = 0
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.received is None:
            self.received = signum
        if not self._depth and not self.stopping:
            self.stopping = True
            raise _Stop(signum)

    @contextlib.contextmanager
    def critical(self, *, deliver: bool = True) -> Iterator[None]:
        """Signals wait for the end of the block; then (if ``deliver``) raise there."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if deliver and not self._depth and self.received is not None and not self.stopping:
            self.stopping = True
            raise _Stop(self.received)


def _classify_to_file(
    policies: Any,
    output: str,
    *,
    model: PolicyModel | str | Path | None,
    n_jobs: int | None,
    batch_size: int,
    fmt: str,
    content: str,
    limits: tuple[int, int],
    kind: str,
    errors: str,
    progress: bool | None,
    restart: bool,
) -> RunSummary:
    start = time.perf_counter()
    check_options(fmt, kind, errors, batch_size, content)
    _check_jobs(n_jobs)
    output_format(output)  # a known suffix
    if os.path.isdir(output) and not output.lower().endswith(".parquet"):
        raise OutputError(f"{output} is a folder; name a file to write")
    sources = iter_policy_sources(policies, kind=kind)
    resolved = resolve_model(model)
    columns = ["policy", *result_columns(resolved.categories, boilerplate=content == "all")]
    fingerprint = getattr(resolved, "fingerprint", None)
    identity = {
        "policyml": __version__,
        "model": fingerprint() if fingerprint is not None else _pickle_hash(resolved),
        "output_format": output_format(output),
        "fmt": fmt,
        "content": content,
        "max_input_chars": limits[0],
        "max_input_lines": limits[1],
    }
    try:
        checkpoint = Checkpoint(output, identity, restart=restart)
    except OSError as error:
        raise OutputError(_os_message(error, output, "nothing was written")) from error
    with contextlib.ExitStack() as stack:
        stack.callback(checkpoint.close)
        signals = stack.enter_context(_Signals())
        resumed = (checkpoint.done.sources, checkpoint.done.rows)
        failed: list[FailedPolicy] = []
        writer: ChunkedWriter | None = None
        try:
            failed += [FailedPolicy(p, e) for p, e in checkpoint.verify(sources)]
            if checkpoint.complete:
                _check_finished(output, sources)
                return _summary(checkpoint, output, failed, resumed, start)
            try:
                writer = ChunkedWriter(output, columns, checkpoint.output_state)
            except OSError as error:
                kept = f"{resumed[0]:,} policies were committed before"
                raise OutputError(_os_message(error, output, kept)) from error
            stack.callback(writer.close)
            _write_run(
                writer,
                checkpoint,
                signals,
                _batches(sources, batch_size),
                failed,
                model=resolved,
                n_jobs=n_jobs,
                fmt=fmt,
                content=content,
                errors=errors,
                limits=limits,
                progress=progress,
            )
        except _Stop as stop:
            if writer is not None:
                with signals.critical():
                    checkpoint.commit(writer.commit())  # every batch written is whole
            summary = _summary(checkpoint, output, failed, resumed, start)
            raise RunInterrupted(stop.signum, summary) from None
    if failed:
        _warn_skipped(failed, stacklevel=4)  # the caller of classify_many
    return _summary(checkpoint, output, failed, resumed, start)


def _check_finished(output: str, sources: Iterator[PolicySource]) -> None:
    """A finished run, called again: its output must hold every policy, and exist."""
    if next(sources, None) is not None:
        raise OutputError(
            f"{output} is finished, but the input has more policies than it holds;"
            " use restart=True (CLI: --restart) to start over"
        )
    publish(output)  # if a crash came between the last commit and the rename
    if not os.path.lexists(output):
        raise OutputError(f"{output} is gone; use restart=True (CLI: --restart) to write it again")


def _write_run(
    writer: ChunkedWriter,
    checkpoint: Checkpoint,
    signals: _Signals,
    batches: Iterator[list[PolicySource]],
    failed: list[FailedPolicy],
    *,
    model: PolicyModel,
    n_jobs: int | None,
    fmt: str,
    content: str,
    errors: str,
    limits: tuple[int, int],
    progress: bool | None,
) -> None:
    """Classify ``batches`` into ``writer``, committing every :data:`COMMIT_SECONDS` and at
    the end; failures are added to ``failed``. Signals wait while a batch is written or a
    commit made, so that what is written is always whole batches."""
    pending: deque[list[PolicySource]] = deque()

    def dispatched() -> Iterator[list[PolicySource]]:
        for batch in batches:
            pending.append(batch)  # the sources of the results to come, in order
            yield batch

    results, close = _batch_results(
        dispatched(),
        model,
        n_jobs,
        fmt,
        errors,
        limits,
        digest=True,
        encode=writer.format,
        content=content,
    )
    bar = _progress_bar(progress, initial=checkpoint.done.sources)
    last_commit = time.monotonic()
    try:
        try:
            for result in results:
                batch = pending.popleft()
                with signals.critical():
                    writer.write_encoded(result.encoded)
                    _record(checkpoint, batch, result)
                    failed.extend(result.failed)
                    if time.monotonic() - last_commit >= COMMIT_SECONDS:
                        checkpoint.commit(writer.commit())
                        last_commit = time.monotonic()
                bar.update(result.n_policies + len(result.failed))
                bar.set_postfix(paragraphs=checkpoint.done.rows, failed=len(failed))
            with signals.critical(deliver=False):  # done: a late signal changes nothing
                checkpoint.commit(writer.finish(), complete=True)
                publish(writer.path)
        finally:
            bar.close()
            close()  # stops the workers when the loop did not finish
    except OSError as error:  # e.g. a full disk: keep what is committed, to resume
        with contextlib.suppress(OSError):
            writer.discard()
        checkpoint.discard()
        kept = f"{checkpoint.done.sources:,} policies are committed; run again to resume"
        raise OutputError(_os_message(error, writer.partial, kept)) from error
    except _Stop:
        raise
    except BaseException:
        # a policy that fails with errors="raise", a bug: keep the whole batches written
        with signals.critical(deliver=False), contextlib.suppress(OSError):
            checkpoint.commit(writer.commit())
        raise


def _record(checkpoint: Checkpoint, batch: list[PolicySource], result: BatchResult) -> None:
    """Journal entries of the policies of ``batch``, in order."""
    rows = Counter(result.row_sources)
    errors = dict(zip(result.failed_sources, (f.error for f in result.failed), strict=True))
    for position, source in enumerate(batch):
        content = result.contents[position] if position < len(result.contents) else None
        digest, size, mtime_ns = content if content is not None else (None, None, None)
        entry: dict[str, Any] = {"key": source_key(source), "digest": digest}
        if size is not None:
            entry.update(size=size, mtime_ns=mtime_ns)
        entry.update(rows=rows.get(position, 0), error=errors.get(position))
        checkpoint.record(entry)


def _summary(
    checkpoint: Checkpoint,
    output: str,
    failed: list[FailedPolicy],
    resumed: tuple[int, int],
    start: float,
) -> RunSummary:
    done = checkpoint.done
    seconds = time.perf_counter() - start
    return RunSummary(output, done.policies, done.rows, tuple(failed), *resumed, seconds)


def _progress_bar(progress: bool | None, initial: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=None,
        initial=initial,
        unit=" policies",
        disable=not (_stderr_is_tty() if progress is None else bool(progress)),
        file=sys.stderr,
        delay=_PROGRESS_DELAY,
        dynamic_ncols=True,
    )


def _os_message(error: OSError, name: str, kept: str) -> str:
    return f"{error.filename or name}: {error.strerror or error}; {kept}"


def _pickle_hash(model: Any) -> str:
    """The fingerprint of a model-like object that has no ``fingerprint()``."""
    import joblib

    try:
        return str(joblib.hash(model))
    except Exception as error:  # any pickling failure
        raise InvalidInputError(
            f"cannot fingerprint the model ({type(error).__name__}: {error}); writing an"
            " output needs a PolicyModel or a picklable model"
        ) from error
