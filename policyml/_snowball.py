"""The English Snowball ("Porter2") stemmer in pure Python, output-compatible with NLTK.

Why this exists: ``import nltk`` costs about 3 s on a cold start (``nltk/__init__`` pulls in
``scipy.stats`` and more), yet policyml needs NLTK only for its English Snowball stemmer on the
classify path. :func:`stem` returns exactly what
``nltk.stem.snowball.SnowballStemmer("english").stem(word)`` returns (``ignore_stopwords=False``)
for every input, so models trained with NLTK's stems keep working, and it imports nothing but
:mod:`re`. ``tests/test_stemmer.py`` checks the equality against NLTK.

The algorithm is described at https://snowballstem.org/algorithms/english/stemmer.html. NLTK
implements the original form of that description (without the R1 prefixes "past", "univers",
... added later) and departs from it in a few places, which this module reproduces:

* Curly apostrophes (U+2018, U+2019, U+201B) are read as "'".
* The words the description leaves alone after step 1a ("inning", "proceed", ...) are matched
  as whole words together with their inflections ("innings", "proceeded", ...), so "inning's"
  becomes "in".
* R1 and R2 behave as strings cut together with the word, not as fixed positions: when a rule
  rewrites a span that a region started inside, the region becomes empty and does not regain
  the letters the rule writes back ("ionization" gives "ionize"; fixed positions, and NLTK for
  "ionized", give "ioniz"). So which span a rule rewrites matters, and the rule tables give it
  as ``(cut, add)``: drop the last ``cut`` characters, then append ``add``.
* The "e" that step 1b adds after "at", "bl" or "iz" is in R1, and in R2 only if the word then
  has more than 5 letters or R1 at least 3 ("strating" gives "strat"; fixed positions give
  "strate").
"""

from __future__ import annotations

import re

__all__ = ["stem"]

_VOWELS = frozenset("aeiouy")  # "Y" (a y acting as a consonant) is not a vowel
_VOWEL = re.compile(r"[aeiouy]")
_VOWEL_THEN_CONSONANT = re.compile(r"[aeiouy][^aeiouy]")
_DOUBLES = frozenset(("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"))
_LI_ENDINGS = frozenset("cdeghkmnrt")
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'"})

# Words with a fixed stem, looked up before any rule runs.
_EXCEPTIONS: dict[str, str] = {
    "skis": "ski",
    "skies": "sky",
    "dying": "die",
    "lying": "lie",
    "tying": "tie",
    "idly": "idl",
    "gently": "gentl",
    "ugly": "ugli",
    "early": "earli",
    "only": "onli",
    "singly": "singl",
    # Words left invariant.
    **{word: word for word in ("sky", "news", "howe", "atlas", "cosmos", "bias", "andes")},
    # Words the algorithm would over-stem after step 1a, with their inflections.
    **{
        form: word
        for word in ("inning", "outing", "canning", "herring", "earring")
        for form in (word, word + "s")
    },
    **{
        form: word
        for word in ("proceed", "exceed", "succeed")
        for form in (word, word + "s", word + "ed", word + "ing")
    },
}

# Prefixes whose R1 starts right after them instead of at the usual place.
_R1_PREFIXES = ("gener", "arsen", "commun")

# Step 1b suffixes ("eed"/"eedly" become "ee" when in R1, the others are dropped).
_STEP1B = frozenset(("eedly", "ingly", "edly", "eed", "ing", "ed"))

# Step 2 (suffix in R1): suffix -> (cut, add). "ogi" and "li" have extra conditions.
_STEP2: dict[str, tuple[int, str]] = {
    "tional": (2, ""),  # -> tion
    "enci": (1, "e"),  # -> ence
    "anci": (1, "e"),  # -> ance
    "abli": (1, "e"),  # -> able
    "entli": (2, ""),  # -> ent
    "izer": (4, "ize"),
    "ization": (7, "ize"),
    "ational": (7, "ate"),
    "ation": (5, "ate"),
    "ator": (4, "ate"),
    "alism": (5, "al"),
    "aliti": (5, "al"),
    "alli": (4, "al"),
    "fulness": (4, ""),  # -> ful
    "ousli": (5, "ous"),
    "ousness": (7, "ous"),
    "iveness": (7, "ive"),
    "iviti": (5, "ive"),
    "biliti": (6, "ble"),
    "bli": (3, "ble"),
    "ogi": (1, ""),  # -> og, only after "l"
    "fulli": (2, ""),  # -> ful
    "lessli": (2, ""),  # -> less
    "li": (2, ""),  # deleted, only after a valid li-ending
}
# Step 2 rewrites after which R2 holds at least the final "e", even if it started inside the
# rewritten span.
_STEP2_E_IN_R2 = frozenset(("ational", "ation", "ator", "iveness", "iviti"))

