"""The notebooks in notebooks/ run top to bottom against the policyml these tests import.

Each runs in a fresh Jupyter kernel (nbclient), in a temporary working directory. With
``POLICYML_OPP115`` set they use OPP-115, else the bundled example data. The committed files
must have their outputs cleared (executed copies never touch the repository: OPP-115 text would
end up in their outputs).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

import policyml  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = [
    "01_quickstart.ipynb",
    "02_retrain_from_csv.ipynb",
    "03_evaluation.ipynb",
    "04_adapt_to_your_policies.ipynb",
]
#: Notebooks that need ../shared data (they run only where it is, as the other data tests).
NEEDS_DATA = {"04_adapt_to_your_policies.ipynb"}

PROBE = "import sys, policyml\nprint(sys.executable)\nprint(policyml.__file__)"


def test_notebooks_are_committed_clean():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear outputs"


def _outputs(nb, kind: str) -> list:
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if kind in data:
                found.append(data[kind])
    return found


def _data_dirs() -> dict[str, str] | None:
    """``POLICYML_OPP115`` and ``POLICYML_C3PA`` (default beside OPP-115, as in conftest) when
    both folders exist, else None."""
    opp = os.environ.get("POLICYML_OPP115")
    if not opp or not Path(opp).is_dir():
        return None
    c3pa = os.environ.get("POLICYML_C3PA") or str(Path(opp).parent / "c3pa-db")
    return {"POLICYML_OPP115": opp, "POLICYML_C3PA": c3pa} if Path(c3pa).is_dir() else None


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run the notebooks, each in its own fresh kernel, concurrently (they are independent
    and mostly single-threaded, so two cores run them in about half the time); those of
    :data:`NEEDS_DATA` only where the shared data is.

    Returns ``{name: (executed notebook, error or None)}``.
    """
    package_root = str(Path(policyml.__file__).resolve().parent.parent)
    data = _data_dirs()
    clients = {}
    for name in NAMES:
        if name in NEEDS_DATA and data is None:
            continue
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
        workdir = tmp_path_factory.mktemp(name.split("_")[0])
        clients[name] = nbclient.NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(workdir)}},
        )

    async def run_all() -> list:
        return await asyncio.gather(
            *(client.async_execute() for client in clients.values()), return_exceptions=True
        )

    with pytest.MonkeyPatch.context() as patch:
        # the kernels import the same policyml as these tests (installed, or this checkout)
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        patch.setenv("PYTHONPATH", path)
        patch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws plots
        for variable, value in (data or {}).items():
            patch.setenv(variable, value)
        outcomes = asyncio.run(run_all())
    return {
        name: (client.nb, outcome if isinstance(outcome, BaseException) else None)
        for (name, client), outcome in zip(clients.items(), outcomes, strict=True)
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, executed, request):
    if name in NEEDS_DATA:  # skip (fail on CI) as the other data tests do
        request.getfixturevalue("opp115_root")
        request.getfixturevalue("c3pa_root")
        assert name in executed, "the data fixtures found data the notebook runner did not"
    nb, error = executed[name]
    if error is not None:
        raise error
    executable, module = nb.cells[0].outputs[0]["text"].split()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(module).resolve() == Path(policyml.__file__).resolve()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    html = "".join(_outputs(nb, "text/html"))
    images = _outputs(nb, "image/png")
    streams = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    if name.startswith("01"):
        assert re.search(r'<article class="para [^"]*cat-cookies', html)  # highlighted view
        assert "open " in streams  # the report was written
        assert len(images) == 1  # the policy map
    elif name.startswith("02"):
        assert "macro avg" in html  # the cross-validation report
        assert "saved " in streams
    elif name.startswith("03"):
        assert len(images) == 4  # metrics, precision-recall, confusion, co-occurrence
        assert "false positive" in html
    else:
        assert "picked 100 of " in streams  # suggest
        assert "100 paragraphs labelled" in streams  # filled in from the corpus's labels
        assert "'user': 100" in streams  # trained on top of the base
        gain = re.search(r"with 100 labels \(([+-][0-9.]+)\)", streams)
        assert gain is not None and "macro avg" in html  # the comparison
    # nothing written beside the notebooks (exports and models go to a temporary folder)
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == NAMES
