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
    "LoadedSource",
    "PolicySource",
    "SourceError",
    "existing_path_kind",
    "fetch_url",
    "is_binary",
    "is_url",
    "iter_items",
    "iter_policy_sources",
    "load_source",
    "policy_label",
    "printable",
    "read_source",
    "source_key",
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


def printable(text: str) -> str:
    r"""``text`` as valid UTF-8: the undecodable bytes of a file name (which Python keeps as
    lone surrogates) become ``\xNN`` escapes, so the name can be printed and written out.

    Examples
    --------
    >>> print(printable("caf\udce9.txt"))
    caf\xe9.txt
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that is no escaped byte
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def policy_label(policy: Any) -> str:
    return f"policy {policy}" if isinstance(policy, int) else printable(str(policy))


def source_key(source: PolicySource) -> str:
    """What identifies ``source`` from one run to the next: its path or URL, else its id."""
    if source.path is not None:
        return source.path
    if source.url is not None:
        return source.url
    policy = source.policy
    return policy if isinstance(policy, str) else f"{type(policy).__name__}:{policy!r}"


@dataclass(frozen=True)
class LoadedSource:
    """A policy's text, and (from :func:`load_source` with ``digest=True``) what identifies
    its content: a hash of the bytes read and, for a file, its size and modification time."""

    text: str
    digest: str | None = None
    size: int | None = None
    mtime_ns: int | None = None


def content_digest(data: bytes | str) -> str:
    """The hash of a policy's content that a run's manifest keeps (128-bit BLAKE2b, hex)."""
    import hashlib

    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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
    return load_source(source).text


def load_source(source: PolicySource, *, digest: bool = False) -> LoadedSource:
    """Read ``source``: its text and, with ``digest``, the hash of its content.

    A file is opened without blocking (a FIFO never hangs the run), must be a regular file of
    at most :data:`MAX_FILE_BYTES` and not binary, and must not change while it is read (it is
    read again once if it does).

    Raises
    ------
    SourceError
        With the reason, e.g. ``cannot read: Permission denied``.
    """
    if source.error is not None:
        raise SourceError(source.error)
    if source.url is not None:
        data = fetch_url(source.url)
        return LoadedSource(_decode(data, "content"), content_digest(data) if digest else None)
    if source.path is None:
        text = source.text
        if isinstance(text, bytes | bytearray | memoryview):
            raw = bytes(text)
            return LoadedSource(_decode(raw, "data"), content_digest(raw) if digest else None)
        if isinstance(text, str):
            return LoadedSource(text, content_digest(text) if digest else None)
        raise SourceError(f"expected str or bytes, got {type(text).__name__}")
    for attempt in range(2):
        data, before, after = _read_file(source.path)
        same_size = len(data) == before.st_size == after.st_size
        if same_size and before.st_mtime_ns == after.st_mtime_ns:
            break
        if attempt:
            raise SourceError("the file changed while it was read; try again when it is stable")
    return LoadedSource(
        _decode(data, "file"),
        content_digest(data) if digest else None,
        before.st_size,
        before.st_mtime_ns,
    )


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_file(path: str) -> tuple[bytes, os.stat_result, os.stat_result]:
    """The bytes of the regular file ``path``, with its status before and after reading."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                raise SourceError(f"cannot read: {what}")
            if info.st_size > MAX_FILE_BYTES:
                raise SourceError(
                    f"file is {info.st_size / 1e6:.0f} MB, over the"
                    f" {MAX_FILE_BYTES // 2**20} MiB limit for one policy"
                )
            # one byte more than its size: a file that grows while read shows as changed
            data = _read_upto(fd, info.st_size + 1) if info.st_size else _read_small(fd)
            return data, info, os.fstat(fd)
        finally:
            os.close(fd)
    except OSError as error:
        hint = ""
        if isinstance(error, FileNotFoundError) and any(c.isspace() for c in path):
            hint = " (if this is a policy's text, pass kind='text')"
        raise SourceError(f"cannot read: {error.strerror or error}{hint}") from error