# Step 3 (suffix in R1; "ative" must also be in R2): suffix -> (cut, add).
_STEP3: dict[str, tuple[int, str]] = {
    "tional": (2, ""),  # -> tion
    "ational": (7, "ate"),
    "alize": (3, ""),  # -> al
    "icate": (5, "ic"),
    "iciti": (5, "ic"),
    "ical": (4, "ic"),
    "ful": (3, ""),
    "ness": (4, ""),
    "ative": (5, ""),
}

# Step 4 (suffix in R2): deleted; "ion" only after "s" or "t".
_STEP4 = frozenset(
    {"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism"}
    | {"ate", "iti", "ous", "ive", "ize", "ion"}
)


_Suffixes = frozenset[str] | dict[str, tuple[int, str]]


def _lengths_by_last_letter(suffixes: _Suffixes) -> dict[str, tuple[int, ...]]:
    """Last letter -> the lengths of the suffixes ending in it, longest first."""
    lengths: dict[str, set[int]] = {}
    for suffix in suffixes:
        lengths.setdefault(suffix[-1], set()).add(len(suffix))
    return {last: tuple(sorted(found, reverse=True)) for last, found in lengths.items()}


_STEP1B_LENGTHS = _lengths_by_last_letter(_STEP1B)
_STEP2_LENGTHS = _lengths_by_last_letter(_STEP2)
_STEP3_LENGTHS = _lengths_by_last_letter(_STEP3)
_STEP4_LENGTHS = _lengths_by_last_letter(_STEP4)


def _longest_suffix(
    word: str, suffixes: _Suffixes, lengths_by_last: dict[str, tuple[int, ...]]
) -> str:
    """The longest of ``suffixes`` that ``word`` ends with, or ``""``."""
    for length in lengths_by_last.get(word[-1:], ()):
        tail = word[-length:]
        if tail in suffixes:
            return tail
    return ""


def _mark_consonant_y(word: str) -> str:
    """Write a "y" that acts as a consonant (initial, or after a vowel) as "Y"."""
    chars = list(word)
    after_vowel = False
    for i, char in enumerate(chars):
        if char == "y" and (i == 0 or after_vowel):
            chars[i] = "Y"
            after_vowel = False
        else:
            after_vowel = char in _VOWELS
    return "".join(chars)


def _region_start(word: str, start: int) -> int:
    """Where the region after the first vowel + non-vowel at or after ``start`` begins."""
    match = _VOWEL_THEN_CONSONANT.search(word, start)
    return match.end() if match else len(word)


