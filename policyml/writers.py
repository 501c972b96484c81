"""Write classify results batch by batch to one CSV, JSON Lines or Parquet file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from policyml.exceptions import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OUTPUT_FORMATS",
    "ResultWriter",
    "arrow_schema",
    "check_output_path",
    "json_records",
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


class ResultWriter:
    """Append the DataFrames of :func:`iter_classify` to one CSV, JSON Lines or Parquet file.

    CSV joins ``labels`` with ``";"`` (as ``policyml classify --format csv`` does); JSON Lines
    writes one object per paragraph with ``labels`` as a list and missing values (a paragraph
    without heading) as ``null`` (:func:`to_json`); Parquet stores ``labels`` as a list of
    strings and ``policy`` as a string. Floats are written exactly. The file is
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
            self._write_parquet(frame)
        elif self.format == "csv":
            out = frame.assign(labels=frame["labels"].map(";".join))
            out.to_csv(self._handle, index=False, header=self._header, lineterminator="\n")
        elif len(frame):
            self._handle.write(to_json(frame, lines=True))
        self._header = False
        self.rows += len(frame)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._handle, arrow_schema(frame.columns))
        if len(frame):
            from policyml.frames import heading_column

            out = frame.assign(policy=frame["policy"].map(str), labels=frame["labels"].map(list))
            if "heading" in out.columns:
                out["heading"] = heading_column(out["heading"])
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
