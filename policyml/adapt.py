"""Adapt policyml to your own kind of policies: train on top of policyml's own training data,
and find the paragraphs worth labeling.

- :func:`train` is :func:`policyml.train`. With ``base="opp115"`` your labeled rows join the
  data policyml's default recipe learns from (OPP-115, plus the dev half of policyml's modern
  corpus where its pages are on the machine), weighted so that a few hundred of them count;
  the weight is chosen by cross-validation on your rows. With ``base=None`` it is
  :func:`policyml.model.train`.
- :func:`suggest` reads a corpus of your policies (what :func:`policyml.classify_many` takes)
  and picks the paragraphs whose labels would teach the model most: those it is least sure
  about, without near-duplicates, spread over policies and topics. The result is a labeling
  sheet in the labeled-CSV format that :func:`train` reads back once the category columns are
  filled in.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from policyml.batch import DEFAULT_BATCH_SIZE, iter_classify
from policyml.categories import CATEGORIES
from policyml.datasets import (
    KNOWN_COLUMNS,
    csv_header,
    labeled_frame,
    load_base_corpus,
)
from policyml.exceptions import DataValidationError, InvalidInputError
from policyml.frames import PROBA_PREFIX, as_frame, context_columns
from policyml.metrics import classification_report
from policyml.model import (
    PolicyModel,
    build_pipeline,
    fit_classifier,
    frame_sha256,
    resolve_model,
    row_weights,
)
from policyml.model import train as train_model
from policyml.sources import policy_label
from policyml.tokens import analyze

__all__ = [
    "BASES",
    "NEAR_DUPLICATE",
    "SEARCH_BASE_ROWS",
    "SEARCH_FOLDS",
    "SEARCH_THRESHOLD",
    "USER_DOMAIN",
    "USER_WEIGHTS",
    "BaseDataNotFoundError",
    "WeightSearch",
    "base_sample",
    "choose_user_weight",
    "find_base_data",
    "suggest",
    "train",
    "uncertainty",
]

#: The base data :func:`train` can start from.
BASES = ("opp115",)

#: Domain of the user's rows in the combined training data (thresholds are chosen for the mean
#: F1 over domains, so the user's kind of policy counts as much as the base's).
USER_DOMAIN = "user"

#: Weights (an OPP-115 segment weighs 1, a modern-corpus paragraph
#: :data:`policyml.datasets.MODERN_WEIGHT`) among which the inner
#: cross-validation on the user's rows chooses. Chosen on the modern corpus's dev half only
#: (``benchmarks/adapt.py``).
USER_WEIGHTS = (3.0, 10.0, 30.0)

#: Folds of the weight search, grouped by the user's ``policy_id``.
SEARCH_FOLDS = 3

#: The weight search learns from a sample of a larger base (the policies of the modern corpus
#: are most of the default base): fits on all 14,000 rows would take minutes.
SEARCH_BASE_ROWS = 5000

#: The decision threshold of every category inside the weight search (the final model's
#: thresholds are then chosen by inner cross-validation as usual): one fixed threshold keeps
#: the search to one classifier fit per weight and fold.
SEARCH_THRESHOLD = 0.5

#: Two candidate paragraphs of :func:`suggest` whose TF-IDF vectors have at least this cosine
#: similarity are near-duplicates: only the more uncertain one can be picked.
NEAR_DUPLICATE = 0.8

#: How strongly :func:`suggest`'s pool leans towards uncertain paragraphs: a paragraph's chance
#: to be in it grows as its uncertainty to this power (0: a uniform sample of the corpus; None:
#: only the most uncertain). Chosen on the modern corpus's dev half (``benchmarks/adapt.py
#: --choose``): under a shift of domain, a sample leaning on uncertainty beat both the most
#: uncertain paragraphs alone and a uniform sample.
UNCERTAINTY_POWER: float | None = 0.5

#: :func:`suggest`'s pool holds one weighted sample per category (weighted by the uncertainty
#: about that category), so that rare categories get their share of the candidates; else one
#: sample weighted by :func:`uncertainty`. Chosen on the dev half, as above.
POOL_BY_CATEGORY = True

#: Candidates :func:`suggest` keeps per paragraph asked for (the pool it picks from).
POOL_FACTOR = 10
MIN_POOL = 1000

_OPP115_SOURCE = (
    "the OPP-115 Corpus of the Usable Privacy Policy Project (https://usableprivacy.org/data;"
    " research, teaching and scholarship use only)"
)


class BaseDataNotFoundError(DataValidationError):
    """``train(..., base="opp115")`` cannot find the base data: it is licensed for research
    and not shipped with policyml. The message says where to get it and what to pass."""


@dataclass(frozen=True)
class BaseData:
    """Where :func:`train` reads the base data from (see :func:`find_base_data`)."""

    name: str
    opp115: Path
    modern: Path | None
    note: str  # how the modern corpus was found, or why it is not used


def find_base_data(
    base: str = "opp115",
    *,
    opp115: str | os.PathLike | None = None,
    modern: str | os.PathLike | bool | None = None,
) -> BaseData:
    """Locate the base data: the OPP-115 folder and, where present, the C3PA DB pages of the
    modern corpus.

    Parameters
    ----------
    base : {"opp115"}
    opp115 : path, optional
        The OPP-115 folder; default the ``POLICYML_OPP115`` environment variable.
    modern : path or False, optional
        The C3PA DB folder (pages of policyml's modern corpus); default the ``POLICYML_C3PA``
        environment variable, and OPP-115 alone when that is unset or not a folder. ``False``:
        OPP-115 alone.

    Raises
    ------
    BaseDataNotFoundError
        No OPP-115 folder (given or in the environment), or a ``modern`` folder given that
        does not exist.
    InvalidInputError
        An unknown ``base``.

    Examples
    --------
    >>> find_base_data(opp115="/nowhere")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyml.adapt.BaseDataNotFoundError: base='opp115' needs the OPP-115 corpus, ...
    """
    if base not in BASES:
        raise InvalidInputError(f"unknown base {base!r}; choose one of {list(BASES)}")
    given = opp115 is not None
    value = os.fspath(opp115) if given else os.environ.get("POLICYML_OPP115")
    root = Path(value).expanduser() if value else None
    if root is None or not (root / "sanitized_policies").is_dir():
        if root is None:
            where = "no opp115= was given and POLICYML_OPP115 is not set"
        else:
            what = "opp115=" if given else "POLICYML_OPP115"
            found = "is not an OPP-115 folder" if root.is_dir() else "does not exist"
            where = f"{root} ({what}) {found}"
        raise BaseDataNotFoundError(
            f"base={base!r} needs the OPP-115 corpus, which is licensed for research and not"
            f" shipped with policyml: {where}. Get {_OPP115_SOURCE}, unpack it, and pass its"
            " folder (the one holding sanitized_policies/ and annotations/) as opp115=PATH"
            " (command line: --opp115 PATH), or set POLICYML_OPP115=PATH"
        )
    if modern is False:
        return BaseData(base, root, None, "not used (modern=False)")
    if modern is not None and modern is not True:
        pages = Path(os.fspath(modern)).expanduser()
        if not (pages / "html").is_dir():
            raise BaseDataNotFoundError(
                f"{pages} (modern=): not the C3PA DB folder (no html/ in it); pass the folder of"
                " the C3PA dataset's pages, or leave modern out to train on OPP-115 alone"
            )
        return BaseData(base, root, pages, f"dev half, pages in {pages}")
    env = os.environ.get("POLICYML_C3PA")
    if env and (Path(env).expanduser() / "html").is_dir():
        pages = Path(env).expanduser()
        return BaseData(base, root, pages, f"dev half, pages in {pages} (POLICYML_C3PA)")
    why = f"POLICYML_C3PA={env} has no html/ folder" if env else "POLICYML_C3PA is not set"
    return BaseData(
        base,
        root,
        None,
        f"not used: its pages (the C3PA DB dataset) were not found ({why}); the base is"
        " OPP-115 alone",
    )


# --------------------------------------------------------------------------------------------
# Training on top of the base data
# --------------------------------------------------------------------------------------------


def train(
    data: pd.DataFrame | str | Path,
    *,
    base: str | None = None,
    opp115: str | os.PathLike | None = None,
    modern: str | os.PathLike | bool | None = None,
    user_weight: float | None = None,
    categories: Sequence[str] | None = None,
    progress: bool = False,
    **options: Any,
) -> PolicyModel:
    """Train a model on labeled paragraphs, alone or on top of policyml's own training data.

    Parameters
    ----------
    data : DataFrame or path
        Your labeled paragraphs: a ``text`` column and one 0/1 column per category, or a CSV
        file (:func:`policyml.datasets.load_labeled_csv`); see :func:`policyml.model.train`
        for the optional columns. A labeling sheet of :func:`suggest` once filled in.
    base : {None, "opp115"}, default None
        ``None``: learn from ``data`` alone (:func:`policyml.model.train`). ``"opp115"``: learn
        from ``data`` plus the data policyml's default recipe learns from: OPP-115 and, where its
        pages are found, the dev half of policyml's modern corpus
        (:func:`policyml.datasets.load_base_corpus`). A few hundred paragraphs of your own
        give a far better model this way than alone (``BENCHMARKS.md``, "Adapt").
    opp115 : path, optional
        With ``base``: the OPP-115 folder (default: ``POLICYML_OPP115``).
    modern : path or False, optional
        With ``base``: the C3PA DB folder of the modern corpus's pages (default:
        ``POLICYML_C3PA``, else OPP-115 alone); ``False`` for OPP-115 alone.
    user_weight : float, optional
        With ``base``: the weight of each of your rows in the loss (an OPP-115 segment weighs
        1, a modern paragraph :data:`policyml.datasets.MODERN_WEIGHT`). Default: chosen among
        :data:`USER_WEIGHTS` by :data:`SEARCH_FOLDS`-fold cross-validation on your rows,
        grouped by their ``policy_id`` (:func:`choose_user_weight`). A ``weight`` column in
        ``data`` scales its rows relative to each other.
    categories : sequence of str, optional
        The label set. With ``base``: a subset of the base's categories (default: the base
        categories that ``data`` has columns for); the model learns only those.
    progress : bool, default False
        Show progress bars.
    **options
        Training options (:data:`policyml.model.DEFAULT_OPTIONS`).

    Returns
    -------
    PolicyModel
        With ``base``, ``metadata["base"]`` records the combination: the base's name and
        folders, rows per domain, the SHA-256 of the base data and of your rows, your rows'
        weight and the cross-validation scores that chose it.

    Raises
    ------
    BaseDataNotFoundError
        ``base`` is given and OPP-115 is not found (it is not shipped: the message says
        where to get it and what to pass).
    DataValidationError
        Malformed data; with ``base``, categories the base does not have (named), or a row
        whose label is empty.

    Examples
    --------
    >>> import policyml
    >>> from policyml.datasets import load_example_csv
    >>> model = policyml.train(load_example_csv(), thresholds=0.5)
    >>> model.categories
    ['collection', 'sharing', 'cookies', 'children', 'security']

    On top of policyml's own training data (needs the OPP-115 corpus)::

        model = policyml.train("to_label.csv", base="opp115", opp115="../shared/opp115")
        model.metadata["base"]["user_weight"]
    """
    if base is None:
        given = [
            name
            for name, value in (
                ("opp115", opp115),
                ("modern", modern),
                ("user_weight", user_weight),
            )
            if value is not None
        ]
        if given:
            raise InvalidInputError(f"{', '.join(given)} go(es) with base='opp115'")
        return train_model(data, categories=categories, progress=progress, **options)
    build_pipeline(**options)  # unknown options fail here, before the data is read
    weight = _check_weight(user_weight)
    if base not in BASES:
        raise InvalidInputError(f"unknown base {base!r}; choose one of {list(BASES)}")
    cats = _user_categories(data, categories)
    user, source = labeled_frame(data, cats)
    user = _user_rows(user, cats, source)
    found = find_base_data(base, opp115=opp115, modern=modern)
    base_frame = load_base_corpus(found.opp115, found.modern, progress=progress)
    if "lead_in" not in base_frame.columns:  # OPP-115 segments have none
        base_frame = base_frame.assign(lead_in=None)
    base_frame = base_frame[[*_COMBINED_COLUMNS[:1], *cats, *_COMBINED_COLUMNS[1:]]]
    search = None
    if weight is None:
        search = choose_user_weight(
            base_frame,
            user,
            cats,
            weights=USER_WEIGHTS,
            folds=SEARCH_FOLDS,
            max_base_rows=SEARCH_BASE_ROWS,
            progress=progress,
            **options,
        )
        weight = search.weight
    combined = _combine(base_frame, user, cats, weight)
    combined.attrs["source"] = source
    model = train_model(combined, categories=cats, progress=progress, **options)
    rows = combined["domain"].value_counts()
    described = f"OPP-115 ({found.opp115})"
    if found.modern is not None:
        described += f" + modern corpus dev half ({found.modern})"
    model.metadata["training_data"]["source"] = f"{described} + {source} (weight {weight:g})"
    model.metadata["base"] = {
        "name": found.name,
        "opp115": str(found.opp115),
        "modern": str(found.modern) if found.modern is not None else None,
        "modern_note": found.note,
        "rows": {
            str(domain): int(rows.get(domain, 0)) for domain in dict.fromkeys(combined["domain"])
        },
        "sha256": {
            "base": frame_sha256(base_frame, cats),
            USER_DOMAIN: frame_sha256(user, cats),
        },
        "user_source": source,
        "user_weight": weight,
        "weight_choice": search.to_json() if search is not None else {"method": "given"},
    }
    return model


_COMBINED_COLUMNS = ("text", "policy_id", "heading", "lead_in", "domain", "weight")


def _check_weight(value: Any) -> float | None:
    if value is None:
        return None
    try:
        weight = float(value)
    except (TypeError, ValueError):
        weight = float("nan")
    if isinstance(value, bool) or not math.isfinite(weight) or weight <= 0:
        raise InvalidInputError(f"user_weight must be a positive number, got {value!r}")
    return weight


def _user_categories(data: Any, categories: Sequence[str] | None) -> list[str]:
    """The user's categories: ``categories`` or the base categories ``data`` has columns for;
    an error naming any that the base lacks, or label-like columns it does not know."""
    base = list(CATEGORIES)
    if categories is not None:
        if isinstance(categories, str):
            raise InvalidInputError("categories must be a list of names, not a single string")
        cats = list(categories)
        extra = [c for c in cats if c not in base]
        if extra:
            raise DataValidationError(_extra_message(_name(data), extra))
        if not cats:
            raise InvalidInputError("categories is empty")
        return cats
    if isinstance(data, str | os.PathLike):
        columns = csv_header(data)
    elif isinstance(data, pd.DataFrame):
        columns = [str(c) for c in data.columns]
    else:
        raise InvalidInputError(
            f"labeled data must be a DataFrame or a CSV path, got {type(data).__name__}"
        )
    cats = [c for c in base if c in columns]
    if not cats:
        if "labels" in columns:
            return base
        raise DataValidationError(
            f"{_name(data)}: no category column of the base ({', '.join(base)}); columns"
            f" found: {columns}"
        )
    return cats


def _name(data: Any) -> str:
    if isinstance(data, str | os.PathLike):
        return os.fspath(data)
    source = getattr(data, "attrs", {}).get("source")
    return source if isinstance(source, str) and source else "<DataFrame>"


def _extra_message(name: str, extra: Sequence[str]) -> str:
    return (
        f"{name}: categor{'ies' if len(extra) > 1 else 'y'} {', '.join(map(repr, extra))} not in"
        f" the base data, which has {', '.join(CATEGORIES)}; train on top of the base with a"
        " subset of those, or train without base for other categories"
    )


_LABEL_VALUES = {"0", "1", "0.0", "1.0", "true", "false"}


def _user_rows(frame: pd.DataFrame, cats: list[str], source: str) -> pd.DataFrame:
    """The user's validated rows as training rows of the combination; an error for a column
    that looks like a category the base does not have (0/1 values, unknown name)."""
    extra = []
    known = {"text", *KNOWN_COLUMNS, *CATEGORIES} | {PROBA_PREFIX + c for c in CATEGORIES}
    for column in frame.columns:
        if column in known:
            continue
        values = {str(v).strip().lower() for v in frame[column] if not _blank(v)}
        if values and values <= _LABEL_VALUES:
            extra.append(str(column))
    if extra:
        raise DataValidationError(
            _extra_message(source, extra)
            + " (a column of 0/1 values reads as a category: rename it if it is not one)"
        )
    out = pd.DataFrame({"text": frame["text"].astype(str)})
    for c in cats:
        out[c] = frame[c].to_numpy(dtype="int8")
    if "policy_id" in frame.columns:
        ids = [None if _blank(v) else str(v) for v in frame["policy_id"]]
    else:
        ids = [None] * len(frame)
    # a row without a policy is a policy of its own: never a neighbour of another row
    out["policy_id"] = [
        f"{USER_DOMAIN}:{p}" if p is not None else f"{USER_DOMAIN}:row {i}"
        for i, p in enumerate(ids)
    ]
    for column in ("heading", "lead_in"):
        values = frame[column] if column in frame.columns else [None] * len(frame)
        out[column] = pd.Series(
            [v if isinstance(v, str) and v.strip() else None for v in values], dtype=object
        )
    out["domain"] = USER_DOMAIN
    weights = row_weights(frame, source)
    out["weight"] = np.ones(len(frame)) if weights is None else weights
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _combine(
    base: pd.DataFrame, user: pd.DataFrame, cats: list[str], weight: float
) -> pd.DataFrame:
    """Base rows then the user's, the user's weights multiplied by ``weight``."""
    user = user.assign(weight=user["weight"] * weight)
    columns = [*_COMBINED_COLUMNS[:1], *cats, *_COMBINED_COLUMNS[1:]]
    both = pd.concat([base[columns], user[columns]], ignore_index=True)
    for column in ("heading", "lead_in"):
        both[column] = both[column].astype(object)
    return both


@dataclass
class WeightSearch:
    """How :func:`choose_user_weight` chose the user's weight.

    Attributes
    ----------
    weight : float
        The chosen weight.
    scores : dict
        Weight -> macro-F1 of the user's rows, out of fold.
    base_alone : float
        The same score of a model trained on the base data alone.
    folds : int
    groups : str
        What the folds group by (``"policy_id"``, or ``"row"`` when the rows have fewer than
        two policies).
    base_rows : int
        Rows of the base in the search (a sample of a large base).
    scored : list of str
        The categories in the macro average: those with a positive among the user's rows.
    note : str
        Set when the weight could not be chosen by the scores (no positive label at all).
    """

    weight: float
    scores: dict[float, float]
    base_alone: float
    folds: int
    groups: str
    base_rows: int = 0
    scored: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "inner grouped CV on the user's rows",
            "folds": self.folds,
            "groups": self.groups,
            "base_rows": self.base_rows,
            "threshold": SEARCH_THRESHOLD,
            "metric": "macro-F1 of the user's rows, out of fold",
            "categories_scored": self.scored,
            "macro_f1": {f"{w:g}": round(s, 4) for w, s in self.scores.items()},
            "base_alone_macro_f1": round(self.base_alone, 4),
            "note": self.note,
        }

    def table(self) -> pd.DataFrame:
        """One row per weight (and the base alone): the out-of-fold macro-F1."""
        rows = [("base alone", self.base_alone, False)]
        rows += [(f"{w:g}", s, w == self.weight) for w, s in self.scores.items()]
        return pd.DataFrame(rows, columns=["user weight", "macro-F1", "chosen"]).set_index(
            "user weight"
        )


def choose_user_weight(
    base: pd.DataFrame,
    user: pd.DataFrame,
    categories: Sequence[str],
    *,
    weights: Sequence[float] = USER_WEIGHTS,
    folds: int = SEARCH_FOLDS,
    max_base_rows: int | None = SEARCH_BASE_ROWS,
    progress: bool = False,
    random_state: int = 0,
    **options: Any,
) -> WeightSearch:
    """Choose the weight of the user's rows by cross-validation on them.

    The user's rows are split into ``folds`` folds by ``policy_id`` (by row when they come
    from fewer than two policies). For each fold, the model learns from the base rows plus the
    other folds' rows at each weight, and labels the fold's rows at the fixed threshold
    :data:`SEARCH_THRESHOLD`; the weight with the best macro-F1 of the pooled out-of-fold labels
    wins (the smaller among ties). The features are fitted once per fold, the classifier once
    per weight and fold. A base of more than ``max_base_rows`` rows is sampled for the search:
    a random share of each domain's policies, their weights raised so that each domain weighs
    as much as in the whole base (so the weight found holds for the whole base).

    Parameters
    ----------
    base, user : DataFrame
        Training rows (``text``, the categories, ``policy_id``, ``heading``, ``lead_in``,
        ``weight``): the base data and the user's, the user's weights before scaling.
    categories : sequence of str
    weights : sequence of float, default :data:`USER_WEIGHTS`
    folds : int, default :data:`SEARCH_FOLDS`
    max_base_rows : int or None, default :data:`SEARCH_BASE_ROWS`
        None: the whole base.
    progress : bool, default False
    random_state : int, default 0
        Shuffles rows into folds when they are grouped by row, and draws the base's sample.
    **options
        Training options (:func:`policyml.model.build_pipeline`).

    Returns
    -------
    WeightSearch
    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, KFold

    cats = list(categories)
    grid = sorted({float(w) for w in weights})
    if not grid or any(not math.isfinite(w) or w <= 0 for w in grid):
        raise InvalidInputError(f"weights must be positive numbers, got {list(weights)}")
    groups = user["policy_id"].astype(str).to_numpy()
    n_groups = len(set(groups))
    if n_groups >= 2:
        k = min(folds, n_groups)
        splits = list(GroupKFold(n_splits=k).split(user, groups=groups))
        grouped = "policy_id"
    else:
        k = min(folds, len(user))
        if k < 2:
            raise DataValidationError(
                "too few rows of your own to choose their weight by cross-validation; pass"
                " user_weight=..."
            )
        splits = list(KFold(k, shuffle=True, random_state=random_state).split(user))
        grouped = "row"
    base = base_sample(base, max_base_rows, random_state)
    Y_user = user[cats].to_numpy(dtype=int)
    scored = [c for j, c in enumerate(cats) if Y_user[:, j].any()]
    opts = {**options, "thresholds": SEARCH_THRESHOLD}
    both = as_frame(pd.concat([base, user], ignore_index=True))
    if not any(h.strip() for h in context_columns(both)[1]):
        opts["heading_weight"] = 0.0  # no heading to learn from (as policyml.model.train does)
    proba = {w: np.zeros(Y_user.shape) for w in grid}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=k * len(grid) + 1, desc="choosing your rows' weight", unit="fit")
    try:
        for train_idx, test_idx in splits:
            rows = pd.concat([base, user.iloc[train_idx]], ignore_index=True)
            pipeline = build_pipeline(**opts)
            features = pipeline[:-1].fit_transform(as_frame(rows), None)
            held_out = pipeline[:-1].transform(as_frame(user.iloc[test_idx]))
            Y = rows[cats].to_numpy(dtype=int)
            n_base = len(base)
            for w in grid:
                weights_w = rows["weight"].to_numpy(dtype=float).copy()
                weights_w[n_base:] *= w
                classifier = fit_classifier(clone(pipeline.steps[-1][1]), features, Y, weights_w)
                proba[w][test_idx] = classifier.predict_proba(held_out)
                if bar is not None:
                    bar.update()
        pipeline = build_pipeline(**opts)
        features = pipeline[:-1].fit_transform(as_frame(base), None)
        classifier = fit_classifier(
            pipeline.steps[-1][1],
            features,
            base[cats].to_numpy(dtype=int),
            base["weight"].to_numpy(dtype=float),
        )
        alone = classifier.predict_proba(pipeline[:-1].transform(as_frame(user)))
        if bar is not None:
            bar.update()
    finally:
        if bar is not None:
            bar.close()
    columns = [cats.index(c) for c in scored]

    def score(p: np.ndarray) -> float:
        if not columns:
            return float("nan")
        predicted = (p[:, columns] >= SEARCH_THRESHOLD).astype(int)
        report = classification_report(Y_user[:, columns], predicted, scored)
        return float(report.loc["macro avg", "f1"])

    scores = {w: score(proba[w]) for w in grid}
    note = ""
    if columns:
        best = max(scores.values())
        chosen = min(w for w, s in scores.items() if s == best)
    else:
        chosen = grid[len(grid) // 2]
        note = "no positive label among your rows: the middle weight was taken, not chosen"
    return WeightSearch(chosen, scores, score(alone), k, grouped, len(base), scored, note)


def base_sample(base: pd.DataFrame, max_rows: int | None, random_state: int) -> pd.DataFrame:
    """At most about ``max_rows`` rows of ``base``: the same share of each domain's policies,
    drawn at random, each domain's weights scaled up to its whole weight (the weight search's
    base, see :func:`choose_user_weight`).

    Examples
    --------
    >>> base = pd.DataFrame({"policy_id": list("aabbccdd"), "domain": "x", "weight": 1.0})
    >>> sample = base_sample(base, 4, random_state=0)
    >>> len(sample), float(sample["weight"].sum())
    (4, 8.0)
    """
    if max_rows is None or len(base) <= max_rows:
        return base
    rng = np.random.default_rng(random_state)
    share = max_rows / len(base)
    domains = base["domain"] if "domain" in base.columns else pd.Series("", index=base.index)
    parts = []
    for _, rows in base.groupby(domains.to_numpy(), sort=True):
        policies = rows["policy_id"].astype(str)
        names = np.array(sorted(set(policies)))
        chosen = rng.permutation(names)[: max(1, round(share * len(names)))]
        part = rows[policies.isin(chosen).to_numpy()]
        scale = rows["weight"].sum() / part["weight"].sum()
        parts.append(part.assign(weight=part["weight"] * scale))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Suggesting what to label
# --------------------------------------------------------------------------------------------


def uncertainty(proba: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """How unsure a model is of each paragraph: ``exp(-d)``, where ``d`` is the smallest
    distance, over categories, between a probability and its category's threshold, measured
    in log-odds. 1 for a probability right at a threshold, near 0 when every category is
    clearly decided.

    Examples
    --------
    >>> uncertainty(np.array([[0.5, 0.99], [0.01, 0.99]]), [0.5, 0.5]).round(3).tolist()
    [1.0, 0.01]
    """
    p = np.clip(np.asarray(proba, dtype=float), 1e-9, 1 - 1e-9)
    t = np.clip(np.asarray(thresholds, dtype=float), 1e-9, 1 - 1e-9)
    distance = np.abs(np.log(p / (1 - p)) - np.log(t / (1 - t)))
    if distance.shape[1] == 0:
        return np.zeros(len(distance))
    return np.exp(-distance.min(axis=1))


_NOT_WORD = re.compile(r"[\W\d_]+")


def _text_key(text: str) -> bytes:
    """Identical texts up to case, digits, punctuation and spacing share a key."""
    return hashlib.blake2b(
        _NOT_WORD.sub(" ", text.casefold()).strip().encode("utf-8", "surrogatepass"),
        digest_size=12,
    ).digest()


def suggest(
    corpus: Any,
    n: int = 200,
    model: PolicyModel | str | Path | None = None,
    *,
    progress: bool | None = None,
    random_state: int = 0,
    pool_size: int | None = None,
    n_jobs: int | None = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    fmt: str = "auto",
    kind: str = "auto",
    errors: str = "raise",
) -> pd.DataFrame:
    """Pick the paragraphs of a corpus whose labels would teach the model most.

    The corpus is classified as :func:`policyml.classify_many` does, batch by batch (memory
    stays flat: only a pool of the ``pool_size`` most uncertain candidates is kept). Then:

    1. **uncertain**: the candidates are a sample of the corpus that leans towards paragraphs
       the model is unsure of: for each category, a paragraph's chance grows with how near its
       probability is to the category's threshold (:func:`uncertainty`, to the power
       :data:`UNCERTAINTY_POWER`), so every category, rare ones too, gets candidates. (Only
       the most uncertain paragraphs did worse than this, and than a random choice, on the
       modern corpus's dev half: ``BENCHMARKS.md``, "Adapt");
    2. **no duplicates**: texts identical up to case, digits and punctuation count once, and
       of near-duplicates (TF-IDF cosine similarity at least :data:`NEAR_DUPLICATE`) only the
       most uncertain stays;
    3. **diverse**: the remaining candidates are clustered in ``n`` clusters of their TF-IDF
       vectors (weighted by uncertainty) and the paragraph nearest each cluster's centre is
       picked, at most about twice a policy's fair share from any one policy.

    Parameters
    ----------
    corpus : str, path, mapping or iterable
        Your policies, as :func:`policyml.classify_many` takes them (a folder, a glob pattern,
        files, texts, ``(id, text)`` pairs).
    n : int, default 200
        Paragraphs to pick (fewer when the corpus has fewer distinct candidates).
    model : PolicyModel or path, optional
        The model to improve; default the bundled one.
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    random_state : int, default 0
        Seed of the clustering.
    pool_size : int, optional
        Candidates kept while reading (all categories together); default
        ``max(10 * n, 1000)``.
    n_jobs, batch_size, fmt, kind, errors
        As for :func:`policyml.classify_many`.

    Returns
    -------
    pandas.DataFrame
        A labeling sheet, most uncertain paragraph first: ``text``, ``heading``, ``lead_in``,
        ``policy_id`` (the policy's path or id), one **empty** column per category (``Int8``:
        fill in 0 or 1), then hints that training ignores: ``p_<category>`` (the model's
        probabilities), ``predicted`` (its labels, ``;``-separated), ``source``, ``start`` and
        ``end`` (where the paragraph is: ``policy[start:end]``). ``attrs`` holds
        ``n_policies``, ``n_paragraphs`` (paragraphs read), ``candidates`` (the pool's size
        at the end) and ``errors`` (policies skipped with ``errors="skip"``). Write it with
        ``to_csv(path, index=False)``, fill it in, and train with
        ``policyml.train(path, base="opp115")``.

    Examples
    --------
    >>> import policyml
    >>> policies = {"a": "We use cookies.\\n\\nWe may share data with partners.",
    ...             "b": "We may share data with partners.\\n\\nKids under 13: no."}
    >>> sheet = policyml.suggest(policies, n=2)
    >>> len(sheet), bool(sheet["collection"].isna().all())
    (2, True)
    >>> sheet["text"].tolist().count("We may share data with partners.") <= 1
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInputError(f"n must be a positive int, got {n!r}")
    size = max(POOL_FACTOR * n, MIN_POOL) if pool_size is None else pool_size
    if isinstance(size, bool) or not isinstance(size, int) or size < n:
        raise InvalidInputError(f"pool_size must be an int of at least n ({n}), got {size!r}")
    resolved = resolve_model(model)
    categories = list(resolved.categories)
    thresholds = np.asarray(resolved.thresholds, dtype=float)
    pool = _Pool(size, len(categories), random_state)
    failed: list[Any] = []
    n_policies = n_paragraphs = 0
    for frame in iter_classify(
        corpus,
        model=resolved,
        n_jobs=n_jobs,
        batch_size=batch_size,
        fmt=fmt,
        kind=kind,
        errors=errors,  # type: ignore[arg-type]
        progress=progress,
    ):
        failed.extend(frame.attrs.get("errors", ()))
        n_policies += frame.attrs.get("n_policies", 0)
        n_paragraphs += len(frame)
        if len(frame):
            pool.add(frame, categories, thresholds)
    candidates = pool.frame()
    picked = _pick(candidates, n, random_state)
    sheet = _sheet(candidates.iloc[picked], categories)
    sheet.attrs = {
        "n_policies": n_policies,
        "n_paragraphs": n_paragraphs,
        "candidates": len(candidates),
        "errors": tuple(failed),
    }
    return sheet


class _Pool:
    """A bounded sample of the distinct paragraphs seen so far, each drawn with a chance that
    grows with the model's uncertainty: weighted reservoirs (Efraimidis and Spirakis, 2006;
    key ``log(r) / weight``, ``r`` uniform), so the pool follows the corpus tilted towards
    what the model is unsure of. With :data:`POOL_BY_CATEGORY` each category has a reservoir
    of its own, weighted by the uncertainty about that category, so a rare category gets its
    share; else one, weighted by :func:`uncertainty`."""

    def __init__(self, size: int, n_categories: int, random_state: int) -> None:
        lanes = n_categories if POOL_BY_CATEGORY else 1
        self.lane_size = max(1, size // lanes)
        self.heaps: list[list[tuple[float, int, bytes]]] = [[] for _ in range(lanes)]
        self.members: list[set[bytes]] = [set() for _ in range(lanes)]
        self.rows: dict[bytes, dict[str, Any]] = {}
        self.refs: dict[bytes, int] = {}
        self.counter = 0
        self.rng = np.random.default_rng(random_state)

    def add(self, frame: pd.DataFrame, categories: list[str], thresholds: np.ndarray) -> None:
        proba = frame[[PROBA_PREFIX + c for c in categories]].to_numpy(dtype=float)
        scores = uncertainty(proba, thresholds)
        if len(self.heaps) == 1:
            weights = scores[:, None]
        else:
            weights = np.column_stack(
                [uncertainty(proba[:, [j]], thresholds[[j]]) for j in range(len(categories))]
            )
        if UNCERTAINTY_POWER is None:
            priority = weights
        else:
            draws = np.maximum(self.rng.random(weights.shape), 1e-300)
            priority = np.log(draws) / np.maximum(weights**UNCERTAINTY_POWER, 1e-300)
        words: dict[int, bool] = {}
        for lane, heap in enumerate(self.heaps):
            floor = heap[0][0] if len(heap) >= self.lane_size else -np.inf
            for i in np.flatnonzero(priority[:, lane] > floor):
                text = frame["text"].iat[i]
                key = _text_key(text)
                if key in self.members[lane]:
                    continue  # a copy of a candidate
                if i not in words:
                    words[i] = bool(analyze(text, (1, 1)))
                if not words[i]:
                    continue  # no word to learn from
                self.counter += 1
                entry = (float(priority[i, lane]), self.counter, key)
                if len(heap) < self.lane_size:
                    heapq.heappush(heap, entry)
                elif entry[0] > heap[0][0]:
                    _, _, dropped = heapq.heapreplace(heap, entry)
                    self.members[lane].discard(dropped)
                    self.refs[dropped] -= 1
                    if not self.refs[dropped]:
                        del self.refs[dropped], self.rows[dropped]
                else:
                    continue
                self.members[lane].add(key)
                self.refs[key] = self.refs.get(key, 0) + 1
                if key not in self.rows:
                    self.rows[key] = {
                        "text": text,
                        "heading": frame["heading"].iat[i],
                        "lead_in": frame["lead_in"].iat[i],
                        "policy": frame["policy"].iat[i],
                        "start": int(frame["start"].iat[i]),
                        "end": int(frame["end"].iat[i]),
                        "labels": frame["labels"].iat[i],
                        "uncertainty": float(scores[i]),
                        **{PROBA_PREFIX + c: float(proba[i, j]) for j, c in enumerate(categories)},
                    }

    def frame(self) -> pd.DataFrame:
        """The pool, most uncertain first."""
        frame = pd.DataFrame(list(self.rows.values()))
        if len(frame):
            frame = frame.sort_values("uncertainty", ascending=False, kind="stable")
        return frame.reset_index(drop=True)


def _pick(candidates: pd.DataFrame, n: int, random_state: int) -> list[int]:
    """Positions of ``n`` candidates (sorted most uncertain first): near-duplicates dropped,
    one per cluster of the rest, each policy at most about twice its fair share."""
    if len(candidates) == 0:
        return []
    vectors = _tfidf(candidates["text"].tolist())
    keep = _drop_near_duplicates(vectors)
    if len(keep) <= n:
        return keep
    weights = candidates["uncertainty"].to_numpy()[keep]
    labels, distances = _clusters(vectors[keep], n, weights, random_state)
    policies = candidates["policy"].map(policy_label).to_numpy()[keep]
    cap = max(1, math.ceil(2 * n / len(set(policies))))
    taken: dict[str, int] = {}
    chosen: list[int] = []
    order = np.lexsort((distances, labels))  # by cluster, nearest the centre first
    by_cluster: dict[int, list[int]] = {}
    for i in order:
        by_cluster.setdefault(int(labels[i]), []).append(int(i))
    for members in by_cluster.values():
        for i in members:
            if taken.get(policies[i], 0) < cap:
                chosen.append(i)
                taken[policies[i]] = taken.get(policies[i], 0) + 1
                break
    if len(chosen) < n:  # clusters whose members all hit the cap: the most uncertain others
        rest = [i for i in range(len(keep)) if i not in set(chosen)]
        fair = [i for i in rest if taken.get(policies[i], 0) < cap]
        for i in (fair + [i for i in rest if i not in set(fair)])[: n - len(chosen)]:
            chosen.append(i)
            taken[policies[i]] = taken.get(policies[i], 0) + 1
    return sorted(keep[i] for i in chosen)


def _tfidf(texts: list[str]) -> Any:
    """L2-normalised TF-IDF rows of ``texts`` (stemmed word 1-2-grams, as the model reads)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32)
    return vectorizer.fit_transform(texts)


