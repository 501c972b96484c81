"""Real faults: `policyml classify -o` killed (SIGKILL, SIGTERM, SIGINT) at random points,
with one process and with worker processes, a full disk, and the worst input under a memory
cap. Each interrupted run is resumed and must end identical to an uninterrupted run.

The processes run the real command line; only ``COMMIT_SECONDS`` is set to 0 (commit after
every batch), so that a few hundred small policies give many commit points to kill between.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _corpus import write_corpus

import policyml

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="kills processes and reads /proc (Linux)"
)

N_POLICIES = 300
_RUN = (
    "import sys, policyml.batch as b; b.COMMIT_SECONDS = 0.0;"
    " from policyml.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("faults") / "corpus", N_POLICIES, seed=11)


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory):
    """The output of one uninterrupted run, per format (as the command line writes it)."""
    folder = tmp_path_factory.mktemp("reference")
    made: dict[str, Path] = {}

    def get(ext: str) -> Path:
        if ext not in made:
            made[ext] = folder / f"ref.{ext}"
            policyml.classify_many(
                [str(corpus)], output=made[ext], kind="path", errors="skip", batch_size=16
            )
        return made[ext]

    return get


def start(corpus: Path, out: Path, *args: str, **popen) -> subprocess.Popen:
    command = [sys.executable, "-c", _RUN, "classify", str(corpus), "-o", str(out)]
    command += ["--no-progress", "--batch-size", "4", *args]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)


def committed(out: Path) -> int:
    try:
        return json.loads(Path(f"{out}.manifest.json").read_text())["committed"]["sources"]
    except (OSError, ValueError, KeyError):
        return 0


def children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (loky workers, its resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found |= {kid, *children(kid)}
    return found


def running(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie has stopped; only its exit status is left
            alive.add(pid)
    return alive


def kill_at(
    process: subprocess.Popen, out: Path, target: int, signum: int, group: bool = False
) -> set[int]:
    """Send ``signum`` once ``target`` policies are committed (0: right away), to the process
    or (``group``) to its whole process group, as Ctrl-C in a terminal does; returns the
    process's descendants as they were just before."""
    deadline = time.monotonic() + 120
    while committed(out) < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    kids = children(process.pid)
    if process.poll() is None:
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
    process.wait(60)
    return kids


def finish(corpus: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _RUN,
            "classify",
            str(corpus),
            "-o",
            str(out),
            "--no-progress",
            *args,
        ],
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result


def assert_identical(out: Path, reference: Path) -> None:
    if out.suffix == ".parquet":
        assert sorted(p.name for p in out.iterdir())[0] == "part-000000.parquet"
        pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(reference))
    else:
        assert out.read_bytes() == reference.read_bytes()


def assert_whole_rows(out: Path) -> None:
    """The committed part of an interrupted output is whole rows (what a resume keeps)."""
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())["committed"]
    partial = Path(f"{out}.partial")
    if out.suffix == ".parquet":
        assert len(pd.read_parquet(partial)) == manifest["rows"]
        return
    data = partial.read_bytes()[: manifest["output"]["bytes"]]
    assert data == b"" or data.endswith(b"\n")
    if out.suffix == ".jsonl":
        assert len([json.loads(line) for line in data.splitlines()]) == manifest["rows"]


@pytest.mark.parametrize(("seed", "ext"), [(1, "csv"), (2, "jsonl"), (3, "parquet")])
def test_sigkill_at_random_points_then_resume(corpus, reference, tmp_path, seed, ext):
    rng = random.Random(seed)
    out = tmp_path / f"out.{ext}"
    targets = sorted(rng.sample(range(1, N_POLICIES - 20), 2))
    midway = 0
    for target in [0, *targets]:  # the first kill lands before anything is committed
        process = start(corpus, out)
        kill_at(process, out, target, signal.SIGKILL)
        assert process.returncode == -signal.SIGKILL
        assert not out.exists()
        if committed(out):
            assert_whole_rows(out)
            midway += committed(out) < N_POLICIES
    assert midway == 2  # both later kills stopped the run part-way
    finish(corpus, out)
    assert_identical(out, reference(ext))


