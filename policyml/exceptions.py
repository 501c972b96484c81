"""Errors raised by policyml.

Every error policyml raises on purpose derives from :class:`PolicyMLError`, so callers can
catch one class. Input and data errors are also ``ValueError`` so generic handlers keep working.
"""

from __future__ import annotations

__all__ = [
    "DataValidationError",
    "InvalidInputError",
    "ModelLoadError",
    "OutputError",
    "PolicyMLError",
]


class PolicyMLError(Exception):
    """Base class of every error raised by policyml."""


class InvalidInputError(PolicyMLError, ValueError):
    """A policy or argument given to policyml is not of a usable type or value."""


class DataValidationError(PolicyMLError, ValueError):
    """Labeled training or evaluation data is malformed (the message names file, line, column)."""


class ModelLoadError(PolicyMLError):
    """A model file cannot be loaded: missing, corrupt, truncated, foreign or untrusted."""


class OutputError(PolicyMLError):
    """A run's output cannot be written or resumed: the disk is full or not writable, another
    run is writing it, or its manifest belongs to another run (other model, options or
    inputs). The message says what was kept and what to do."""
