"""Locate files shipped with policyml (bundled model, example data, preprocessing parameters)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_file(package: str, name: str) -> Path:
    """Path of ``name`` in the package-data package ``policyml.<package>``.

    Installed, ``policyml.models`` and ``policyml.data`` are the repository's top-level
    ``models/`` and ``data/`` folders; in a source checkout used without installing, they are
    found beside the ``policyml/`` folder.
    """
    try:
        candidate = Path(str(resources.files(f"policyml.{package}").joinpath(name)))
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / package / name
