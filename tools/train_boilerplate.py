"""Train the page-furniture model shipped in ``policyml/resources/boilerplate.json``.

Training units (see :mod:`policyml.preprocess._boilerplate`):

- the OPP-115 raw pages (``original_policies/*.html``): a unit is policy text when it is in the
  text the OPP-115 annotators saw (``sanitized_policies``): a short unit (up to 3 words) when it
  is a whole line there, a longer one when at least half of its word trigrams occur there;
- the dev half of the modern corpus (``data/modern``): units labelled ``chrome`` by our
  annotators; a unit inside ``<nav>`` that no label covers (the old splitter dropped those) is
  furniture, other unlabelled units (headings) are left out.

Only labels are read from the corpora; no text is written anywhere. The threshold is chosen by
cross-validation over the training pages (grouped by page): the highest F1 of policy tokens kept
with at least 98 % of them kept on each kind of page (OPP-115, modern).

Usage::

    python tools/train_boilerplate.py --opp115 ../shared/opp115 --c3pa ../shared/c3pa-db
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from policyml.preprocess import decode_bytes  # noqa: E402
from policyml.preprocess._boilerplate import BoilerplateModel, lexical_terms  # noqa: E402
from policyml.preprocess._html import html_units  # noqa: E402
from policyml.preprocess._lines import HAS_WORD_RE, Unit  # noqa: E402

OUT = REPO / "policyml" / "resources" / "boilerplate.json"
_TOKEN_RE = re.compile(r"[^\W_]+")
MIN_RECALL = 0.98
MODERN_GROUPS = 100  # cross-validation groups of modern pages start here (OPP-115: its folds)


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


@dataclass
class Page:
    """One page's units and their labels (True: policy text, False: furniture, None: unknown)."""

    name: str
    group: int  # cross-validation group (the OPP-115 fold, or a number for modern pages)
    units: list[Unit]
    labels: list[bool | None]
    reference: Counter[str] = field(default_factory=Counter)  # OPP-115: the annotated tokens


def page_units(raw: bytes) -> list[Unit]:
    return [u for u in html_units(decode_bytes(raw)) if HAS_WORD_RE.search(u.text)]


def _reference(sanitized: str) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], Counter[str]]:
    pieces = re.split(r"<[^>]*>|\|\|\|", sanitized)
    lines = {tuple(t) for piece in pieces if (t := tokens(html.unescape(piece)))}
    words = tokens(html.unescape(re.sub(r"<[^>]*>", " ", sanitized.replace("|||", " "))))
    trigrams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    return lines, trigrams, Counter(words)


def _is_policy(text: str, lines: set[tuple[str, ...]], trigrams: set[tuple[str, ...]]) -> bool:
    words = tokens(text)
    if not words:
        return False
    if len(words) <= 3:
        key = tuple(words)
        return key in lines or any(len(x) <= 6 and x[: len(key)] == key for x in lines)
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return sum(g in trigrams for g in grams) >= 0.5 * len(grams)


def opp115_pages(root: Path) -> list[Page]:
    folds = {}
    for line in (root / "policy_folds.csv").read_text(encoding="utf-8").splitlines()[1:]:
        uid, _, fold = line.split(",")
        folds[uid] = int(fold)
    sanitized = {p.name.split("_")[0]: p for p in (root / "sanitized_policies").glob("*.html")}
    pages = []
    for raw in sorted((root / "original_policies").glob("*.html"), key=lambda p: p.name):
        uid = raw.name.split("_")[0]
        if uid not in sanitized:
            continue
        lines, trigrams, counts = _reference(sanitized[uid].read_text("utf-8", "replace"))
        units = page_units(raw.read_bytes())
        labels: list[bool | None] = [_is_policy(u.text, lines, trigrams) for u in units]
        pages.append(Page(raw.name, folds.get(uid, -1), units, labels, counts))
    return pages


def modern_pages(c3pa: Path, half: str = "dev") -> list[Page]:
    import pandas as pd

    labels = pd.read_csv(REPO / "data" / "modern" / "labels.csv")
    labels = labels[labels["half"] == half]
    pages = []
    for page, rows in labels.groupby("page"):
        units = page_units((c3pa / "html" / page).read_bytes())
        spans = list(zip(rows["start"], rows["end"], rows["chrome"], strict=True))
        unit_labels: list[bool | None] = []
        for unit in units:
            inside = [chrome for s, e, chrome in spans if s >= unit.start and e <= unit.end]
            if inside:
                unit_labels.append(sum(inside) < 0.5 * len(inside))
            elif unit.lines[0].hints and unit.lines[0].hints[0] > 0.5:  # in <nav>
                unit_labels.append(False)
            else:
                unit_labels.append(None)
        pages.append(Page(page, MODERN_GROUPS + int(page.split(".")[0]) % 5, units, unit_labels))
    return pages


