"""Build ``data/modern/labels.csv`` from the annotation passes, and report their agreement.

Inputs (outside the repository, made with ``tools/annotation_sheets.py``):

- ``SHEETS/index.json``: the pages, their half, and each row's ``[row, start, end, sha]``;
- ``PASS_A/N.csv`` and ``PASS_B/N.csv``: two independent passes,
  ``row,collection,sharing,cookies,children,security,chrome`` for every row of page N;
- ``ADJUDICATED/N.csv``: the third pass, the same columns plus ``rule``, for exactly the rows
  on which A and B disagree (see ``data/modern/ADJUDICATION.md``).

Several annotation batches (``--work`` given more than once) are joined. With ``--c3pa``, rows
that the current splitter no longer returns as a paragraph of the whole page (e.g. text that
became a heading) are dropped and counted.

Output: one line per row of every page, keyed by page, offsets and text hash (never the text):
``page,half,row,start,end,sha,collection,...,security,chrome,a,b,rule`` where ``a`` and ``b``
are the two passes' labels as six 0/1 digits (categories then chrome) and ``rule`` the
adjudication rules applied (empty where A and B agreed). Cohen's kappa per label is printed.

Usage::

    python tools/modern_labels.py --work ../annotation --work ../annotation/more \
        --c3pa ../shared/c3pa-db --out data/modern/labels.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LABELS = ["collection", "sharing", "cookies", "children", "security", "chrome"]


def read_pass(path: Path, rows: int) -> list[list[int]]:
    records = list(csv.DictReader(path.open(encoding="utf-8")))
    if [int(r["row"]) for r in records] != list(range(rows)):
        raise SystemExit(f"{path}: expected rows 0..{rows - 1}")
    return [[int(r[label]) for label in LABELS] for r in records]


def kappa(a: list[int], b: list[int]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--work",
        type=Path,
        action="append",
        required=True,
        help="a batch folder with the sheets' index.json (or sheets/index.json), passA/, ...",
    )
    parser.add_argument("--c3pa", type=Path, help="drop rows the current splitter lacks")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out_rows = []
    all_a: list[list[int]] = []
    all_b: list[list[int]] = []
    entries = []
    for work in args.work:
        index_file = work / "index.json"
        if not index_file.is_file():
            index_file = work / "sheets" / "index.json"
        entries += [(work, e) for e in json.loads(index_file.read_text(encoding="utf-8"))]
    dropped = 0
    for work, entry in entries:
        page = entry["page"]
        number = page.removesuffix(".html")
        a = read_pass(work / "passA" / f"{number}.csv", len(entry["rows"]))
        b = read_pass(work / "passB" / f"{number}.csv", len(entry["rows"]))
        current = None
        if args.c3pa is not None:
            from policyml.preprocess import split_paragraphs

            raw = (args.c3pa / "html" / page).read_bytes()
            current = {(p.start, p.end) for p in split_paragraphs(raw, content="all")}
        decided: dict[int, tuple[list[int], str]] = {}
        adjudicated = work / "adjudicated" / f"{number}.csv"
        if adjudicated.is_file():
            for r in csv.DictReader(adjudicated.open(encoding="utf-8")):
                decided[int(r["row"])] = ([int(r[label]) for label in LABELS], r["rule"] or "")
        disputed = {i for i in range(len(a)) if a[i] != b[i]}
        if set(decided) != disputed:
            raise SystemExit(f"{adjudicated}: adjudicated rows differ from the disputed rows")
        for (row, start, end, sha), la, lb in zip(entry["rows"], a, b, strict=True):
            if current is not None and (start, end) not in current:
                dropped += 1
                continue
            final, rule = decided.get(row, (la, ""))
            out_rows.append(
                [
                    page,
                    entry["half"],
                    row,
                    start,
                    end,
                    sha,
                    *final,
                    "".join(map(str, la)),
                    "".join(map(str, lb)),
                    rule,
                ]
            )
        all_a += a
        all_b += b
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["page", "half", "row", "start", "end", "sha", *LABELS, "a", "b", "rule"])
        writer.writerows(out_rows)
    print(f"{len(out_rows)} rows of {len(entries)} pages -> {args.out} ({dropped} rows dropped)")
    policy = [i for i in range(len(all_a)) if all_a[i][5] == 0 and all_b[i][5] == 0]
    print("label       kappa(all rows)  kappa(rows both passes call policy text)")
    for j, label in enumerate(LABELS):
        everywhere = kappa([r[j] for r in all_a], [r[j] for r in all_b])
        text = "-"  # every row here has chrome 0 in both passes
        if label != "chrome":
            text = f"{kappa([all_a[i][j] for i in policy], [all_b[i][j] for i in policy]):.3f}"
        print(f"{label:11s} {everywhere:.3f}            {text}")
    disputed = sum(x != y for x, y in zip(all_a, all_b, strict=True))
    print(f"rows the passes disagree on (adjudicated): {disputed} of {len(all_a)}")


if __name__ == "__main__":
    main()
