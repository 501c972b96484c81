"""Data paths given in the environment, made absolute once so that they hold wherever tests,
notebooks and child processes later run (a notebook kernel runs in a temporary folder)."""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

#: Variables naming folders of ../shared (or where screenshots go), relative to where the user
#: ran pytest when not absolute.
PATH_VARIABLES = (
    "POLICYML_OPP115",
    "POLICYML_SEEDS",
    "POLICYML_C3PA",
    "POLICYML_PRIVACYGLUE",
    "POLICYML_SCREENSHOTS",
)


def make_paths_absolute(environ: MutableMapping[str, str], start: Path) -> dict[str, str]:
    """Resolve every relative path variable of ``environ`` against ``start`` in place, as the
    shell would have resolved it there; returns the variables changed (name: new value)."""
    changed = {}
    for name in PATH_VARIABLES:
        value = environ.get(name)
        if value and not os.path.isabs(os.path.expanduser(value)):
            environ[name] = changed[name] = str((start / value).resolve())
    return changed
