"""Stems: policyml's tokens come from PyStemmer (the C Snowball library), checked here.

PyStemmer implements the current Snowball English (Porter2) algorithm; NLTK's Python port
(which policyml used before) follows an older version and differs on a few words. These tests
pin PyStemmer's stems on a committed list of tricky words, measure how far it is from NLTK on
the words of the OPP-115 and seed policies (read from ../shared, never copied here), check that
training (scikit-learn's analyzer) and prediction (the compiled scorer) see the same terms, and
that stemming is thread-safe and importing it light.
"""

from __future__ import annotations

import html
import os
import re
import string
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import TfidfVectorizer

import policyml
from policyml.features import CompactTfidfVectorizer
from policyml.tokens import TOKEN_PATTERN, StemTokenizer, analyze, stem_words

TOKEN = re.compile(TOKEN_PATTERN)
nltk_stem = SnowballStemmer("english").stem


def stem(word: str) -> str:
    (out,) = stem_words([word])
    return out


def test_close_to_nltk_on_every_word_of_the_policies(opp115_root: Path, seeds_dir: Path):
    """PyStemmer and NLTK differ on well under 1 % of the policies' word types."""
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
    differ = [w for w in sorted(words) if stem(w) != nltk_stem(w)]
    assert len(differ) < 0.005 * len(words), differ[:50]


# word:stem pairs as Snowball's C library (PyStemmer 3) gives them, grouped by the rule they
# exercise.
TRICKY = """
# Exceptional forms (Porter2 exception lists, as NLTK applies them).
skis:ski skies:sky dying:die lying:lie tying:tie idly:idl gently:gentl ugly:ugli early:earli
only:onli singly:singl sky:sky news:news howe:howe atlas:atlas cosmos:cosmos bias:bias
andes:andes inning:inning innings:inning outing:outing outings:outing canning:canning
cannings:canning herring:herring herrings:herring earring:earring earrings:earring
proceed:proceed proceeds:proceed proceeded:proceed proceeding:proceed exceed:exceed
exceeds:exceed exceeded:exceed exceeding:exceed succeed:succeed succeeds:succeed
succeeded:succeed succeeding:succeed inning's:inning
# R1 prefixes gener-/commun-/arsen- (and the later snowball prefixes NLTK does not use).
gener:gener generous:generous generously:generous general:general generalization:general
generate:generat generation:generat generic:generic commun:commun communism:communism
community:communiti communication:communic arsen:arsen arsenal:arsenal arsenic:arsenic
consign:consign consigned:consign consigning:consign consignment:consign knightly:knight
knight:knight past:past pasted:paste universal:universal emergency:emergenc organization:organiz
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
dog's:dog dogs':dog 'tis:tis ’tis:’tis o'neil:o'neil can't:can't ''s: ''':' cat’s:cat’
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
# Where NLTK's region bookkeeping differs from fixed positions (NLTK: see NLTK_STEMS).
atizer:atiz ionizer:ioniz ionization:ioniz ionized:ioniz strating:strate
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

#: The tricky words on which NLTK 3.10's port gives another stem than Snowball's C library.
NLTK_STEMS = {
    "inning's": "in", "pasted": "past", "universal": "univers", "emergency": "emerg",
    "organization": "organ", "\u2019tis": "tis", "cat\u2019s": "cat", "atizer": "atize",
    "ionizer": "ionize", "ionization": "ionize", "strating": "strat",
}


@pytest.mark.parametrize(("word", "expected"), TRICKY_STEMS.items())
def test_stems_of_tricky_words(word: str, expected: str):
    assert stem(word) == expected
    assert nltk_stem(word) == NLTK_STEMS.get(word, expected)


def test_tricky_word_table_parses():
    # A stray space, ":" or repeated word in TRICKY would silently drop or change a case.
    pairs = [
        pair for line in TRICKY.splitlines() if not line.startswith("#") for pair in line.split()
    ]
    assert len(TRICKY_STEMS) == len(pairs) > 200
    assert {"skis", "generous", "sayings", "1990s", "a_b", "données", "'tis"} <= set(TRICKY_STEMS)
    assert set(NLTK_STEMS) <= set(TRICKY_STEMS)


def test_tokenizer_lowers_nothing_itself_but_analyze_does():
    assert StemTokenizer()("we collected cookies") == ["we", "collect", "cooki"]
    assert analyze("We COLLECTED Cookies", (1, 1)) == ["we", "collect", "cooki"]


# Random texts: ASCII letters (extra vowels and "y"), digits, apostrophes, non-ASCII letters,
# suffix pieces the rules look for, and separators.
LETTERS = string.ascii_lowercase + "aeiouyyyy" + string.digits + "_''\u2019" + "éïßøñüİΣ"
PIECES = (
    *"aeiouybcdglmnrstwx'",
    *("at", "bl", "iz", "ed", "eed", "ing", "ly", "li", "s", "ss", "ies", "ied", "'s", "y"),
    *("ational", "tional", "ation", "ator", "izer", "ization", "iveness", "iviti", "biliti"),
    *("fulness", "ousli", "alism", "aliti", "enci", "anci", "abli", "ogi", "alize", "icate"),
    *("ative", "ical", "ness", "ful", "ement", "ment", "ence", "ance", "ible", "able", "ion"),
    *("ism", "ous", "ive", "ize", "ate", "al", "er", "ic", "ll", "e", "gener", "commun", " ", "-"),
)
texts_st = st.one_of(
    st.text(alphabet=st.sampled_from(LETTERS + " .,-"), max_size=40),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(text=texts_st, ngrams=st.sampled_from([(1, 1), (1, 2), (1, 3), (2, 3)]))
def test_training_and_prediction_see_the_same_terms(text: str, ngrams: tuple[int, int]):
    """The vectorizer used in training analyses text exactly as scikit-learn's own analyzer
    would with the same tokenizer, and that is :func:`policyml.tokens.analyze`, which the
    compiled scorer uses at prediction time."""
    ours = CompactTfidfVectorizer(tokenizer=StemTokenizer(), token_pattern=None, ngram_range=ngrams)
    sklearn_own = TfidfVectorizer(tokenizer=StemTokenizer(), token_pattern=None, ngram_range=ngrams)
    expected = sklearn_own.build_analyzer()(text)
    assert ours.build_analyzer()(text) == expected == analyze(text, ngrams)
    plain = CompactTfidfVectorizer(ngram_range=ngrams).build_analyzer()(text)
    assert plain == TfidfVectorizer(ngram_range=ngrams).build_analyzer()(text)
    assert plain == analyze(text, ngrams, stem=False)


def test_stemming_is_thread_safe():
    words = sorted(TRICKY_STEMS) * 200
    expected = StemTokenizer()(" ".join(words))
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(5):
            results.append(StemTokenizer()(" ".join(words)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40 and all(r == expected for r in results)


def test_import_does_not_pull_in_heavy_modules(tmp_path: Path):
    package_root = str(Path(policyml.__file__).resolve().parent.parent)
    code = (
        "import sys\n"
        "import policyml.tokens\n"
        "assert policyml.tokens.analyze('generously', (1, 1)) == ['generous']\n"
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
