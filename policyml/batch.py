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
import re
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal, overload

from policyml.exceptions import InvalidInputError, ModelLoadError, PolicyMLError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_FILE_BYTES",
    "OUTPUT_FORMATS",
    "FailedPolicy",
    "PolicySource",
    "ResultWriter",
    "SkippedPoliciesWarning",
    "arrow_schema",
    "classify_many",
    "iter_classify",
    "iter_policy_sources",
]

#: Policies classified together (one ``predict_proba`` call) by default.
DEFAULT_BATCH_SIZE = 64

#: Files larger than this are reported as failed instead of being read (no policy is this big).
MAX_FILE_BYTES = 64 * 1024 * 1024

_KINDS = ("auto", "text", "path")
_ERRORS = ("raise", "skip")
_GLOB_MAGIC_RE = re.compile(r"[*?[]")
_BINARY_SNIFF_BYTES = 8000
_PROGRESS_DELAY = 0.5  # seconds before a progress bar appears: none for quick runs


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
        return f"{_label(self.policy)}: {self.error}"


@dataclass(frozen=True)
class PolicySource:
    """One policy to classify: a file to read, or a text in memory.

    Attributes
    ----------
    policy : str or int or hashable
        Its value in the result's ``policy`` column: the path of a file, the position of a
        text in the input, or the id of an ``(id, text)`` pair.
    path : str, optional
        The file to read (decoded with :func:`policyml.preprocess.decode_bytes`).
    text : str or bytes, optional
        The policy itself, when it is not read from a file.
    error : str, optional
        Set when the source is already known to be unusable (e.g. a glob pattern matching no
        file); classifying it fails with this reason.
    """

    policy: Any
    path: str | None = None
    text: str | bytes | None = None
    error: str | None = None

    def read(self) -> str:
        """The policy text.

        Raises
        ------
        InvalidInputError
            If the file is missing, unreadable, not a regular file, too large or binary; the
            message starts with the file name.

        Examples
        --------
        >>> PolicySource(0, text=b"We use cookies.").read()
        'We use cookies.'
        """
        try:
            return _read_source(self)
        except _SourceError as error:
            raise InvalidInputError(f"{_label(self.policy)}: {error}") from error.__cause__


class _SourceError(Exception):
    """A per-policy failure; the message is the reason, without the policy's name."""


def _label(policy: Any) -> str:
    return f"policy {policy}" if isinstance(policy, int) else str(policy)


