"""policyml._snowball stems every word exactly as NLTK's English Snowball stemmer does.

policyml uses its own stemmer because ``import nltk`` costs seconds; these tests compare it with
``nltk.stem.snowball.SnowballStemmer("english")`` on the words of the OPP-115 and seed policies
(read from ../shared, never copied here), on a committed list of tricky words and on random
words, and check that importing it stays light.
"""

from __future__ import annotations

import html
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer

import policyml
from policyml._snowball import stem
from policyml.tokens import TOKEN_PATTERN

TOKEN = re.compile(TOKEN_PATTERN)
nltk_stem = SnowballStemmer("english").stem


def mismatches(words) -> list[tuple[str, str, str]]:
    """``(word, ours, nltk)`` for every word the two stemmers disagree on."""
    return [(w, stem(w), nltk_stem(w)) for w in words if stem(w) != nltk_stem(w)]


def test_matches_nltk_on_every_word_of_the_policies(opp115_root: Path, seeds_dir: Path):
    """Every word of the OPP-115 sanitized and original policies and of the seed policies."""
    paths = [
        *sorted((opp115_root / "sanitized_policies").glob("*.html")),
        *sorted((opp115_root / "original_policies").glob("*.html")),
        *sorted(p for p in seeds_dir.iterdir() if p.is_file()),
    ]
    words: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for variant in (text, html.unescape(text)):  # words as written and with entities decoded
            words.update(TOKEN.findall(variant.lower()))
    assert len(words) > 20_000
    assert mismatches(sorted(words)) == []


# word:stem pairs as NLTK 3.10 gives them, grouped by the rule they exercise.
TRICKY = """
# Exceptional forms (Porter2 exception lists, as NLTK applies them).
skis:ski skies:sky dying:die lying:lie tying:tie idly:idl gently:gentl ugly:ugli early:earli
only:onli singly:singl sky:sky news:news howe:howe atlas:atlas cosmos:cosmos bias:bias
andes:andes inning:inning innings:inning outing:outing outings:outing canning:canning
cannings:canning herring:herring herrings:herring earring:earring earrings:earring
proceed:proceed proceeds:proceed proceeded:proceed proceeding:proceed exceed:exceed
exceeds:exceed exceeded:exceed exceeding:exceed succeed:succeed succeeds:succeed
succeeded:succeed succeeding:succeed inning's:in
# R1 prefixes gener-/commun-/arsen- (and the later snowball prefixes NLTK does not use).
gener:gener generous:generous generously:generous general:general generalization:general
generate:generat generation:generat generic:generic commun:commun communism:communism
community:communiti communication:communic arsen:arsen arsenal:arsenal arsenic:arsenic
consign:consign consigned:consign consigning:consign consignment:consign knightly:knight
knight:knight past:past pasted:past universal:univers emergency:emerg organization:organ
later:later
# Consonant y.
youth:youth yesterday:yesterday yelling:yell boy:boy boys:boy boyish:boyish toying:toy
employee:employe sayings:say saying:say say:say cry:cri cried:cri cries:cri crying:cri
flying:fli happy:happi happiness:happi enjoy:enjoy enjoyed:enjoy sayyid:sayyid yyy:yyy yay:yay
# Short words, digits, underscores.
a:a at:at is:is be:be us:us as:as ab:ab yy:yy 123:123 1990s:1990s mp3:mp3 3d:3d 2fa:2fa 1st:1st
10th:10th v2:v2 cookies123:cookies123 a_b:a_b user_id:user_id e_mail:e_mail __init__:__init__
# Non-ASCII letters.
café:café naïve:naïv naïvely:naïv données:donné résumés:résumé façade:façad straße:straße ß:ß
x²:x² 日本語:日本語 señor:señor über:über œuvre:œuvr i̇stanbul:i̇stanbul
# Step 0 and apostrophes.
dog's:dog dogs':dog 'tis:tis ’tis:tis o'neil:o'neil can't:can't ''s: ''':' cat’s:cat
# Step 1a.
caresses:caress ponies:poni ties:tie tied:tie cats:cat gas:gas this:this kiwis:kiwi gaps:gap
bus:bus fuss:fuss ss:ss
# Step 1b.
luxuriating:luxuri hopping:hop hoping:hope hoped:hope filing:file fizzed:fizz tanned:tan
feed:feed agreed:agre agreedly:agre speed:speed bled:bled ated:ate owed:owe aing:a
# Step 2.
relational:relat conditional:condit valenci:valenc hesitanci:hesit digitizer:digit
conformabli:conform radicalli:radic differentli:differ fluently:fluentli vileli:vile
analogousli:analog vietnamization:vietnam predication:predic operator:oper feudalism:feudal
decisiveness:decis hopefulness:hope callousness:callous formaliti:formal sensitiviti:sensit
sensibiliti:sensibl archaeology:archaeolog analogi:analog
# Step 3.
triplicate:triplic formative:format formalize:formal electriciti:electr electrical:electr
hopeful:hope goodness:good
# Step 4.
revival:reviv allowance:allow inference:infer airliner:airlin gyroscopic:gyroscop
adjustable:adjust defensible:defens irritant:irrit replacement:replac adjustment:adjust
dependent:depend adoption:adopt activate:activ angulariti:angular
homologous:homolog effective:effect bowdlerize:bowdler
# Step 5.
rate:rate cease:ceas controll:control roll:roll probate:probat
# Where NLTK's region bookkeeping differs from fixed positions.
atizer:atize ionizer:ionize ionization:ionize ionized:ioniz strating:strat
# Policy vocabulary.
cookies:cooki tracking:track personal:person information:inform parties:parti sharing:share
shared:share analytics:analyt advertising:advertis advertisers:advertis
"""
TRICKY_STEMS = dict(
    pair.split(":", 1)
    for line in TRICKY.splitlines()
    if not line.startswith("#")
    for pair in line.split()
)


