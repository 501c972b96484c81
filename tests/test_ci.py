"""CI runs what the README tells a new user to run, and nothing else sets the scene.

``.ci/run`` must hold the README's two command lines (its first two ```bash blocks) verbatim and
set no variable the README does not set; the README's relative ``POLICYML_OPP115`` must work
wherever the tests later run (tests/conftest.py makes it absolute when pytest starts).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _paths import PATH_VARIABLES, make_paths_absolute

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"

needs_checkout = pytest.mark.skipif(
    not (README.is_file() and CI_RUN.is_file()), reason="README.md and .ci/run not found"
)

# `NAME=value` as a command prefix or an assignment, `export NAME`, `declare -x`, `env NAME=`
_ASSIGNMENT = re.compile(r"(?:^|[\s;&|(])(?:export\s+|declare\s+-\w*\s+|env\s+)?[A-Za-z_]\w*=")
_SETTERS = re.compile(r"\b(?:export|declare|typeset|setenv|env)\b")


def readme_commands() -> list[str]:
    """The first two ```bash blocks of README.md, each one command line."""
    blocks = re.findall(r"^```bash\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    commands = [block.strip() for block in blocks[:2]]
    assert len(commands) == 2 and all("\n" not in c for c in commands), commands
    return commands


def ci_lines() -> list[str]:
    """The command lines of .ci/run, comments and blank lines left out."""
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@needs_checkout
def test_ci_runs_the_readme_command_lines_verbatim():
    first, second = readme_commands()
    assert first.startswith("python3 -m venv .venv") and "policyml classify" in first
    assert "POLICYML_OPP115=../shared/opp115" in second and second.endswith("pytest")
    lines = ci_lines()
    assert first in lines and second in lines, "copy the README's commands into .ci/run as is"
    assert lines.index(first) < lines.index(second)
    assert lines[-1] == second  # nothing runs after the tests


@needs_checkout
def test_ci_sets_no_variable_the_readme_does_not_set():
    readme = set(readme_commands())
    extra = [
        line
        for line in ci_lines()
        if line not in readme and (_ASSIGNMENT.search(line) or _SETTERS.search(line))
    ]
    assert extra == [], f".ci/run sets variables the README does not: {extra}"


def test_the_variable_check_finds_assignments():
    for line in (
        'export POLICYML_OPP115="$(pwd)/x"',
        "PIP_DISABLE_PIP_VERSION_CHECK=1",
        "(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install x)",
        "env CI=1 pytest",
        "declare -x A",
    ):
        assert _ASSIGNMENT.search(line) or _SETTERS.search(line), line
    for line in ("set -euo pipefail", 'cd "$(dirname "$0")/.."', "rm -rf .venv"):
        assert not (_ASSIGNMENT.search(line) or _SETTERS.search(line)), line


def test_relative_data_paths_are_made_absolute_against_the_start_directory(tmp_path):
    start = tmp_path / "clone"
    (tmp_path / "shared" / "opp115").mkdir(parents=True)
    start.mkdir()
    environ = {
        "POLICYML_OPP115": "../shared/opp115",
        "POLICYML_SEEDS": "/abs/seeds",
        "OTHER": "../x",
    }
    changed = make_paths_absolute(environ, start)
    assert environ["POLICYML_OPP115"] == str((tmp_path / "shared" / "opp115").resolve())
    assert changed == {"POLICYML_OPP115": environ["POLICYML_OPP115"]}
    assert environ["POLICYML_SEEDS"] == "/abs/seeds" and environ["OTHER"] == "../x"
    assert "POLICYML_C3PA" in PATH_VARIABLES


def test_data_paths_of_this_session_are_absolute_for_children(tmp_path):
    """conftest ran at session start: what a child process sees (e.g. a notebook kernel in a
    temporary folder) names the same folder as what the tests see."""
    for name in PATH_VARIABLES:
        if os.environ.get(name):
            assert os.path.isabs(os.environ[name]), name
    opp = os.environ.get("POLICYML_OPP115")
    if not opp:
        pytest.skip("POLICYML_OPP115 is not set")
    code = "import os; print(os.path.isdir(os.environ['POLICYML_OPP115']))"
    seen = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert seen.stdout.strip() == str(os.path.isdir(opp))


def test_c3pa_fixture_finds_the_pages(c3pa_root: Path):
    assert c3pa_root.is_absolute() and c3pa_root.is_dir()
    assert any(c3pa_root.iterdir())
