"""Features: turn paragraphs (text, heading, neighbours) into a sparse TF-IDF matrix.

The pieces here are small scikit-learn transformers so a fitted model is an ordinary
:class:`sklearn.pipeline.Pipeline` that skops can save and load without pickle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer

from policyml.frames import as_frame, context_columns
from policyml.tokens import TOKEN_PATTERN, StemTokenizer, analyze

__all__ = [
    "CompactTfidfVectorizer",
    "ContextColumns",
    "NeighbourTfidf",
    "StemTokenizer",  # skops files written before policyml.tokens existed name it here
    "make_features",
]


class CompactTfidfVectorizer(TfidfVectorizer):
    """A :class:`~sklearn.feature_extraction.text.TfidfVectorizer` that saves compactly.

    Its vocabulary is stored as one array of terms (ordered by column) instead of a dict, and
    the list of pruned terms (``stop_words_``, kept by scikit-learn only for introspection) is
    dropped. A skops file then loads in milliseconds instead of seconds and is a tenth of the
    size. Behaviour is otherwise that of ``TfidfVectorizer``.

    Word n-grams of plain or stemmed words are made by :func:`policyml.tokens.analyze`, the
    function the compiled scorer (:class:`policyml.scoring.TermBlock`) uses at prediction
    time, so training and prediction see the same terms.
    """

    def build_analyzer(self) -> Any:
        if not self.uses_policyml_analysis():
            return super().build_analyzer()
        ngram_range = tuple(self.ngram_range)
        stem = isinstance(self.tokenizer, StemTokenizer)
        return lambda doc: analyze(doc, ngram_range, stem=stem)

    def uses_policyml_analysis(self) -> bool:
        """Whether the settings are those :func:`policyml.tokens.analyze` implements."""
        return (
            self.analyzer == "word"
            and self.input == "content"
            and self.lowercase
            and self.preprocessor is None
            and self.strip_accents is None
            and self.stop_words is None
            and (
                isinstance(self.tokenizer, StemTokenizer)
                or (self.tokenizer is None and self.token_pattern == TOKEN_PATTERN)
            )
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("stop_words_", None)
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            terms = np.empty(len(vocabulary), dtype=object)
            for term, column in vocabulary.items():
                terms[column] = term
            state["terms_"] = terms.astype(str)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        terms = state.pop("terms_", None)
        if terms is not None:
            state["vocabulary_"] = {term: column for column, term in enumerate(terms.tolist())}
        super().__setstate__(state)


class ContextColumns(TransformerMixin, BaseEstimator):
    """Normalise model input to the columns the feature blocks read: ``text``, ``heading``
    (``""`` when absent) and ``policy`` (which policy a row belongs to; rows are in document
    order, and without a ``policy_id`` column all rows count as one policy)."""

    def fit(self, X: Any, y: Any = None) -> ContextColumns:
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        texts, headings, policies = context_columns(as_frame(X))
        return pd.DataFrame({"text": texts, "heading": headings, "policy": policies})

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(["text", "heading", "policy"], dtype=object)


class NeighbourTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF of each paragraph plus, down-weighted, the TF-IDF of its neighbours.

    Reads ``text`` and ``policy`` columns; returns ``[T | w * (T_prev + T_next)]`` where
    ``T_prev``/``T_next`` are the rows of the previous/next paragraph of the same policy. A
    paragraph such as "- if you contact us, we may keep a record" means little alone. The
    neighbour block reuses the text matrix, so every text is vectorised once.

    Parameters
    ----------
    vectorizer : CompactTfidfVectorizer
        The (unfitted) text vectorizer.
    neighbour_weight : float, default 0.2
        Weight ``w`` of the neighbour block; 0 leaves it out.
    """

    def __init__(self, vectorizer: Any = None, neighbour_weight: float = 0.2) -> None:
        self.vectorizer = vectorizer
        self.neighbour_weight = neighbour_weight

    def fit(self, X: pd.DataFrame, y: Any = None) -> NeighbourTfidf:
        self.vectorizer_ = clone(self.vectorizer).fit(X["text"])
        return self

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        T = self.vectorizer_.transform(X["text"]).tocsr()
        if not self.neighbour_weight:
            return T
        policy = np.asarray(X["policy"], dtype=object)
        n = len(policy)
        rows = np.arange(n)
        same_prev = np.r_[False, policy[1:] == policy[:-1]]
        same_next = np.r_[policy[:-1] == policy[1:], False]
        shift = sp.csr_matrix(
            (
                np.full(same_prev.sum() + same_next.sum(), self.neighbour_weight, np.float32),
                (
                    np.r_[rows[same_prev], rows[same_next]],
                    np.r_[rows[same_prev] - 1, rows[same_next] + 1],
                ),
            ),
            shape=(n, n),
        )
        return sp.hstack([T, shift @ T], format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = self.vectorizer_.get_feature_names_out()
        if not self.neighbour_weight:
            return names
        return np.concatenate([names, np.char.add("neighbours:", names.astype(str))]).astype(object)


def make_features(
    *,
    word_ngrams: tuple[int, int] = (1, 2),
    char_ngrams: tuple[int, int] | None = None,
    max_char_features: int | None = 200_000,
    heading_weight: float = 0.3,
    neighbour_weight: float = 0.2,
    min_df: int = 2,
    stem: bool = True,
) -> ColumnTransformer:
    """Build the (unfitted) feature union over the ``text``, ``heading`` and ``policy`` columns.

    Parameters
    ----------
    word_ngrams : (int, int)
        Word n-gram range of the paragraph text (stemmed when ``stem``).
    char_ngrams : (int, int) or None
        Character n-grams within word boundaries of the text; None leaves them out.
    max_char_features : int or None
        Cap on the character n-gram vocabulary (keeps the model file small).
    heading_weight : float
        Weight of the heading block; 0 leaves it out.
    neighbour_weight : float
        Weight of the neighbouring paragraphs' words (see :class:`NeighbourTfidf`).
    min_df : int
        Minimum document frequency of a term.
    stem : bool
        Reduce words with NLTK's Snowball stemmer.

    Examples
    --------
    >>> features = make_features()
    >>> [name for name, _, _ in features.transformers]
    ['words', 'heading']
    """
    tokenizer = StemTokenizer() if stem else None
    token_pattern = None if stem else TOKEN_PATTERN

    def words(ngrams: tuple[int, int], df: int) -> CompactTfidfVectorizer:
        return CompactTfidfVectorizer(
            tokenizer=tokenizer,
            token_pattern=token_pattern,
            lowercase=True,
            ngram_range=ngrams,
            min_df=df,
            sublinear_tf=True,
            dtype=np.float32,
        )

    blocks: list[tuple[str, Any, Any]] = [
        ("words", NeighbourTfidf(words(word_ngrams, min_df), neighbour_weight), ["text", "policy"])
    ]
    weights = {"words": 1.0}
    if char_ngrams is not None:
        chars = CompactTfidfVectorizer(
            analyzer="char_wb",
            ngram_range=char_ngrams,
            min_df=min_df,
            max_features=max_char_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        blocks.append(("chars", chars, "text"))
        weights["chars"] = 1.0
    if heading_weight > 0:
        blocks.append(("heading", words(word_ngrams, 1), "heading"))
        weights["heading"] = heading_weight
    return ColumnTransformer(blocks, transformer_weights=weights, sparse_threshold=1.0)
