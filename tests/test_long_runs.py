"""classify_many(..., output=PATH) and `classify -o`: resumable, crash-consistent runs, and
awkward corpora (links, unreadable, vanishing, changing files, undecodable names).

Faults here are raised in this process (an interrupting iterable, a torn tail written by
hand, a failing read); tests/test_faults.py kills real processes.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from _cli import run_in_process
from _corpus import write_corpus

import policyml
import policyml.batch
from policyml.checkpoint import Checkpoint
from policyml.exceptions import InvalidInputError, OutputError
from policyml.sources import iter_policy_sources

FORMATS = ["csv", "jsonl", "parquet"]


@pytest.fixture(autouse=True)
def commit_every_batch(monkeypatch):
    monkeypatch.setattr(policyml.batch, "COMMIT_SECONDS", 0.0)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("long") / "corpus", 60, seed=3)


@pytest.fixture(scope="module")
def references(corpus: Path, tmp_path_factory) -> dict[str, Path]:
    """Each format written by one uninterrupted run."""
    folder = tmp_path_factory.mktemp("reference")
    out = {}
    for ext in FORMATS:
        out[ext] = folder / f"ref.{ext}"
        summary = policyml.classify_many(corpus, output=out[ext], batch_size=7)
        assert summary.n_policies == 60 and summary.n_resumed == 0
    return out


def paths(corpus: Path) -> list[str]:
    return [s.path for s in iter_policy_sources(corpus)]


def content(path: Path) -> bytes | pd.DataFrame:
    if path.suffix == ".parquet":
        assert path.is_dir() and not list(path.glob(".*"))  # part files only
        return pd.read_parquet(path)
    return path.read_bytes()


def assert_same_output(path: Path, reference: Path) -> None:
    got, want = content(path), content(reference)
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
    else:
        assert got == want


class Interrupting:
    """The paths, with Ctrl-C arriving when item ``at`` is asked for."""

    def __init__(self, items: list[str], at: int) -> None:
        self.items, self.at = items, at

    def __iter__(self):
        for i, item in enumerate(self.items):
            if i == self.at:
                raise KeyboardInterrupt
            yield item


def committed(output: Path) -> dict:
    return json.loads(Path(f"{output}.manifest.json").read_text())["committed"]


@pytest.mark.parametrize("ext", FORMATS)
def test_interrupted_runs_resume_to_the_uninterrupted_output(corpus, references, tmp_path, ext):
    out = tmp_path / f"out.{ext}"
    files = paths(corpus)
    for stop in (9, 23, 40):  # three interruptions, then a run to the end
        with pytest.raises(KeyboardInterrupt):
            policyml.classify_many(Interrupting(files, stop), output=out, batch_size=4, kind="path")
        assert not out.exists()  # the output appears only when whole
        done = committed(out)
        assert 0 < done["sources"] <= stop
        if ext == "csv":  # the committed part is whole rows, header once
            text = Path(f"{out}.partial").read_bytes()[: done["output"]["bytes"]].decode()
            rows = pd.read_csv(pd.io.common.StringIO(text), keep_default_na=False)
            assert len(rows) == done["rows"]
        elif ext == "parquet":
            assert len(pd.read_parquet(f"{out}.partial")) == done["rows"]
    summary = policyml.classify_many(files, output=out, batch_size=5, kind="path")
    assert summary.n_policies == 60 and summary.n_resumed == done["sources"]
    assert summary.n_rows == committed(out)["rows"]
    assert_same_output(out, references[ext])
    # once finished, running it again does nothing and changes nothing
    again = policyml.classify_many(files, output=out, kind="path")
    assert (again.n_resumed, again.n_rows) == (60, summary.n_rows)
    assert_same_output(out, references[ext])


@pytest.mark.parametrize("ext", FORMATS)
def test_a_torn_tail_after_a_crash_is_dropped(corpus, references, tmp_path, ext):
    out = tmp_path / f"out.{ext}"
    with pytest.raises(KeyboardInterrupt):
        policyml.classify_many(Interrupting(paths(corpus), 30), output=out, batch_size=8)
    partial = Path(f"{out}.partial")
    # what a crash in the middle of writing leaves: half a row, half a journal line, an
    # unfinished part file and a part file the manifest does not list
    if ext == "parquet":
        (partial / ".part-000099.parquet.tmp").write_bytes(b"PAR1 half")
        (partial / "part-000050.parquet").write_bytes(b"PAR1 not listed")
    else:
        with partial.open("ab") as handle:  # longer than all that is left to write
            handle.write(b'"/half/a/row.txt",0,"Coll' + b"x" * 1_000_000)
    with open(f"{out}.manifest.jsonl", "ab") as handle:
        handle.write(b'{"key": "/half')
    policyml.classify_many(paths(corpus), output=out, batch_size=8)
    assert_same_output(out, references[ext])


def test_other_model_options_or_inputs_are_refused_then_restart(corpus, references, tmp_path):
    out = tmp_path / "out.jsonl"
    files = paths(corpus)
    with pytest.raises(KeyboardInterrupt):
        policyml.classify_many(Interrupting(files, 20), output=out, batch_size=4)
    other = copy.copy(policyml.load_model())
    other.thresholds = other.thresholds + 0.01
    with pytest.raises(
        OutputError,
        match=r"out\.jsonl: this output was started by another run"
        r" \(model was '\w+', now '\w+'\); use restart=True",
    ):
        policyml.classify_many(files, output=out, model=other)
    with pytest.raises(OutputError, match=r"fmt was 'auto', now 'text'"):
        policyml.classify_many(files, output=out, fmt="text")
    with pytest.raises(OutputError, match=r"the inputs changed: policy 1 was .*policy0000"):
        policyml.classify_many(files[1:], output=out)
    with pytest.raises(OutputError, match="the input now has only 3"):
        policyml.classify_many(files[:3], output=out)
    # a file already classified changes (a touch alone, with the same content, is fine)
    os.utime(files[2])
    changed = Path(files[5])
    original = changed.read_bytes()
    changed.write_bytes(original + b"\n\nWe also sell your data.")
    with pytest.raises(OutputError, match=rf"{changed} changed since it was classified"):
        policyml.classify_many(files, output=out)
    changed.write_bytes(original)
    assert not out.exists()  # refusing wrote nothing
    policyml.classify_many(files, output=out)
    assert_same_output(out, references["jsonl"])
    with pytest.raises(OutputError, match="finished, but the input has more policies"):
        policyml.classify_many([*files, files[0]], output=out)
    summary = policyml.classify_many(files[:10], output=out, restart=True)
    assert summary.n_resumed == 0 and summary.n_policies == 10
    assert len(out.read_text().splitlines()) == summary.n_rows


def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    identity = {"model": "m"}
    first = Checkpoint(str(tmp_path / "out.csv"), identity, restart=False)
    try:
        with pytest.raises(OutputError, match="another policyml run is writing this output"):
            Checkpoint(str(tmp_path / "out.csv"), identity, restart=False)
    finally:
        first.close()
    Checkpoint(str(tmp_path / "out.csv"), identity, restart=False).close()


@pytest.mark.parametrize("ext", FORMATS)
def test_no_rows_still_gives_a_readable_output(tmp_path, ext):
    out = tmp_path / f"empty.{ext}"
    with pytest.warns(policyml.batch.SkippedPoliciesWarning):
        summary = policyml.classify_many(
            [tmp_path / "missing.txt"], output=out, errors="skip", kind="path"
        )
    assert summary.n_rows == 0 and [f.policy for f in summary.errors] == [
        str(tmp_path / "missing.txt")
    ]
    frame = {
        "csv": lambda: pd.read_csv(out),
        "jsonl": lambda: pd.DataFrame(columns=["policy"]),
        "parquet": lambda: pd.read_parquet(out),
    }[ext]()
    assert len(frame) == 0 and "policy" in frame.columns
    if ext == "jsonl":
        assert out.read_bytes() == b""


def test_output_argument_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="stream=True and output= exclude each other"):
        policyml.classify_many(["We use cookies."], output=tmp_path / "o.csv", stream=True)
    with pytest.raises(InvalidInputError, match="cannot tell the output format"):
        policyml.classify_many(["We use cookies."], output=tmp_path / "o.txt")
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        policyml.classify_many(["We use cookies."], output=tmp_path / "folder.csv")


def test_errors_raise_keeps_the_batches_before_the_failure(corpus, tmp_path):
    out = tmp_path / "out.csv"
    files = paths(corpus)
    broken = [*files[:12], str(tmp_path / "absent.txt"), *files[12:20]]
    with pytest.raises(InvalidInputError, match=r"absent\.txt: cannot read"):
        policyml.classify_many(broken, output=out, batch_size=4)
    assert committed(out)["sources"] == 12  # three whole batches; the failing one is not kept


# --------------------------------------------------------------------------------------------
# Awkward corpora: each file that cannot be read is a per-file error; nothing else is lost
# --------------------------------------------------------------------------------------------


def test_symlink_loops_are_reported_not_followed(tmp_path):
    root = write_corpus(tmp_path / "corpus", 4, seed=1)
    (root / "part0" / "loop").symlink_to("..")  # contains itself
    (root / "part1" / "up").symlink_to(root)
    (root / "self.txt").symlink_to("self.txt")  # a link to itself
    (root / "linked").symlink_to(root / "part2")  # a link to a folder elsewhere: followed
    with pytest.warns(policyml.batch.SkippedPoliciesWarning):
        result = policyml.classify_many(root, errors="skip")
    errors = {Path(f.policy).relative_to(root).as_posix(): f.error for f in result.attrs["errors"]}
    assert errors.keys() == {"part0/loop", "part1/up", "self.txt"}
    assert "symbolic link loop" in errors["part0/loop"] and "not followed" in errors["part1/up"]
    assert "Too many levels of symbolic links" in errors["self.txt"]
    written = {Path(p).relative_to(root).parent.as_posix() for p in result["policy"]}
    assert written == {"linked", "part0", "part1", "part2", "part3"}  # each file once
    assert result["policy"].nunique() == 5
    # a ** pattern through the same links: the loops are listed once, never walked round
    globbed = list(iter_policy_sources(str(root / "**" / "*.*")))
    looped = sorted(Path(s.policy).name for s in globbed if s.error)
    assert looped == ["loop", "up"]
    assert len(globbed) < 20


def test_unreadable_vanished_and_changing_files(tmp_path, monkeypatch):
    root = write_corpus(tmp_path / "corpus", 6, seed=2)
    files = paths(root)
    locked, gone, growing, restless = files[1], files[2], files[3], files[4]
    Path(gone).unlink()  # listed, then gone before it is read
    real_open, real_read = os.open, os.read
    appended = {growing: 1, restless: 100}

    def fake_open(path, *args, **kwargs):
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    def fake_read(fd, size):
        name = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else ""
        if appended.get(name, 0) > 0:  # someone appends while it is read
            appended[name] -= 1
            with open(name, "ab") as handle:
                handle.write(b"\nWe share data with partners.")
        return real_read(fd, size)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "read", fake_read)
    out = tmp_path / "out.csv"
    with pytest.warns(policyml.batch.SkippedPoliciesWarning):
        summary = policyml.classify_many(files, output=out, errors="skip", kind="path")
    errors = {f.policy: f.error for f in summary.errors}
    assert errors[locked] == "cannot read: Permission denied"
    assert errors[gone] == "cannot read: No such file or directory"
    if os.path.exists("/proc/self/fd"):
        assert errors[restless].startswith("the file changed while it was read")
        assert growing not in errors  # read again once, whole
    written = pd.read_csv(out, keep_default_na=False)
    assert set(written["policy"]) == set(files) - set(errors)
    journal = [json.loads(line) for line in Path(f"{out}.manifest.jsonl").read_text().splitlines()]
    assert [e["key"] for e in journal] == files  # every file is accounted for, in order


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names are bytes")
def test_file_names_that_are_not_utf8(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    for name in (b"caf\xe9.txt", b"ok.txt"):
        fd = os.open(os.path.join(os.fsencode(root), name), os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, b"We use cookies to remember you.")
        os.close(fd)
    for ext in FORMATS:
        out = tmp_path / f"out.{ext}"
        summary = policyml.classify_many(root, output=out)
        assert summary.n_policies == 2 and not summary.errors
        if ext == "parquet":
            names = pd.read_parquet(out)["policy"].tolist()
        else:
            text = out.read_bytes().decode("utf-8")  # valid UTF-8
            names = [
                line.split(",")[0] if ext == "csv" else json.loads(line)["policy"]
                for line in text.splitlines()[1 if ext == "csv" else 0 :]
            ]
        assert names == [f"{root}/caf\\xe9.txt", f"{root}/ok.txt"]
    result = run_in_process("classify", str(root), "-o", str(tmp_path / "cli.csv"))
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def test_cli_resumes_and_restarts(corpus, references, tmp_path):
    out = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        policyml.classify_many(
            Interrupting(paths(corpus), 25), output=out, kind="path", errors="skip", batch_size=5
        )
    result = run_in_process("classify", str(corpus), "-o", str(out), "--no-progress")
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert err.startswith("policyml: classified 60 policies, ")
    assert "; resumed after 25 policies done before; wrote" in err
    assert_same_output(out, references["csv"])
    other = run_in_process("classify", str(corpus), "-o", str(out), "--input-format", "html")
    lines = other.stderr.decode().splitlines()
    assert other.returncode == 1 and len(lines) == 1
    assert lines[0].startswith("policyml: error: ") and "--restart" in lines[0]
    again = run_in_process(
        "classify", str(corpus), "-o", str(out), "--input-format", "html", "--restart"
    )
    assert again.returncode == 0 and "resumed" not in again.stderr.decode()
    usage = run_in_process("classify", str(corpus), "--restart")
    assert usage.stderr.decode().strip() == (
        "policyml: error: --restart applies to an output file: add -o FILE"
    )


# --------------------------------------------------------------------------------------------
# Long paragraphs are cut from a stream: the pieces do not depend on how it is sliced
# --------------------------------------------------------------------------------------------


def test_long_paragraph_pieces_do_not_depend_on_the_slice_size(monkeypatch):
    import random

    from policyml.preprocess import _long, _unicode

    rng = random.Random(7)
    words = [
        "We",
        "use",
        "cookies.",
        "e.g.",
        "Inc.",
        "data",
        "(see",
        "below).",
        "why?",
        "caf\u00e9",
        "\ufb01le",
        "\u00a0",
        "AT&amp;T",
        "<b>bo</b>ld",
        "x" * 30,
        "\u200b",
        "end.\u201d",
        "  ",
        "\u3000",
    ]
    docs = []
    for _ in range(60):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(50, 400)))
        docs.append(rng.choice([body, f"<p>{body}</p>", f"## T\n\n{body}"]))
    expected = [policyml.split_paragraphs(d, max_chars=120) for d in docs]
    monkeypatch.setattr(_long, "_SLICE", 5)  # a chunk boundary every few words
    monkeypatch.setattr(_unicode, "_CLEAN_CHUNK", 6)
    assert [policyml.split_paragraphs(d, max_chars=120) for d in docs] == expected


def test_a_partial_output_shorter_than_its_manifest_is_refused(corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        policyml.classify_many(Interrupting(paths(corpus), 20), output=out, batch_size=4)
    Path(f"{out}.partial").write_bytes(b"")  # lost, e.g. deleted by hand
    with pytest.raises(
        OutputError,
        match=r"out\.jsonl\.partial is shorter than its manifest"
        r" says .*; use restart=True",
    ):
        policyml.classify_many(paths(corpus), output=out)
    assert policyml.classify_many(paths(corpus), output=out, restart=True).n_policies == 60


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files it has no right to"
)
def test_a_file_without_read_permission(tmp_path):
    root = write_corpus(tmp_path / "corpus", 3, seed=4)
    locked = Path(paths(root)[1])
    locked.chmod(0)
    try:
        with pytest.warns(policyml.batch.SkippedPoliciesWarning):
            summary = policyml.classify_many(root, output=tmp_path / "out.csv", errors="skip")
    finally:
        locked.chmod(0o644)
    assert [(f.policy, f.error) for f in summary.errors] == [
        (str(locked), "cannot read: Permission denied")
    ]
    assert summary.n_policies == 2
