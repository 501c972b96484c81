"""Train the Punkt sentence-splitter parameters shipped with policyml.

Reads the OPP-115 sanitized policies (``<OPP115>/sanitized_policies/*.html``: one policy per
file, segments separated by ``|||``, light HTML markup), strips the markup, normalises the text
with :func:`policyml.preprocess.normalize_text` and trains an NLTK ``PunktTrainer`` on it.
Only the learned parameters are written (abbreviation types, collocations, sentence starters
and the orthographic context), as JSON, to ``policyml/resources/punkt_policy.json``; no text
of the corpus is stored.

Usage::

    python tools/train_punkt.py [--opp115 DIR] [--out FILE]

``--opp115`` defaults to the ``POLICYML_OPP115`` environment variable.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from policyml.preprocess import normalize_text  # noqa: E402
from policyml.preprocess._sentences import PUNKT_FORMAT  # noqa: E402

DEFAULT_OUT = REPO / "policyml" / "resources" / "punkt_policy.json"

#: Abbreviations common in policies that a corpus of 115 documents may see too rarely to learn.
#: Punkt stores abbreviation types lower-cased and without their final period.
EXTRA_ABBREVIATIONS = (
    "e.g", "i.e", "etc", "inc", "ltd", "llc", "corp", "co", "u.s", "u.k", "e.u", "vs", "approx",
    "dept", "mr", "mrs", "ms", "dr", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "p.o", "a.m", "p.m", "cf", "para", "sec",
)

#: Learned types that end sentences too often in policies ("... located in the USA.").
EXCLUDED_ABBREVIATIONS = frozenset({"usa", "no"})

#: What a plausible abbreviation type looks like (drops learned URL fragments and the like).
_ABBREV_RE = re.compile(r"[a-z][a-z.&+-]{0,11}")

_TAG_RE = re.compile(r"<[^<>]*>")


def policy_texts(opp115: Path) -> list[str]:
    """Plain text of every sanitized policy, segments separated by blank lines."""
    files = sorted((opp115 / "sanitized_policies").glob("*.html"))
    if not files:
        raise SystemExit(f"no sanitized policies under {opp115 / 'sanitized_policies'}")
    texts = []
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        segments = []
        for segment in raw.split("|||"):
            segment = re.sub(r"<br\s*/?>", "\n", segment, flags=re.I)
            segment = html.unescape(_TAG_RE.sub(" ", segment))
            lines = normalize_text(segment).split("\n")
            segment = "\n".join(" ".join(line.split()) for line in lines)
            if segment.strip():
                segments.append(segment.strip())
        texts.append("\n\n".join(segments))
    return texts


def train(texts: list[str]) -> dict[str, object]:
    """Train Punkt on ``texts`` and return the JSON-ready parameters."""
    from nltk.tokenize.punkt import PunktTrainer

    trainer = PunktTrainer()
    for text in texts:
        trainer.train(text, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    learned = {
        t for t in params.abbrev_types
        if _ABBREV_RE.fullmatch(t) and t not in EXCLUDED_ABBREVIATIONS
    }
    return {
        "format": PUNKT_FORMAT,
        "version": 1,
        "trained_on": f"OPP-115 sanitized policies ({len(texts)} documents)",
        "n_learned_abbrev_types": len(learned),
        "abbrev_types": sorted(learned | set(EXTRA_ABBREVIATIONS)),
        "collocations": sorted([a, b] for a, b in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted((k, v) for k, v in params.ortho_context.items() if v)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opp115", type=Path, default=os.environ.get("POLICYML_OPP115"),
                        help="OPP-115 corpus root (default: $POLICYML_OPP115)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output JSON file")
    args = parser.parse_args(argv)
    if args.opp115 is None:
        parser.error("--opp115 not given and POLICYML_OPP115 not set")
    params = train(policy_texts(Path(args.opp115)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(params, ensure_ascii=False, indent=0, sort_keys=False) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out}: {len(params['abbrev_types'])} abbreviations, "
          f"{len(params['collocations'])} collocations, {len(params['sent_starters'])} "
          f"sentence starters, {len(params['ortho_context'])} ortho-context types")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
