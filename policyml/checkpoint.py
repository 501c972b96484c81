"""The manifest of a long run, which lets ``classify_many(..., output=PATH)`` resume.

Beside the output ``PATH`` a run keeps two files:

``PATH.manifest.json``
    Small, replaced atomically (write, ``fsync``, rename) at every commit: what the run is
    (model fingerprint, options, policyml version, output format) and what is committed
    (policies done, rows, the output's committed bytes or part files, the journal's length).
``PATH.manifest.jsonl``
    The journal: one line per policy done, in input order, with its key (path or id), the hash
    of its content (and a file's size and modification time), its rows and its error if it
    failed. Only its first ``journal_bytes`` bytes count; a torn tail is dropped on resume.

A commit first makes the output's new rows durable (:meth:`policyml.writers.ChunkedWriter
.commit`), then the journal lines, then the manifest, so whatever the manifest counts is on
disk. Resuming checks that the model, options and version are the ones recorded, and that
the first policies of the input are the ones done, unchanged (a file whose size or
modification time differs is hashed again), then skips them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from policyml.exceptions import OutputError
from policyml.sources import PolicySource, SourceError, load_source, printable, source_key
from policyml.writers import fsync_folder

__all__ = ["MANIFEST_FORMAT", "MANIFEST_VERSION", "Checkpoint", "Done", "manifest_paths"]

MANIFEST_FORMAT = "policyml-run-manifest"
MANIFEST_VERSION = 1
_RESTART = "use restart=True (CLI: --restart) to start over"


def manifest_paths(output: str | os.PathLike[str]) -> tuple[str, str]:
    """``(manifest, journal)`` file names of the output ``output``."""
    path = os.fspath(output)
    return path + ".manifest.json", path + ".manifest.jsonl"


@dataclass
class Done:
    """Counts of what a run has committed (all its sessions together)."""

    sources: int = 0  # policies done, classified or failed, in input order
    policies: int = 0  # classified
    rows: int = 0
    failed: int = 0


class Checkpoint:
    """The manifest and journal of one output, opened for a run (and locked against another).

    Parameters
    ----------
    output : str
        The output file (or Parquet folder) name.
    identity : dict
        What must not change between the sessions of a run (JSON values): model fingerprint,
        options, policyml version, output format.
    restart : bool
        Forget an existing manifest and start over.

    Raises
    ------
    OutputError
        Another run holds the lock; or the manifest is unreadable, of another format, or of
        another run (its identity differs), unless ``restart``.
    """

    def __init__(self, output: str, identity: dict[str, Any], *, restart: bool) -> None:
        self.output = output
        self.identity = identity
        self.path, self.journal_path = manifest_paths(output)
        self.folder = os.path.dirname(os.path.abspath(output))
        # the journal, locked while this run has it open: a second run on the output refuses
        self._journal: int | None = os.open(
            self.journal_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666
        )
        try:
            self._open(restart)
        except BaseException:
            self.close()
            raise

    def _open(self, restart: bool) -> None:
        assert self._journal is not None
        _lock(self._journal, self.output)
        manifest = None if restart else _read_manifest(self.path)
        if manifest is None:
            self.resumed = False
            self.done = Done()
            self.output_state: dict[str, int] | None = None
            self.journal_bytes = 0
            self.complete = False
            self.started = _now()
            if os.path.lexists(self.path):
                os.remove(self.path)  # an old run's: void from now on
        else:
            differences = [
                f"{key} was {manifest['identity'].get(key)!r}, now {value!r}"
                for key, value in self.identity.items()
                if manifest["identity"].get(key) != value
            ]
            if differences:
                raise OutputError(
                    f"{self.output}: this output was started by another run"
                    f" ({'; '.join(differences)}); {_RESTART}"
                )
            committed = manifest["committed"]
            self.resumed = True
            self.done = Done(
                committed["sources"], committed["policies"], committed["rows"], committed["failed"]
            )
            self.output_state = committed["output"]
            self.journal_bytes = committed["journal_bytes"]
            self.complete = bool(manifest.get("complete"))
            self.started = manifest.get("started", _now())
        if os.fstat(self._journal).st_size < self.journal_bytes:
            raise OutputError(f"{self.journal_path} is shorter than its manifest says; {_RESTART}")
        os.ftruncate(self._journal, self.journal_bytes)  # a torn tail of an interrupted run
        os.lseek(self._journal, self.journal_bytes, os.SEEK_SET)
        self._pending: list[str] = []
        self._pending_done = Done()

    # ------------------------------------------------------------------ resuming

    def verify(self, sources: Iterator[PolicySource]) -> list[tuple[Any, str]]:
        """Consume the first :attr:`done` ``.sources`` of ``sources``, checking each against
        the journal; returns ``(policy, error)`` of those that failed in earlier sessions.

        Raises
        ------
        OutputError
            The inputs are not those of the earlier sessions (fewer, other names, in another
            order), or a policy classified earlier changed since.
        """
        failed: list[tuple[Any, str]] = []
        if not self.done.sources:
            return failed
        with open(self.journal_path, "rb") as journal:
            read = 0
            for position in range(self.done.sources):
                line = journal.readline()
                read += len(line)
                if not line.endswith(b"\n") or read > self.journal_bytes:
                    raise OutputError(f"{self.journal_path} is damaged; {_RESTART}")
                entry = json.loads(line)
                source = next(sources, None)
                if source is None:
                    raise OutputError(
                        f"{self.output}: the inputs changed: {self.done.sources:,} policies were"
                        f" done, but the input now has only {position:,}; {_RESTART}"
                    )
                key = source_key(source)
                if key != entry["key"]:
                    raise OutputError(
                        f"{self.output}: the inputs changed: policy {position + 1:,} was"
                        f" {printable(str(entry['key']))}, now {printable(str(key))}; {_RESTART}"
                    )
                if entry.get("error") is not None:
                    failed.append((source.policy, entry["error"]))
                elif not _unchanged(source, entry):
                    raise OutputError(
                        f"{printable(str(key))} changed since it was classified into"
                        f" {self.output}; {_RESTART}"
                    )
        return failed

    # ------------------------------------------------------------------ recording

    def record(self, entry: dict[str, Any]) -> None:
        """Add one policy done (``key``, ``digest``, ``size``, ``mtime_ns``, ``rows``,
        ``error``) to the next commit."""
        self._pending.append(json.dumps(entry, ensure_ascii=True) + "\n")
        pending = self._pending_done
        pending.sources += 1
        pending.rows += entry["rows"]
        if entry.get("error") is None:
            pending.policies += 1
        else:
            pending.failed += 1

    def commit(self, output_state: dict[str, int], *, complete: bool = False) -> None:
        """Record the policies added since the last commit, whose rows ``output_state`` (the
        writer's committed state, already durable) covers. If it fails (a full disk), the
        manifest on disk, and :attr:`done`, are those of the last commit."""
        data = "".join(self._pending).encode("ascii")
        view = memoryview(data)
        while view:
            view = view[os.write(self._journal, view) :]
        if data:
            os.fsync(self._journal)
        done = Done(
            *(
                getattr(self.done, name) + getattr(self._pending_done, name)
                for name in ("sources", "policies", "rows", "failed")
            )
        )
        self._write_manifest(done, output_state, self.journal_bytes + len(data), complete)
        self.done, self.output_state = done, output_state
        self.journal_bytes += len(data)
        self.complete = complete
        self._pending = []
        self._pending_done = Done()

    def discard(self) -> None:
        """Forget the policies added since the last commit (their rows were not written)."""
        self._pending = []
        self._pending_done = Done()

    def _write_manifest(
        self, done: Done, output_state: dict[str, int], journal_bytes: int, complete: bool
    ) -> None:
        manifest = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "output": os.path.basename(self.output),
            "identity": self.identity,
            "committed": {
                "sources": done.sources,
                "policies": done.policies,
                "rows": done.rows,
                "failed": done.failed,
                "output": output_state,
                "journal_bytes": journal_bytes,
            },
            "complete": complete,
            "started": self.started,
            "updated": _now(),
        }
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        fsync_folder(self.folder)

    def close(self) -> None:
        """Close the journal, which releases the lock."""
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _read_manifest(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise OutputError(
            f"{path}: cannot read this run's manifest ({error}); {_RESTART}"
        ) from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != MANIFEST_FORMAT
        or manifest.get("version") != MANIFEST_VERSION
    ):
        raise OutputError(
            f"{path} is not a policyml run manifest of version {MANIFEST_VERSION}; {_RESTART}"
        )
    return manifest


def _unchanged(source: PolicySource, entry: dict[str, Any]) -> bool:
    """Whether ``source`` still has the content recorded in ``entry`` (a file whose size and
    modification time are the same is taken as unchanged; otherwise it is hashed again; a web
    page is not fetched again: it is taken as unchanged)."""
    if source.url is not None:
        return True
    if source.path is not None and entry.get("size") is not None:
        try:
            info = os.stat(source.path)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) == (entry["size"], entry["mtime_ns"]):
            return True
    try:
        return load_source(source, digest=True).digest == entry.get("digest")
    except SourceError:
        return False


def _lock(fd: int, output: str) -> None:
    """Lock the open file ``fd`` for this process until it is closed (not on Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise OutputError(
            f"{output}: another policyml run is writing this output; wait for it to finish"
        ) from None