def _read_source(source: PolicySource) -> str:
    from policyml.preprocess import decode_bytes

    if source.error is not None:
        raise _SourceError(source.error)
    if source.path is None:
        text = source.text
        if isinstance(text, bytes | bytearray | memoryview):
            return decode_bytes(text)
        if isinstance(text, str):
            return text
        raise _SourceError(f"expected str or bytes, got {type(text).__name__}")
    try:
        info = os.stat(source.path)
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise _SourceError(f"cannot read: {what}")
        if info.st_size > MAX_FILE_BYTES:
            raise _SourceError(
                f"file is {info.st_size / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MiB"
                " limit for one policy"
            )
        with open(source.path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        hint = ""
        if isinstance(error, FileNotFoundError) and any(c.isspace() for c in source.path):
            hint = " (if this is a policy's text, pass kind='text')"
        raise _SourceError(f"cannot read: {error.strerror or error}{hint}") from error
    if b"\x00" in data[:_BINARY_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _SourceError("binary file (NUL bytes), not a text, Markdown or HTML policy")
    return decode_bytes(data)


# --------------------------------------------------------------------------------------------
# Sources: texts, files, folders, glob patterns
# --------------------------------------------------------------------------------------------


def iter_policy_sources(
    policies: Any, *, kind: str = "auto", recursive: bool = True
) -> Iterator[PolicySource]:
    """Expand texts, files, folders and glob patterns into one :class:`PolicySource` each.

    Nothing is read here and the input is consumed lazily, so this streams over corpora of
    any size.

    Parameters
    ----------
    policies : str, path, bytes, mapping or iterable
        * a ``str`` or path-like: a file, a folder (every file in it, in sorted order; names
          starting with ``"."`` are skipped) or a glob pattern (``**`` matches folders
          recursively); ``kind="text"`` makes a ``str`` one policy text instead;
        * ``bytes``: one policy;
        * a mapping (or pandas Series) ``{id: text}``: texts with their ids;
        * an iterable of any of: path-likes (files, folders, globs), ``bytes`` (texts),
          ``(id, text_or_path)`` pairs, and ``str`` items, read according to ``kind``.
    kind : {"auto", "text", "path"}, default "auto"
        How ``str`` items of an iterable are read. ``"auto"``: as a path when the item is one
        line without whitespace, or names an existing file or folder, or is a glob pattern that
        matches; otherwise as policy text. ``"path"`` and ``"text"`` force one reading.
    recursive : bool, default True
        Include the files of sub-folders of a folder.

    Returns
    -------
    iterator of PolicySource
        A path that does not exist, or a glob pattern matching nothing, still gives a source,
        whose reading fails with the reason.

    Raises
    ------
    InvalidInputError
        If ``policies`` (or one of its items) is of an unusable type, or ``kind`` is unknown.

    Examples
    --------
    >>> [s.policy for s in iter_policy_sources(["We use cookies.", b"We sell nothing."])]
    [0, 1]
    >>> next(iter_policy_sources({"acme": "We use cookies."})).policy
    'acme'
    """
    if kind not in _KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(_KINDS)}; got {kind!r}")
    if isinstance(policies, str):
        if kind == "text":
            return iter([PolicySource(0, text=policies)])
        return _expand_path(policies, recursive)
    if isinstance(policies, os.PathLike):
        return _expand_path(os.fspath(policies), recursive)
    if isinstance(policies, bytes | bytearray | memoryview):
        return iter([PolicySource(0, text=bytes(policies))])
    if _is_dataframe(policies):
        raise InvalidInputError(
            "policies is a DataFrame: pass its text column (e.g. df['text']), whose index gives"
            " the policy ids"
        )
    if isinstance(policies, Mapping) or _is_series(policies):
        items: Iterable[Any] = ((key, value) for key, value in policies.items())
        return _iter_items(items, kind, recursive, pairs_only=True)
    try:
        items = iter(policies)
    except TypeError:
        raise InvalidInputError(
            "policies must be a path, folder or glob pattern, bytes, a mapping {id: text}, or an"
            f" iterable of texts and paths; got {type(policies).__name__}"
        ) from None
    return _iter_items(items, kind, recursive, pairs_only=False)


def _is_series(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.Series)


def _is_dataframe(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def _iter_items(
    items: Iterable[Any],
    kind: str,
    recursive: bool,
    *,
    pairs_only: bool,
    text_id: Callable[[int], Any] | None = None,
) -> Iterator[PolicySource]:
    """Sources of ``items``; a text without an id gets ``text_id(position)`` (default: i)."""
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Hashable):
            policy, value = item
            if isinstance(value, os.PathLike):
                yield PolicySource(policy, path=os.fspath(value))
            elif isinstance(value, str | bytes | bytearray):
                yield PolicySource(policy, text=value if isinstance(value, str) else bytes(value))
            else:
                raise InvalidInputError(
                    f"policy {policy!r} is {type(value).__name__}, expected str, bytes or a path"
                )
        elif pairs_only:  # pragma: no cover - mappings always give pairs
            raise InvalidInputError(f"item {i} is not an (id, text) pair")
        elif isinstance(item, os.PathLike):
            yield from _expand_path(os.fspath(item), recursive)
        elif isinstance(item, bytes | bytearray | memoryview):
            yield PolicySource(i if text_id is None else text_id(i), text=bytes(item))
        elif isinstance(item, str):
            if kind == "path" or (kind == "auto" and _looks_like_path(item)):
                yield from _expand_path(item, recursive)
            else:
                yield PolicySource(i if text_id is None else text_id(i), text=item)
        else:
            raise InvalidInputError(
                f"policy {i} is {type(item).__name__}; expected str, bytes, a path or an"
                " (id, text) pair"
            )


def _looks_like_path(item: str) -> bool:
    if "\n" in item or len(item) > 4096 or not item.strip():
        return False
    if not any(c.isspace() for c in item):
        return True  # one token: a file name, never a policy
    try:
        if os.path.exists(item):
            return True
        return bool(_GLOB_MAGIC_RE.search(item)) and _first_match(item) is not None
    except (OSError, ValueError):
        return False


def _first_match(pattern: str) -> str | None:
    import glob

    return next(glob.iglob(pattern, recursive=True), None)


def _expand_path(spec: str, recursive: bool) -> Iterator[PolicySource]:
    """Files named by ``spec``: a file, a folder or a glob pattern (lazily)."""
    import glob

    if os.path.isdir(spec):
        found = False
        for source in _walk(spec, recursive):
            found = True
            yield source
        if not found:  # like a pattern matching nothing: say so rather than succeed silently
            yield PolicySource(spec, error="no policy files in this folder")
    elif os.path.lexists(spec) or not _GLOB_MAGIC_RE.search(spec):
        yield PolicySource(spec, path=spec)  # a missing file fails when read, naming itself
    else:
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            yield PolicySource(spec, error="no file matches this pattern")
        for match in matches:
            if os.path.isdir(match):
                yield from _walk(match, recursive)
            else:
                yield PolicySource(match, path=match)


def _walk(root: str, recursive: bool) -> Iterator[PolicySource]:
    """Files under ``root`` in sorted order (a folder's files before its sub-folders')."""
    failures: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=failures.append):
        yield from _walk_failures(failures)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")) if recursive else []
        for name in sorted(filenames):
            if not name.startswith("."):
                path = os.path.join(dirpath, name)
                yield PolicySource(path, path=path)
    yield from _walk_failures(failures)


