"""Choose the C3PA DB pages of the modern labeled corpus and write annotation sheets for them.

The modern corpus (``data/modern/``, loaded by :func:`policyml.datasets.load_modern`) labels
every paragraph policyml's splitter returns for a sample of the C3PA DB pages
(``../shared/c3pa-db/html/N.html``). This script makes that sample reproducible and writes, for
each chosen page, a plain-text sheet the annotators read (row number, heading, paragraph text)
into a folder **outside** the repository (the text belongs to the pages' authors). Annotators
return one CSV per page, ``row,collection,sharing,cookies,children,security,chrome`` (0/1),
and ``tools/modern_labels.py`` turns the passes into the committed label file.

Sample: pages with 20 to 400 paragraphs (the longest pages are mostly menus and would take a
third of the effort), drawn with a fixed seed; a fixed half of them (by page) is the dev half,
the rest the test half.

Usage::

    python tools/annotation_sheets.py --c3pa ../shared/c3pa-db --out ../annotation/sheets
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from policyml.datasets import paragraph_sha as text_sha  # noqa: E402
from policyml.preprocess import split_paragraphs  # noqa: E402

SEED = 2024
N_POLICIES = 88
MIN_ROWS, MAX_ROWS = 20, 400


def choose(c3pa: Path) -> tuple[list[str], dict[str, list]]:
    pages = sorted((c3pa / "html").glob("*.html"), key=lambda p: int(p.stem))
    split = {p.name: split_paragraphs(p.read_bytes()) for p in pages}
    eligible = [p.name for p in pages if MIN_ROWS <= len(split[p.name]) <= MAX_ROWS]
    chosen = sorted(random.Random(SEED).sample(eligible, N_POLICIES), key=lambda n: int(n[:-5]))
    return chosen, split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c3pa", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    chosen, split = choose(args.c3pa)
    order = chosen[:]
    random.Random(SEED + 1).shuffle(order)
    dev = sorted(order[: len(order) // 2], key=lambda n: int(n[:-5]))
    args.out.mkdir(parents=True, exist_ok=True)
    index = []
    for name in chosen:
        paragraphs = split[name]
        lines = [f"# page {name}: {len(paragraphs)} rows"]
        heading = None
        for p in paragraphs:
            if p.heading != heading:  # printed when it changes, to keep the sheets short
                heading = p.heading
                lines.append(f"\n## heading: {heading or '(none)'}")
            lines.append(f"[{p.index}] {p.text}")
        (args.out / f"{name[:-5]}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        index.append(
            {
                "page": name,
                "half": "dev" if name in dev else "test",
                "rows": [[p.index, p.start, p.end, text_sha(p.text)] for p in paragraphs],
            }
        )
    (args.out / "index.json").write_text(json.dumps(index), encoding="utf-8")
    total = sum(len(split[n]) for n in chosen)
    print(f"{len(chosen)} pages, {total} rows; dev {len(dev)} pages -> {args.out}")


if __name__ == "__main__":
    main()
