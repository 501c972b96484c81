"""Policy sources: texts, files, folders and glob patterns, expanded lazily and read safely."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policyml.exceptions import InvalidInputError
from policyml.preprocess import decode_bytes

__all__ = [
    "KINDS",
    "MAX_FILE_BYTES",
    "URL_TIMEOUT",
    "PolicySource",
    "SourceError",
    "existing_path_kind",
    "fetch_url",
    "is_binary",
    "is_url",
    "iter_items",
    "iter_policy_sources",
    "policy_label",
    "read_source",
]

#: Files (and web pages) larger than this are reported as failed instead of being read (no
#: policy is this big).
MAX_FILE_BYTES = 64 * 1024 * 1024

#: Seconds to wait for a web server (to connect, and between received bytes) before giving up.
URL_TIMEOUT = 30.0

#: How ``str`` items of an iterable are read: ``"auto"`` decides per item.
KINDS = ("auto", "text", "path")

_GLOB_MAGIC_RE = re.compile(r"[*?[]")
_URL_RE = re.compile(r"https?://", re.IGNORECASE)
_BINARY_SNIFF_BYTES = 8000


@dataclass(frozen=True)
class PolicySource:
    """One policy to classify: a file to read, or a text in memory.

    Attributes
    ----------
    policy : str or int or hashable
        Its value in the result's ``policy`` column: the path of a file, a URL, the position of
        a text in the input, or the id of an ``(id, text)`` pair.
    path : str, optional
        The file to read (decoded with :func:`policyml.preprocess.decode_bytes`).
    text : str or bytes, optional
        The policy itself, when it is not read from a file. Bytes are refused when binary
        (:func:`is_binary`), as files are.
    url : str, optional
        An ``http://`` or ``https://`` page to fetch (:func:`fetch_url`).
    error : str, optional
        Set when the source is already known to be unusable (e.g. a glob pattern matching no
        file); classifying it fails with this reason.
    """

    policy: Any
    path: str | None = None
    text: str | bytes | None = None
    error: str | None = None
    url: str | None = None

    def read(self) -> str:
        """The policy text.

        Raises
        ------
        InvalidInputError
            If the file is missing, unreadable, not a regular file, too large or binary (or
            the page cannot be fetched); the message starts with the file's name (or URL).

        Examples
        --------
        >>> PolicySource(0, text=b"We use cookies.").read()
        'We use cookies.'
        """
        try:
            return read_source(self)
        except SourceError as error:
            raise InvalidInputError(f"{policy_label(self.policy)}: {error}") from error.__cause__


class SourceError(Exception):
    """A per-policy failure; the message is the reason, without the policy's name."""


def policy_label(policy: Any) -> str:
    return f"policy {policy}" if isinstance(policy, int) else str(policy)