def _drop_near_duplicates(vectors: Any, block: int = 512) -> list[int]:
    """Rows (in order: most uncertain first) with no earlier kept row at cosine similarity
    :data:`NEAR_DUPLICATE` or more."""
    n = vectors.shape[0]
    kept = np.zeros(n, dtype=bool)
    transposed = vectors.T.tocsc()
    for start in range(0, n, block):
        similar = (vectors[start : start + block] @ transposed).toarray() >= NEAR_DUPLICATE
        for offset, row in enumerate(similar):
            i = start + offset
            kept[i] = not (row[:i] & kept[:i]).any()
    return np.flatnonzero(kept).tolist()


def _clusters(
    vectors: Any, k: int, weights: np.ndarray, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """k-means clusters of ``vectors`` (reduced to 100 dimensions by truncated SVD), weighted:
    each row's cluster and distance to its centre."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = min(100, vectors.shape[1] - 1, vectors.shape[0] - 1)
    if dims >= 2:
        points = TruncatedSVD(dims, random_state=random_state).fit_transform(vectors)
        points = normalize(points)
    else:
        points = vectors.toarray()
    kmeans = KMeans(n_clusters=k, n_init=1, random_state=random_state)
    labels = kmeans.fit_predict(points, sample_weight=weights)
    distances = np.linalg.norm(points - kmeans.cluster_centers_[labels], axis=1)
    return labels, distances


def _sheet(picked: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """The labeling sheet of the picked candidates (see :func:`suggest`)."""
    picked = picked.reset_index(drop=True)
    n = len(picked)
    sheet = pd.DataFrame(
        {
            "text": picked["text"] if n else pd.Series(dtype=object),
            "heading": picked["heading"] if n else pd.Series(dtype=object),
            "lead_in": picked["lead_in"] if n else pd.Series(dtype=object),
            "policy_id": picked["policy"].map(policy_label) if n else pd.Series(dtype=object),
        }
    )
    for c in categories:
        sheet[c] = pd.Series([pd.NA] * n, dtype="Int8")
    for c in categories:
        sheet[PROBA_PREFIX + c] = picked[PROBA_PREFIX + c] if n else pd.Series(dtype=float)
    sheet["predicted"] = picked["labels"].map(";".join) if n else pd.Series(dtype=object)
    sheet["source"] = picked["policy"].map(policy_label) if n else pd.Series(dtype=object)
    sheet["start"] = picked["start"] if n else pd.Series(dtype=int)
    sheet["end"] = picked["end"] if n else pd.Series(dtype=int)
    for column in ("heading", "lead_in"):
        sheet[column] = sheet[column].astype(object).where(sheet[column].notna(), None)
    return sheet
