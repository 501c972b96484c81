"""Word tokens for the feature blocks, without importing scikit-learn or NLTK.

Classifying a policy goes through here for every paragraph, and importing NLTK (which pulls in
scipy.stats) takes seconds, so stems come from policyml's own Snowball stemmer
(:mod:`policyml._snowball`, tested to match NLTK's word for word).
"""

from __future__ import annotations

import re

from policyml._snowball import stem as _snowball_stem

__all__ = ["TOKEN_PATTERN", "StemTokenizer"]

#: Word tokens: runs of two or more word characters (scikit-learn's default ``token_pattern``).
TOKEN_PATTERN = r"(?u)\b\w\w+\b"

_TOKEN = re.compile(TOKEN_PATTERN)
_STEMS: dict[str, str] = {}  # word -> stem; shared cache, words repeat across paragraphs
_MAX_CACHED_STEMS = 500_000  # bounds the cache on adversarial input


class StemTokenizer:
    """Split (already lower-cased) text into word tokens and reduce them to Snowball stems.

    Stems are cached per word, so stemming costs a dictionary lookup once a word has been seen.

    Examples
    --------
    >>> StemTokenizer()("we collected cookies")
    ['we', 'collect', 'cooki']
    """

    def __call__(self, text: str) -> list[str]:
        stems = _STEMS
        out = []
        for word in _TOKEN.findall(text):
            stem = stems.get(word)
            if stem is None:
                if len(stems) >= _MAX_CACHED_STEMS:
                    stems.clear()
                stem = stems[word] = _snowball_stem(word)
            out.append(stem)
        return out

    def __eq__(self, other: object) -> bool:  # equal when configured alike (sklearn clone checks)
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))