def _walk_failures(failures: list[OSError]) -> Iterator[PolicySource]:
    while failures:
        error = failures.pop(0)
        yield PolicySource(
            str(error.filename), error=f"cannot list folder: {error.strerror or error}"
        )


# --------------------------------------------------------------------------------------------
# Classifying a batch
# --------------------------------------------------------------------------------------------


@dataclass
class _BatchResult:
    frame: pd.DataFrame
    failed: list[FailedPolicy]
    n_policies: int
    row_sources: list[int]  # position in the batch of each row's policy
    failed_sources: list[int]  # position in the batch of each failed policy


def _classify_sources(
    sources: list[PolicySource],
    model: Any,
    fmt: str,
    errors: str,
    limits: tuple[int, int] | None = None,
) -> _BatchResult:
    """Classify ``sources`` with one ``predict_proba`` call over all their paragraphs;
    ``limits`` are ``(max_input_chars, max_input_lines)`` (default: this process's)."""
    chars, lines = limits if limits is not None else _limits(None, None)
    import pandas as pd

    from policyml.predict import _empty_result, result_columns
    from policyml.preprocess import split_paragraphs

    categories = list(model.categories)
    columns = ["policy", *result_columns(categories)]
    failed: list[FailedPolicy] = []
    failed_sources: list[int] = []
    row_sources: list[int] = []
    policy: list[Any] = []
    policy_id: list[int] = []
    index: list[int] = []
    heading: list[str | None] = []
    text: list[str] = []
    start: list[int] = []
    end: list[int] = []
    n_ok = 0
    for position, source in enumerate(sources):
        try:
            paragraphs = split_paragraphs(
                _read_source(source), fmt=fmt, max_input_chars=chars, max_input_lines=lines
            )
        except ModelLoadError:
            raise  # the sentence splitter's parameters: every policy would fail alike
        except (_SourceError, PolicyMLError) as error:
            if errors == "raise":
                raise InvalidInputError(f"{_label(source.policy)}: {error}") from (
                    error.__cause__ or error
                )
            failed.append(FailedPolicy(source.policy, str(error)))
            failed_sources.append(position)
            continue
        except Exception as error:
            if errors == "raise":
                if hasattr(error, "add_note"):
                    error.add_note(f"while classifying {_label(source.policy)}")
                raise
            failed.append(FailedPolicy(source.policy, f"{type(error).__name__}: {error}"))
            failed_sources.append(position)
            continue
        for p in paragraphs:
            row_sources.append(position)
            policy.append(source.policy)
            policy_id.append(n_ok)
            index.append(p.index)
            heading.append(p.heading)
            text.append(p.text)
            start.append(p.start)
            end.append(p.end)
        n_ok += 1
    if not text:
        frame = _empty_result(columns[1:])
        frame.insert(0, "policy", pd.Series(dtype=object))
        return _BatchResult(frame, failed, n_ok, row_sources, failed_sources)
    frame = pd.DataFrame(
        {
            "policy": pd.Series(policy, dtype=object),
            "paragraph": index,
            "heading": pd.Series(heading, dtype=object),
            "text": text,
            "start": start,
            "end": end,
        }
    )
    # ``policy_id`` keeps neighbour features (if the model has any) inside each policy
    proba = model.predict_proba(
        pd.DataFrame({"text": frame["text"], "heading": frame["heading"], "policy_id": policy_id})
    )
    chosen = proba >= model.thresholds
    frame["labels"] = [
        tuple(c for c, on in zip(categories, row, strict=True) if on) for row in chosen
    ]
    for j, category in enumerate(categories):
        frame[f"p_{category}"] = proba[:, j]
    return _BatchResult(frame[columns], failed, n_ok, row_sources, failed_sources)


