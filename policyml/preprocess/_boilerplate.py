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
Computed in pure Python: a page has hundreds of units, not millions.
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
_SMOOTHED = (0, 1, 2, 3, 5, 10, 11, 21, 22)
_WINDOWS = (2, 6, 15)
_LEXICAL_WINDOWS = (1, 3, 8, 20)


def unit_features(units: Sequence[Unit]) -> list[list[float]]:
    """The structural and textual features of each unit of a page (without the lexical ones).

    Units of non-HTML text (no element hints) get zeros for the element shares.
    """
    n = len(units)
    repeats = Counter(u.text for u in units)
    rows = []
    for i, (unit, hints) in enumerate(zip(units, unit_hints(units), strict=True)):
        words = _WORD_RE.findall(unit.text.lower())
        n_words = len(words) or 1
        letters = sum(c.isalpha() for c in unit.text) or 1
        first = unit.lines[0]
        text = unit.text.rstrip()
        rows.append(
            [
                *hints,  # 0-10: nav, header, footer, aside, form, names (2), main, #-links,
                #          table, links
                math.log1p(len(words)),  # 11
                math.log1p(len(unit.text)),
                float(text[-1:] in ".!?;"),
                float(text[-1:] == ":"),
                float(first.bullet),
                float(first.enum),
                float(first.level > 0),
                float(first.bold),
                float(all(line.link for line in unit.lines)),
                float(len(unit.lines) > 1),
                sum(w in _FUNCTION_WORDS for w in words) / n_words,  # 21
                sum(w in _PRIVACY_WORDS for w in words) / n_words,  # 22
                sum(c.isupper() for c in unit.text) / letters,
                sum(c.isdigit() for c in unit.text) / max(1, len(unit.text)),
                math.log1p(repeats[unit.text] - 1),
                i / max(1, n - 1),
                float(bool(_COPYRIGHT_RE.search(unit.text))),
            ]
        )
    for column in _SMOOTHED:
        values = [row[column] for row in rows]
        for window in _WINDOWS:
            for row, mean in zip(rows, _window_means(values, window), strict=True):
                row.append(mean)
    return rows


#: Hints (see ``_html.HINTS``) that mark page furniture by tag or by name.
_FURNITURE_HINTS = range(6)
_FORM, _LINKS = 4, 10
_N_HINTS = 11  # the ten element hints and the share in links


def unit_hints(units: Sequence[Unit]) -> list[list[float]]:
    """Per unit, the share of its characters under each element hint (``_html.HINTS``) and in
    links. A ``<form>`` that holds most of the page's text wraps the page (ASP.NET WebForms
    pages do this), so it does not count as furniture there."""
    rows = []
    for unit in units:
        total = sum(len(line.clean) for line in unit.lines) or 1
        rows.append(
            [
                sum(len(line.clean) * line.hints[k] for line in unit.lines if line.hints) / total
                for k in range(_N_HINTS)
            ]
        )
    sizes = [len(unit.text) for unit in units]
    in_form = sum(row[_FORM] * size for row, size in zip(rows, sizes, strict=True))
    if in_form >= 0.5 * max(sum(sizes), 1):
        for row in rows:
            row[_FORM] = 0.0
    return rows


def looks_like_page(units: Sequence[Unit]) -> bool:
    """Whether the units come from a web page (some text sits in a ``<nav>``, ``<header>``,
    ``<footer>``, ``<aside>`` or ``<form>``, or in an element named like furniture) rather than
    from an HTML fragment of the policy alone, which is left whole."""
    return any(any(row[k] for k in _FURNITURE_HINTS) for row in unit_hints(units))


#: A unit outside any furniture element is furniture below this share of the threshold.
BARE_FACTOR = 0.6


def _in_furniture(hints: Sequence[float]) -> bool:
    return any(hints[k] for k in _FURNITURE_HINTS) or hints[_LINKS] >= 1.0


def _window_means(values: Sequence[float], window: int) -> list[float]:
    """The mean of ``values[i - window : i + window + 1]`` for every ``i``."""
    sums = [0.0]
    for v in values:
        sums.append(sums[-1] + v)
    n = len(values)
    out = []
    for i in range(n):
        lo, hi = max(0, i - window), min(n, i + window + 1)
        out.append((sums[hi] - sums[lo]) / (hi - lo))
    return out


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
        self.mean = [float(x) for x in mean]
        self.scale = [float(x) if x else 1.0 for x in scale]
        self.coef = [float(x) for x in coef]
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        if not len(self.mean) == len(self.scale) == len(self.coef):
            raise ValueError("mean, scale and coef differ in length")

    def lexical_probability(self, texts: Sequence[str]) -> list[float]:
        out = []
        for text in texts:
            weights = [w for t in lexical_terms(text) if (w := self.lexicon.get(t)) is not None]
            score = self.lexicon_intercept
            if weights:
                score += sum(weights) / math.sqrt(len(weights))
            out.append(_sigmoid(score))
        return out

    def features(self, units: Sequence[Unit]) -> list[list[float]]:
        """:func:`unit_features` plus the lexical probability and its window means."""
        rows = unit_features(units)
        lexical = self.lexical_probability([u.text for u in units])
        smoothed = [_window_means(lexical, w) for w in _LEXICAL_WINDOWS]
        for i, row in enumerate(rows):
            row.append(lexical[i])
            row.extend(s[i] for s in smoothed)
        return rows

    def furniture(self, units: Sequence[Unit]) -> list[bool]:
        """Which units are page furniture (see ``threshold``)."""
        return [
            p < (self.threshold if _in_furniture(hints) else BARE_FACTOR * self.threshold)
            for hints, p in zip(unit_hints(units), self.policy_probability(units), strict=True)
        ]

    def policy_probability(self, units: Sequence[Unit]) -> list[float]:
        """The probability that each unit is policy text."""
        if not units:
            return []
        out = []
        for row in self.features(units):
            z = self.intercept
            for x, m, s, w in zip(row, self.mean, self.scale, self.coef, strict=True):
                z += w * (x - m) / s
            out.append(_sigmoid(z))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "format_version": 1,
            "lexicon": self.lexicon,
            "lexicon_intercept": self.lexicon_intercept,
            "mean": self.mean,
            "scale": self.scale,
            "coef": self.coef,
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


def _sigmoid(z: float) -> float:
    if z < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


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
