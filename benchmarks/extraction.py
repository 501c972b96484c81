"""Extraction benchmark: the policy's own text out of raw web pages, beside trafilatura and jusText.

1. OPP-115 raw pages (``original_policies/*.html``, 114 with a sanitized text) against the text
   the OPP-115 annotators saw (``sanitized_policies``): precision, recall and F1 of word tokens
   (as multisets, summed over pages). policyml's content is its paragraphs' text plus each
   heading once where it changes. The page-furniture model is trained on OPP-115 pages too, so
   policyml's default is measured by 5-fold cross-validation on the shared policy folds
   (``policy_folds.csv``): the pages of each fold are split with a model trained on the other
   folds (and the modern dev half). The shipped model, trained on all pages, is shown too.
2. C3PA DB pages (230 CCPA-era pages): of the annotated spans that appear in a page's whole
   text, the share with at least 90 % of their tokens in the default output; rows per page;
   seconds per MB.
3. Time: seconds per page of each extractor and of policyml's whole ``classify`` (decode,
   extract, split, label), in the same run, as ratios to trafilatura's extraction.

Peers need the ``benchmarks`` extra (trafilatura, jusText). Run from the repository root::

    python -m benchmarks.extraction
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import policyml
from benchmarks._report import command, machine, machine_line, shared_dir, table, write_section
from policyml.preprocess import _boilerplate, split_paragraphs
from tools.train_boilerplate import fit, modern_pages, opp115_pages

_TOKEN_RE = re.compile(r"[^\W_]+")
KEEP_SHARE = 0.9  # a C3PA span is kept when this share of its tokens is in the output


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


def content_tokens(paragraphs: list[Any]) -> Counter[str]:
    """Tokens of paragraphs' texts, and of each heading once where it changes."""
    out: Counter[str] = Counter()
    heading = None
    for p in paragraphs:
        out.update(tokens(p.text))
        if p.heading and p.heading != heading:
            out.update(tokens(p.heading))
        heading = p.heading
    return out


def reference_tokens(sanitized: Path) -> Counter[str]:
    import html

    text = sanitized.read_text("utf-8", "replace").replace("|||", " ")
    return Counter(tokens(html.unescape(re.sub(r"<[^>]*>", " ", text))))


def _trafilatura(raw: bytes) -> str:
    import trafilatura

    return trafilatura.extract(raw.decode("utf-8", "replace"), favor_recall=True) or ""


