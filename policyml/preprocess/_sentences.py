"""Sentences: NLTK's Punkt with parameters trained on privacy policies (shipped as JSON)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from policyml.exceptions import InvalidInputError, ModelLoadError
from policyml.preprocess._lines import NONWS_RE

_PUNKT_RESOURCE = Path(__file__).resolve().parent.parent / "resources" / "punkt_policy.json"
PUNKT_FORMAT = "policyml-punkt-params"
_tokenizer: Any = None
_tokenizer_lock = threading.Lock()
# a token after which a sentence may end: final ., ? or ! with optional closing quotes/brackets
SENT_END_TOKEN_RE = re.compile("[.?!][\"')\\]}\u2019\u201d\u00bb]*$")
MAX_BREAK_CHECKS = 8


def load_punkt(path: Path) -> Any:
    """Build a ``PunktSentenceTokenizer`` from the JSON parameters at ``path``."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot read sentence-splitter parameters {path}: {exc}") from exc
    try:
        if data.get("format") != PUNKT_FORMAT:
            raise TypeError(f"format is {data.get('format')!r}, expected {PUNKT_FORMAT!r}")
        params = PunktParameters()
        params.abbrev_types = {str(x) for x in data["abbrev_types"]}
        params.collocations = {(str(a), str(b)) for a, b in data["collocations"]}
        params.sent_starters = {str(x) for x in data["sent_starters"]}
        for key, flags in data.get("ortho_context", {}).items():
            params.ortho_context[str(key)] = int(flags)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"malformed sentence-splitter parameters {path}: {exc}") from exc
    return PunktSentenceTokenizer(params)


def sentence_tokenizer() -> Any:
    """The shared tokenizer, loaded once (thread-safe) on first use."""
    global _tokenizer
    tok = _tokenizer
    if tok is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                _tokenizer = load_punkt(_PUNKT_RESOURCE)
            tok = _tokenizer
    return tok


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences with Punkt using policy-trained parameters.

    A sentence boundary is only ever placed at whitespace after ``.``, ``?`` or ``!`` (with
    optional closing quotes/brackets); Punkt decides from the surrounding tokens whether it is a
    real boundary (abbreviations such as "e.g." or "Inc." are not). Sentences are returned as
    stripped substrings of ``text``; no normalisation is applied.

    Parameters
    ----------
    text : str
        Text to split, typically one paragraph.

    Returns
    -------
    list of str
        The sentences, in order; ``[]`` for blank input.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a ``str``.
    ModelLoadError
        If the packaged Punkt parameters are missing or corrupt.

    Examples
    --------
    >>> split_sentences("We use cookies, e.g. session cookies. You can refuse them.")
    ['We use cookies, e.g. session cookies.', 'You can refuse them.']
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be str, got {type(text).__name__}")
    spans = [m.span() for m in NONWS_RE.finditer(text)]
    if not spans:
        return []
    tok = sentence_tokenizer()
    out: list[str] = []
    first = 0
    for i in range(len(spans) - 1):
        word = text[spans[i][0]:spans[i][1]]
        if SENT_END_TOKEN_RE.search(word) and tok.text_contains_sentbreak(
            f"{word} {text[spans[i + 1][0]:spans[i + 1][1]]}"
        ):
            out.append(text[spans[first][0]:spans[i][1]])
            first = i + 1
    out.append(text[spans[first][0]:spans[-1][1]])
    return out
