"""Shared helpers of the benchmark scripts: machine facts and writing BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"


def shared_dir(variable: str, default_name: str) -> Path:
    """A folder of ../shared, from an environment variable or beside the checkout."""
    value = os.environ.get(variable)
    path = Path(value) if value else ROOT.parent / "shared" / default_name
    if not path.is_dir():
        sys.exit(f"benchmark needs {default_name}: set {variable} (looked in {path})")
    return path


def machine() -> dict[str, Any]:
    """Facts that make a timing or a score comparable."""
    import numpy
    import pandas
    import sklearn

    import policyml

    memory = None
    try:
        with open("/proc/meminfo") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024**2:.0f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "policyml": policyml.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
    }


def command() -> str:
    return (
        "python -m "
        + Path(sys.argv[0]).with_suffix("").relative_to(ROOT).as_posix().replace("/", ".")
        + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    )


def write_section(name: str, markdown: str, results: dict[str, Any]) -> None:
    """Replace the ``name`` section of BENCHMARKS.md and write ``benchmarks/results/NAME.json``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    text = (
        BENCHMARKS_MD.read_text(encoding="utf-8")
        if BENCHMARKS_MD.exists()
        else (
            "# Benchmarks\n\nWritten by the scripts in `benchmarks/`; each section says the"
            " command, date and machine that produced it.\n"
        )
    )
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text}\n{block}\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"{info['date']} · {info['cpu']} ({info['cores']} cores, {info['memory']}) · "
        f"Python {info['python']}, scikit-learn {info['scikit-learn']}, policyml "
        f"{info['policyml']}"
    )


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