def _justext(raw: bytes) -> str:
    import justext

    paragraphs = justext.justext(raw, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _score(pairs: list[tuple[Counter[str], Counter[str]]]) -> dict[str, float]:
    right = sum(sum((got & ref).values()) for got, ref in pairs)
    got = sum(sum(g.values()) for g, _ in pairs)
    ref = sum(sum(r.values()) for _, r in pairs)
    precision, recall = right / max(got, 1), right / max(ref, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "f1": f1}


def _timed(function: Callable[[bytes], Any], raws: list[bytes], repeat: int) -> float:
    """Median over ``repeat`` passes of the seconds per page."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in raws:
            function(raw)
        times.append((time.perf_counter() - start) / len(raws))
    return statistics.median(times)


def opp115(root: Path, c3pa: Path, repeat: int) -> dict[str, Any]:
    print("OPP-115: loading pages and training the furniture model per fold ...", flush=True)
    sanitized = {p.name.split("_")[0]: p for p in (root / "sanitized_policies").glob("*.html")}
    pages = opp115_pages(root)
    dev = modern_pages(c3pa, "dev")
    raws = {p.name: (root / "original_policies" / p.name).read_bytes() for p in pages}
    refs = {p.name: reference_tokens(sanitized[p.name.split("_")[0]]) for p in pages}
    shipped = _boilerplate.default_model()
    rows: dict[str, list[tuple[Counter[str], Counter[str]]]] = {
        "policyml (default, CV)": [],
        "policyml (shipped model, in-sample)": [],
        'policyml content="all"': [],
        "trafilatura (favor_recall)": [],
        "jusText": [],
    }
    for fold in range(5):
        model = fit([p for p in pages if p.group != fold] + dev)
        _boilerplate._model = model  # the splitter reads the cached model
        for page in (p for p in pages if p.group == fold):
            got = content_tokens(split_paragraphs(raws[page.name]))
            rows["policyml (default, CV)"].append((got, refs[page.name]))
    _boilerplate._model = shipped
    for page in pages:
        raw, ref = raws[page.name], refs[page.name]
        rows["policyml (shipped model, in-sample)"].append(
            (content_tokens(split_paragraphs(raw)), ref)
        )
        rows['policyml content="all"'].append(
            (content_tokens(split_paragraphs(raw, content="all")), ref)
        )
        rows["trafilatura (favor_recall)"].append((Counter(tokens(_trafilatura(raw))), ref))
        rows["jusText"].append((Counter(tokens(_justext(raw))), ref))
    print("OPP-115: timing ...", flush=True)
    pages_raw = list(raws.values())
    policyml.classify(pages_raw[0])  # load the model before timing
    seconds = {
        "trafilatura (favor_recall)": _timed(_trafilatura, pages_raw, repeat),
        "jusText": _timed(_justext, pages_raw, repeat),
        "policyml (default, CV)": _timed(split_paragraphs, pages_raw, repeat),
        'policyml content="all"': _timed(
            lambda raw: split_paragraphs(raw, content="all"), pages_raw, repeat
        ),
    }
    seconds["policyml (shipped model, in-sample)"] = seconds["policyml (default, CV)"]
    classify_seconds = _timed(policyml.classify, pages_raw, repeat)
    table_rows = []
    for name, pairs in rows.items():
        table_rows.append({"extractor": name, **_score(pairs), "s/page": seconds[name]})
    return {
        "pages": len(pages),
        "rows": table_rows,
        "classify_s_per_page": classify_seconds,
        "trafilatura_s_per_page": seconds["trafilatura (favor_recall)"],
    }


def c3pa_spans(page: Path) -> set[tuple[str, ...]]:
    path = page.parent.parent / "annotations" / (page.stem + ".csv")
    if not path.is_file():
        return set()
    with open(path, encoding="utf-8", errors="replace") as handle:
        return {
            words
            for row in csv.DictReader(handle)
            if (words := tuple(tokens(row["Text"].replace("\\n", "\n"))))
        }


def c3pa(root: Path, repeat: int) -> dict[str, Any]:
    print("C3PA DB: spans kept, rows, time ...", flush=True)
    pages = sorted((root / "html").glob("*.html"), key=lambda p: int(p.stem))
    found = kept = rows_all = rows_policy = 0
    for page in pages:
        every = split_paragraphs(page.read_bytes(), content="all")
        rows_all += len(every)
        rows_policy += sum(not p.boilerplate for p in every)
        stream: list[str] = []
        owner: list[bool] = []
        for p in every:
            words = tokens(p.text)
            stream += words
            owner += [p.boilerplate] * len(words)
        starts: dict[tuple[str, ...], list[int]] = {}
        for i in range(len(stream) - 2):
            starts.setdefault(tuple(stream[i : i + 3]), []).append(i)
        for span in c3pa_spans(page):
            n = len(span)
            where = (
                starts.get(span[:3], [])
                if n >= 3
                else [i for i in range(len(stream) - n + 1) if tuple(stream[i : i + n]) == span]
            )
            at = next((i for i in where if tuple(stream[i : i + n]) == span), None)
            if at is None:
                continue
            found += 1
            kept += sum(not owner[i] for i in range(at, at + n)) >= KEEP_SHARE * n
    raws = [p.read_bytes() for p in pages]
    mb = sum(len(r) for r in raws) / 1e6
    seconds = {
        "policyml split (default)": _timed(split_paragraphs, raws, repeat) * len(raws) / mb,
        "policyml classify (default)": _timed(policyml.classify, raws, repeat) * len(raws) / mb,
        "trafilatura (favor_recall)": _timed(_trafilatura, raws, repeat) * len(raws) / mb,
        "jusText": _timed(_justext, raws, repeat) * len(raws) / mb,
    }
    return {
        "pages": len(pages),
        "mb": mb,
        "spans_found": found,
        "spans_kept": kept,
        "kept_share": kept / max(found, 1),
        "rows_per_page_all": rows_all / len(pages),
        "rows_per_page_policy": rows_policy / len(pages),
        "s_per_mb": seconds,
    }


def render(r: dict[str, Any]) -> str:
    a, c = r["opp115"], r["c3pa"]
    opp_rows = [
        {
            "extractor": row["extractor"],
            "precision": row["precision"],
            "recall": row["recall"],
            "F1": row["f1"],
            "s/page": f"{row['s/page'] * 1000:.1f} ms",
            "time vs trafilatura": f"{row['s/page'] / a['trafilatura_s_per_page']:.2f}x",
        }
        for row in a["rows"]
    ]
    speed = [
        {
            "tool": name,
            "s/MB": f"{value:.3f}",
            "vs trafilatura": f"{value / c['s_per_mb']['trafilatura (favor_recall)']:.2f}x",
        }
        for name, value in c["s_per_mb"].items()
    ]
    ratio = a["classify_s_per_page"] / a["trafilatura_s_per_page"]
    return f"""## Extraction: the policy's text out of raw web pages

`{r["command"]}` · {machine_line(r["machine"])}

**OPP-115 raw pages** ({a["pages"]} pages) against the text the annotators saw, word tokens as
multisets summed over pages. policyml's default is cross-validated on the policy folds (its
furniture model is trained on OPP-115 pages): each fold split by a model trained without it.

{table(opp_rows, ["extractor", "precision", "recall", "F1", "s/page", "time vs trafilatura"])}

policyml `classify` end to end (decode, extract, split, label):
{a["classify_s_per_page"] * 1000:.1f} ms per page, **{ratio:.2f}x** trafilatura's extraction alone.

**C3PA DB pages** ({c["pages"]} pages, {c["mb"]:.0f} MB): of the {c["spans_found"]:,} annotated
spans found in a page's whole text, **{c["kept_share"]:.3f}** keep at least {KEEP_SHARE:.0%} of
their tokens in the default output. Rows per page: {c["rows_per_page_policy"]:.0f} (default) of
{c["rows_per_page_all"]:.0f} (`content="all"`).

{table(speed, ["tool", "s/MB", "vs trafilatura"])}
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (median)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    opp = shared_dir("POLICYML_OPP115", "opp115")
    c3pa_root = shared_dir("POLICYML_C3PA", "c3pa-db")
    try:
        import justext  # noqa: F401
        import trafilatura  # noqa: F401
    except ImportError as error:
        sys.exit(f"the extraction peers are missing ({error}): pip install '.[benchmarks]'")
    r = {"command": command(), "machine": machine()}
    r["opp115"] = opp115(opp, c3pa_root, args.repeat)
    r["c3pa"] = c3pa(c3pa_root, args.repeat)
    markdown = render(r)
    print(markdown)
    if not args.no_write:
        write_section("extraction", markdown, r)


if __name__ == "__main__":
    main()