def _lexicon(pages: list[Page], C: float, max_terms: int) -> tuple[dict[str, float], float]:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    texts, y = [], []
    for page in pages:
        for unit, label in zip(page.units, page.labels, strict=True):
            if label is not None:
                texts.append(unit.text)
                y.append(label)
    vectorizer = CountVectorizer(
        analyzer=lambda t: sorted(lexical_terms(t)), binary=True, max_features=max_terms
    )
    X = normalize(vectorizer.fit_transform(texts).astype(float))
    model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000)
    model.fit(X, y)
    terms = vectorizer.get_feature_names_out()
    lexicon = {str(t): round(float(w), 5) for t, w in zip(terms, model.coef_[0], strict=True) if w}
    return lexicon, float(model.intercept_[0])


def fit(
    pages: list[Page],
    *,
    C: float = 1.0,
    lexicon_C: float = 10.0,
    max_terms: int = 30_000,
    threshold: float | None = None,
) -> BoilerplateModel:
    """A model trained on ``pages``; the threshold is chosen by grouped CV unless given."""
    from sklearn.linear_model import LogisticRegression

    # the structural model sees lexical probabilities of pages the lexicon was not trained on
    halves = [pages[0::2], pages[1::2]]
    stacked: list[np.ndarray] = []
    ordered: list[Page] = []
    for k in (0, 1):
        lexicon, bias = _lexicon(halves[1 - k], lexicon_C, max_terms)
        partial = BoilerplateModel(lexicon, bias, [], [], [], 0.0, 0.5)
        stacked += [np.asarray(partial.features(p.units)) for p in halves[k]]
        ordered += halves[k]
    X = np.vstack(
        [x[[lab is not None for lab in p.labels]] for x, p in zip(stacked, ordered, strict=True)]
    )
    y = np.array([lab for p in ordered for lab in p.labels if lab is not None])
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    model.fit((X - mean) / scale, y)
    lexicon, bias = _lexicon(pages, lexicon_C, max_terms)
    fitted = BoilerplateModel(
        lexicon,
        bias,
        mean.tolist(),
        scale.tolist(),
        model.coef_[0].tolist(),
        float(model.intercept_[0]),
        0.5 if threshold is None else threshold,
    )
    if threshold is None:
        fitted.threshold = choose_threshold(pages, C=C, lexicon_C=lexicon_C, max_terms=max_terms)
    return fitted


GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def choose_threshold(pages: list[Page], **options: float) -> float:
    """The threshold with the best F1 of policy tokens kept, among those that keep at least
    MIN_RECALL of the policy tokens of each kind of page (OPP-115, modern), on predictions for
    pages held out of training (3 folds by group)."""
    groups = sorted({p.group for p in pages})
    kept = np.zeros(len(GRID))
    right = np.zeros((2, len(GRID)))  # per kind of page
    total = np.zeros((2, 1))
    for k in range(3):
        held = {g for i, g in enumerate(groups) if i % 3 == k}
        model = fit([p for p in pages if p.group not in held], threshold=0.5, **options)
        for page in (p for p in pages if p.group in held):
            kind = int(page.group >= MODERN_GROUPS)
            proba = np.asarray(model.policy_probability(page.units))
            for unit, label, p in zip(page.units, page.labels, proba, strict=True):
                if label is None:
                    continue
                n = len(tokens(unit.text))
                total[kind] += n * label
                kept += n * (p >= GRID)
                right[kind] += n * label * (p >= GRID)
    recall_each = right / np.maximum(total, 1)
    recall = right.sum(axis=0) / max(total.sum(), 1)
    precision = np.divide(right.sum(axis=0), kept, out=np.zeros(len(GRID)), where=kept > 0)
    f1 = np.divide(
        2 * precision * recall,
        precision + recall,
        out=np.zeros(len(GRID)),
        where=precision + recall > 0,
    )
    f1[recall_each.min(axis=0) < MIN_RECALL] = -1
    return float(GRID[int(np.argmax(f1))]) if f1.max() >= 0 else float(GRID[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opp115", type=Path, required=True)
    parser.add_argument("--c3pa", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    pages = opp115_pages(args.opp115) + modern_pages(args.c3pa, "dev")
    model = fit(pages)
    args.out.write_text(json.dumps(model.to_dict(), sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{len(pages)} pages, threshold {model.threshold}, {len(model.lexicon)} terms -> {args.out}"
    )


if __name__ == "__main__":
    main()
