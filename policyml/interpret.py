"""Explain predictions: which terms pushed each category up or down, and the evidence sentence.

Works for any linear pipeline policyml trains: the pipeline's transformers turn a paragraph into
a feature row ``x``; the last step holds one linear model per category (``coef_``), and the
contribution of feature ``i`` to category ``c`` is ``coef[c, i] * x[i]``. The contributions of a
paragraph plus the intercept add up to the category's decision score (the log-odds for logistic
regression), so they are an exact account of the score, not an approximation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from policyml.exceptions import DataValidationError, InvalidInputError
from policyml.frames import (
    PROBA_PREFIX,
    as_frame,
    check_result,
    context_columns,
    model_input,
    result_categories,
)
from policyml.linear import LinearView, linear_view, split_feature_name, transform_until
from policyml.model import PolicyModel, resolve_model
from policyml.predict import classify
from policyml.preprocess import split_sentences
from policyml.sources import PolicySource
from policyml.tokens import is_function_term

__all__ = ["errors", "evidence_sentences", "explain", "summarize", "top_features"]

#: Columns of :func:`explain`'s result.
EXPLAIN_COLUMNS = [
    "category",
    "probability",
    "predicted",
    "rank",
    "feature",
    "block",
    "term",
    "phrase",
    "value",
    "coefficient",
    "contribution",
    "evidence",
]

#: Columns of :func:`summarize`'s result (indexed by category).
SUMMARY_COLUMNS = ["present", "paragraphs", "paragraph", "heading", "probability", "evidence"]

_WORD = re.compile(r"(?u)\b\w\w+\b")

#: How explanations show terms made only of function words: one summed line, or each.
FUNCTION_WORD_MODES = ("group", "show")
#: The feature, block and term of that summed line.
FUNCTION_WORDS_TERM = "function words"


# --------------------------------------------------------------------------- surface forms


def _word_vectorizer(transformer: Any) -> Any:
    """``transformer`` or a fitted word vectorizer it wraps (e.g. ``NeighbourTfidf``), or None."""
    candidates = [transformer, *getattr(transformer, "__dict__", {}).values()]
    for candidate in candidates:
        if getattr(candidate, "analyzer", None) == "word" and hasattr(candidate, "build_tokenizer"):
            return candidate
    return None


def _word_blocks(pipeline: Any) -> tuple[int, dict[str, tuple[Any, str]]]:
    """The ColumnTransformer step and its word blocks: ``{block: (vectorizer, text column)}``."""
    for index, (_, step) in enumerate(pipeline.steps[:-1]):
        fitted = getattr(step, "transformers_", None)
        if fitted is None:
            continue
        blocks = {}
        for block, transformer, columns in fitted:
            vectorizer = _word_vectorizer(transformer)
            column = columns if isinstance(columns, str) else None
            if isinstance(columns, list | tuple) and columns and isinstance(columns[0], str):
                column = columns[0]  # e.g. ["text", "policy"]: the text comes first
            if vectorizer is not None and column is not None:
                blocks[block] = (vectorizer, column)
        return index, blocks
    return -1, {}


class _Phrases:
    """Map model terms (stems, n-grams) back to words as written in the source text.

    A term's words are looked up among the words of its own row first, then among the words of
    the whole input (a neighbour-paragraph feature's words are in the neighbours).
    """

    def __init__(self, pipeline: Any, frame: pd.DataFrame) -> None:
        self.index, self.blocks = _word_blocks(pipeline)
        self.columns: pd.DataFrame | None = None
        if self.blocks:
            try:
                self.columns = transform_until(pipeline, frame, self.index)
            except Exception:
                self.columns = None
        self._cache: dict[tuple[str, int], dict[str, str]] = {}

    def _forms(self, block: str, row: int) -> dict[str, str]:
        """``{token: word}`` of one row of a block's column (row -1: all rows)."""
        key = (block, row)
        if key not in self._cache:
            forms: dict[str, str] = {}
            vectorizer, column = self.blocks[block]
            try:
                values = self.columns[column]  # type: ignore[index]
                sources = values.tolist() if row < 0 else [values.iloc[row]]
                preprocess = vectorizer.build_preprocessor()
                tokenize = vectorizer.build_tokenizer()
                for source in sources:
                    for word in _WORD.findall(source if isinstance(source, str) else ""):
                        for token in tokenize(preprocess(word)):
                            forms.setdefault(token, word)
            except Exception:
                forms = {}
            self._cache[key] = forms
        return self._cache[key]

    def __call__(self, block: str, term: str, row: int) -> str:
        if self.columns is None or block not in self.blocks:
            return term
        prefix, colon, words = term.rpartition(":")  # "neighbours:cooki" (words have no ":")
        own, everywhere = self._forms(block, row), self._forms(block, -1)
        parts = [own.get(part) or everywhere.get(part) or part for part in words.split(" ")]
        return prefix + colon + " ".join(parts)


# --------------------------------------------------------------------------- explain


def _input_frame(paragraph: Any, heading: str | None, row: Any) -> tuple[pd.DataFrame, int]:
    """The model input holding the paragraph, and the paragraph's position in it."""
    if isinstance(paragraph, pd.DataFrame):
        if row is None:
            raise InvalidInputError(
                "explain takes one paragraph; to explain a paragraph of a classify() result,"
                " pass the result and row=<its index label>, e.g. explain(result, row=3)"
            )
        if "text" not in paragraph.columns:
            raise InvalidInputError("the DataFrame given to explain has no 'text' column")
        try:
            position = paragraph.index.get_loc(row)
        except KeyError:
            raise InvalidInputError(f"row {row!r} is not in the result's index") from None
        if not isinstance(position, int | np.integer):
            raise InvalidInputError(f"row {row!r} does not name exactly one paragraph")
        frame = model_input(paragraph)
        if not isinstance(frame.loc[int(position), "text"], str):
            raise InvalidInputError(f"the text of row {row!r} is not a str")
        return frame, int(position)
    if row is not None:
        raise InvalidInputError("row= is only for a DataFrame (a classify() result)")
    if isinstance(paragraph, pd.Series | Mapping):
        if "text" not in paragraph:
            raise InvalidInputError("a paragraph given as a row/mapping needs a 'text' entry")
        text = paragraph["text"]
        if heading is None:
            value = paragraph.get("heading")
            heading = value if isinstance(value, str) else None
    else:
        text = paragraph
    if isinstance(text, bytes | bytearray):
        text = PolicySource("paragraph (bytes)", text=bytes(text)).read()  # refuses binary
    if not isinstance(text, str):
        raise InvalidInputError(
            f"explain takes one paragraph as a str (or a classify() row), got"
            f" {type(text).__name__}; for a whole policy use policyml.classify first"
        )
    if heading is not None and not isinstance(heading, str):
        raise InvalidInputError(f"heading must be a str or None, got {type(heading).__name__}")
    frame = pd.DataFrame({"text": [text], "heading": [heading]})
    frame["heading"] = frame["heading"].astype(object)
    return frame, 0


def explain_rows(
    view: LinearView,
    frame: pd.DataFrame,
    proba: np.ndarray,
    *,
    top: int | None,
    rows: Sequence[int] | None = None,
    categories: Sequence[Sequence[int]] | None = None,
    function_words: str = "group",
) -> list[dict[str, Any]]:
    """Top contributions of ``rows`` of ``frame`` (all rows by default), as records.

    With ``function_words="group"``, the terms made only of function words ("and", "and we",
    "from"; :func:`policyml.tokens.is_function_term`) of a row and category become one record
    (block and term ``"function words"``, their phrases joined, their contributions summed),
    placed after the ``top`` other terms: they mostly stand for a paragraph's length and style,
    and one line says so without hiding their share of the score. ``"show"`` lists them one by
    one among the others.
    """
    if function_words not in FUNCTION_WORD_MODES:
        raise InvalidInputError(
            f"function_words must be one of {FUNCTION_WORD_MODES}, got {function_words!r}"
        )
    X = view.transform(frame)
    X = X.tocsr() if hasattr(X, "tocsr") else np.asarray(X)
    phrases = _Phrases(view.pipeline, frame)
    grouping = function_words == "group"
    in_group: dict[int, bool] = {}  # column -> a function-word term; only columns rows use

    records: list[dict[str, Any]] = []
    for r in range(len(frame)) if rows is None else rows:
        if hasattr(X, "indices"):
            start, end = X.indptr[r], X.indptr[r + 1]
            columns, values = X.indices[start:end], X.data[start:end].astype(float)
        else:
            columns = np.flatnonzero(X[r])
            values = X[r, columns].astype(float)
        if grouping:
            for c in columns.tolist():
                if c not in in_group:
                    in_group[c] = is_function_term(split_feature_name(str(view.names[c]))[1])
        grouped = np.array([grouping and in_group[c] for c in columns.tolist()], dtype=bool)
        wanted = range(len(view.categories)) if categories is None else categories[r]
        for j in wanted:
            contributions = view.coef[j, columns] * values
            nonzero = np.flatnonzero(contributions)
            by_size = nonzero[np.argsort(-np.abs(contributions[nonzero]), kind="stable")]
            order = by_size[~grouped[by_size]]
            if top is not None:
                order = order[:top]
            entries = []
            for i in order:
                name = str(view.names[columns[i]])
                block, term = split_feature_name(name)
                entries.append(
                    {
                        "feature": name,
                        "block": block,
                        "term": term,
                        "phrase": phrases(block, term, r),
                        "value": float(values[i]),
                        "coefficient": float(view.coef[j, columns[i]]),
                        "contribution": float(contributions[i]),
                    }
                )
            group = by_size[grouped[by_size]]
            if group.size:
                terms = [split_feature_name(str(view.names[columns[i]])) for i in group]
                entries.append(
                    {
                        "feature": FUNCTION_WORDS_TERM,
                        "block": FUNCTION_WORDS_TERM,
                        "term": FUNCTION_WORDS_TERM,
                        "phrase": _phrase_list(phrases(b, t, r) for b, t in terms),
                        "value": float("nan"),
                        "coefficient": float("nan"),
                        "contribution": float(contributions[group].sum()),
                    }
                )
            for rank, item in enumerate(entries, start=1):
                records.append(
                    {
                        "row": r,
                        "category": view.categories[j],
                        "probability": float(proba[r, j]),
                        "predicted": bool(proba[r, j] >= view.thresholds[j]),
                        "rank": rank,
                        **{column: item[column] for column in _RECORD_COLUMNS},
                    }
                )
    return records


def _phrase_list(phrases: Any, most: int = 6) -> str:
    """Distinct phrases (ignoring case), the first ``most`` of them, then "…" if there are more."""
    first: dict[str, str] = {}
    for phrase in phrases:
        first.setdefault(phrase.lower(), phrase)
    distinct = list(first.values())
    return ", ".join(distinct[:most]) + (", …" if len(distinct) > most else "")


_RECORD_COLUMNS = ("feature", "block", "term", "phrase", "value", "coefficient", "contribution")


def evidence_sentences(
    model: PolicyModel, frame: pd.DataFrame, wanted: Sequence[Sequence[str]]
) -> list[dict[str, tuple[str, float]]]:
    """For each row, its sentence with the highest probability for each wanted category.

    Parameters
    ----------
    model : PolicyModel
        The model that scores the sentences.
    frame : DataFrame
        Paragraphs: a ``text`` column and optionally ``heading`` and ``lead_in``.
    wanted : sequence of sequence of str
        Per row, the categories to find evidence for (typically its predicted labels).

    Returns
    -------
    list of dict
        Per row, ``{category: (sentence, probability)}``.

    Examples
    --------
    >>> import pandas as pd, policyml
    >>> frame = pd.DataFrame({"text": ["We are a bakery. We use cookies to count visits."]})
    >>> evidence_sentences(policyml.load_model(), frame, [["cookies"]])[0]["cookies"][0]
    'We use cookies to count visits.'
    """
    categories = list(model.categories)
    # a sentence is read with its paragraph's heading and lead-in, and as a policy of its own
    # (so no sentence is context of another)
    _, contexts, _ = context_columns(as_frame(frame))
    owner, texts, heads = [], [], []
    for r, (text, context) in enumerate(zip(frame["text"], contexts, strict=True)):
        if not wanted[r] or not isinstance(text, str):
            continue
        for sentence in split_sentences(text):
            owner.append(r)
            texts.append(sentence)
            heads.append(context)
    out: list[dict[str, tuple[str, float]]] = [{} for _ in range(len(frame))]
    if not texts:
        return out
    sentences = pd.DataFrame({"text": texts, "heading": heads, "policy_id": range(len(texts))})
    proba = model.predict_proba(sentences)
    owner_arr = np.asarray(owner)
    for r in sorted(set(owner)):
        mine = np.flatnonzero(owner_arr == r)
        for category in wanted[r]:
            if category not in categories:
                continue
            j = categories.index(category)
            best = mine[int(np.argmax(proba[mine, j]))]
            out[r][category] = (texts[best], float(proba[best, j]))
    return out


def explain(
    paragraph: str | pd.Series | Mapping[str, Any] | pd.DataFrame,
    *,
    model: PolicyModel | str | Path | None = None,
    top: int | None = 10,
    heading: str | None = None,
    row: Any = None,
    function_words: str = "group",
) -> pd.DataFrame:
    """Which terms pushed each category's score up or down for one paragraph.

    For each category, the paragraph's features with the largest contributions
    (coefficient × feature value of the transformed paragraph; positive pushes the category up,
    negative pushes it down), and for each predicted label its evidence sentence: the sentence
    of the paragraph the model gives the highest probability for that label.

    Parameters
    ----------
    paragraph : str, a row of a :func:`policyml.classify` result, or a whole result
        One paragraph: a str, or a row (Series or mapping with ``text`` and optionally
        ``heading``). Or a whole classify result with ``row=``: the paragraph is then
        explained in its policy, with the neighbouring paragraphs the model reads, so the
        probabilities are exactly those of the result.
    model : PolicyModel or path, optional
        Default: the bundled model. Any model whose pipeline ends in a linear classifier.
    top : int or None, default 10
        Terms kept per category, by absolute contribution; None keeps all non-zero ones.
    heading : str, optional
        The section heading of a str paragraph (the model reads it too).
    row : index label, optional
        With a whole result: the paragraph to explain (``result.loc[row]``).
    function_words : {"group", "show"}, default "group"
        Terms made only of function words ("and", "and we", "from the") weigh in mostly as a
        sign of a paragraph's length and style, not of what it says. ``"group"`` sums them
        into one row (``term`` ``"function words"``, ``phrase`` listing them, ``value`` and
        ``coefficient`` NaN) after the ``top`` other terms of the category; ``"show"`` ranks
        each with the other terms.

    Returns
    -------
    pandas.DataFrame
        One row per (category, term), categories in model order and terms by decreasing
        absolute contribution: ``category``, ``probability`` (of the category for the
        paragraph), ``predicted``, ``rank``, ``feature`` (name in the pipeline, e.g.
        ``"words__cooki"``), ``block`` (feature block, e.g. ``"words"``, ``"heading"``), ``term``
        (as the model sees it: lower-cased, stemmed; a ``neighbours:`` prefix marks words of
        the adjacent paragraphs), ``phrase`` (the term's words as written in the text),
        ``value`` (feature value, block weight included), ``coefficient``, ``contribution``
        and ``evidence`` (the evidence sentence; None for categories not predicted).
        ``attrs`` holds ``text``, ``heading`` and the per-category ``intercept``: a category's
        contributions (with ``top=None``, grouped or not) plus its intercept give its log-odds.

    Raises
    ------
    InvalidInputError
        ``paragraph`` is not a str/row/result, or the model's last pipeline step is not linear.

    Examples
    --------
    >>> import policyml
    >>> why = policyml.explain("We use cookies to remember your language.", top=3)
    >>> why.loc[why["category"] == "cookies", ["phrase", "contribution"]]  # doctest: +SKIP
         phrase  contribution
    6   cookies          6.12
    ...
    >>> why.loc[why["predicted"], "evidence"].iloc[0]
    'We use cookies to remember your language.'

    A paragraph of a classified policy, with its neighbours:

    >>> result = policyml.classify(policyml.datasets.load_example_policy())
    >>> why = policyml.explain(result, row=5)
    >>> p = why.groupby("category")["probability"].first()
    >>> bool(p["cookies"] == result.loc[5, "p_cookies"])
    True
    """
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise InvalidInputError(f"top must be a positive int or None, got {top!r}")
    model = resolve_model(model)
    frame, position = _input_frame(paragraph, heading, row)
    view = linear_view(model)
    proba = model.predict_proba(frame)
    records = explain_rows(
        view, frame, proba, top=top, rows=[position], function_words=function_words
    )
    predicted = [
        c for j, c in enumerate(view.categories) if proba[position, j] >= view.thresholds[j]
    ]
    evidence = evidence_sentences(model, frame.iloc[[position]], [predicted])[0]
    result = pd.DataFrame.from_records(records, columns=["row", *EXPLAIN_COLUMNS[:-1]])
    result = result.drop(columns="row")
    result["evidence"] = pd.Series(
        [evidence[c][0] if c in evidence else None for c in result["category"].tolist()],
        index=result.index,
        dtype=object,
    )
    result["predicted"] = result["predicted"].astype(bool)
    result["rank"] = result["rank"].astype(int)
    heading_value = frame["heading"].iloc[position] if "heading" in frame.columns else None
    result.attrs = {
        "text": frame["text"].iloc[position],
        "heading": heading_value if isinstance(heading_value, str) else None,
        "intercept": dict(zip(view.categories, view.intercept.tolist(), strict=True)),
    }
    return result


def top_features(model: PolicyModel | str | Path | None = None, *, n: int = 10) -> pd.DataFrame:
    """The features with the largest positive and negative coefficients of each category.

    Parameters
    ----------
    model : PolicyModel or path, optional
        Default: the bundled model.
    n : int, default 10
        Features per category and direction.

    Returns
    -------
    pandas.DataFrame
        Columns ``category``, ``direction`` (``"+"`` raises the category, ``"-"`` lowers it),
        ``rank``, ``feature``, ``block``, ``term``, ``coefficient``.

    Examples
    --------
    >>> import policyml
    >>> top = top_features(policyml.load_model(), n=3)
    >>> top.loc[(top["category"] == "cookies") & (top["direction"] == "+"), "term"].iloc[0]
    'cooki'
    """
    model = resolve_model(model)
    view = linear_view(model)
    rows = []
    for j, category in enumerate(view.categories):
        coef = view.coef[j]
        order = np.argsort(-coef, kind="stable")
        for direction, picks in (("+", order[:n]), ("-", order[::-1][:n])):
            for rank, i in enumerate(picks, start=1):
                if (coef[i] > 0) != (direction == "+") or coef[i] == 0:
                    continue
                block, term = split_feature_name(str(view.names[i]))
                rows.append(
                    {
                        "category": category,
                        "direction": direction,
                        "rank": rank,
                        "feature": str(view.names[i]),
                        "block": block,
                        "term": term,
                        "coefficient": float(coef[i]),
                    }
                )
    columns = ["category", "direction", "rank", "feature", "block", "term", "coefficient"]
    return pd.DataFrame.from_records(rows, columns=columns)


# --------------------------------------------------------------------------- summarize


def summarize(
    result: pd.DataFrame | str | bytes | Sequence[str],
    *,
    model: PolicyModel | str | Path | None = None,
) -> pd.DataFrame:
    """One row per category: does the policy address it, where, and how strongly.

    Parameters
    ----------
    result : DataFrame, or a policy
        A :func:`policyml.classify` result; anything else is classified first (with ``model``).
    model : PolicyModel or path, optional
        Used only when ``result`` is a policy to classify.

    Returns
    -------
    pandas.DataFrame
        Indexed by category (in the result's order) with columns ``present`` (some paragraph
        has the label), ``paragraphs`` (how many), ``paragraph`` (0-based position of the
        strongest evidence paragraph, ``<NA>`` when absent), ``heading`` and ``evidence``
        (that paragraph's heading and text, None when absent) and ``probability`` (the highest
        probability of the category over all paragraphs; below the threshold when absent).

    Examples
    --------
    >>> import policyml
    >>> result = policyml.classify(policyml.datasets.load_example_policy())
    >>> summary = policyml.summarize(result)
    >>> bool(summary.loc["cookies", "present"]), int(summary.loc["cookies", "paragraphs"])
    (True, 1)
    >>> summary.loc["children", "heading"]
    '4. Children'
    """
    if not isinstance(result, pd.DataFrame):
        result = classify(result, model=model)
    categories = check_result(result)
    labels = result["labels"].tolist()
    bad = next((v for v in labels if not isinstance(v, tuple | list | set | frozenset)), None)
    if bad is not None:
        raise DataValidationError(
            f"the labels column must hold tuples of categories, found {type(bad).__name__}"
        )
    rows = []
    for category in categories:
        count = sum(category in value for value in labels)
        p = result[PROBA_PREFIX + category].to_numpy(dtype=float)
        best = int(np.argmax(p)) if len(p) else -1
        present = count > 0
        position, heading = best, None
        if present and "paragraph" in result.columns:
            position = result["paragraph"].iloc[best]
        if present and "heading" in result.columns:
            heading = result["heading"].iloc[best]
        rows.append(
            {
                "category": category,
                "present": present,
                "paragraphs": count,
                "paragraph": int(position) if present else pd.NA,
                "heading": heading if present and isinstance(heading, str) else None,
                "probability": float(p[best]) if len(p) else float("nan"),
                "evidence": result["text"].iloc[best] if present else None,
            }
        )
    index = pd.Index(categories, name="category")
    dtypes = {
        "present": bool,
        "paragraphs": int,
        "paragraph": "Int64",
        "heading": object,  # None when absent (not NaN)
        "probability": float,
        "evidence": object,
    }
    return pd.DataFrame(
        {
            column: pd.Series([row[column] for row in rows], index=index, dtype=dtypes[column])
            for column in SUMMARY_COLUMNS
        }
    )


# --------------------------------------------------------------------------- error analysis


def errors(
    data: pd.DataFrame,
    predictions: pd.DataFrame,
    *,
    n: int = 3,
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The most confident false positives and false negatives of each category.

    Parameters
    ----------
    data : DataFrame
        Labeled paragraphs: ``text`` and a 0/1 column per category (``policy_id`` and
        ``heading`` are carried along when present).
    predictions : DataFrame
        Row-aligned with ``data``: ``p_<category>`` probabilities and 0/1 ``<category>``
        decisions, as in ``policyml.cross_validate(...).predictions``.
    n : int, default 3
        Errors per category and kind.
    categories : sequence of str, optional
        Default: the categories with a ``p_`` column in ``predictions``.

    Returns
    -------
    pandas.DataFrame
        Columns ``category``, ``error`` (``"false positive"``: predicted but not labeled,
        highest probability first; ``"false negative"``: labeled but missed, lowest probability
        first), ``probability``, ``row`` (position in ``data``), then ``policy_id``/``heading``
        when present, and ``text``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"text": ["a", "b", "c"], "cookies": [0, 1, 1]})
    >>> predictions = pd.DataFrame({"p_cookies": [0.9, 0.2, 0.8], "cookies": [1, 0, 1]})
    >>> errors(data, predictions)[["error", "row", "probability"]].values.tolist()
    [['false positive', 0, 0.9], ['false negative', 1, 0.2]]
    """
    if len(data) != len(predictions):
        raise InvalidInputError(
            f"data has {len(data)} rows but predictions {len(predictions)}; they must align"
        )
    if categories is None:
        categories = result_categories(predictions)
    extra = [c for c in ("policy_id", "heading") if c in data.columns]
    rows = []
    for category in categories:
        for source, column in ((data, category), (predictions, category)):
            if column not in source.columns:
                raise InvalidInputError(f"no {column!r} column to compare for {category!r}")
        truth = data[category].to_numpy(dtype=int)
        decided = predictions[category].to_numpy(dtype=int)
        p = predictions[PROBA_PREFIX + category].to_numpy(dtype=float)
        fp = np.flatnonzero((decided == 1) & (truth == 0))
        fn = np.flatnonzero((decided == 0) & (truth == 1))
        picks = (
            ("false positive", fp[np.argsort(-p[fp], kind="stable")][:n]),
            ("false negative", fn[np.argsort(p[fn], kind="stable")][:n]),
        )
        for kind, chosen in picks:
            for i in chosen:
                row = {"category": category, "error": kind, "probability": float(p[i]), "row": i}
                row.update({c: data[c].iloc[i] for c in extra})
                row["text"] = data["text"].iloc[i]
                rows.append(row)
    columns = ["category", "error", "probability", "row", *extra, "text"]
    out = pd.DataFrame.from_records(rows, columns=columns)
    out["row"] = out["row"].astype(int)
    return out