def _read_upto(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes of ``fd``, fewer only at its end."""
    chunks = []
    while size > 0 and (chunk := os.read(fd, size)):
        chunks.append(chunk)
        size -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _read_small(fd: int) -> bytes:
    """A file whose size is 0: empty, or generated when read (``/proc``), up to the limit."""
    data = _read_upto(fd, MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is over the {MAX_FILE_BYTES // 2**20} MiB limit for one policy")
    return data


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
    return next(iter(_glob(pattern)), None)


def _expand_path(spec: str, recursive: bool) -> Iterator[PolicySource]:
    """Files named by ``spec``: a file, a folder, a glob pattern or a URL (lazily)."""
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
        matches = sorted(_glob(spec))
        if not matches:
            yield PolicySource(spec, error="no file matches this pattern")
        for match, error in matches:
            if error is not None:
                yield PolicySource(match, error=error)
            elif os.path.isdir(match):
                yield from _walk(match, recursive)
            else:
                yield PolicySource(match, path=match)


# Symbolic links to folders are followed, except into a folder that contains the link (a loop,
# which would list the same files forever); such a link is reported as a failed source.
_LOOP = "symbolic link loop (a link to a folder that contains it): not followed"


def _dir_key(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


def _with_key(keys: frozenset[tuple[int, int]], path: str) -> frozenset[tuple[int, int]]:
    try:
        return keys | {_dir_key(path)}
    except OSError:
        return keys


def _list_dir(path: str) -> list[tuple[str, bool]]:
    """``(name, is_folder)`` of the entries of ``path`` not starting with ".", sorted."""
    out = []
    with os.scandir(path) as entries:
        for entry in entries:
            if not entry.name.startswith("."):
                try:
                    is_dir = entry.is_dir()  # follows symbolic links
                except OSError:
                    is_dir = False  # e.g. a link to itself: fails, naming itself, when read
                out.append((entry.name, is_dir))
    out.sort()
    return out


def _walk(root: str, recursive: bool) -> Iterator[PolicySource]:
    """Files under ``root`` in sorted order (a folder's files before its sub-folders'),
    depth first; a folder that cannot be listed, or a link loop, gives a failed source."""
    # (folder, keys of the folders it is in, or the error to report at its place)
    stack: list[tuple[str, frozenset[tuple[int, int]], str | None]] = [(root, frozenset(), None)]
    while stack:
        folder, above, error = stack.pop()
        if error is not None:
            yield PolicySource(folder, error=error)
            continue
        try:
            above = above | {_dir_key(folder)}
            entries = _list_dir(folder)
        except OSError as exc:
            yield PolicySource(folder, error=f"cannot list folder: {exc.strerror or exc}")
            continue
        subfolders = []
        for name, is_dir in entries:
            path = os.path.join(folder, name)
            if not is_dir:
                yield PolicySource(path, path=path)
            elif recursive:
                try:
                    loop = _dir_key(path) in above
                except OSError:
                    loop = False  # listing it fails, naming it
                subfolders.append((path, above, _LOOP if loop else None))
        stack.extend(reversed(subfolders))  # popped in sorted order


def _glob(pattern: str) -> list[tuple[str, str | None]]:
    """``(path, error)`` of what ``pattern`` matches, as :func:`glob.glob` with
    ``recursive=True`` would list it (hidden names only where the pattern starts with "."),
    but following links to folders in ``**`` only when they do not loop (a loop is listed
    once, with an error)."""
    import fnmatch

    drive, rest = os.path.splitdrive(pattern)
    parts = rest.split(os.sep)
    if os.altsep:
        parts = [p for part in parts for p in part.split(os.altsep)]
    base = drive
    if parts and parts[0] == "":  # absolute
        base += os.sep
        parts = parts[1:]
    found: dict[str, str | None] = {}

    def visit(path: str, index: int, above: frozenset[tuple[int, int]]) -> None:
        if index == len(parts):
            if path and os.path.lexists(path):
                found.setdefault(path, None)
            return
        part = parts[index]
        folder = path or os.curdir
        if part == "**":
            visit(path, index + 1, above)  # no folder
            try:
                entries = _list_dir(folder)
            except OSError:
                return
            for name, is_dir in entries:
                sub = os.path.join(path, name) if path else name
                if index + 1 == len(parts):
                    found.setdefault(sub, None)
                if is_dir:
                    try:
                        key = _dir_key(sub)
                    except OSError:
                        continue
                    if key in above:
                        found[sub] = _LOOP
                    else:
                        visit(sub, index, above | {key})
            return
        if not _GLOB_MAGIC_RE.search(part):
            sub = os.path.join(path, part) if path else part
            if index + 1 == len(parts):
                visit(sub, index + 1, above)
            elif os.path.isdir(sub):
                visit(sub, index + 1, _with_key(above, sub))
            return
        try:
            if part.startswith("."):
                names = [(e.name, e.is_dir()) for e in os.scandir(folder)]
            else:
                names = _list_dir(folder)
        except OSError:
            return
        for name, is_dir in names:
            if fnmatch.fnmatch(name, part) and (is_dir or index + 1 == len(parts)):
                sub = os.path.join(path, name) if path else name
                visit(sub, index + 1, _with_key(above, sub) if is_dir else above)

    try:
        start = frozenset([_dir_key(base or os.curdir)])
    except OSError:
        return []
    visit(base, 0, start)
    return list(found.items())
