"""`policyml classify` over many files: streaming output, summary, per-file errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _cli import run_subprocess

import policyml
from policyml import cli

POLICIES = {
    "shop.txt": "# Sharing\n\nWe share your address with couriers and payment processors.\n\n"
    "# Cookies\n\nWe use cookies and web beacons to remember your cart.",
    "kids.md": "Children under 13 may not use this site. We do not knowingly collect data from"
    " children.",
    "bank.html": "<h2>Security</h2><p>We encrypt your data in transit with TLS.</p>"
    "<p>Access is limited to staff who need it.</p>",
    "sub/blog.txt": "We collect your e-mail address when you subscribe to the newsletter.",
}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name, text in POLICIES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``policyml classify ARGS`` in a new process."""
    return run_subprocess("classify", *args, stdin=stdin)


def main(*args: str, stdin: bytes = b"", monkeypatch=None) -> int:
    """``policyml classify ARGS`` in this process (it shares the loaded model: fast)."""
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    return cli.main(["classify", *args])


def test_folder_glob_and_failures_to_csv(corpus: Path, tmp_path: Path):
    binary = corpus / "logo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out.csv"
    result = run(str(corpus), str(missing), str(tmp_path / "none-*.html"), "-o", str(out))
    assert result.returncode == 1  # some files failed ...
    err = result.stderr.decode().splitlines()
    assert "Traceback" not in result.stderr.decode()
    assert err[:3] == [
        f"policyml: error: {binary}: binary file (NUL bytes), not a text, Markdown or HTML"
        " policy",
        f"policyml: error: {missing}: cannot read: No such file or directory",
        f"policyml: error: {tmp_path / 'none-*.html'}: no file matches this pattern",
    ]
    assert len(err) == 4
    assert err[3].startswith("policyml: classified 4 policies, ")
    assert " paragraphs/s); 3 failed; wrote " in err[3]
    # ... but the others are all written, as classify_many gives them
    written = pd.read_csv(out, keep_default_na=False)
    with pytest.warns(policyml.batch.SkippedPoliciesWarning, match="logo.png"):
        expected = policyml.classify_many(corpus, errors="skip")
    assert len(written) == len(expected) == int(err[3].split(", ")[1].split()[0])
    assert written["policy"].tolist() == expected["policy"].tolist()
    assert written["text"].tolist() == expected["text"].tolist()
    assert written["labels"].tolist() == expected["labels"].map(";".join).tolist()
    for column in [c for c in expected.columns if c.startswith("p_")]:
        assert written[column].tolist() == expected[column].tolist()


def test_jsonl_with_stdin(corpus: Path, tmp_path: Path, monkeypatch, capsys):
    out = tmp_path / "out.jsonl"
    code = main(
        str(corpus / "shop.txt"),
        "-",
        str(corpus / "sub"),
        "-o",
        str(out),
        "--batch-size",
        "2",
        stdin=b"We use cookies to count visits.",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    err = capsys.readouterr().err
    assert err.startswith("policyml: classified 3 policies") and "failed" not in err
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    expected = policyml.classify_many(
        [
            (str(corpus / "shop.txt"), POLICIES["shop.txt"]),
            ("-", "We use cookies to count visits."),
            (str(corpus / "sub" / "blog.txt"), POLICIES["sub/blog.txt"]),
        ]
    )
    assert [r["policy"] for r in rows] == expected["policy"].tolist()
    assert [tuple(r["labels"]) for r in rows] == expected["labels"].tolist()
    assert [r["p_cookies"] for r in rows] == expected["p_cookies"].tolist()
    assert rows[0]["heading"] == "Sharing"


def test_parquet(corpus: Path, tmp_path: Path, capsys):
    pytest.importorskip("pyarrow")
    out = tmp_path / "out.parquet"
    assert main(str(corpus / "*.*"), "-o", str(out), "--no-progress") == 0
    written = pd.read_parquet(out)
    expected = policyml.classify_many(str(corpus / "*.*"))
    assert written["policy"].tolist() == expected["policy"].tolist()
    assert written["labels"].map(tuple).tolist() == expected["labels"].tolist()
    assert written["p_children"].tolist() == expected["p_children"].tolist()
    assert "wrote" in capsys.readouterr().err


def test_several_policies_stream_csv_to_stdout(corpus: Path, capsys):
    assert main(str(corpus / "shop.txt"), str(corpus / "kids.md")) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    header = "policy,paragraph,heading,lead_in,text,start,end,labels,p_collection"
    assert lines[0].startswith(header)
    assert {line.split(",")[0] for line in lines[1:]} == {
        str(corpus / "shop.txt"),
        str(corpus / "kids.md"),
    }
    assert captured.err.startswith("policyml: classified 2 policies")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.txt"], "out.txt: use a file name ending in .csv, .jsonl or .parquet"),
        (["-o", "out.csv", "--format", "json"], "--format json does not match out.csv"),
        (["--format", "table"], "--format table shows one policy"),
        (["-", "-", "-o", "x.csv"], "- (standard input) can be given only once"),
    ],
)
def test_usage_errors_are_one_line(corpus: Path, capsys, args, message):
    assert main(str(corpus), *args) == cli.EXIT_ERROR
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"policyml: error: {message}")


def test_single_file_keeps_todays_table(corpus: Path, capsys):
    assert main(str(corpus / "shop.txt")) == 0
    out = capsys.readouterr().out
    assert "paragraph" in out and "Sharing" in out and "policyml: classified" not in out