def test_sigterm_stops_cleanly_and_says_how_to_resume(corpus, reference, tmp_path):
    out = tmp_path / "out.jsonl"
    process = start(corpus, out)
    kill_at(process, out, N_POLICIES // 3, signal.SIGTERM)
    err = process.stderr.read().decode()
    assert process.returncode == 128 + signal.SIGTERM, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("policyml: stopped by SIGTERM; ")
    assert lines[0].endswith(
        f"to resume, run: policyml classify {corpus} -o {out} --no-progress --batch-size 4"
    )
    saved = int(lines[0].split("; ")[1].split()[0].replace(",", ""))
    assert saved == committed(out) >= N_POLICIES // 3  # what was written is committed
    assert_whole_rows(out)
    result = finish(corpus, out)
    assert f"resumed after {saved:,} policies" in result.stderr.decode()
    assert_identical(out, reference("jsonl"))


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_two_workers_are_stopped_not_orphaned(corpus, reference, tmp_path, signum):
    out = tmp_path / "out.csv"
    process = start(corpus, out, "-j", "2", start_new_session=True)
    # Ctrl-C reaches the workers too (the terminal signals the whole group)
    kids = kill_at(process, out, N_POLICIES // 2, signum, group=signum == signal.SIGINT)
    assert len(kids) >= 2  # the workers (and loky's resource tracker)
    if signum != signal.SIGKILL:
        assert process.returncode == 128 + signum
        assert (
            process.stderr.read()
            .decode()
            .startswith(f"policyml: stopped by {signal.Signals(signum).name}; ")
        )
    # SIGINT/SIGTERM: joblib kills the workers before the run exits; SIGKILL: they notice
    # their parent is gone within a second
    deadline = time.monotonic() + 10
    while running(kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running(kids) == set()
    finish(corpus, out, "-j", "2")
    assert_identical(out, reference("csv"))


def test_a_full_disk_stops_the_run_which_resumes_later(corpus, reference, tmp_path):
    """The disk fills up (a file size limit: the system refuses to write past it); the
    run stops with one error line, keeping what is committed, and resumes once there is room."""
    out = tmp_path / "out.csv"
    limit = len(reference("csv").read_bytes()) // 3
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import resource; resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
            + _RUN.replace("; ", "\n"),
            "classify",
            str(corpus),
            "-o",
            str(out),
            "--no-progress",
            "--batch-size",
            "4",
        ],
        capture_output=True,
        timeout=300,
    )
    err = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("policyml: error: ")
    assert "File too large" in err and "policies are committed; run again to resume" in err
    assert 0 < committed(out) < N_POLICIES
    assert Path(f"{out}.partial").stat().st_size <= limit
    assert_whole_rows(out)
    finish(corpus, out)
    assert_identical(out, reference("csv"))


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_no_space_left_on_device(corpus, reference, tmp_path):
    """A real full disk: a tiny tmpfs (needs the right to mount, else skipped)."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "96k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        out = disk / "out.csv"
        process = start(corpus, out)
        process.wait(300)
        err = process.stderr.read().decode()
        assert process.returncode == 1 and "Traceback" not in err, err
        assert "No space left on device" in err and "run again to resume" in err
        kept = committed(out)
        assert kept > 0
        assert_whole_rows(out)
        subprocess.run(  # room again, as when the user frees some
            ["mount", "-o", "remount,size=64m", str(disk)], check=True, timeout=30
        )
        result = finish(corpus, out)
        assert f"resumed after {kept:,} policies" in result.stderr.decode()
        assert_identical(out, reference("csv"))
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True, timeout=30)


_WORST = """
import resource, sys, time
import policyml

def status(key):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key):
                return int(line.split()[1]) * 1024

policyml.classify("We use cookies.")  # imports and the model, before the cap
cap = status("VmSize:") + 450 * 2**20  # address space: what is mapped now + 450 MB
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
text = "a " * 10_000_000  # 20 M characters, one paragraph of one-letter words
start = time.perf_counter()
result = policyml.classify(text)
print(len(result), result["end"].iloc[-1], status("VmHWM:"), time.perf_counter() - start)
"""


def test_worst_case_input_under_a_memory_cap():
    """The issue's worst case, at the size limit (2.3 GB before), with the address space
    capped at what the process maps after loading the model + 450 MB: no MemoryError, and
    peak RSS of the whole process under 500 MB."""
    result = subprocess.run(
        [sys.executable, "-c", _WORST], capture_output=True, timeout=600, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows, end, peak, seconds = result.stdout.split()
    print(f"worst case: {float(seconds):.1f} s, peak RSS {int(peak) / 2**20:.0f} MB")
    assert int(rows) == 13_334 and int(end) == 19_999_999  # nothing lost
    assert int(peak) < 500 * 2**20, f"peak RSS {int(peak) / 2**20:.0f} MB"


_WIDE = """
import sys
from pathlib import Path
import policyml

def status(key):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key):
                return int(line.split()[1]) * 1024

policyml.classify("We use cookies.")
path = Path(sys.argv[1])
result = policyml.classify(path) if sys.argv[2] == "classify" else policyml.classify_many([path])
print(len(result), status("VmHWM:"))
"""


@pytest.mark.parametrize("api", ["classify", "classify_many"])
def test_a_file_of_four_byte_text_at_the_limit_stays_under_500_mb(tmp_path, api):
    """20 M characters with an emoji every third: every copy of the text takes 4 bytes a
    character, so the paragraphs must not outlive the frame that holds their texts."""
    path = tmp_path / "wide.txt"
    path.write_text(("\U0001f600a " * 7_000_000)[:20_000_000], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _WIDE, str(path), api], capture_output=True, timeout=600, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows, peak = result.stdout.split()
    assert int(rows) == 13_334
    assert int(peak) < 500 * 2**20, f"peak RSS {int(peak) / 2**20:.0f} MB"
