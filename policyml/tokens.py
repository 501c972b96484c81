"""Word tokens, Snowball stems and word n-grams: the one analysis of text every model uses.

Training (:mod:`policyml.features`, through scikit-learn's ``TfidfVectorizer``) and prediction
(:mod:`policyml.scoring`) both turn a text into terms with :func:`analyze`, so the two can
never drift apart. Stems come from PyStemmer (the C Snowball library), which is far faster
than NLTK's Python port and needs no NLTK import (seconds on a small machine).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from itertools import pairwise

import Stemmer

__all__ = [
    "FUNCTION_WORDS",
    "STEMMER",
    "TOKEN_PATTERN",
    "StemTokenizer",
    "analyze",
    "is_function_term",
    "stem_words",
    "stemmer_version",
    "word_ngrams",
]

#: Word tokens: runs of two or more word characters (scikit-learn's default ``token_pattern``).
TOKEN_PATTERN = r"(?u)\b\w\w+\b"

#: The Snowball algorithm stems come from.
STEMMER = "english"

_TOKEN = re.compile(TOKEN_PATTERN)
# A PyStemmer object has internal state and must not be used by two threads at once.
_LOCAL = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = Stemmer.Stemmer(STEMMER, 100_000)
    return stemmer


def stem_words(words: Sequence[str]) -> list[str]:
    """The Snowball stem of each word.

    Examples
    --------
    >>> stem_words(["collected", "cookies"])
    ['collect', 'cooki']
    """
    return _stemmer().stemWords(words)


def stemmer_version() -> str:
    """``"pystemmer <version> snowball:<algorithm>"``, recorded in model metadata."""
    return f"pystemmer {Stemmer.version()} snowball:{STEMMER}"


class StemTokenizer:
    """Split (already lower-cased) text into word tokens and reduce them to Snowball stems.

    Examples
    --------
    >>> StemTokenizer()("we collected cookies")
    ['we', 'collect', 'cooki']
    """

    def __call__(self, text: str) -> list[str]:
        return stem_words(_TOKEN.findall(text))

    def __eq__(self, other: object) -> bool:  # equal when configured alike (sklearn clone checks)
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


def word_ngrams(tokens: Sequence[str], ngram_range: tuple[int, int]) -> list[str]:
    """The word n-grams of ``tokens`` for ``n`` in ``ngram_range``, joined by one space.

    Examples
    --------
    >>> word_ngrams(["we", "use", "cooki"], (1, 2))
    ['we', 'use', 'cooki', 'we use', 'use cooki']
    """
    low, high = ngram_range
    grams: list[str] = list(tokens) if low == 1 else []
    for size in range(max(low, 2), high + 1):
        if size == 2:
            grams += map(" ".join, pairwise(tokens))  # in C: faster than an f-string loop
        else:
            grams += [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    return grams


def analyze(text: str, ngram_range: tuple[int, int] = (1, 2), *, stem: bool = True) -> list[str]:
    """The terms of ``text``: lower-cased word tokens, stemmed when ``stem``, as n-grams.

    Examples
    --------
    >>> analyze("We use Cookies")
    ['we', 'use', 'cooki', 'we use', 'use cooki']
    """
    text = text.lower()
    tokens = stem_words(_TOKEN.findall(text)) if stem else _TOKEN.findall(text)
    return word_ngrams(tokens, ngram_range)


_FUNCTION_WORDS_TEXT = """
an the and or but nor so yet either neither both whether if than as while because
of to in on at by for with from into onto upon about through over under within without
between among after before during via per up out off
is are was were be been being am do does did has have had
can could may might will would shall should must
we us our ours you your yours they them their it its he she his her me my
this that these those which who whom whose what there here such any all each some other
also only very
"""
_FUNCTION_WORDS = _FUNCTION_WORDS_TEXT.split()

#: Words that carry grammar, not meaning (and their Snowball stems): explanations fold terms
#: made only of them into one line. Negations ("not", "no", "never") are not among them.
FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS) | frozenset(stem_words(_FUNCTION_WORDS))


def is_function_term(term: str) -> bool:
    """Whether a model term (a word n-gram, maybe ``"neighbours:"``-prefixed) is made only of
    :data:`FUNCTION_WORDS`.

    Examples
    --------
    >>> is_function_term("and"), is_function_term("and we"), is_function_term("we collect")
    (True, True, False)
    >>> is_function_term("neighbours:the"), is_function_term("not")
    (True, False)
    """
    words = term.rpartition(":")[2].split(" ")
    return all(word in FUNCTION_WORDS for word in words)
