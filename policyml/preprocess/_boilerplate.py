"""Page furniture or policy text: which units of an HTML page are the policy's own text.

A crawled page holds menus, footers, link lists, share buttons, cookie banners, tables of
contents, headlines and other documents (terms of use) around the policy. Each unit gets a
probability of being policy text from a small logistic regression over

* where it sits: the share of its text inside ``<nav>``/``<header>``/``<footer>``/``<aside>``/
  ``<form>``, inside elements whose class/id/role names furniture ("menu", "cookie", "share"…)
  or content ("content", "policy"…), inside ``<main>``/``<article>``, tables and links, and in
  links to the same page (a table of contents) — see ``_html.HINTS``;
* what it looks like: length, final punctuation, bullets, headings, function-word and
  privacy-word density, capitals and digits, repetition on the page, position;
* what it says: a lexical model of policy vs. furniture words and word pairs;
* its neighbourhood: the same signals averaged over windows of units around it (furniture comes
  in runs, and a policy section is surrounded by policy text).

Only documents that look like web pages (:func:`looks_like_page`) are sorted this way; an HTML
fragment of the policy alone is left whole. The weights are trained by
``tools/train_boilerplate.py`` on the OPP-115 raw pages (a unit is policy text when it is in the
text the OPP-115 annotators saw) and on the dev half of the modern corpus (units labelled
``chrome``), and shipped as JSON in ``policyml/resources``.
Computed with numpy: a page has hundreds of units, not millions.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policyml.exceptions import ModelLoadError
from policyml.preprocess._lines import Unit
from policyml.tokens import analyze

MODEL_FORMAT = "policyml-boilerplate"
_RESOURCE = Path(__file__).resolve().parent.parent / "resources" / "boilerplate.json"

_WORD_RE = re.compile(r"[^\W_]+")
# (words separated by spaces)
_FUNCTION_WORDS_TEXT = (
    "the of and to a in that is for it as with be by on not this are or your you we our from at"
    " which an have has will may can any such other these those their its if all"
)
_PRIVACY_WORDS_TEXT = (
    "information personal data privacy policy collect collected collection use used share"
    " shared sharing third parties party cookies cookie consent rights request opt disclose"
    " disclosed disclosure process processing provide access delete retain security secure"
    " protect children email address identifiers browser device advertising analytics service"
    " providers"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
_PRIVACY_WORDS = frozenset(_PRIVACY_WORDS_TEXT.split())
_COPYRIGHT_RE = re.compile(r"©|\(c\)\s*\d{4}|all rights reserved", re.I)

#: Columns averaged over windows of units: the furniture elements, furniture names, links,
#: length, function words and privacy words.
_SMOOTHED = (0, 1, 2, 3, 5, 10, 11, 12, 22, 23)
_WINDOWS = (2, 6, 15)
_LEXICAL_WINDOWS = (1, 3, 8, 20)


def unit_features(units: Sequence[Unit], hints: np.ndarray | None = None) -> np.ndarray:
    """The structural and textual features of each unit of a page (without the lexical ones),
    shape ``(n_units, n_features)``; ``hints`` as :func:`unit_hints` gives them.

    Units of non-HTML text (no element hints) get zeros for the element shares.
    """
    n = len(units)
    if hints is None:
        hints = unit_hints(units)
    repeats = Counter(u.text for u in units)
    rows = []
    for i, unit in enumerate(units):
        text = unit.text
        words = _WORD_RE.findall(text.lower())
        n_words = len(words) or 1
        first = unit.lines[0]
        end = text.rstrip()[-1:]
        rows.append(
            (
                math.log1p(len(words)),  # 12 (after the 12 hint columns)
                math.log1p(len(text)),
                float(end in ".!?;"),
                float(end == ":"),
                float(first.bullet),
                float(first.enum),
                float(first.level > 0),
                float(first.bold),
                float(all(line.link for line in unit.lines)),
                float(len(unit.lines) > 1),
                len([w for w in words if w in _FUNCTION_WORDS]) / n_words,  # 22
                len([w for w in words if w in _PRIVACY_WORDS]) / n_words,  # 23
                sum(map(str.isupper, text)) / (sum(map(str.isalpha, text)) or 1),
                sum(map(str.isdigit, text)) / max(1, len(text)),
                math.log1p(repeats[text] - 1),
                i / max(1, n - 1),
                float(bool(_COPYRIGHT_RE.search(text))),
            )
        )
    base = np.hstack([hints, np.asarray(rows, dtype=float).reshape(n, -1)])
    smoothed = base[:, _SMOOTHED]
    windows = np.stack([window_means(smoothed, w) for w in _WINDOWS], axis=2)
    return np.hstack([base, windows.reshape(n, -1)])


#: Hints (see ``_html.HINTS``) that mark page furniture by tag or by name.
_NAV, _HEADER, _FOOTER, _ASIDE, _FORM = 0, 1, 2, 3, 4
_ANCHORS, _TABLE, _WIDGET, _LINKS = 8, 9, 10, 11
_SHORT_WORDS = 12
_FURNITURE_HINTS = (0, 1, 2, 3, 4, 5, _WIDGET)
_N_HINTS = 12  # the eleven element hints and the share in links


def unit_hints(units: Sequence[Unit]) -> np.ndarray:
    """Per unit, the share of its characters under each element hint (``_html.HINTS``) and in
    links, shape ``(n_units, 12)``. A ``<form>`` that holds most of the page's text wraps the
    page (ASP.NET WebForms pages do this), so it does not count as furniture there."""
    rows = np.zeros((len(units), _N_HINTS))
    for i, unit in enumerate(units):
        lines = unit.lines
        if len(lines) == 1:
            if lines[0].hints:
                rows[i] = lines[0].hints
            continue
        sizes = np.array([len(line.clean) for line in lines], dtype=float)
        shares = np.array([line.hints or (0.0,) * _N_HINTS for line in lines])
        rows[i] = sizes @ shares / (sizes.sum() or 1.0)
    sizes = np.array([len(unit.text) for unit in units], dtype=float)
    if len(units) and rows[:, _FORM] @ sizes >= 0.5 * max(sizes.sum(), 1.0):
        rows[:, _FORM] = 0.0
    return rows


def looks_like_page(units: Sequence[Unit]) -> bool:
    """Whether the units come from a web page (some text sits in a ``<nav>``, ``<header>``,
    ``<footer>``, ``<aside>`` or ``<form>``, or in an element named like furniture) rather than
    from an HTML fragment of the policy alone, which is left whole."""
    return bool(unit_hints(units)[:, _FURNITURE_HINTS].any())


#: A unit outside any furniture element is furniture below this share of the threshold.
BARE_FACTOR = 0.6


def certain_furniture(units: Sequence[Unit], hints: np.ndarray | None = None) -> np.ndarray:
    """Units that are furniture whatever the model says: short ones (up to 12 words, or mostly
    link text) entirely inside ``<nav>``, ``<header>``, ``<footer>`` or ``<aside>`` (a long
    text there is left to the model: an unclosed element can swallow a page); those that are
    only links to places on the same page (a table of contents); short units (up to 5 words)
    repeated three times or more outside tables ("Back to top")."""
    hints = unit_hints(units) if hints is None else hints
    repeats = Counter(u.text for u in units)
    n_words = np.array([len(_WORD_RE.findall(u.text)) for u in units])
    repeated = np.array([repeats[u.text] >= 3 for u in units], dtype=bool)
    short = (n_words <= _SHORT_WORDS) | (hints[:, _LINKS] >= 0.5)
    structural = short & (hints[:, [_NAV, _HEADER, _FOOTER, _ASIDE]].max(axis=1) >= 0.99)
    contents = hints[:, _ANCHORS] >= 0.99
    again = repeated & (hints[:, _TABLE] < 0.5) & (n_words <= 5)
    return structural | contents | again


def window_means(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of ``values[i - window : i + window + 1]`` for every row ``i`` (2-d: per
    column)."""
    n = len(values)
    sums = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])
    index = np.arange(n)
    lo, hi = np.clip(index - window, 0, n), np.clip(index + window + 1, 0, n)
    count = (hi - lo).reshape(-1, *([1] * (values.ndim - 1)))
    return (sums[hi] - sums[lo]) / count


