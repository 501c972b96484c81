"""Scoring without scikit-learn: a fitted policyml pipeline compiled to plain arrays.

Own code, not a converter (sklearn-onnx, m2cgen): none reproduces this pipeline's stemmed
n-grams, neighbour block and heading block exactly, and none runs without heavy imports.

A policyml model is a scikit-learn Pipeline, but at prediction time all it does is linear:
TF-IDF rows of each paragraph and of its heading, the rows of the neighbouring paragraphs, and
dot products with the logistic regressions' coefficients. :class:`LinearScorer` keeps just those
arrays and computes the same probabilities with numpy, so classifying needs neither
scikit-learn nor scipy, whose imports take seconds on a small machine (see BENCHMARKS.md).

:func:`compile_pipeline` builds a scorer from a fitted pipeline and accepts it only when it
reproduces the pipeline's ``predict_proba`` on probe paragraphs; pipelines of another shape
(character n-grams, other classifiers) are not compiled and keep predicting through
scikit-learn.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from policyml.linear import coefficients
from policyml.tokens import analyze

__all__ = ["SCORER_FORMAT", "LinearScorer", "ScorerWarning", "TermBlock", "compile_pipeline"]

SCORER_FORMAT = "policyml-scorer"
SCORER_FORMAT_VERSION = 1

#: Largest difference from the pipeline's probabilities a compiled scorer may show on the
#: probe paragraphs (the pipeline rounds TF-IDF values to float32, the scorer sums in float64).
COMPILE_TOLERANCE = 1e-6

# terms scored per numpy pass: ~40 MB of temporary arrays however many paragraphs there are
_TERMS_PER_PASS = 1 << 20


@dataclass
class TermBlock:
    """One TF-IDF block: its vocabulary and the coefficients of its columns.

    Its terms come from :func:`policyml.tokens.analyze`, as those of the
    :class:`policyml.features.CompactTfidfVectorizer` it was compiled from.

    Parameters
    ----------
    terms : sequence of str
        The vocabulary in column order (word n-grams joined by one space).
    idf : ndarray of shape (n_terms,)
        Inverse document frequencies.
    coef : ndarray of shape (n_outputs, n_terms)
        Coefficients of the block's columns for each output.
    ngram_range : (int, int)
        Word n-gram range.
    stem : bool
        Terms are Snowball stems (:class:`policyml.tokens.StemTokenizer`), else plain words.
    sublinear_tf : bool
        Term frequency ``1 + log(tf)`` instead of ``tf``.
    """

    terms: list[str]
    idf: np.ndarray
    coef: np.ndarray
    ngram_range: tuple[int, int] = (1, 2)
    stem: bool = True
    sublinear_tf: bool = True
    _vocabulary: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @property
    def vocabulary(self) -> dict[str, int]:
        if self._vocabulary is None:
            self._vocabulary = {term: column for column, term in enumerate(self.terms)}
        return self._vocabulary

    def scores(self, docs: Sequence[str]) -> np.ndarray:
        """``tfidf(docs) @ coef.T``: shape ``(len(docs), n_outputs)``.

        The TF-IDF rows are L2-normalised and rounded to float32, as scikit-learn's
        ``TfidfVectorizer(dtype=np.float32)`` stores them. Docs are scored about
        ``_TERMS_PER_PASS`` terms at a time, so memory does not grow with their number; every
        row is computed on its own, so the result does not depend on how they are grouped.
        """
        out = np.zeros((len(docs), self.coef.shape[0]))
        get = self.vocabulary.get
        ids: list[int] = []
        lengths: list[int] = []
        first = 0  # row of lengths[0]
        for i, doc in enumerate(docs):
            before = len(ids)
            terms = analyze(doc, self.ngram_range, stem=self.stem)
            ids += [j for j in map(get, terms) if j is not None]
            lengths.append(len(ids) - before)
            if len(ids) >= _TERMS_PER_PASS:
                self._score_rows(ids, lengths, out[first : i + 1])
                ids, lengths, first = [], [], i + 1
        if ids:
            self._score_rows(ids, lengths, out[first:])
        return out

    def _score_rows(self, ids: list[int], lengths: list[int], out: np.ndarray) -> None:
        """Fill ``out`` (one row per entry of ``lengths``) from the docs' term columns."""
        n = len(lengths)
        n_terms = len(self.terms)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        cells = rows * n_terms + np.asarray(ids, dtype=np.int64)
        keys, counts = np.unique(cells, return_counts=True)
        rows = keys // n_terms
        columns = keys - rows * n_terms
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        values = (values / norms[rows]).astype(np.float32).astype(np.float64)
        for j, coef in enumerate(self.coef):  # one pass per output keeps memory at O(nnz)
            out[:, j] = np.bincount(rows, weights=values * coef[columns], minlength=n)


