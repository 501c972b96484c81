"""Linear-model helpers: the coefficients and feature names of a fitted policyml pipeline.

A policyml pipeline ends in linear classifiers (one per category): the score of category ``c``
for a feature row ``x`` is ``intercept[c] + coef[c] @ x``. Explanations (:mod:`policyml.interpret`)
and the compiled scorer (:mod:`policyml.scoring`) both read the pipeline through here.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from policyml.exceptions import InvalidInputError

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = [
    "FittedModel",
    "LinearView",
    "coefficients",
    "linear_view",
    "split_feature_name",
    "transform_until",
]


class FittedModel(Protocol):
    """What the helpers read of a model (a :class:`policyml.PolicyModel` has it)."""

    @property
    def categories(self) -> Sequence[str]: ...

    @property
    def pipeline(self) -> Pipeline: ...


@dataclass
class LinearView:
    """The parts of a fitted linear pipeline that explanations need."""

    pipeline: Any
    categories: list[str]
    names: np.ndarray  # feature names, "block__term"
    coef: np.ndarray  # (n_categories, n_features)
    intercept: np.ndarray  # (n_categories,)
    thresholds: np.ndarray

    def transform(self, frame: pd.DataFrame) -> Any:
        """Feature matrix (sparse or dense) of model input rows."""
        return transform_until(self.pipeline, frame, len(self.pipeline.steps) - 1)


def transform_until(pipeline: Pipeline, X: Any, stop: int) -> Any:
    """``X`` through the first ``stop`` steps of a fitted pipeline.

    Step by step rather than ``pipeline[:stop].transform``: scikit-learn refuses a sub-pipeline
    whose last step is stateless (it looks unfitted).
    """
    for _, step in pipeline.steps[:stop]:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        X = step.transform(X)
    return X


#: pipeline -> (fingerprint of its fitted classifier, coef, intercept, feature names)
_VIEWS: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()


def linear_view(model: FittedModel) -> LinearView:
    """Coefficients, intercepts, feature names and thresholds of a model whose pipeline ends in
    linear classifiers (cached per fitted pipeline: feature names of big vocabularies are slow).

    Raises
    ------
    InvalidInputError
        The pipeline is not a scikit-learn Pipeline ending in a linear classifier.
    """
    pipeline = getattr(model, "pipeline", None)
    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) < 2:
        raise InvalidInputError(
            "explanations need a model whose pipeline is a scikit-learn Pipeline of feature"
            f" transformers followed by a linear classifier; got {type(pipeline).__name__}"
        )
    categories = list(model.categories)
    k = len(categories)
    name, classifier = steps[-1]
    fingerprint = (
        id(classifier),
        id(getattr(classifier, "coef_", None)),
        tuple(id(e) for e in getattr(classifier, "estimators_", None) or ()),
        k,
    )
    cached = _VIEWS.get(pipeline)
    if cached is not None and cached[0] == fingerprint:
        coef, intercept, names = cached[1:]
    else:
        coef, intercept = coefficients(classifier, name, k)
        names = feature_names(pipeline, coef.shape[1])  # slow for big vocabularies: cached
        with contextlib.suppress(TypeError):  # not weak-referenceable: no cache
            _VIEWS[pipeline] = (fingerprint, coef, intercept, names)
    thresholds = np.broadcast_to(
        np.asarray(getattr(model, "thresholds", 0.5), dtype=float), (k,)
    ).copy()
    return LinearView(pipeline, categories, names, coef, intercept, thresholds)


def coefficients(classifier: Any, step: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``(coef, intercept)`` of shape ``(k, n_features)`` and ``(k,)`` from the last step."""

    def not_linear(what: str) -> InvalidInputError:
        return InvalidInputError(
            f"explanations need a linear classifier as the pipeline's last step ({step!r}), one"
            f" coefficient per feature and category; {what}. Use a linear model such as"
            " LogisticRegression (optionally in OneVsRestClassifier)"
        )

    estimators = getattr(classifier, "estimators_", None)
    if isinstance(estimators, list | tuple) and estimators:
        if len(estimators) != k:
            raise not_linear(
                f"{type(classifier).__name__} has {len(estimators)} estimators for {k} categories"
            )
        rows: list[np.ndarray | None] = []
        intercepts = []
        for estimator in estimators:
            coef = getattr(estimator, "coef_", None)
            if coef is None:
                if type(estimator).__name__ == "_ConstantPredictor":  # a category never seen
                    rows.append(None)
                    intercepts.append(0.0)
                    continue
                raise not_linear(f"{type(estimator).__name__} has no coef_")
            coef = dense(coef)
            if coef.ndim == 2 and coef.shape[0] != 1:
                raise not_linear(f"{type(estimator).__name__} is not a binary linear model")
            rows.append(coef.ravel())
            intercepts.append(float(np.ravel(getattr(estimator, "intercept_", 0.0))[0]))
        width = next((len(r) for r in rows if r is not None), 0)
        matrix = np.vstack([r if r is not None else np.zeros(width) for r in rows])
        return matrix, np.asarray(intercepts, dtype=float)
    coef = getattr(classifier, "coef_", None)
    if coef is None:
        raise not_linear(f"{type(classifier).__name__} has no coef_")
    coef = np.atleast_2d(dense(coef))
    if coef.shape[0] != k:
        raise not_linear(f"its coef_ has {coef.shape[0]} rows for {k} categories")
    intercept = np.broadcast_to(
        np.asarray(getattr(classifier, "intercept_", 0.0), dtype=float).ravel(), (k,)
    ).copy()
    return coef, intercept


def dense(coef: Any) -> np.ndarray:
    if hasattr(coef, "toarray"):
        coef = coef.toarray()
    return np.asarray(coef, dtype=float)


def feature_names(pipeline: Any, n_features: int) -> np.ndarray:
    """``block__term`` names of the columns the classifier sees (generic ``x<i>`` fallback)."""
    candidates = [lambda: pipeline[:-1].get_feature_names_out()]
    features = dict(pipeline.steps).get("features")
    if features is not None:
        candidates.append(features.get_feature_names_out)
    for candidate in candidates:
        try:
            names = np.asarray(candidate(), dtype=object)
        except (AttributeError, ValueError, TypeError, NotImplementedError):
            continue
        if len(names) == n_features:
            return names
    return np.asarray([f"x{i}" for i in range(n_features)], dtype=object)


def split_feature_name(name: str) -> tuple[str, str]:
    block, sep, term = str(name).partition("__")
    return (block, term) if sep else ("", block)


