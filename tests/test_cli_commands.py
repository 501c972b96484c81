"""The command line as a new user meets it (issue 14): JSON that every parser reads, empty
files, --threshold, summary, size-limit flags, --wide, model and output paths checked first,
train's model file and messages, and help text for every option."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from test_cli import EXAMPLE, EXAMPLE_CSV, assert_one_line_error, run

import policyml
from policyml.cli import _parser
from policyml.display import percent


def strict_json(text: str | bytes):
    def refuse(name: str):
        raise ValueError(f"invalid JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


NO_HEADING = b"We collect your email address.\n\nWe use cookies to count visits.\n"


# --------------------------------------------------------------------------- items 1 and 7


def test_json_output_is_strict_and_headings_null(tmp_path):
    result = run("classify", "-", "--format", "json", stdin=NO_HEADING)
    assert result.returncode == 0, result.stderr
    rows = strict_json(result.stdout)
    assert [r["heading"] for r in rows] == [None, None]
    out = tmp_path / "rows.jsonl"
    policy = tmp_path / "p.txt"
    policy.write_bytes(NO_HEADING)
    assert run("classify", str(policy), str(EXAMPLE), "-o", str(out)).returncode == 0
    rows = [strict_json(line) for line in out.read_text().splitlines()]
    assert [r["heading"] for r in rows if r["policy"] == str(policy)] == [None, None]
    summary = run("summary", str(policy), "--format", "json")
    assert all(r["heading"] is None for r in strict_json(summary.stdout) if not r["present"])


@pytest.mark.parametrize("command", ["classify", "summary", "report"])
@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n", b"<html><body></body></html>"])
def test_a_policy_without_paragraphs_is_one_line_error(tmp_path, command, content):
    policy = tmp_path / "empty.html"
    policy.write_bytes(content)
    args = [command, str(policy)]
    if command == "report":
        args += ["-o", str(tmp_path / "r.html")]
    assert_one_line_error(run(*args), f"no paragraphs found in {policy}")
    assert not (tmp_path / "r.html").exists()
    assert_one_line_error(run("classify", str(policy), "--format", "json"), "no paragraphs")


# --------------------------------------------------------------------------- item 8


def test_threshold_for_classify_report_and_summary(tmp_path):
    base = policyml.classify(EXAMPLE.read_text(encoding="utf-8"))
    low = run("classify", str(EXAMPLE), "--format", "json", "--threshold", "0.01")
    rows = strict_json(low.stdout)
    for row in rows:
        assert row["labels"] == [c for c in policyml.CATEGORIES if row[f"p_{c}"] >= 0.01]
    assert sum(len(r["labels"]) for r in rows) > sum(len(labels) for labels in base["labels"])
    one = run("classify", str(EXAMPLE), "--format", "json", "--threshold", "sharing=0.99")
    rows = strict_json(one.stdout)
    for row, labels in zip(rows, base["labels"], strict=True):
        expected = [c for c in labels if c != "sharing" or row["p_sharing"] >= 0.99]
        assert row["labels"] == expected
    page = tmp_path / "r.html"
    assert (
        run("report", str(EXAMPLE), "-o", str(page), "--threshold", "0.3,children=0.9").returncode
        == 0
    )
    html = page.read_text(encoding="utf-8")
    assert f"labelled at ≥ {percent(0.9)}" in html and f"labelled at ≥ {percent(0.3)}" in html
    summary = strict_json(
        run("summary", str(EXAMPLE), "--format", "json", "--threshold", "0.999").stdout
    )
    by_name = {r["category"]: r for r in summary}
    assert by_name["security"]["present"] is False and by_name["security"]["threshold"] == 0.999
    many = run("classify", str(EXAMPLE), str(EXAMPLE), "--format", "json", "--threshold", "0.01")
    for row in map(strict_json, many.stdout.splitlines()):
        assert row["labels"] == [c for c in policyml.CATEGORIES if row[f"p_{c}"] >= 0.01]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("foo=0.3", "--threshold foo=0.3: threshold for an unknown category 'foo'"),
        ("collection=2", "'2' for 'collection' is not a number between 0 and 1"),
        ("high", "'high' is not a number"),
        (",", "no threshold given"),
    ],
)
def test_bad_threshold_is_one_line(spec, message):
    assert_one_line_error(run("classify", str(EXAMPLE), "--threshold", spec), message)


def test_with_thresholds_keeps_the_model():
    model = policyml.load_model()
    changed = model.with_thresholds({"cookies": 0.2})
    assert changed.thresholds.tolist() == [*model.thresholds[:2], 0.2, *model.thresholds[3:]]
    assert model.thresholds[2] != 0.2 and changed.scorer is model.scorer


# --------------------------------------------------------------------------- item 9


def test_summary_command_matches_summarize():
    expected = policyml.summarize(policyml.classify(EXAMPLE.read_text(encoding="utf-8")))
    rows = strict_json(run("summary", str(EXAMPLE), "--format", "json").stdout)
    assert [r["category"] for r in rows] == list(expected.index)
    for row in rows:
        line = expected.loc[row["category"]]
        assert row["present"] == bool(line["present"])
        assert row["paragraphs"] == int(line["paragraphs"])
        assert row["paragraph"] == int(line["paragraph"])
        assert row["probability"] == pytest.approx(line["probability"])
        assert row["evidence"] == line["evidence"]
    table = run("summary", str(EXAMPLE)).stdout.decode()
    assert all(c in table for c in policyml.CATEGORIES) and "threshold" in table
    assert f"¶{expected.loc['children', 'paragraph']}" in table
    csv = run("summary", str(EXAMPLE), "--format", "csv").stdout.decode().splitlines()
    assert csv[0].startswith("category,present,paragraphs,paragraph")
    wide = run("summary", str(EXAMPLE), "--wide").stdout.decode()
    assert expected.loc["collection", "evidence"] in wide


# --------------------------------------------------------------------------- item 10


def test_size_limit_flags_and_where_the_message_points(tmp_path):
    policy = tmp_path / "p.txt"
    policy.write_text("We collect data.\n\nWe use cookies.\n\nWe share it.\n")
    for command in (["classify"], ["summary"], ["report", "-o", str(tmp_path / "r.html")]):
        args = [command[0], str(policy), *command[1:]]
        assert_one_line_error(run(*args, "--max-input-lines", "2"), "over the limit of 2")
        assert_one_line_error(run(*args, "--max-input-chars", "10"), "over the limit of 10")
        assert run(*args, "--max-input-chars", "1000").returncode == 0
    many = run("classify", str(policy), str(EXAMPLE), "--max-input-chars", "100", "--format", "csv")
    assert many.returncode == 1 and "over the limit of 100" in many.stderr.decode()
    message = run("classify", str(policy), "--max-input-lines", "2").stderr.decode()
    assert "docs/errors.md" not in message  # not installed with the package
    assert "policyml classify --help" in message and "help(policyml.preprocess)" in message
    import policyml.preprocess

    assert "--max-input-chars" in (policyml.preprocess.__doc__ or "")
    assert "--max-input-chars" in run("classify", "--help").stdout.decode()
    assert_one_line_error(run("classify", str(policy), "--max-input-chars", "0"), "positive")


# --------------------------------------------------------------------------- item 12


def test_wide_shows_every_paragraph_in_full():
    result = policyml.classify(EXAMPLE.read_text(encoding="utf-8"))
    narrow = run("classify", str(EXAMPLE)).stdout.decode()
    wide = run("classify", str(EXAMPLE), "--wide").stdout.decode()
    longest = max(result["text"], key=len)
    assert longest not in " ".join(narrow.split())  # the table cuts it
    assert longest in " ".join(wide.split())
    for row in result.itertuples():
        assert f"¶{row.paragraph}  [" in wide
    assert all(len(line) <= 120 for line in wide.splitlines())
    assert_one_line_error(run("classify", str(EXAMPLE), "--wide", "--format", "csv"), "--wide")


# --------------------------------------------------------------------------- item 13


@pytest.mark.parametrize("command", ["classify", "summary", "evaluate", "report"])
def test_model_that_is_a_directory(tmp_path, command):
    from policyml._resources import shipped_file

    models = shipped_file("models", "policyml-opp115.skops").parent
    target = str(EXAMPLE_CSV if command == "evaluate" else EXAMPLE)
    args = [command, target, "--model", str(models)]
    if command == "report":
        args += ["-o", str(tmp_path / "r.html")]
    result = run(*args)
    assert_one_line_error(result, f"{models}: is a directory, not a model file")
    assert "pass one of its model files: policyml-opp115.skops" in result.stderr.decode()
    assert (
        "holds no .skops file"
        in run("classify", str(EXAMPLE), "--model", str(tmp_path)).stderr.decode()
    )


# --------------------------------------------------------------------------- item 14


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", str(EXAMPLE), "-o", "{missing}/r.html"], "folder {missing} does not exist"),
        (["classify", str(EXAMPLE), "-o", "{missing}/out.csv"], "does not exist"),
        (["train", str(EXAMPLE_CSV), "-o", "{file}/m.skops"], "is not a folder"),
        (["evaluate", str(EXAMPLE_CSV), "--plot", "{missing}/fig.png"], "does not exist"),
        (["report", str(EXAMPLE), "-o", "{folder}"], "{folder}: is a folder"),
        (["datasets", "opp115", "{folder}", "-o", "{missing}/x.csv"], "does not exist"),
    ],
    ids=["report", "classify", "train", "evaluate-plot", "report-into-a-folder", "datasets"],
)
def test_output_path_is_checked_before_the_work(tmp_path, monkeypatch, args, message):
    (tmp_path / "a-file").write_text("x")
    places = {
        "missing": str(tmp_path / "no" / "dir"),
        "file": str(tmp_path / "a-file"),
        "folder": str(tmp_path),
    }

    def work(*args, **kwargs):
        raise AssertionError("the work started before the output path was checked")

    for module, name in [
        (policyml.model, "default_model"),
        (policyml.model, "load_model"),
        (policyml.datasets, "load_opp115"),
        (policyml.datasets, "load_labeled_csv"),
    ]:
        monkeypatch.setattr(module, name, work)
    result = run(*[a.format(**places) for a in args])
    assert_one_line_error(result, message.format(**places))


def test_write_report_checks_its_path_first(tmp_path):
    from policyml.report import write_report

    with pytest.raises(policyml.InvalidInputError, match=r"folder .* does not exist"):
        write_report(EXAMPLE.read_text(encoding="utf-8"), tmp_path / "no" / "r.html")


def test_train_makes_missing_folders(tmp_path):
    from policyml.writers import check_output_path

    assert check_output_path(tmp_path / "a" / "b" / "m.skops", make_folders=True)


# --------------------------------------------------------------------------- item 15


def rare_csv(tmp_path: Path) -> Path:
    frame = policyml.datasets.load_example_csv()
    path = tmp_path / "labels.csv"
    frame.head(12).to_csv(path, index=False)
    return path


def test_training_errors_name_the_csv_and_use_cli_syntax(tmp_path):
    path = rare_csv(tmp_path)
    result = run("train", str(path), "-o", str(tmp_path / "m.skops"), "--no-progress")
    assert_one_line_error(result, f"{path}: category '")
    err = result.stderr.decode()
    rare = re.search(r"category '(\w+)' has", err).group(1)
    rest = ",".join(c for c in policyml.CATEGORIES if c != rare)
    assert f"(drop the category with --categories {rest}, or label more examples)" in err
    assert "categories=[" not in err and "<DataFrame>" not in err
    # the same data in Python: the file's name, and Python syntax
    with pytest.raises(policyml.DataValidationError) as caught:
        policyml.train(policyml.datasets.load_labeled_csv(path))
    assert str(path) in str(caught.value) and "with categories=['" in str(caught.value)
    assert_one_line_error(
        run("train", str(path), "-o", str(tmp_path / "m.skops"), "--categories", " , "),
        "--categories: give category names",
    )


@pytest.mark.parametrize(
    ("name", "flags", "message"),
    [
        ("model.txt", [], "must end in .skops (or .joblib/.pkl with --joblib)"),
        ("model", [], "must end in .skops"),
        ("model.pkl", [], "pass --joblib to write a pickle anyway"),
        ("model.skops", ["--joblib"], "--joblib writes a joblib pickle"),
    ],
)
def test_train_output_suffix(tmp_path, name, flags, message):
    result = run("train", str(EXAMPLE_CSV), "-o", str(tmp_path / name), *flags)
    assert_one_line_error(result, message)
    assert not (tmp_path / name).exists()


def test_train_joblib_with_the_flag(tmp_path):
    frame = policyml.datasets.load_example_csv()
    copy = frame.assign(text=frame["text"] + " (second policy)", policy_id=frame["policy_id"] + "2")
    data = tmp_path / "data.csv"
    pd.concat([frame, copy]).to_csv(data, index=False)
    out = tmp_path / "m.joblib"
    result = run("train", str(data), "-o", str(out), "--joblib", "--folds", "0", "--no-progress")
    assert result.returncode == 0, result.stderr
    with pytest.raises(policyml.ModelLoadError, match="trusted"):
        policyml.load_model(out)
    assert policyml.load_model(out, trusted=True).categories == list(policyml.CATEGORIES)


def test_evaluate_on_training_data_warns_in_one_line(tmp_path):
    frame = policyml.datasets.load_example_csv()
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    model = policyml.train(frame, thresholds=0.5)
    path = model.save(tmp_path / "m.skops")
    result = run("evaluate", str(data), "--model", str(path))
    assert result.returncode == 0
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("policyml: warning:")
    assert "rows the model was trained on" in lines[0]
    clean = run("evaluate", str(data))  # the bundled model never saw the example
    assert clean.returncode == 0 and clean.stderr == b""


# --------------------------------------------------------------------------- item 16


def test_every_command_and_option_has_help():
    def parsers(parser: argparse.ArgumentParser, name: str):
        yield name, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    yield from parsers(sub, f"{name} {sub_name}")

    missing = []
    for name, parser in parsers(_parser(), "policyml"):
        if not parser.description:
            missing.append(f"{name}: no description")
        for action in parser._actions:
            if not action.help and not isinstance(action, argparse._SubParsersAction):
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
    text = run("evaluate", "--help").stdout.decode()
    assert "held-out" in text
    text = run("datasets", "opp115", "--help").stdout.decode()
    assert "annotators" in text and "PrivacyGLUE" in text
