"""Classify policies on a Dask cluster: a bag of paths or texts, or a DataFrame column.

Install with ``pip install "policyml[dask]"``. Both functions return a lazy
``dask.dataframe.DataFrame`` with the columns of :func:`policyml.classify_many` (``policy``
plus the :func:`policyml.classify` columns); each partition is classified in batches by the
same code as :func:`policyml.classify_many`, so the rows are identical to classifying every
policy in one process.

The model is loaded once on the client and shipped once to each worker: with a
``distributed`` client it is scattered to every worker (``client.scatter(model,
broadcast=True)``), otherwise it is one task of the graph. Workers need policyml installed
but not the model file.

To run on a real cluster, connect a client before computing (workers must be able to read
any paths in the input, e.g. on a shared file system)::

    from distributed import Client
    client = Client("tcp://scheduler:8786")
    result = policyml.dask.classify_bag(dask.bag.from_sequence(paths, npartitions=200))
    result.to_parquet("out/", schema=policyml.batch.arrow_schema(result.columns))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from policyml.batch import DEFAULT_BATCH_SIZE, BatchResult, check_options, classify_batch
from policyml.exceptions import InvalidInputError
from policyml.frames import PROBA_PREFIX, result_columns
from policyml.model import PolicyModel, resolve_model
from policyml.sources import PolicySource, iter_items

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe

__all__ = ["classify_bag", "classify_dataframe", "result_meta"]

def result_meta(
    categories: Sequence[str], *, errors: str = "raise", content: str = "policy"
) -> pd.DataFrame:
    """The empty DataFrame describing the result columns and dtypes (Dask's ``meta``).

    With ``errors="skip"`` the result has an extra ``error`` column; with ``content="all"``
    a ``boilerplate`` column.

    Examples
    --------
    >>> list(result_meta(["cookies"]).columns)
    ['policy', 'paragraph', 'heading', 'lead_in', 'text', 'start', 'end', 'labels', 'p_cookies']
    """
    text_dtype = pd.Series(["x"]).dtype  # what pandas infers for strings (object or str)
    dtypes: dict[str, Any] = {
        "policy": object,
        "paragraph": "int64",
        "heading": object,
        "lead_in": object,
        "text": text_dtype,
        "start": "int64",
        "end": "int64",
        "boilerplate": bool,
        "labels": object,
        **{PROBA_PREFIX + c: "float64" for c in categories},
    }
    columns = ["policy", *result_columns(categories, boilerplate=content == "all")]
    if errors == "skip":
        columns.append("error")
        dtypes["error"] = object
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in columns})


def classify_bag(
    bag: dask.bag.Bag,
    *,
    model: PolicyModel | str | Path | None = None,
    fmt: str = "auto",
    content: str = "policy",
    kind: str = "auto",
    errors: str = "raise",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dask.dataframe.DataFrame:
    """Classify a ``dask.bag`` of policy paths or texts, partition by partition.

    Parameters
    ----------
    bag : dask.bag.Bag
        Items as for :func:`policyml.classify_many`: paths (files, folders, glob patterns;
        readable by the workers), texts (``str`` or ``bytes``), or ``(id, text)`` pairs.
    model : PolicyModel or path, optional
        Default: the bundled model. Loaded once here and shipped once to each worker.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format of every policy.
    content : {"policy", "all"}, default "policy"
        Of web pages, only the policy's own text, or every paragraph with a ``boilerplate``
        column, as in :func:`policyml.classify`.
    kind : {"auto", "text", "path"}, default "auto"
        Whether ``str`` items are paths or texts (see
        :func:`policyml.batch.iter_policy_sources`).
    errors : {"raise", "skip"}, default "raise"
        A policy that cannot be read raises :class:`~policyml.InvalidInputError` when the
        result is computed; with ``"skip"`` it gives one row with ``paragraph`` -1, empty
        text, no labels, NaN probabilities and the reason in an extra ``error`` column (None
        on every other row).
    batch_size : int, default 64
        Policies per ``predict_proba`` call inside a partition.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; its ``policy`` column holds the path of a file, the id of an ``(id, text)``
        pair, or ``"<partition>:<position>"`` for a text without an id.

    Examples
    --------
    >>> import dask.bag
    >>> import policyml.dask
    >>> bag = dask.bag.from_sequence(
    ...     [("a", "We share your address with couriers."), ("b", "We use cookies.")],
    ...     npartitions=2)
    >>> result = policyml.dask.classify_bag(bag).compute(scheduler="sync")
    >>> result["policy"].tolist()
    ['a', 'b']
    """
    _check(fmt, kind, errors, batch_size, content)
    import dask.bag as db

    if not isinstance(bag, db.Bag):
        raise InvalidInputError(f"bag must be a dask.bag.Bag, got {type(bag).__name__}")
    resolved = resolve_model(model)
    meta = result_meta(resolved.categories, errors=errors, content=content)
    numbers = db.from_sequence(range(bag.npartitions), npartitions=bag.npartitions)
    records = db.map_partitions(
        _bag_partition,
        bag,
        numbers,
        _ship(resolved),
        (fmt, content),
        kind,
        errors,
        batch_size,
        meta,
    )
    return records.to_dataframe(meta=meta)


def classify_dataframe(
    ddf: dask.dataframe.DataFrame | dask.dataframe.Series,
    column: str = "text",
    *,
    id_column: str | None = None,
    model: PolicyModel | str | Path | None = None,
    fmt: str = "auto",
    content: str = "policy",
    kind: str = "text",
    errors: str = "raise",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dask.dataframe.DataFrame:
    """Classify the policies in a column of a ``dask.dataframe`` with ``map_partitions``.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or Series
        One policy per row.
    column : str, default "text"
        The column holding the policies (ignored for a Series).
    id_column : str, optional
        Column whose values fill the result's ``policy`` column; default: the index.
    model : PolicyModel or path, optional
        Default: the bundled model. Loaded once here and shipped once to each worker.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format of every policy.
    content : {"policy", "all"}, default "policy"
        Of web pages, only the policy's own text, or every paragraph with a ``boilerplate``
        column, as in :func:`policyml.classify`.
    kind : {"text", "path"}, default "text"
        Whether the cells are policy texts (``str`` or ``bytes``) or paths of files that the
        workers read.
    errors : {"raise", "skip"}, default "raise"
        As in :func:`classify_bag`; a missing cell (None/NaN) is such an error.
    batch_size : int, default 64
        Policies per ``predict_proba`` call inside a partition.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy, one row per paragraph; the index restarts at 0 in each partition.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> import policyml.dask
    >>> frame = pd.DataFrame({"text": ["We use cookies.", "We encrypt your data."]},
    ...                      index=["x", "y"])
    >>> ddf = dd.from_pandas(frame, npartitions=2)
    >>> result = policyml.dask.classify_dataframe(ddf).compute(scheduler="sync")
    >>> result["policy"].tolist()
    ['x', 'y']
    """
    if kind not in ("text", "path"):
        raise InvalidInputError(f"kind must be 'text' or 'path'; got {kind!r}")
    _check(fmt, kind, errors, batch_size, content)
    import dask.dataframe as dd

    if isinstance(ddf, dd.Series):
        ddf, column = ddf.to_frame(name="text"), "text"
    if not isinstance(ddf, dd.DataFrame):
        raise InvalidInputError(
            f"ddf must be a dask DataFrame or Series, got {type(ddf).__name__}"
        )
    for name in (column, id_column):
        if name is not None and name not in ddf.columns:
            raise InvalidInputError(
                f"no column {name!r} in the DataFrame (columns: {list(map(str, ddf.columns))})"
            )
    resolved = resolve_model(model)
    meta = result_meta(resolved.categories, errors=errors, content=content)
    return ddf.map_partitions(
        _frame_partition,
        column,
        id_column,
        _ship(resolved),
        (fmt, content),
        kind,
        errors,
        batch_size,
        meta,
        meta=meta,
        enforce_metadata=False,
    )


def _check(fmt: str, kind: str, errors: str, batch_size: int, content: str) -> None:
    try:
        import dask.bag
        import dask.dataframe  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"policyml.dask needs Dask ({error}): pip install 'policyml[dask]'"
        ) from error
    check_options(fmt, kind, errors, batch_size, content)


def _ship(model: PolicyModel) -> Any:
    """``model`` as an argument of tasks that reaches each worker once."""
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):
        client = None
    if client is not None:
        return client.scatter(model, broadcast=True, hash=False)
    import dask

    return dask.delayed(model, traverse=False)


def _bag_partition(
    items: Any,
    numbers: Any,
    model: PolicyModel,
    split: tuple[str, str],
    kind: str,
    errors: str,
    batch_size: int,
    meta: pd.DataFrame,
) -> list[dict[str, Any]]:
    (number,) = list(numbers)
    sources = list(
        iter_items(
            list(items),
            kind,
            True,
            pairs_only=False,
            text_id=lambda i: f"{number}:{i}",
        )
    )
    frame = _classify_partition(sources, model, split, errors, batch_size, meta)
    return frame.to_dict(orient="records")


def _frame_partition(
    part: pd.DataFrame,
    column: str,
    id_column: str | None,
    model: PolicyModel,
    split: tuple[str, str],
    kind: str,
    errors: str,
    batch_size: int,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    ids = (part[id_column] if id_column is not None else part.index).tolist()
    sources = [_cell_source(i, v, kind) for i, v in zip(ids, part[column].tolist(), strict=True)]
    return _classify_partition(sources, model, split, errors, batch_size, meta)


def _cell_source(policy: Any, value: Any, kind: str) -> PolicySource:
    if isinstance(value, str | bytes):
        if kind == "path":
            return PolicySource(policy, path=value if isinstance(value, str) else value.decode())
        return PolicySource(policy, text=value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return PolicySource(policy, error="missing text")
    return PolicySource(policy, error=f"cell is {type(value).__name__}, not text")


def _classify_partition(
    sources: list[PolicySource],
    model: PolicyModel,
    split: tuple[str, str],
    errors: str,
    batch_size: int,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    """Classify one partition's sources in batches (``split``: fmt and content); failed
    policies become error rows."""
    fmt, content = split
    frames = []
    for start in range(0, len(sources), batch_size):
        batch = sources[start : start + batch_size]
        result = classify_batch(batch, model, fmt, errors, content=content)
        frame = result.frame
        if errors == "skip":
            frame = frame.assign(error=pd.Series([None] * len(frame), dtype=object))
            if result.failed:
                frame = _with_error_rows(frame, result, meta)
        if len(frame):
            frames.append(frame)
    if not frames:
        return meta.copy()
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out = out.reset_index(drop=True)
    out.attrs = {}
    return out


def _with_error_rows(frame: pd.DataFrame, result: BatchResult, meta: pd.DataFrame) -> pd.DataFrame:
    """Insert one row per failed policy of ``result`` where the policy stood in the input."""
    n = len(result.failed)
    rows = pd.DataFrame(
        {
            "policy": pd.Series([f.policy for f in result.failed], dtype=object),
            "paragraph": [-1] * n,
            "heading": pd.Series([None] * n, dtype=object),
            "lead_in": pd.Series([None] * n, dtype=object),
            "text": pd.Series([""] * n, dtype=meta["text"].dtype),
            "start": [-1] * n,
            "end": [-1] * n,
            "boilerplate": [False] * n,
            "labels": pd.Series([()] * n, dtype=object),
            **{c: [float("nan")] * n for c in meta.columns if c.startswith(PROBA_PREFIX)},
            "error": pd.Series([f.error for f in result.failed], dtype=object),
        }
    )[list(meta.columns)]
    order = [*result.row_sources, *result.failed_sources]
    both = pd.concat([frame, rows], ignore_index=True) if len(frame) else rows
    position = pd.Series(order, dtype="int64")
    return both.iloc[position.argsort(kind="stable").to_numpy()].reset_index(drop=True)
