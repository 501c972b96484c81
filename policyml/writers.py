"""Write classify results batch by batch to one CSV, JSON Lines or Parquet output.

:class:`ResultWriter` streams rows to a file or to standard output. :class:`ChunkedWriter`
writes an output that survives crashes: rows go to ``OUT.partial`` and count only once a
:meth:`~ChunkedWriter.commit` has made them durable (``fsync``), so after any interruption the
committed part is whole rows and a new run can continue from it; the finished output is renamed
to ``OUT`` in one step. Both encode rows the same way (:func:`encode_csv`, :func:`encode_jsonl`,
:func:`arrow_table`), one row at a time, so an output written in several runs is byte for byte
the output of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from policyml.exceptions import InvalidInputError, OutputError
from policyml.sources import printable

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OUTPUT_FORMATS",
    "ChunkedWriter",
    "ResultWriter",
    "arrow_schema",
    "arrow_table",
    "check_output_path",
    "encode_csv",
    "encode_jsonl",
    "encode_rows",
    "json_records",
    "output_format",
    "publish",
    "to_json",
]


#: File name suffix -> output format of :class:`ResultWriter`.
OUTPUT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def check_output_path(path: str | os.PathLike, *, make_folders: bool = False) -> str:
    """Check, before any work, that a file can be written at ``path``; return it as a str.

    ``path`` must not be a folder and its folder must exist and be writable (with
    ``make_folders``, the nearest existing folder above it, as the missing ones will be made).

    Raises
    ------
    InvalidInputError
        Naming the path and what is wrong with it.

    Examples
    --------
    >>> check_output_path("/nonexistent/dir/report.html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyml.exceptions.InvalidInputError: /nonexistent/dir/report.html: cannot write there: ...
    """
    name = os.fspath(path)
    if os.path.isdir(name):
        raise InvalidInputError(f"{name}: is a folder; give a file name to write")
    folder = os.path.dirname(os.path.abspath(name))
    if make_folders:
        while not os.path.exists(folder) and os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
    shown = os.path.dirname(name) or "."
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise InvalidInputError(f"{name}: cannot write there: folder {shown} {what}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInputError(f"{name}: cannot write there: no permission to write in {shown}")
    return name


def output_format(path: str | os.PathLike[str]) -> str:
    """The output format of a file name (see :data:`OUTPUT_FORMATS`).

    Raises
    ------
    InvalidInputError
        For any other suffix.

    Examples
    --------
    >>> output_format("results/out.jsonl")
    'jsonl'
    """
    name = os.fspath(path)
    found = OUTPUT_FORMATS.get(os.path.splitext(name)[1].lower())
    if found is None:
        raise InvalidInputError(
            f"{name}: cannot tell the output format from the file name; use one ending in"
            f" {', '.join(OUTPUT_FORMATS)}"
        )
    return found


def arrow_schema(columns: Iterable[str]) -> Any:
    """The Arrow schema of result columns, for writing results as Parquet.

    ``paragraph``, ``start`` and ``end`` are int64, ``labels`` a list of strings,
    ``boilerplate`` (of ``content="all"``) bool, ``p_*`` float64, every other column
    (``policy``, ``heading``, ``lead_in``, ``text``, ``error``) a string. Pass it to
    ``dask.dataframe.DataFrame.to_parquet(..., schema=...)`` for a :mod:`policyml.dask` result
    (whose ``policy`` values must then be strings).

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
        elif column == "boilerplate":
            kind = pa.bool_()
        elif column.startswith("p_"):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a result (or any frame) as JSON-ready dicts: ``labels`` as a list, every
    missing value (None, NaN, ``pd.NA``, a missing ``heading``) as ``None`` (JSON ``null``),
    numpy scalars as Python numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"heading": [None, float("nan")], "labels": [(), ("cookies",)]})
    >>> json_records(frame)
    [{'heading': None, 'labels': []}, {'heading': None, 'labels': ['cookies']}]
    """
    from policyml.frames import heading_column

    out = frame.copy()
    out.attrs = {}
    if "labels" in out.columns:
        out["labels"] = out["labels"].map(lambda v: list(v) if isinstance(v, tuple | list) else [])
    if "heading" in out.columns:
        out["heading"] = heading_column(out["heading"])
    for column in out.columns:  # NaN is not JSON: every missing value becomes None
        missing = out[column].isna()
        if missing.any():
            out[column] = out[column].astype(object).where(~missing, None)
    return out.to_dict(orient="records")


def to_json(frame: pd.DataFrame, *, lines: bool = False, indent: int | None = 1) -> str:
    """A frame as strict JSON (an array of objects) or JSON Lines (``lines=True``): missing
    values are ``null``, never ``NaN``, so every JSON parser reads it.

    Examples
    --------
    >>> import pandas as pd
    >>> print(to_json(pd.DataFrame({"heading": [float("nan")], "p": [0.5]}), indent=None))
    [{"heading": null, "p": 0.5}]
    """
    import json

    records = json_records(frame)

    def dump(value: Any, indent: int | None) -> str:
        return json.dumps(
            value, ensure_ascii=False, allow_nan=False, indent=indent, default=_json_scalar
        )

    if lines:
        return "".join(dump(record, None) + "\n" for record in records)
    return dump(records, indent) + "\n"


def _policy_values(values: Sequence[Any]) -> list[Any]:
    """The ``policy`` column as written: names that are not valid UTF-8 escaped."""
    return [printable(v) if isinstance(v, str) else v for v in values]


def _columns(frame: pd.DataFrame) -> list[list[Any]]:
    """The columns of ``frame`` as lists of Python values, as the encoders write them: every
    missing value (None, NaN, ``pd.NA``; a ``heading`` that is no str) as None."""
    out = []
    for name in frame.columns:
        values = frame[name].tolist()
        if name == "policy":
            values = _policy_values(values)
        if name == "heading":
            values = [v if isinstance(v, str) else None for v in values]
        elif name == "labels":  # missing labels: none
            values = [v if isinstance(v, tuple | list) else () for v in values]
        elif frame[name].isna().any():
            values = [None if _missing(v) else v for v in values]
        out.append(values)
    return out


def _missing(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or (
            type(value).__name__ == "NAType"  # pd.NA
        )
    )


def encode_csv(frame: pd.DataFrame, *, header: bool) -> str:
    """CSV text of ``frame``'s rows (``labels`` joined with ``";"``, floats exact, None
    empty; quoted as :mod:`csv` quotes, only where needed), with the header line first if
    ``header``.

    Examples
    --------
    >>> import pandas as pd
    >>> print(encode_csv(pd.DataFrame({"policy": ["a"], "labels": [("cookies",)],
    ...                                "p_cookies": [0.25]}), header=True), end="")
    policy,labels,p_cookies
    a,cookies,0.25
    """
    columns = []
    for name, values in zip(frame.columns, _columns(frame), strict=True):
        if name == "labels":
            values = [_csv_field(";".join(v)) for v in values]
        elif frame[name].dtype.kind == "f" and all(type(v) is float for v in values):
            values = list(map(float.__repr__, values))  # the shortest text that reads back
        elif frame[name].dtype.kind == "f":  # with missing values: empty, as pandas writes
            values = ["" if v is None else repr(float(v)) for v in values]
        elif frame[name].dtype.kind in "iu" and all(type(v) is int for v in values):
            values = list(map(int.__repr__, values))
        else:
            values = list(map(_csv_field, values))
        columns.append(values)
    # a column at a time, then one format per row: most of the work runs in C
    template = ",".join(["%s"] * len(columns)) + "\n"
    rows = "".join(map(template.__mod__, zip(*columns, strict=True))) if len(frame) else ""
    return (_csv_header(frame.columns) if header else "") + rows


def _csv_field(value: Any) -> str:
    """``value`` as :func:`csv.writer` writes it (``QUOTE_MINIMAL``, ``""`` for None)."""
    if value is None:
        return ""
    if type(value) is not str:
        value = str(value)
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


_JSON = json.JSONEncoder(ensure_ascii=False, default=lambda v: _json_scalar(v))
_JSON_STRING = json.encoder.encode_basestring  # what _JSON writes for a str (C code)


def _json_values(values: list[Any], kind: str) -> list[str]:
    """The JSON text of each value of a column (as ``_JSON.encode`` writes it), a whole
    column at a time: most of the work runs in C."""
    if kind == "f" and all(type(v) is float for v in values):
        return (
            [_JSON.encode(v) for v in values]
            if _has_special(values)
            else list(map(float.__repr__, values))
        )
    if kind in "iu" and all(type(v) is int for v in values):
        return list(map(int.__repr__, values))
    if all(type(v) is str for v in values):
        return list(map(_JSON_STRING, values))
    return [_JSON.encode(v) for v in values]


def _has_special(values: list[float]) -> bool:
    import math

    return not all(map(math.isfinite, values))


def encode_jsonl(frame: pd.DataFrame) -> str:
    """JSON Lines text of ``frame``: one object per row, ``labels`` as a list.

    Examples
    --------
    >>> import pandas as pd
    >>> encode_jsonl(pd.DataFrame({"policy": [7], "labels": [("children",)]}))
    '{"policy": 7, "labels": ["children"]}\\n'
    """
    if not len(frame):
        return ""
    names = list(frame.columns)
    columns = []
    for name, values in zip(names, _columns(frame), strict=True):
        if name == "labels":
            columns.append(
                ["[" + ", ".join(map(_JSON_STRING, v)) + "]" for v in values]
                if all(
                    isinstance(v, tuple | list) and all(type(x) is str for x in v) for v in values
                )
                else [_JSON.encode(list(v)) for v in values]
            )
        else:
            columns.append(_json_values(values, frame[name].dtype.kind))
    # one line: {"name": value, ...} with json's default separators
    keys = [_JSON_STRING(n).replace("%", "%%") for n in names]
    template = "{" + ", ".join(f"{key}: %s" for key in keys) + "}\n"
    return "".join(map(template.__mod__, zip(*columns, strict=True)))


def encode_rows(frame: pd.DataFrame, format: str) -> Any:
    """The rows of ``frame`` as :meth:`ChunkedWriter.write_encoded` takes them: CSV text
    (no header), JSON Lines text, or an Arrow table for Parquet."""
    if format == "parquet":
        return arrow_table(frame)
    if format == "csv":
        return encode_csv(frame, header=False)
    return encode_jsonl(frame)


def _csv_header(columns: Sequence[str]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)
    return buffer.getvalue()


def arrow_table(frame: pd.DataFrame, schema: Any = None) -> Any:
    """``frame`` as an Arrow table of :func:`arrow_schema` (``policy`` as a string)."""
    import pyarrow as pa

    schema = schema if schema is not None else arrow_schema(frame.columns)
    arrays = []
    for field, values in zip(schema, _columns(frame), strict=True):
        if field.name == "policy":
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _check_parquet() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InvalidInputError("writing Parquet needs pyarrow: pip install pyarrow") from None


class ResultWriter:
    """Append the DataFrames of :func:`iter_classify` to one CSV, JSON Lines or Parquet file.

    CSV joins ``labels`` with ``";"`` (as ``policyml classify --format csv`` does); JSON Lines
    writes one object per paragraph with ``labels`` as a list and missing values (a paragraph
    without heading) as ``null`` (as :func:`to_json`); Parquet stores ``labels`` as a list of
    strings and ``policy`` as a string. Floats are written exactly. The file is opened (and
    so checked) when the writer is created. For an output that survives crashes and can be
    resumed, see :class:`ChunkedWriter`.

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
            format = output_format(destination)
        if format not in set(OUTPUT_FORMATS.values()):
            raise InvalidInputError(f"format must be csv, jsonl or parquet; got {format!r}")
        if format == "parquet":
            _check_parquet()
        self.format = format
        self.rows = 0
        self._parquet: Any = None
        self._header = True
        if isinstance(destination, str | os.PathLike):
            binary = format == "parquet"
            self._handle: Any = open(  # noqa: SIM115 - closed by close()
                destination,
                "wb" if binary else "w",
                encoding=None if binary else "utf-8",
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
            import pyarrow.parquet as pq

            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._handle, arrow_schema(frame.columns))
            if len(frame):
                self._parquet.write_table(arrow_table(frame, self._parquet.schema))
        elif self.format == "csv":
            self._handle.write(encode_csv(frame, header=self._header))
        elif len(frame):
            self._handle.write(encode_jsonl(frame))
        self._header = False
        self.rows += len(frame)

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


