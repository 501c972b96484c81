from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from _cli import run_in_process, run_subprocess

import policyml
from policyml._resources import shipped_file

EXAMPLE = shipped_file("data", "example_policy.md")
EXAMPLE_CSV = shipped_file("data", "example_labeled.csv")


run = run_in_process  # a new process only where the process is the point (run_subprocess)


def assert_one_line_error(result: subprocess.CompletedProcess, pattern: str) -> None:
    assert result.returncode != 0
    err = result.stderr.decode()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("policyml: error:"), err
    assert pattern in lines[0], err


def test_help_and_version():  # end to end: `python -m policyml.cli` in a new process
    result = run_subprocess("--help")
    assert result.returncode == 0
    for command in ("classify", "train", "evaluate", "datasets"):
        assert command in result.stdout.decode()
    assert run_subprocess("--version").stdout.decode().strip() == f"policyml {policyml.__version__}"


def test_classify_table():  # end to end, as the README's first command does
    result = run_subprocess("classify", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "cookies" in out and "children" in out and "security" in out


def test_classify_json_matches_api():
    result = run("classify", str(EXAMPLE), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    expected = policyml.classify(EXAMPLE.read_text(encoding="utf-8"))
    assert len(rows) == len(expected)
    assert [tuple(r["labels"]) for r in rows] == expected["labels"].tolist()
    assert rows[0]["start"] == expected.loc[0, "start"]


def test_classify_csv_from_stdin():
    result = run("classify", "-", "--format", "csv", stdin=b"We use cookies to track visits.\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("paragraph,heading,lead_in,text,start,end,labels,p_collection")
    assert "cookies" in lines[1]


def test_classify_errors_are_one_line(tmp_path):  # end to end: no traceback from a process
    assert_one_line_error(run_subprocess("classify", str(tmp_path / "absent.txt")), "absent.txt")
    bad_model = tmp_path / "model.skops"
    bad_model.write_text("not a model")
    assert_one_line_error(run("classify", str(EXAMPLE), "--model", str(bad_model)), "model.skops")


def test_train_and_evaluate_from_csv(tmp_path):
    # the example has 5 policies; a second, reworded copy gives CV folds enough positives
    frame = policyml.datasets.load_example_csv()
    copy = frame.assign(text=frame["text"] + " (second policy)", policy_id=frame["policy_id"] + "2")
    data = tmp_path / "data.csv"
    pd.concat([frame, copy]).to_csv(data, index=False)
    model_path = tmp_path / "m.skops"
    result = run("train", str(data), "-o", str(model_path), "--folds", "3", "--no-progress")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "macro avg" in out and "saved" in out
    assert policyml.load_model(model_path).metadata["cv_metrics"]["folds"] == 3
    result = run("evaluate", str(EXAMPLE_CSV), "--model", str(model_path))
    assert result.returncode == 0, result.stderr
    assert "macro avg" in result.stdout.decode()


def test_train_bad_csv_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,collection\nx,7\n")
    assert_one_line_error(
        run("train", str(bad), "-o", str(tmp_path / "m.skops"), "--categories", "collection"),
        "bad.csv, line 2, column 'collection'",
    )


@pytest.mark.opp115
def test_datasets_opp115_export(tmp_path, opp115_root: Path):
    out = tmp_path / "opp115.csv"
    result = run("datasets", "opp115", str(opp115_root), "-o", str(out))
    assert result.returncode == 0, result.stderr
    frame = policyml.datasets.load_labeled_csv(out)
    assert len(frame) == 3792
    assert frame["collection"].sum() == 1209