class LinearScorer:
    """Category probabilities of a compiled policyml model, computed with numpy alone.

    ``logit = intercept + words·text + neighbour_weight·(words'·previous + words'·next)
    + heading_weight·heading·heading_text``; probability ``= 1 / (1 + exp(-logit))``, as in
    the pipeline's ``ColumnTransformer`` + one-vs-rest logistic regression. Build one with
    :func:`compile_pipeline`; :class:`policyml.PolicyModel` does this itself.

    Parameters
    ----------
    categories : sequence of str
        Output names, in order.
    intercept : ndarray of shape (n_categories,)
    words : TermBlock
        Paragraph text; its ``coef`` has ``n_categories`` rows for the paragraph's own words,
        followed by ``n_categories`` rows for its neighbours' words when ``neighbour_weight``.
    neighbour_weight : float
        Weight of the previous and next paragraph of the same policy (0: none).
    heading : TermBlock or None
        Section heading text.
    heading_weight : float
        Weight of the heading block.
    words_weight : float, default 1.0
        Weight of the words block (the ColumnTransformer's transformer weight).

    Examples
    --------
    >>> import policyml
    >>> scorer = policyml.load_model().scorer
    >>> scorer.predict_proba(["We use cookies to remember you."]).shape
    (1, 5)
    """

    def __init__(
        self,
        categories: Sequence[str],
        intercept: np.ndarray,
        words: TermBlock,
        neighbour_weight: float = 0.0,
        heading: TermBlock | None = None,
        heading_weight: float = 0.0,
        words_weight: float = 1.0,
    ) -> None:
        self.categories = list(categories)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.words = words
        self.neighbour_weight = float(neighbour_weight)
        self.heading = heading
        self.heading_weight = float(heading_weight)
        self.words_weight = float(words_weight)

    def __repr__(self) -> str:
        sizes = f"words={len(self.words.terms)}"
        if self.heading is not None:
            sizes += f", heading={len(self.heading.terms)}"
        return f"LinearScorer(categories={self.categories}, {sizes})"

    def decision_function(
        self,
        texts: Sequence[str],
        headings: Sequence[str] | None = None,
        policies: Sequence[Any] | None = None,
    ) -> np.ndarray:
        """Log-odds of each category, shape ``(len(texts), n_categories)``.

        ``headings`` default to none; ``policies`` (one id per row, rows in document order)
        default to all rows being one policy.
        """
        n, k = len(texts), len(self.categories)
        logits = np.tile(self.intercept, (n, 1))
        if n == 0:
            return logits
        words = self.words.scores(texts)
        logits += self.words_weight * words[:, :k]
        if self.neighbour_weight and words.shape[1] > k:
            neighbours = words[:, k:]
            if policies is None:
                same = np.ones(n - 1, dtype=bool)
            else:
                ids = np.asarray(list(policies), dtype=object)
                same = ids[1:] == ids[:-1]
            around = np.zeros((n, k))
            around[1:][same] += neighbours[:-1][same]
            around[:-1][same] += neighbours[1:][same]
            logits += (self.words_weight * self.neighbour_weight) * around
        if self.heading is not None and self.heading_weight and headings is not None:
            index: dict[str, int] = {}
            inverse = [index.setdefault(h, len(index)) for h in headings]
            logits += self.heading_weight * self.heading.scores(list(index))[inverse]
        return logits

    def fingerprint(self, digest: Any) -> None:
        """Feed everything that decides this scorer's outputs to the ``hashlib`` object
        ``digest`` (see :meth:`policyml.PolicyModel.fingerprint`)."""
        digest.update(
            json.dumps(
                [self.categories, self.neighbour_weight, self.heading_weight, self.words_weight]
            ).encode()
        )
        digest.update(self.intercept.astype("<f8").tobytes())
        for block in (self.words, self.heading):
            if block is None:
                digest.update(b"no block")
                continue
            digest.update(
                json.dumps([list(block.ngram_range), block.stem, block.sublinear_tf]).encode()
            )
            digest.update("\x00".join(block.terms).encode("utf-8", "surrogatepass"))
            digest.update(np.asarray(block.idf, dtype="<f8").tobytes())
            digest.update(np.asarray(block.coef, dtype="<f8").tobytes())

    def predict_proba(
        self,
        texts: Sequence[str],
        headings: Sequence[str] | None = None,
        policies: Sequence[Any] | None = None,
    ) -> np.ndarray:
        """Probability of each category, shape ``(len(texts), n_categories)``."""
        logits = self.decision_function(texts, headings, policies)
        return 1.0 / (1.0 + np.exp(-logits))

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path, *, extra: Mapping[str, Any] | None = None) -> None:
        """Write the arrays to an ``.npz`` file (no pickle) with a JSON header.

        ``extra`` is stored in the header and returned by :meth:`load`.
        """
        arrays: dict[str, np.ndarray] = {}
        blocks = {"words": self.words, "heading": self.heading}
        header: dict[str, Any] = {
            "format": SCORER_FORMAT,
            "format_version": SCORER_FORMAT_VERSION,
            "categories": self.categories,
            "neighbour_weight": self.neighbour_weight,
            "heading_weight": self.heading_weight,
            "words_weight": self.words_weight,
            "blocks": {},
            "extra": dict(extra or {}),
        }
        for name, block in blocks.items():
            if block is None:
                continue
            arrays[f"{name}_terms"] = _pack_terms(block.terms)
            arrays[f"{name}_idf"] = np.asarray(block.idf, dtype=np.float64)
            arrays[f"{name}_coef"] = np.asarray(block.coef, dtype=np.float64)
            header["blocks"][name] = {
                "ngram_range": list(block.ngram_range),
                "stem": block.stem,
                "sublinear_tf": block.sublinear_tf,
            }
        arrays["intercept"] = self.intercept
        arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> tuple[LinearScorer, dict[str, Any]]:
        """Read a file written by :meth:`save`: ``(scorer, extra)``.

        Raises ``ValueError`` (or ``OSError``) for a file that is not a policyml scorer; the
        caller turns that into :class:`policyml.ModelLoadError`.
        """
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes().decode("utf-8"))
            if header.get("format") != SCORER_FORMAT:
                raise ValueError("not a policyml scorer file")
            if header.get("format_version") != SCORER_FORMAT_VERSION:
                raise ValueError(f"scorer format version {header.get('format_version')}")
            blocks: dict[str, TermBlock] = {}
            for name, spec in header["blocks"].items():
                terms = _unpack_terms(data[f"{name}_terms"])
                idf, coef = data[f"{name}_idf"], data[f"{name}_coef"]
                if not len(terms) == len(idf) == coef.shape[1]:
                    raise ValueError(f"block {name!r}: inconsistent array sizes")
                blocks[name] = TermBlock(
                    terms,
                    idf,
                    coef,
                    ngram_range=(int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
                    stem=bool(spec["stem"]),
                    sublinear_tf=bool(spec["sublinear_tf"]),
                )
            scorer = cls(
                header["categories"],
                data["intercept"],
                blocks["words"],
                neighbour_weight=header["neighbour_weight"],
                heading=blocks.get("heading"),
                heading_weight=header["heading_weight"],
                words_weight=header["words_weight"],
            )
        k = len(scorer.categories)
        if scorer.intercept.shape != (k,) or scorer.words.coef.shape[0] not in (k, 2 * k):
            raise ValueError("coefficients do not match the categories")
        return scorer, header["extra"]


def _pack_terms(terms: Sequence[str]) -> np.ndarray:
    # One UTF-8 blob: terms are runs of word characters and spaces, never a newline.
    return np.frombuffer("\n".join(terms).encode("utf-8", "surrogatepass"), dtype=np.uint8)


def _unpack_terms(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8", "surrogatepass")
    return text.split("\n") if text else []


# ---------------------------------------------------------------------- compiling a pipeline


def compile_pipeline(pipeline: Any, categories: Sequence[str]) -> LinearScorer | None:
    """A :class:`LinearScorer` equivalent to a fitted policyml pipeline, or None.

    None when the pipeline is not the shape :func:`policyml.model.build_pipeline` makes
    (context columns, word/heading TF-IDF blocks, one-vs-rest logistic regression): such a
    model predicts through scikit-learn. Also None, with a :class:`ScorerWarning`, when the
    pipeline has that shape but the compiled scorer's probabilities differ from the
    pipeline's on probe paragraphs by more than :data:`COMPILE_TOLERANCE` (a bug to report).
    """
    try:
        scorer = _compile(pipeline, list(categories))
    except _NotCompilable:
        return None
    if scorer is None:
        return None
    difference = _difference(scorer, pipeline)
    if difference > COMPILE_TOLERANCE:
        warnings.warn(
            f"the compiled scorer differs from the pipeline by up to {difference:.2g} (tolerance"
            f" {COMPILE_TOLERANCE:g}): predicting through scikit-learn instead, which is slower."
            " Please report this with the model's training options.",
            ScorerWarning,
            stacklevel=3,
        )
        return None
    return scorer


class ScorerWarning(UserWarning):
    """A model's compiled scorer could not be used; predictions go through scikit-learn."""


class _NotCompilable(Exception):
    pass


def _compile(pipeline: Any, categories: list[str]) -> LinearScorer | None:
    from policyml.features import CompactTfidfVectorizer, ContextColumns, NeighbourTfidf

    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 3 or not isinstance(steps[0][1], ContextColumns):
        return None
    features, classifier = steps[1][1], steps[2][1]
    coef, intercept = _logistic_coefficients(classifier, len(categories))
    weights = getattr(features, "transformer_weights", None) or {}
    offset = 0
    words: TermBlock | None = None
    heading: TermBlock | None = None
    neighbour_weight = heading_weight = 0.0
    words_weight = 1.0
    for name, transformer, columns in getattr(features, "transformers_", None) or []:
        if isinstance(transformer, str) and transformer == "drop":
            continue
        if isinstance(transformer, NeighbourTfidf) and list(columns) == ["text", "policy"]:
            if words is not None:
                return None
            vectorizer = transformer.vectorizer_
            n_terms = _check_vectorizer(vectorizer, CompactTfidfVectorizer)
            neighbour_weight = float(transformer.neighbour_weight or 0.0)
            width = 2 * n_terms if neighbour_weight else n_terms
            block_coef = coef[:, offset : offset + width]
            if neighbour_weight:
                block_coef = np.vstack([block_coef[:, :n_terms], block_coef[:, n_terms:]])
            words = _block(vectorizer, block_coef)
            words_weight = float(weights.get(name, 1.0))
            offset += width
        elif isinstance(transformer, CompactTfidfVectorizer) and columns == "heading":
            if heading is not None:
                return None
            n_terms = _check_vectorizer(transformer, CompactTfidfVectorizer)
            heading = _block(transformer, coef[:, offset : offset + n_terms])
            heading_weight = float(weights.get(name, 1.0))
            offset += n_terms
        else:
            return None
    if words is None or offset != coef.shape[1]:
        return None
    return LinearScorer(
        categories,
        intercept,
        words,
        neighbour_weight=neighbour_weight,
        heading=heading,
        heading_weight=heading_weight,
        words_weight=words_weight,
    )


def _check_vectorizer(vectorizer: Any, expected: type) -> int:
    """Raise :class:`_NotCompilable` unless the vectorizer does what :class:`TermBlock` does."""
    ok = (
        isinstance(vectorizer, expected)
        and vectorizer.uses_policyml_analysis()
        and not vectorizer.binary
        and vectorizer.norm == "l2"
        and vectorizer.use_idf
        and all("\n" not in term for term in vectorizer.vocabulary_)
    )
    if not ok:
        raise _NotCompilable
    return len(vectorizer.vocabulary_)


def _block(vectorizer: Any, coef: np.ndarray) -> TermBlock:
    terms = vectorizer.get_feature_names_out().tolist()  # in column order
    low, high = vectorizer.ngram_range
    return TermBlock(
        terms,
        np.asarray(vectorizer.idf_, dtype=np.float64),
        np.ascontiguousarray(coef, dtype=np.float64),
        ngram_range=(int(low), int(high)),
        stem=vectorizer.tokenizer is not None,
        sublinear_tf=bool(vectorizer.sublinear_tf),
    )


def _logistic_coefficients(classifier: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``(coef (k, n_features), intercept (k,))`` of a multilabel one-vs-rest of binary
    logistic regressions (whose probability is the sigmoid of the decision function)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    if not isinstance(classifier, OneVsRestClassifier) or not getattr(
        classifier, "multilabel_", False
    ):
        raise _NotCompilable
    estimators = getattr(classifier, "estimators_", [])
    if len(estimators) != k or any(
        type(e) is not LogisticRegression or len(e.classes_) != 2 for e in estimators
    ):
        raise _NotCompilable
    return coefficients(classifier, "classifier", k)


def _difference(scorer: LinearScorer, pipeline: Any) -> float:
    """Largest difference of scorer and pipeline probabilities on probe paragraphs."""
    probe = _probe_frame(scorer)
    expected = np.asarray(pipeline.predict_proba(probe), dtype=np.float64)
    got = scorer.predict_proba(
        probe["text"].tolist(), probe["heading"].tolist(), probe["policy_id"].tolist()
    )
    if expected.shape != got.shape:
        return float("inf")
    return float(np.max(np.abs(expected - got), initial=0.0))


def _probe_frame(scorer: LinearScorer) -> Any:
    """Paragraphs made of the model's own terms (so every block contributes), in two policies,
    with repeated and missing headings, an empty paragraph and an out-of-vocabulary one."""
    import pandas as pd

    rng = np.random.default_rng(0)
    words = [t for t in scorer.words.terms if " " not in t] or ["privacy"]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(1, 60)))) for _ in range(22)]
    texts += ["", "zzqx Qwv"]
    heads = [t for t in (scorer.heading.terms if scorer.heading else []) if " " not in t]
    heads = heads or ["cookies"]
    headings: list[str] = []
    for i in range(len(texts)):
        headings.append("" if i % 5 == 0 else " ".join(rng.choice(heads, size=2)).title())
    policies = ["a"] * 10 + ["b"] * (len(texts) - 10)
    return pd.DataFrame({"text": texts, "heading": headings, "policy_id": policies})
