"""Shared fixtures: the licensed corpora are read from ../shared, never from the repository.

Tests that need them skip with a reason when ``POLICYML_OPP115`` is unset, and fail when the
``CI`` environment variable is set (CI must exercise them).

A relative ``POLICYML_OPP115`` (as in the README: ``POLICYML_OPP115=../shared/opp115``), or any
other data path variable of :data:`_paths.PATH_VARIABLES`, is resolved once, when pytest starts,
against the directory pytest was started from, and exported as an absolute path: notebooks and
child processes run elsewhere (a notebook runs in a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _paths import make_paths_absolute


def pytest_configure(config: pytest.Config) -> None:
    make_paths_absolute(os.environ, Path(config.invocation_params.dir))


def _shared_dir(variable: str, default: Path | None, what: str) -> Path:
    value = os.environ.get(variable)
    path = Path(value) if value else default
    if path is not None and path.is_dir():
        return path
    reason = (
        f"{what} not found: set {variable} (e.g. {variable}=../shared/opp115)"
        if path is None
        else f"{what} not found at {path} ({variable})"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the data tests")
    pytest.skip(reason)


def _beside_opp115(name: str) -> Path | None:
    """``$POLICYML_OPP115/../name``: the other corpora of ../shared sit beside OPP-115."""
    opp = os.environ.get("POLICYML_OPP115")
    return Path(opp).parent / name if opp else None


@pytest.fixture(scope="session")
def opp115_root() -> Path:
    """The OPP-115 corpus folder (``POLICYML_OPP115``)."""
    return _shared_dir("POLICYML_OPP115", None, "OPP-115 corpus")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed policies (``POLICYML_SEEDS``, default ``$POLICYML_OPP115/../seeds``)."""
    return _shared_dir("POLICYML_SEEDS", _beside_opp115("seeds"), "seed policies")


@pytest.fixture(scope="session")
def c3pa_root() -> Path:
    """The C3PA DB pages (``POLICYML_C3PA``, default ``$POLICYML_OPP115/../c3pa-db``)."""
    return _shared_dir("POLICYML_C3PA", _beside_opp115("c3pa-db"), "C3PA DB pages")


@pytest.fixture(scope="session")
def opp115(opp115_root: Path):
    """The OPP-115 corpus as a DataFrame (policyml's five categories)."""
    from policyml.datasets import load_opp115

    return load_opp115(opp115_root)