# --------------------------------------------------------------------------------------------
# Crash-consistent output
# --------------------------------------------------------------------------------------------

_PART = "part-{:06d}.parquet"
_RESTART = "use restart=True (CLI: --restart) to start over"
_PART_RE = re.compile(r"part-(\d{6,})\.parquet")


def fsync_folder(path: str) -> None:
    """Make the names in folder ``path`` (a rename, a new file) durable, where the system
    allows it (not on Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders; nothing more can be done
    finally:
        os.close(fd)


class ChunkedWriter:
    """Write a result output in chunks that are durable before they count.

    Rows are written to ``PATH.partial`` (a file, or for Parquet a folder of part files).
    :meth:`commit` makes everything written so far durable and returns the committed state,
    which :mod:`policyml.checkpoint` records in the run's manifest; created with that state, a
    writer drops whatever was written after it (a torn row, an unfinished part file) and
    continues. :meth:`finish` commits the rest and :func:`publish` renames ``PATH.partial`` to
    ``PATH``. A finished Parquet output is a folder ``PATH/`` of part files
    ``part-000000.parquet, ...`` in row order (read it with ``pandas.read_parquet(PATH)``).

    Parameters
    ----------
    path : str or path
        The output: ``.csv``, ``.jsonl`` (``.ndjson``) or ``.parquet``.
    columns : sequence of str
        The result columns (for the CSV header and Parquet schema, also when no row comes).
    committed : dict, optional
        A state returned by :meth:`commit` in an earlier run, to continue from; default: start
        a new output (an existing ``PATH.partial`` is replaced).

    Raises
    ------
    InvalidInputError
        Unknown suffix, or Parquet without pyarrow.
    OSError
        ``PATH.partial`` cannot be created.
    OutputError
        ``PATH.partial`` is shorter than ``committed`` says, or lacks a part file it lists.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        columns: Sequence[str],
        committed: dict[str, int] | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.format = output_format(self.path)
        if self.format == "parquet":
            _check_parquet()
        self.partial = self.path + ".partial"
        self.columns = list(columns)
        self.folder = os.path.dirname(os.path.abspath(self.path))
        self._fd: int | None = None
        self._parquet: Any = None
        self._schema: Any = None
        if self.format == "parquet":
            self._open_parts(committed)
        else:
            self._open_file(committed)

    # ------------------------------------------------------------------ CSV and JSON Lines

    def _open_file(self, committed: dict[str, int] | None) -> None:
        size = committed["bytes"] if committed else 0
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        if committed is None:
            flags |= os.O_TRUNC
        self._fd = os.open(self.partial, flags, 0o666)
        if os.fstat(self._fd).st_size < size:
            os.close(self._fd)
            self._fd = None
            raise OutputError(
                f"{self.partial} is shorter than its manifest says ({size:,} bytes were"
                f" committed); {_RESTART}"
            )
        os.ftruncate(self._fd, size)  # drop what was written after the last commit
        os.lseek(self._fd, size, os.SEEK_SET)
        self._size = self._committed_size = size
        if committed is None:
            fsync_folder(self.folder)

    def _append(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
        assert self._fd is not None
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
            self._size += written

    # ------------------------------------------------------------------ Parquet

    def _open_parts(self, committed: dict[str, int] | None) -> None:
        self._schema = arrow_schema(self.columns)
        parts = committed["parts"] if committed else 0
        if committed is None and os.path.lexists(self.partial):
            _remove(self.partial)
        if committed is not None and not os.path.isdir(self.partial):
            raise OutputError(
                f"{self.partial} is missing; its manifest says {parts} parts were committed;"
                f" {_RESTART}"
            )
        os.makedirs(self.partial, exist_ok=True)
        for name in os.listdir(self.partial):  # parts after the last commit, temporary files
            match = _PART_RE.fullmatch(name)
            if match is None or int(match.group(1)) >= parts:
                _remove(os.path.join(self.partial, name))
            elif not os.path.isfile(os.path.join(self.partial, name)):
                raise OutputError(f"{os.path.join(self.partial, name)} is not a file; {_RESTART}")
        missing = [i for i in range(parts) if not os.path.isfile(self._part(i))]
        if missing:
            raise OutputError(f"{self._part(missing[0])} is missing; {_RESTART}")
        self._parts = parts
        fsync_folder(self.folder)

    def _part(self, index: int) -> str:
        return os.path.join(self.partial, _PART.format(index))

    def _temporary_part(self) -> str:
        # a dot-name: readers of the folder (pyarrow, pandas) skip it
        return os.path.join(self.partial, "." + _PART.format(self._parts) + ".tmp")

    # ------------------------------------------------------------------ both

    @property
    def committed(self) -> dict[str, int]:
        """The state of the last commit (what a new writer continues from)."""
        if self.format == "parquet":
            return {"parts": self._parts}
        return {"bytes": self._committed_size}

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (they count from the next :meth:`commit` on)."""
        if len(frame):
            self.write_encoded(encode_rows(frame[self.columns], self.format))

    def write_encoded(self, rows: Any) -> None:
        """Append rows encoded by :func:`encode_rows` (e.g. in a worker process)."""
        if self.format == "parquet":
            if rows is None or not rows.num_rows:
                return
            if self._parquet is None:
                import pyarrow.parquet as pq

                self._parquet = pq.ParquetWriter(self._temporary_part(), self._schema)
            self._parquet.write_table(rows.cast(self._schema))
        elif rows:
            if self._size == 0 and self.format == "csv":
                rows = _csv_header(self.columns) + rows
            self._append(rows)

    def commit(self) -> dict[str, int]:
        """Make every row written so far durable; returns the new :attr:`committed` state."""
        if self.format == "parquet":
            if self._parquet is not None:
                self._parquet.close()
                self._parquet = None
                temporary = self._temporary_part()
                _fsync_file(temporary)
                os.replace(temporary, self._part(self._parts))
                fsync_folder(self.partial)
                self._parts += 1
        else:
            if self._fd is not None and self._size != self._committed_size:
                os.fsync(self._fd)
                self._committed_size = self._size
        return self.committed

    def discard(self) -> None:
        """Drop what was written since the last commit (after a failed write)."""
        if self.format == "parquet":
            if self._parquet is not None:
                with contextlib.suppress(Exception):  # the half-written file is removed anyway
                    self._parquet.close()
                self._parquet = None
            if os.path.lexists(self._temporary_part()):
                os.remove(self._temporary_part())
        elif self._fd is not None and self._size != self._committed_size:
            os.ftruncate(self._fd, self._committed_size)
            os.lseek(self._fd, self._committed_size, os.SEEK_SET)
            self._size = self._committed_size

    def finish(self) -> dict[str, int]:
        """Commit the rest (for an output without rows: the CSV header, or one Parquet part
        with no row, so that it still reads) and close; returns the committed state. Then
        :func:`publish` renames the output into place."""
        if self.format == "parquet":
            if self._parts == 0 and self._parquet is None:
                import pyarrow.parquet as pq

                self._parquet = pq.ParquetWriter(self._temporary_part(), self._schema)
        elif self._size == 0 and self.format == "csv":
            self._append(_csv_header(self.columns))
        state = self.commit()
        self.close()
        return state

    def close(self) -> None:
        """Close the file (what was not committed is dropped when the output is resumed)."""
        if self._parquet is not None:
            self.discard()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def publish(path: str | os.PathLike[str]) -> None:
    """Rename the finished ``PATH.partial`` of a :class:`ChunkedWriter` to ``PATH``,
    replacing an older output; nothing to do when it is renamed already."""
    path = os.fspath(path)
    partial = path + ".partial"
    if not os.path.lexists(partial):
        return
    if os.path.isdir(partial) and os.path.lexists(path):
        _remove(path)  # a folder cannot replace another in one rename
    os.replace(partial, path)
    fsync_folder(os.path.dirname(os.path.abspath(path)))


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)