# --------------------------------------------------------------------------------------------
# Models in worker processes: written once, loaded once per process
# --------------------------------------------------------------------------------------------

_MODEL_CACHE: dict[tuple[Any, ...], Any] = {}
_MODEL_CACHE_SIZE = 2
_MODEL_CACHE_LOCK = threading.Lock()


def _model_from_ref(ref: tuple[Any, ...]) -> Any:
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
) -> _BatchResult:
    """Worker task: classify one batch with the process's cached model."""
    return _classify_sources(sources, _model_from_ref(ref), fmt, errors, limits)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def iter_classify(
    policies: Any,
    *,
    model: Any = None,
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
    model: Any,
    n_jobs: int | None,
    batch_size: int,
    fmt: str,
    limits: tuple[int, int],
    kind: str,
    errors: str,
    progress: bool | None,
    warn: bool,
) -> Iterator[pd.DataFrame]:
    if errors not in _ERRORS:
        raise InvalidInputError(f"errors must be 'raise' or 'skip'; got {errors!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive int, got {batch_size!r}")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)):
        raise InvalidInputError(f"n_jobs must be an int or None, got {n_jobs!r}")
    from policyml.preprocess import FORMATS

    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise InvalidInputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    sources = iter_policy_sources(policies, kind=kind)
    from policyml.predict import _resolve_model

    resolved = _resolve_model(model)  # loaded here too, so a bad model fails before any work
    jobs = 1 if n_jobs in (None, 0, 1) else _effective_jobs(n_jobs)
    if jobs == 1:
        results = (
            _classify_sources(batch, resolved, fmt, errors, limits)
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
    from policyml import preprocess

    chars = preprocess._limit(max_input_chars, preprocess.MAX_INPUT_CHARS, "max_input_chars")
    lines = preprocess._limit(max_input_lines, preprocess.MAX_INPUT_LINES, "max_input_lines")
    return (
        sys.maxsize if chars is None else chars,
        sys.maxsize if lines is None else lines,
    )


def _effective_jobs(n_jobs: int) -> int:
    from joblib import effective_n_jobs

    return max(1, int(effective_n_jobs(n_jobs)))


def _ship_model(model: Any) -> tuple[tuple[Any, ...], Any]:
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
    results: Iterable[_BatchResult], progress: bool | None, *, cleanup: Any, warn: bool
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
    model: Any = ...,
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
    model: Any = ...,
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
    model: Any = None,
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
    import pandas as pd

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
        from policyml.predict import _empty_result, _resolve_model, result_columns

        categories = list(_resolve_model(model).categories)
        result = _empty_result(result_columns(categories))
        result.insert(0, "policy", pd.Series(dtype=object))
    result.attrs = {"errors": tuple(failed), "n_policies": n_policies}
    if failed:
        _warn_skipped(failed, stacklevel=2)
    return result


# --------------------------------------------------------------------------------------------
# Writing results batch by batch
# --------------------------------------------------------------------------------------------

#: File name suffix -> output format of :class:`ResultWriter`.
OUTPUT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def arrow_schema(columns: Iterable[str]) -> Any:
    """The Arrow schema of result columns, for writing results as Parquet.

    ``paragraph``, ``start`` and ``end`` are int64, ``labels`` a list of strings, ``p_*``
    float64, every other column (``policy``, ``heading``, ``text``, ``error``) a string. Pass it
    to ``dask.dataframe.DataFrame.to_parquet(..., schema=...)`` for a :mod:`policyml.dask`
    result (whose ``policy`` values must then be strings).

    Examples
    --------
    >>> arrow_schema(["policy", "paragraph", "labels", "p_cookies"]).types  # doctest: +SKIP
    [DataType(string), DataType(int64), ListType(list<item: string>), DataType(double)]
    """
    import pyarrow as pa

    fields = []
    for column in columns:
        if column in ("paragraph", "start", "end"):
            kind = pa.int64()
        elif column == "labels":
            kind = pa.list_(pa.string())
        elif column.startswith("p_"):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


class ResultWriter:
    """Append the DataFrames of :func:`iter_classify` to one CSV, JSON Lines or Parquet file.

    CSV joins ``labels`` with ``";"`` (as ``policyml classify --format csv`` does); JSON Lines
    writes one object per paragraph with ``labels`` as a list; Parquet stores ``labels`` as a
    list of strings and ``policy`` as a string. Floats are written exactly. The file is
    opened (and so checked) when the writer is created.

    Parameters
    ----------
    destination : str, path or text stream
        The file to write, or an open text stream (CSV and JSON Lines only) such as
        ``sys.stdout``.
    format : {"csv", "jsonl", "parquet"}, optional
        Default: from the file name's suffix (see :data:`OUTPUT_FORMATS`).

    Raises
    ------
    InvalidInputError
        Unknown format or suffix, or Parquet without pyarrow installed.

    Examples
    --------
    >>> import os, tempfile, policyml.batch
    >>> path = os.path.join(tempfile.mkdtemp(), "out.jsonl")
    >>> with policyml.batch.ResultWriter(path) as writer:
    ...     for frame in policyml.batch.iter_classify(["We use cookies."]):
    ...         writer.write(frame)
    >>> writer.rows
    1
    """

    def __init__(self, destination: Any, format: str | None = None) -> None:
        if format is None:
            if not isinstance(destination, str | os.PathLike):
                raise InvalidInputError("format is needed when writing to a stream")
            suffix = os.path.splitext(os.fspath(destination))[1].lower()
            format = OUTPUT_FORMATS.get(suffix)
            if format is None:
                raise InvalidInputError(
                    f"{os.fspath(destination)}: cannot tell the output format from the file"
                    f" name; use one ending in {', '.join(OUTPUT_FORMATS)}"
                )
        if format not in set(OUTPUT_FORMATS.values()):
            raise InvalidInputError(f"format must be csv, jsonl or parquet; got {format!r}")
        if format == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InvalidInputError(
                    "writing Parquet needs pyarrow: pip install pyarrow"
                ) from None
        self.format = format
        self.rows = 0
        self._parquet: Any = None
        self._header = True
        if isinstance(destination, str | os.PathLike):
            binary = format == "parquet"
            self._handle: Any = open(  # noqa: SIM115 - closed by close()
                destination, "wb" if binary else "w", encoding=None if binary else "utf-8",
                newline=None if binary else "",
            )
            self._owned = True
        else:
            if format == "parquet":
                raise InvalidInputError("Parquet is written to a file, not to a stream")
            self._handle, self._owned = destination, False

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (a result of :func:`iter_classify`)."""
        if self.format == "parquet":
            self._write_parquet(frame)
        elif self.format == "csv":
            out = frame.assign(labels=frame["labels"].map(";".join))
            out.to_csv(self._handle, index=False, header=self._header, lineterminator="\n")
        elif len(frame):
            import json

            records = frame.assign(labels=frame["labels"].map(list)).to_dict(orient="records")
            self._handle.write(
                "".join(json.dumps(r, ensure_ascii=False, default=_json_scalar) + "\n"
                        for r in records)
            )
        self._header = False
        self.rows += len(frame)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._handle, arrow_schema(frame.columns))
        if len(frame):
            out = frame.assign(
                policy=frame["policy"].map(str), labels=frame["labels"].map(list)
            )
            out.attrs = {}  # pyarrow would try to store them as pandas metadata
            table = pa.Table.from_pandas(out, schema=self._parquet.schema, preserve_index=False)
            self._parquet.write_table(table)

    def close(self) -> None:
        """Finish the file (a Parquet footer) and close it if this writer opened it."""
        try:
            if self._parquet is not None:
                self._parquet.close()
                self._parquet = None
            self._handle.flush()
        finally:
            if self._owned:
                self._handle.close()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _json_scalar(value: Any) -> Any:
    """JSON for values ``json`` does not know: numpy scalars (e.g. ids from an index)."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)