@pytest.mark.parametrize(("word", "expected"), TRICKY_STEMS.items())
def test_matches_nltk_on_tricky_words(word: str, expected: str):
    assert (stem(word), nltk_stem(word)) == (expected, expected)


def test_tricky_word_table_parses():
    # A stray space, ":" or repeated word in TRICKY would silently drop or change a case.
    pairs = [
        pair for line in TRICKY.splitlines() if not line.startswith("#") for pair in line.split()
    ]
    assert len(TRICKY_STEMS) == len(pairs) > 200
    assert {"skis", "generous", "sayings", "1990s", "a_b", "données", "'tis"} <= set(TRICKY_STEMS)


def test_uncased_input_is_lowered_like_nltk():
    assert mismatches(["Running", "GENERALLY", "Yelling", "SKIES", "İstanbul", "ΣΟΦΙΑ"]) == []


# Random words: ASCII letters (extra vowels and "y"), digits, apostrophes (straight and curly),
# a few non-ASCII letters, and pieces of the suffixes the rules look for.
LETTERS = string.ascii_lowercase + "aeiouyyyy" + string.digits + "_''\u2019" + "éïßøñü"
PIECES = (
    *"aeiouybcdglmnrstwx'",
    *("at", "bl", "iz", "ed", "eed", "ing", "ly", "li", "s", "ss", "ies", "ied", "'s", "y"),
    *("ational", "tional", "ation", "ator", "izer", "ization", "iveness", "iviti", "biliti"),
    *("fulness", "ousli", "alism", "aliti", "enci", "anci", "abli", "ogi", "alize", "icate"),
    *("ative", "ical", "ness", "ful", "ement", "ment", "ence", "ance", "ible", "able", "ion"),
    *("ism", "ous", "ive", "ize", "ate", "al", "er", "ic", "ll", "e", "gener", "commun"),
)
words_st = st.one_of(
    st.text(alphabet=st.sampled_from(LETTERS), max_size=14),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
)


@settings(max_examples=2000, deadline=None)
@given(word=words_st)
def test_matches_nltk_on_random_words(word: str):
    assert stem(word) == nltk_stem(word)


def test_import_does_not_pull_in_heavy_modules(tmp_path: Path):
    package_root = str(Path(policyml.__file__).resolve().parent.parent)
    code = (
        "import sys\n"
        "import policyml._snowball\n"
        "assert policyml._snowball.stem('generously') == 'generous'\n"
        "heavy = {'nltk', 'scipy', 'sklearn', 'numpy'}\n"
        "print(sorted({name.partition('.')[0] for name in sys.modules} & heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": package_root}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
