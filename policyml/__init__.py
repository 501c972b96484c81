"""policyml: paragraph-level classification of privacy policies.

>>> import policyml
>>> result = policyml.classify("We use cookies to remember your preferences.")  # doctest: +SKIP
>>> result[["text", "labels"]]  # doctest: +SKIP

Heavy modules (scikit-learn, pandas) load on first use, so ``import policyml`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from policyml._version import __version__
from policyml.categories import CATEGORIES
from policyml.exceptions import (
    DataValidationError,
    InvalidInputError,
    ModelLoadError,
    OutputError,
    PolicyMLError,
)

# Public name -> module that defines it; imported lazily on first attribute access.
_LAZY = {
    "classify": "policyml.predict",
    "classify_many": "policyml.batch",
    "load_model": "policyml.model",
    "PolicyModel": "policyml.model",
    "train": "policyml.adapt",
    "suggest": "policyml.adapt",
    "evaluate": "policyml.metrics",
    "explain": "policyml.interpret",
    "summarize": "policyml.interpret",
    "cross_validate": "policyml.metrics",
    "Paragraph": "policyml.preprocess",
    "split_paragraphs": "policyml.preprocess",
}
_SUBMODULES = {
    "adapt",
    "batch",
    "categories",
    "checkpoint",
    "cli",
    "dask",
    "datasets",
    "display",
    "features",
    "frames",
    "interpret",
    "linear",
    "metrics",
    "model",
    "persistence",
    "plot",
    "predict",
    "preprocess",
    "report",
    "scoring",
    "sources",
    "tokens",
    "writers",
}

__all__ = [
    "CATEGORIES",
    "DataValidationError",
    "InvalidInputError",
    "ModelLoadError",
    "OutputError",
    "Paragraph",
    "PolicyMLError",
    "PolicyModel",
    "__version__",
    "classify",
    "classify_many",
    "cross_validate",
    "datasets",
    "evaluate",
    "explain",
    "load_model",
    "preprocess",
    "split_paragraphs",
    "suggest",
    "summarize",
    "train",
]

if TYPE_CHECKING:
    from policyml import datasets, preprocess
    from policyml.adapt import suggest, train
    from policyml.batch import classify_many
    from policyml.interpret import explain, summarize
    from policyml.metrics import cross_validate, evaluate
    from policyml.model import PolicyModel, load_model
    from policyml.predict import classify
    from policyml.preprocess import Paragraph, split_paragraphs


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"policyml.{name}")
    else:
        raise AttributeError(f"module 'policyml' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