def is_binary(data: bytes) -> bool:
    """Whether ``data`` is binary, not a text policy: a NUL byte among the first 8,000 bytes
    (git's rule), unless it starts with a UTF-16 byte-order mark. The one rule for files, web
    pages and bytes given to the API.

    Examples
    --------
    >>> is_binary(b"%PDF-1.7\\x00\\x00"), is_binary(b"We use cookies.")
    (True, False)
    >>> is_binary("We".encode("utf-16"))  # a byte-order mark: text with NUL bytes
    False
    """
    return b"\x00" in data[:_BINARY_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


def _decode(data: bytes, what: str) -> str:
    if is_binary(data):
        raise SourceError(f"binary {what} (NUL bytes), not a text, Markdown or HTML policy")
    return decode_bytes(data)


def read_source(source: PolicySource) -> str:
    """The text of ``source``; :class:`SourceError` (the reason, without the policy's name)
    when it cannot be read."""
    if source.error is not None:
        raise SourceError(source.error)
    if source.url is not None:
        return _decode(fetch_url(source.url), "content")
    if source.path is None:
        text = source.text
        if isinstance(text, bytes | bytearray | memoryview):
            return _decode(bytes(text), "data")
        if isinstance(text, str):
            return text
        raise SourceError(f"expected str or bytes, got {type(text).__name__}")
    try:
        info = os.stat(source.path)
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise SourceError(f"cannot read: {what}")
        if info.st_size > MAX_FILE_BYTES:
            raise SourceError(
                f"file is {info.st_size / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MiB"
                " limit for one policy"
            )
        with open(source.path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        hint = ""
        if isinstance(error, FileNotFoundError) and any(c.isspace() for c in source.path):
            hint = " (if this is a policy's text, pass kind='text')"
        raise SourceError(f"cannot read: {error.strerror or error}{hint}") from error
    return _decode(data, "file")


def is_url(spec: str) -> bool:
    """Whether ``spec`` is an ``http://`` or ``https://`` URL (read with :func:`fetch_url`).

    Examples
    --------
    >>> is_url("https://example.com/privacy"), is_url("privacy.html")
    (True, False)
    """
    return bool(_URL_RE.match(spec))


def fetch_url(url: str, *, timeout: float | None = None, max_bytes: int | None = None) -> bytes:
    """The body of the web page at ``url`` (the standard library's :mod:`urllib`; redirects
    are followed, proxies of the environment are used).

    Parameters
    ----------
    url : str
        An ``http://`` or ``https://`` URL.
    timeout : float, optional
        Seconds to wait to connect and between received bytes; default :data:`URL_TIMEOUT`.
    max_bytes : int, optional
        Largest body accepted; default :data:`MAX_FILE_BYTES` (as for files).

    Raises
    ------
    SourceError
        One line saying why: an HTTP error status, a connection failure, a timeout, a body
        over the size limit, or not an http(s) URL.
    """
    import http.client
    import urllib.error
    import urllib.request

    from policyml._version import __version__

    timeout = URL_TIMEOUT if timeout is None else timeout
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if not is_url(url):
        raise SourceError("not an http:// or https:// URL")
    request = urllib.request.Request(
        url, headers={"User-Agent": f"Mozilla/5.0 (compatible; policyml/{__version__})"}
    )
    too_big = f"over the {limit / 2**20:g} MiB limit for one policy"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise SourceError(f"page is {int(length) / 1e6:.0f} MB, {too_big}")
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise SourceError(f"cannot fetch: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise SourceError(f"cannot fetch: no answer within {timeout:g} s") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise SourceError(f"cannot fetch: {text}") from None
    except TimeoutError:
        raise SourceError(f"cannot fetch: no answer within {timeout:g} s") from None
    except (http.client.HTTPException, OSError) as error:
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise SourceError(f"cannot fetch: {detail}") from None
    except ValueError as error:  # e.g. "http://" without a host
        raise SourceError(f"cannot fetch: invalid URL ({error})") from None
    if len(data) > limit:
        raise SourceError(f"page is {too_big}")
    return data


def existing_path_kind(text: str) -> str | None:
    """``"file"`` or ``"folder"`` when ``text`` is one short line naming an existing file or
    folder, else None (a policy's text never is: it has more than one line, or names nothing).

    Examples
    --------
    >>> existing_path_kind("We use cookies to count visits.") is None
    True
    """
    name = text.strip()
    if not name or len(name) > 4096 or "\n" in name or "\r" in name:
        return None
    try:
        if os.path.isfile(name):
            return "file"
        if os.path.isdir(name):
            return "folder"
    except (OSError, ValueError):  # e.g. an embedded NUL
        pass
    return None


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
          starting with ``"."`` are skipped), a glob pattern (``**`` matches folders
          recursively) or an ``http(s)://`` URL (fetched with :func:`fetch_url`);
          ``kind="text"`` makes a ``str`` one policy text instead;
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
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
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
        return iter_items(items, kind, recursive, pairs_only=True)
    try:
        items = iter(policies)
    except TypeError:
        raise InvalidInputError(
            "policies must be a path, folder or glob pattern, bytes, a mapping {id: text}, or an"
            f" iterable of texts and paths; got {type(policies).__name__}"
        ) from None
    return iter_items(items, kind, recursive, pairs_only=False)


def _is_series(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.Series)


def _is_dataframe(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def iter_items(
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
    """Files named by ``spec``: a file, a folder, a glob pattern or a URL (lazily)."""
    import glob

    if is_url(spec):
        yield PolicySource(spec, url=spec)
    elif os.path.isdir(spec):
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
