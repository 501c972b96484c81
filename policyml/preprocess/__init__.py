"""Split privacy-policy documents into normalised paragraphs.

The entry point is :func:`split_paragraphs`. It accepts plain text (one paragraph per line or
blank-line separated, possibly hard-wrapped), Markdown or raw HTML, and returns
:class:`Paragraph` records with normalised text, the nearest preceding section heading and the
character span of the paragraph in the *original* input string.

One module per concern: ``_unicode`` (clean-up, decoding), ``_detect`` (format), ``_lines``
(the line/unit model the parsers share), ``_tags`` (HTML tokens with source offsets), ``_text``,
``_markdown`` and ``_html`` (parsers), ``_headings`` (heading rules), ``_sentences`` (Punkt),
``_long`` (cutting long paragraphs), ``_limits`` (input size limits) and ``_split``
(:func:`split_paragraphs`, which joins them).

Design notes
------------
* Offsets always refer to the input string. Markup is located first, and Unicode normalisation
  (:func:`normalize_text`) is applied afterwards to each located piece, so NFKC changing string
  lengths never shifts an offset.
* HTML is read by policyml's own tokenizer (``_tags``), one linear pass that reports the exact
  source offsets of every tag, text run and character reference and follows browsers where it
  matters for what a reader sees (where a tag ends, raw-text elements such as script and
  iframe, unclosed comments); the element stack is a list, so deeply nested documents never
  hit the recursion limit.
* No word of the visible text is dropped: text that cannot be a paragraph body (a trailing
  heading, an over-long heading chain) becomes a paragraph of its own.
* Paragraphs longer than ``max_chars`` are cut at sentence boundaries found by an NLTK Punkt
  model whose parameters were trained on the OPP-115 policies (``tools/train_punkt.py``) and are
  shipped as JSON in ``policyml/resources``. No NLTK data package is needed or downloaded.

Limits
------
A policy over a size limit raises :class:`~policyml.InvalidInputError` at once rather than
running for minutes (measured on 2 cores):

* ``MAX_INPUT_CHARS`` = 20,000,000 characters (after decoding bytes): a 20 MB policy of ordinary
  paragraphs splits in 3-5 s; one paragraph of 20 M one-letter words, 6 s and 350 MB;
* ``MAX_INPUT_LINES`` = 200,000 lines (of an HTML page: its lines, tags and character
  references together): within both limits a policy peaks under 500 MB for the whole process
  (see docs/errors.md, "Memory"); the largest real policy page we have holds 1,700 lines, 8,800
  tags and 5,800 references.

Raise a limit for one call with ``max_input_chars=N`` / ``max_input_lines=N`` (of
:func:`split_paragraphs`, :func:`policyml.classify` and :func:`policyml.classify_many`), or on
the command line with ``--max-input-chars N`` / ``--max-input-lines N``; change the default for
the process with ``policyml.preprocess.MAX_INPUT_CHARS = N`` (``None``: no limit). Files and web
pages over 64 MiB (``policyml.sources.MAX_FILE_BYTES``) are refused before they are read.
"""

from __future__ import annotations

import sys
import types

from policyml.preprocess import _limits
from policyml.preprocess._detect import detect_format
from policyml.preprocess._limits import check_input_size, resolve_limits
from policyml.preprocess._sentences import split_sentences
from policyml.preprocess._split import CONTENTS, FORMATS, Paragraph, split_paragraphs
from policyml.preprocess._unicode import decode_bytes, normalize_text

__all__ = [
    "CONTENTS",
    "FORMATS",
    "MAX_INPUT_CHARS",
    "MAX_INPUT_LINES",
    "Paragraph",
    "check_input_size",
    "decode_bytes",
    "detect_format",
    "normalize_text",
    "resolve_limits",
    "split_paragraphs",
    "split_sentences",
]

# The documented defaults, restored when the attribute is deleted (as pytest's monkeypatch does).
_LIMITS = {"MAX_INPUT_CHARS": _limits.MAX_INPUT_CHARS, "MAX_INPUT_LINES": _limits.MAX_INPUT_LINES}


class _Package(types.ModuleType):
    """``policyml.preprocess.MAX_INPUT_CHARS = n`` (the documented way to change a default
    limit) sets the value the splitter reads, which lives in ``_limits`` (below the modules that
    use it, so that no module imports this package's ``__init__``)."""

    def __getattr__(self, name: str) -> object:
        if name in _LIMITS:
            return getattr(_limits, name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LIMITS:
            setattr(_limits, name, value)
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in _LIMITS:
            setattr(_limits, name, _LIMITS[name])
        else:
            super().__delattr__(name)


sys.modules[__name__].__class__ = _Package
