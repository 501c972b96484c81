"""Every Examples section in policyml's docstrings runs, against the installed package.

One test per docstring that has examples, so a failure names the function. (This is what
``pytest --doctest-modules policyml/`` does, but that would import the source checkout instead
of the installed package the other tests use.)
"""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil

import pytest

import policyml

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
OPTIONAL = {"policyml.dask": "dask", "policyml.plot": "matplotlib"}


def _docstrings() -> list[tuple[str, str]]:
    names = ["policyml"] + [
        m.name for m in pkgutil.walk_packages(policyml.__path__, "policyml.")
    ]
    found = []
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional extra is not installed: its test skips below
            found.append((name, ""))
            continue
        for test in finder.find(module, name):
            if test.examples:
                found.append((name, test.name))
    return sorted(set(found))


DOCSTRINGS = _docstrings()


def test_docstrings_are_found():
    modules = {module for module, _ in DOCSTRINGS}
    assert {"policyml.predict", "policyml.preprocess._split", "policyml.model"} <= modules
    assert len(DOCSTRINGS) > 40


@pytest.mark.parametrize(("module_name", "test_name"), DOCSTRINGS)
def test_docstring_examples(module_name: str, test_name: str, tmp_path, monkeypatch):
    if module_name in OPTIONAL:
        pytest.importorskip(OPTIONAL[module_name])
    module = importlib.import_module(module_name)
    (test,) = [t for t in doctest.DocTestFinder().find(module, module_name) if t.name == test_name]
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    output: list[str] = []
    runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)
    assert os.getcwd() == str(tmp_path)
