"""The modern corpus (data/modern) and the default recipe's training data built on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _cli import run_in_process

import policyml
from policyml.datasets import (
    MODERN_WEIGHT,
    load_base_corpus,
    load_example_csv,
    load_modern,
)


@pytest.fixture(scope="module")
def base(opp115_root, c3pa_root) -> pd.DataFrame:
    return load_base_corpus(opp115_root, c3pa_root)


@pytest.mark.opp115
def test_halves_split_pages_and_test_half_stays_out_of_training(base, c3pa_root):
    test = load_modern(c3pa_root, half="test")
    modern = base[base["domain"] == "modern"]
    assert set(modern["policy_id"]).isdisjoint(test["policy_id"])
    assert modern["policy_id"].nunique() > test["policy_id"].nunique() > 0
    assert (modern["fold"] == -1).all() and (modern["weight"] == MODERN_WEIGHT).all()
    opp = base[base["domain"] == "opp115"]
    assert (opp["weight"] == 1).all() and opp["fold"].between(0, 4).all()
    # only the policy's own paragraphs: no furniture row, every category column 0/1
    assert "chrome" not in base.columns
    assert set(np.unique(base[list(policyml.CATEGORIES)])) <= {0, 1}


@pytest.mark.opp115
def test_base_corpus_without_modern_is_opp115(opp115_root, opp115):
    frame = load_base_corpus(opp115_root)
    assert len(frame) == len(opp115) and set(frame["domain"]) == {"opp115"}


def test_cross_validate_trains_on_negative_folds_and_never_scores_them():
    frame = load_example_csv()
    frame = frame.assign(fold=pd.factorize(frame["policy_id"])[0] % 3)
    extra = frame.assign(
        text=frame["text"] + " (another site)", policy_id=frame["policy_id"] + "-x", fold=-1
    )
    both = pd.concat([frame, extra], ignore_index=True)
    cv = policyml.cross_validate(both, folds="fold", thresholds=0.5, n_boot=0)
    scored = both["fold"] >= 0
    probabilities = cv.predictions[[f"p_{c}" for c in policyml.CATEGORIES]]
    assert probabilities[~scored].isna().all().all()
    assert probabilities[scored].notna().all().all()
    assert int(cv.report.loc["collection", "support"]) == int(frame["collection"].sum())
    # the extra rows are in every training fold: the scores differ from training without them
    alone = policyml.cross_validate(frame, folds="fold", thresholds=0.5, n_boot=0)
    assert not np.allclose(
        probabilities[scored].to_numpy(), alone.predictions[probabilities.columns].to_numpy()
    )


def test_cli_train_modern_needs_opp115(tmp_path):
    done = run_in_process("train", "data.csv", "--modern", "c3pa", "-o", str(tmp_path / "m.skops"))
    assert done.returncode != 0 and b"--modern goes with --opp115" in done.stderr
