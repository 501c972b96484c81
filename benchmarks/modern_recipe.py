"""How the default recipe learns from the modern corpus: the choices, measured on the dev half only.

Each variant of the training recipe is scored twice, never on the modern test half:

- **modern dev CV**: the 88 dev pages in 5 fixed page folds (pages shuffled with seed 0); each
  fold is predicted by a model trained on all of OPP-115 plus the other dev folds;
- **OPP-115 CV** (task A): the shared 5 policy folds, with the whole dev half in every training
  fold (for the variant without modern data: OPP-115 alone, i.e. the bundled model's former
  recipe).

Both use :func:`policyml.cross_validate` (rows of fold -1 are always trained on, never scored).
The variant chosen for the bundled model is the one with the best modern dev CV macro-F1; the
test half then measures it once (``python -m benchmarks.accuracy``).

Run from the repository root::

    python -m benchmarks.modern_recipe            # writes BENCHMARKS.md and benchmarks/results/
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

import policyml
from benchmarks._report import command, machine, machine_line, shared_dir, table, write_section
from policyml.datasets import load_base_corpus, load_modern
from policyml.metrics import classification_report

CATS = list(policyml.CATEGORIES)
DEV_FOLDS = 5

#: name -> (weight of a modern row or None for no modern data, domain-balanced thresholds,
#: training options)
VARIANTS: dict[str, tuple[float | None, bool, dict[str, Any]]] = {
    "OPP-115 only (former bundled recipe)": (None, False, {}),
    "+ modern dev": (1.0, False, {}),
    "+ modern dev, domain-balanced thresholds (default)": (1.0, True, {}),
    "+ modern dev ×2, domain-balanced thresholds": (2.0, True, {}),
    "+ modern dev, domain-balanced thresholds, heading weight 0.5": (
        1.0,
        True,
        {"heading_weight": 0.5},
    ),
    "+ modern dev, domain-balanced thresholds, C = 3": (1.0, True, {"C": 3.0}),
}


def dev_folds(pages: list[str]) -> dict[str, int]:
    """A fixed fold per dev page: pages in numeric order, shuffled with seed 0, dealt round."""
    ordered = sorted(pages, key=lambda page: int(page.split(".")[0]))
    np.random.default_rng(0).shuffle(ordered)
    return {page: i % DEV_FOLDS for i, page in enumerate(ordered)}


def _scores(Y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    report = classification_report(Y, pred, CATS)
    return {
        **{c: float(report.loc[c, "f1"]) for c in CATS},
        "macro": float(report.loc["macro avg", "f1"]),
        "precision": float(report.loc["macro avg", "precision"]),
        "recall": float(report.loc["macro avg", "recall"]),
    }


def measure(
    base: pd.DataFrame, weight: float | None, domains: bool, options: dict[str, Any]
) -> dict[str, Any]:
    """Modern dev CV and OPP-115 CV of one variant."""
    opp = base[base["domain"] == "opp115"]
    dev = base[base["domain"] == "modern"]
    folds = dev["policy_id"].map(dev_folds(dev["policy_id"].unique().tolist()))
    Y_dev = dev[CATS].to_numpy()
    start = time.perf_counter()
    if weight is None:
        model = policyml.train(opp.drop(columns=["domain", "weight"]), **options)
        dev_pred = model.predict(dev)
        opp_cv = policyml.cross_validate(opp, folds="fold", n_boot=0, **options)
    else:
        frame = base.assign(weight=np.where(base["domain"] == "modern", weight, 1.0))
        if not domains:
            frame = frame.drop(columns="domain")
        # modern dev CV: OPP-115 always in training (fold -1), dev pages in their folds
        dev_cv_frame = frame.assign(fold=-1)
        dev_cv_frame.loc[dev.index, "fold"] = folds.to_numpy()
        dev_cv = policyml.cross_validate(dev_cv_frame, folds="fold", n_boot=0, **options)
        dev_pred = dev_cv.predictions.loc[dev.index, CATS].to_numpy()
        opp_cv = policyml.cross_validate(frame, folds="fold", n_boot=0, **options)
    opp_pred = opp_cv.predictions.loc[opp.index, CATS].to_numpy()
    return {
        "dev": _scores(Y_dev, dev_pred),
        "opp115": _scores(opp[CATS].to_numpy(), opp_pred),
        "seconds": time.perf_counter() - start,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only these variants (repeatable)"
    )
    args = parser.parse_args(argv)
    info = machine()
    c3pa = shared_dir("POLICYML_C3PA", "c3pa-db")
    base = load_base_corpus(shared_dir("POLICYML_OPP115", "opp115"), c3pa, progress=True)
    results, rows = {}, []
    for name, (weight, domains, options) in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        print(f"{name} ...", flush=True)
        result = results[name] = measure(base, weight, domains, options)
        print(result, flush=True)
        dev, opp = result["dev"], result["opp115"]
        rows.append(
            {
                "variant": name,
                **{c: f"{dev[c]:.3f}" for c in CATS},
                "dev macro-F1": f"**{dev['macro']:.3f}**",
                "dev macro P / R": f"{dev['precision']:.3f} / {dev['recall']:.3f}",
                "OPP-115 CV macro-F1": f"{opp['macro']:.3f}",
                "seconds": f"{result['seconds']:.0f}",
            }
        )
    dev_rows = base["domain"] == "modern"
    columns = [
        "variant",
        *CATS,
        "dev macro-F1",
        "dev macro P / R",
        "OPP-115 CV macro-F1",
        "seconds",
    ]
    markdown = "\n".join(
        [
            "## Modern policies: choosing the recipe on the dev half",
            "",
            f"Command: `{command()}`  ",
            f"Machine: {machine_line(info)}",
            "",
            f"Modern dev CV over {int(dev_rows.sum()):,} policy paragraphs of"
            f" {base.loc[dev_rows, 'policy_id'].nunique()} dev pages ({DEV_FOLDS} fixed page"
            " folds, OPP-115 in every training fold); F1 per category on pooled out-of-fold"
            " predictions. OPP-115 CV: task A's shared folds with the dev half in every training"
            " fold. The modern test half is not used here.",
            "",
            table(rows, columns),
            "",
            f"Modern test half: {load_modern(c3pa, half='test')['policy_id'].nunique()} pages,"
            " scored only for the chosen recipe (see Accuracy).",
        ]
    )
    print(markdown)
    if not args.no_write:  # with --only, the command line in the section says which
        write_section("modern-recipe", markdown, {"command": command(), "machine": info, **results})


if __name__ == "__main__":
    main()
