"""Choose the C3PA DB pages of the modern labeled corpus and write annotation sheets for them.

The modern corpus (``data/modern/``, loaded by :func:`policyml.datasets.load_modern`) labels
every paragraph policyml's splitter returns for a sample of the C3PA DB pages
(``../shared/c3pa-db/html/N.html``). This script makes that sample reproducible and writes, for
each chosen page, a plain-text sheet the annotators read (row number, heading, paragraph text)
into a folder **outside** the repository (the text belongs to the pages' authors). Annotators
return one CSV per page, ``row,collection,sharing,cookies,children,security,chrome`` (0/1),
and ``tools/modern_labels.py`` turns the passes into the committed label file.

Sample: pages with 20 to 400 paragraphs (the longest pages are mostly menus and would take a
third of the effort), drawn with a fixed seed. The first batch (88 pages, drawn with the
splitter of 2026-11-30 before page furniture was kept in the whole-page view) was split by
page into the dev half and the test half; ``--add N`` draws N more pages among those not
labelled yet, all for the dev half (the test half stays as it is).

Usage::

    python tools/annotation_sheets.py --c3pa ../shared/c3pa-db --out ../annotation/sheets
    python tools/annotation_sheets.py --c3pa ../shared/c3pa-db --out ../annotation/more --add 44
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


def choose_more(c3pa: Path, n: int) -> tuple[list[str], dict[str, list]]:
    """``n`` more pages, among the eligible ones not in ``data/modern/labels.csv`` yet."""
    labelled = {
        line.split(",", 1)[0]
        for line in (REPO / "data" / "modern" / "labels.csv").read_text().splitlines()[1:]
    }
    pages = sorted((c3pa / "html").glob("*.html"), key=lambda p: int(p.stem))
    split = {
        p.name: split_paragraphs(p.read_bytes(), content="all")
        for p in pages
        if p.name not in labelled
    }
    eligible = [name for name, rows in split.items() if MIN_ROWS <= len(rows) <= MAX_ROWS]
    chosen = sorted(random.Random(SEED + 2).sample(eligible, n), key=lambda s: int(s[:-5]))
    return chosen, split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c3pa", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--add", type=int, help="draw this many more pages for the dev half")
    args = parser.parse_args()
    if args.add:
        chosen, split = choose_more(args.c3pa, args.add)
        dev = chosen
    else:
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
