"""Area 6 of the reliability issue: CLI failures not covered by tests/test_cli.py and
tests/test_cli_batch.py. Every failure is one ``policyml: error:`` line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import EXAMPLE, EXAMPLE_CSV, assert_one_line_error, run


@pytest.mark.parametrize("command", [["classify", "-"], ["report", "-", "-o", "r.html"]])
@pytest.mark.parametrize("stdin", [b"", b" \n\t\n"])
def test_empty_stdin(tmp_path: Path, command: list[str], stdin: bytes) -> None:
    args = [a if a != "r.html" else str(tmp_path / a) for a in command]
    assert_one_line_error(run(*args, stdin=stdin), "standard input is empty")
    assert not (tmp_path / "r.html").exists()


def test_single_policy_that_is_a_folder_binary_or_missing(tmp_path: Path) -> None:
    binary = tmp_path / "policy.docx"
    binary.write_bytes(b"PK\x03\x04\x00\x00\x00binary")
    assert_one_line_error(run("classify", str(binary)), "policy.docx: binary file")
    assert_one_line_error(
        run("report", str(tmp_path), "-o", str(tmp_path / "r.html")), "cannot read: a directory"
    )
    assert_one_line_error(run("report", str(tmp_path / "absent.md"), "-o", "x.html"), "absent.md")


def test_empty_folder_is_reported_not_silently_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("classify", str(empty))
    assert result.returncode != 0
    err = result.stderr.decode()
    assert f"policyml: error: {empty}: no policy files in this folder" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not a model"])
def test_evaluate_with_unreadable_model(tmp_path: Path, content: bytes) -> None:
    model = tmp_path / "bad.skops"
    model.write_bytes(content)
    assert_one_line_error(run("evaluate", str(EXAMPLE_CSV), "--model", str(model)), "bad.skops")


def test_report_and_classify_with_unreadable_model(tmp_path: Path) -> None:
    model = tmp_path / "bad.skops"
    model.write_bytes(b"\x00\x01garbage")
    assert_one_line_error(
        run("report", str(EXAMPLE), "-o", str(tmp_path / "r.html"), "--model", str(model)),
        "bad.skops",
    )
    assert_one_line_error(run("classify", str(EXAMPLE), "--model", str(tmp_path)), str(tmp_path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"text;collection\nx;1\n", "semicolon-separated"),
        (b"\x00\x01\x02binary", "binary file"),
        (b"text,collection,sharing,cookies,children,security\nx,2,0,0,0,0\n", "line 2"),
    ],
)
def test_evaluate_bad_csv(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    assert_one_line_error(run("evaluate", str(bad)), message)


def test_evaluate_missing_csv(tmp_path: Path) -> None:
    assert_one_line_error(run("evaluate", str(tmp_path / "absent.csv")), "absent.csv")