def lexical_terms(text: str) -> set[str]:
    """The distinct words and word pairs of ``text`` the lexical model reads."""
    return set(analyze(text, (1, 2), stem=False))


class BoilerplateModel:
    """The probability that each unit of a page is policy text (see the module docstring).

    Parameters
    ----------
    lexicon : dict of str to float
        Weight of each word or word pair; a unit's lexical score is ``lexicon_intercept`` plus
        the sum of its known terms' weights over the square root of their number.
    lexicon_intercept : float
    mean, scale, coef : sequence of float
        Standardisation and weights of the features (:func:`unit_features`, then the lexical
        probability and its window means).
    intercept : float
    threshold : float
        A unit whose probability is below it is furniture. A unit that sits in no furniture
        element (no ``<nav>``/``<header>``/``<footer>``/``<aside>``/``<form>``, no element
        named like furniture, not only link text) needs stronger evidence: a probability below
        :data:`BARE_FACTOR` times the threshold. Losing policy text costs more than keeping a
        line of furniture.
    """

    def __init__(
        self,
        lexicon: dict[str, float],
        lexicon_intercept: float,
        mean: Sequence[float],
        scale: Sequence[float],
        coef: Sequence[float],
        intercept: float,
        threshold: float,
    ) -> None:
        self.lexicon = lexicon
        self.lexicon_intercept = float(lexicon_intercept)
        self.mean = np.asarray(mean, dtype=float)
        self.scale = np.where(
            np.asarray(scale, dtype=float) == 0, 1.0, np.asarray(scale, dtype=float)
        )
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        if not len(self.mean) == len(self.scale) == len(self.coef):
            raise ValueError("mean, scale and coef differ in length")

    def lexical_probability(self, texts: Sequence[str]) -> np.ndarray:
        get = self.lexicon.get
        scores = np.full(len(texts), self.lexicon_intercept)
        for i, text in enumerate(texts):
            weights = [w for t in lexical_terms(text) if (w := get(t)) is not None]
            if weights:
                scores[i] += sum(weights) / math.sqrt(len(weights))
        return _sigmoid(scores)

    def features(self, units: Sequence[Unit], hints: np.ndarray | None = None) -> np.ndarray:
        """:func:`unit_features` plus the lexical probability and its window means."""
        base = unit_features(units, hints)
        lexical = self.lexical_probability([u.text for u in units])[:, None]
        return np.hstack([base, lexical, *(window_means(lexical, w) for w in _LEXICAL_WINDOWS)])

    def furniture(self, units: Sequence[Unit]) -> np.ndarray:
        """Which units are page furniture: those :func:`certain_furniture` names, and those
        whose probability is below the threshold (see ``threshold``)."""
        if not units:
            return np.zeros(0, dtype=bool)
        hints = unit_hints(units)
        proba = self.policy_probability(units, hints)
        in_furniture = hints[:, _FURNITURE_HINTS].any(axis=1) | (hints[:, _LINKS] >= 1.0)
        threshold = np.where(in_furniture, self.threshold, BARE_FACTOR * self.threshold)
        return certain_furniture(units, hints) | (proba < threshold)

    def policy_probability(
        self, units: Sequence[Unit], hints: np.ndarray | None = None
    ) -> np.ndarray:
        """The probability that each unit is policy text."""
        if not units:
            return np.zeros(0)
        X = self.features(units, hints)
        return _sigmoid(self.intercept + ((X - self.mean) / self.scale) @ self.coef)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "format_version": 1,
            "lexicon": self.lexicon,
            "lexicon_intercept": self.lexicon_intercept,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BoilerplateModel:
        if data.get("format") != MODEL_FORMAT or data.get("format_version") != 1:
            raise ValueError(f"not a {MODEL_FORMAT} file (version 1)")
        return cls(
            {str(k): float(v) for k, v in data["lexicon"].items()},
            data["lexicon_intercept"],
            data["mean"],
            data["scale"],
            data["coef"],
            data["intercept"],
            data["threshold"],
        )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


_model: BoilerplateModel | None = None
_model_lock = threading.Lock()


def default_model() -> BoilerplateModel:
    """The shipped furniture model, read once (thread-safe)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                try:
                    data = json.loads(_RESOURCE.read_text(encoding="utf-8"))
                    _model = BoilerplateModel.from_dict(data)
                except (OSError, ValueError, KeyError, TypeError) as error:
                    raise ModelLoadError(
                        f"cannot read the page-furniture model {_RESOURCE}: {error}"
                    ) from error
    return _model
