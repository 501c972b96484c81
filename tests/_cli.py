"""Run the ``policyml`` command in this process (fast: the model is loaded once) or, for the
few end-to-end tests where the process itself is the point, in a new one."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import traceback

from policyml import cli


def run_in_process(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``policyml ARGS`` through :func:`policyml.cli.main`, with stdin, stdout and stderr
    replaced as for a new process. An exception escaping ``main`` is what a process would
    print as a traceback: exit code 1 and the traceback on stderr."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", newline="")
    stderr = io.TextIOWrapper(err, encoding="utf-8", newline="")
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin_stream, stdout, stderr
    try:
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:  # argparse: usage errors and --help
            code = exit_.code if isinstance(exit_.code, int) else 1
        except Exception:
            traceback.print_exc()
            code = 1
    finally:
        with contextlib.suppress(ValueError):
            stdout.flush()
            stderr.flush()
        sys.stdin, sys.stdout, sys.stderr = old
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def run_subprocess(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``policyml ARGS`` in a new Python process."""
    return subprocess.run(
        [sys.executable, "-m", "policyml.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=300,
    )