def _ends_with_short_syllable(word: str) -> bool:
    """Non-vowel, vowel, then a non-vowel other than "w", "x" or "Y" at the end of ``word``."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxY"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _rewrite(word: str, r1: int, r2: int, cut: int, add: str) -> tuple[str, int, int]:
    """Drop the last ``cut`` characters of ``word`` and append ``add``.

    ``r1``/``r2`` are the start indices of R1/R2; a region that started inside the dropped span
    becomes empty (starts at the new end of the word).
    """
    keep = len(word) - cut
    word = word[:keep] + add
    end = len(word)
    return word, (r1 if r1 <= keep else end), (r2 if r2 <= keep else end)


def stem(word: str) -> str:
    """Stem one word as NLTK's English Snowball stemmer does."""
    word = word.lower()
    if len(word) <= 2:
        return word
    fixed = _EXCEPTIONS.get(word)
    if fixed is not None:
        return fixed

    # Prelude: one kind of apostrophe, no leading apostrophe, consonant "y" marked as "Y".
    if not word.isascii():
        word = word.translate(_APOSTROPHES)
    if word.startswith("'"):
        word = word[1:]
    if "y" in word:
        word = _mark_consonant_y(word)

    # Regions R1 and R2, kept as start indices into word.
    if word.startswith(_R1_PREFIXES):
        r1 = 6 if word.startswith("commun") else 5
    else:
        r1 = _region_start(word, 0)
    r2 = _region_start(word, r1)

    # Step 0: possessive apostrophes.
    if "'" in word:
        for suffix in ("'s'", "'s", "'"):
            if word.endswith(suffix):
                word, r1, r2 = _rewrite(word, r1, r2, len(suffix), "")
                break

    # Step 1a: plurals ("sses" -> "ss", "ies"/"ied" -> "i" or "ie", "s" dropped after a vowel).
    if word.endswith("sses"):
        word, r1, r2 = _rewrite(word, r1, r2, 2, "")
    elif word.endswith(("ied", "ies")):
        word, r1, r2 = _rewrite(word, r1, r2, 2 if len(word) > 4 else 1, "")
    elif word.endswith(("us", "ss")):
        pass
    elif word.endswith("s") and _VOWEL.search(word, 0, len(word) - 2):
        word, r1, r2 = _rewrite(word, r1, r2, 1, "")

    # Step 1b: "eed"/"eedly" -> "ee" in R1; "ed", "edly", "ing", "ingly" dropped after a vowel.
    suffix = _longest_suffix(word, _STEP1B, _STEP1B_LENGTHS)
    if suffix:
        start = len(word) - len(suffix)
        if suffix.startswith("eed"):
            if r1 <= start:
                word, r1, r2 = _rewrite(word, r1, r2, len(suffix), "ee")
        elif _VOWEL.search(word, 0, start):
            word, r1, r2 = _rewrite(word, r1, r2, len(suffix), "")
            if word.endswith(("at", "bl", "iz")):
                word += "e"  # R1 keeps the "e"; R2 only in a longer word or R1
                if len(word) <= 5 and len(word) - r1 < 3:
                    r2 = len(word)
            elif word[-2:] in _DOUBLES:
                word, r1, r2 = _rewrite(word, r1, r2, 1, "")
            elif r1 == len(word) and (
                _ends_with_short_syllable(word)
                or (len(word) == 2 and word[0] in _VOWELS and word[1] not in _VOWELS)
            ):
                word += "e"  # a short word; NLTK leaves both regions empty
                r1 = r2 = len(word)

    # Step 1c: final "y"/"Y" -> "i" after a non-vowel that is not the first letter.
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in _VOWELS:
        word, r1, r2 = _rewrite(word, r1, r2, 1, "i")

    # Step 2: derivational suffixes in R1.
    suffix = _longest_suffix(word, _STEP2, _STEP2_LENGTHS)
    start = len(word) - len(suffix)
    if suffix and r1 <= start:
        before = word[start - 1 : start] if start else ""
        if (suffix != "ogi" or before == "l") and (suffix != "li" or before in _LI_ENDINGS):
            cut, add = _STEP2[suffix]
            word, r1, r2 = _rewrite(word, r1, r2, cut, add)
            if suffix in _STEP2_E_IN_R2 and r2 == len(word):
                r2 -= 1  # NLTK makes R2 the final "e" rather than empty here

    # Step 3: more derivational suffixes in R1 ("ative" in R2).
    suffix = _longest_suffix(word, _STEP3, _STEP3_LENGTHS)
    start = len(word) - len(suffix)
    if suffix and r1 <= start and (suffix != "ative" or r2 <= start):
        cut, add = _STEP3[suffix]
        word, r1, r2 = _rewrite(word, r1, r2, cut, add)

    # Step 4: suffixes in R2 are deleted ("ion" only after "s" or "t").
    suffix = _longest_suffix(word, _STEP4, _STEP4_LENGTHS)
    start = len(word) - len(suffix)
    if suffix and r2 <= start and (suffix != "ion" or word[start - 1 : start] in ("s", "t")):
        word, r1, r2 = _rewrite(word, r1, r2, len(suffix), "")

    # Step 5: final "l" after "l" in R2; final "e" in R2, or in R1 unless after a short syllable
    # (as in NLTK, the latter is tested only in words of 4 or more letters, for form (a)).
    end = len(word)
    drop_l = r2 < end and word.endswith("ll")
    drop_e = word.endswith("e") and (
        r2 < end or (r1 < end and end >= 4 and not _ends_with_short_syllable(word[:-1]))
    )
    if drop_l or drop_e:
        word = word[:-1]

    return word.replace("Y", "y")
