"""Show a classify result: the highlighted policy Jupyter displays, and its building blocks.

``policyml.classify`` returns a :class:`PolicyResult`, an ordinary DataFrame that Jupyter shows
as the policy with its paragraphs highlighted by category. :class:`ResultView` renders the
pieces (paragraphs, label chips, the policy map) that :mod:`policyml.report` also uses. All
policy text is HTML-escaped.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from policyml.frames import PROBA_PREFIX, check_result, is_result

__all__ = [
    "CATEGORY_COLORS",
    "CSS",
    "PolicyResult",
    "ResultView",
    "category_colors",
    "escape",
    "highlight_html",
    "percent",
    "slug",
]

#: Colours of policyml's categories (Okabe–Ito, distinguishable with colour-vision deficiency).
CATEGORY_COLORS: dict[str, str] = {
    "collection": "#0072B2",
    "sharing": "#D55E00",
    "cookies": "#E69F00",
    "children": "#CC79A7",
    "security": "#009E73",
}
_MORE_COLORS = ["#56B4E9", "#882255", "#999933", "#332288", "#44AA99", "#AA4499", "#661100"]


def category_colors(categories: Sequence[str]) -> dict[str, str]:
    """A colour (``#rrggbb``) for each category: fixed for policyml's five, then a palette.

    Examples
    --------
    >>> category_colors(["cookies", "other"])
    {'cookies': '#E69F00', 'other': '#56B4E9'}
    """
    colors, spare = {}, iter(_MORE_COLORS * (1 + len(categories) // len(_MORE_COLORS)))
    for category in categories:
        colors[category] = CATEGORY_COLORS.get(category) or next(spare)
    return colors


def _tint(color: str, amount: float) -> str:
    """``color`` mixed with white: ``amount`` of the colour."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * amount):02x}" for c in rgb)


def _ink(color: str) -> str:
    """Black or white, whichever reads better on ``color``."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#fff"


def slug(category: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(category).lower()).strip("-") or "x"


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def percent(p: float) -> str:
    if not np.isfinite(p):
        return "–"
    if p >= 0.995:
        return ">99%"
    if p < 0.005:
        return "<1%"
    return f"{p:.0%}"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\u2212")


# --------------------------------------------------------------------------- styles

CSS = """
.pm{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;color:var(--ink);
 font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 overflow-wrap:break-word;text-align:left}
.pm *{box-sizing:border-box}
.pm h1{font-size:1.55rem;line-height:1.25;margin:0 0 .25rem}
.pm h2{font-size:1.15rem;line-height:1.3;margin:1.6rem 0 .5rem}
.pm .sub{color:var(--muted);margin:0 0 1rem;font-size:.92rem}
.pm .cards{list-style:none;margin:0;padding:0;display:grid;gap:.6rem;
 grid-template-columns:repeat(auto-fill,minmax(15.5rem,1fr))}
.pm .card{border:1px solid var(--line);border-top:5px solid var(--c);border-radius:.5rem;
 padding:.6rem .75rem;background:#fff}
.pm .card.present{background:var(--t)}
.pm .card.absent{border-top-color:#c4ccd4;color:var(--muted)}
.pm .card-top{display:flex;align-items:baseline;gap:.4rem;flex-wrap:wrap}
.pm .card-top .name{font-weight:650;text-transform:capitalize}
.pm .status{margin-left:auto;font-size:.85rem;font-weight:600;white-space:nowrap}
.pm .present .status{color:var(--ink)}
.pm .desc{font-size:.82rem;color:var(--muted);margin:.1rem 0 .35rem}
.pm .quote{margin:.2rem 0;font-size:.9rem;font-style:italic}
.pm .jump{font-size:.85rem;color:var(--ink)}
.pm .map{display:flex;height:1.1rem;border-radius:.3rem;overflow:hidden;margin:.8rem 0 .3rem;
 border:1px solid var(--line)}
.pm .map a{flex:1 1 0;min-width:0;background:#eef1f4;border-right:1px solid #fff}
.pm .map a:last-child{border-right:0}
.pm .maplabel{font-size:.8rem;color:var(--muted);margin:0 0 .5rem}
.pm .section{font-size:1.05rem;margin:1.4rem 0 .4rem;color:var(--ink)}
.pm .para{position:relative;margin:.55rem 0;padding:.55rem .75rem .55rem 1rem;
 border-radius:.45rem;background:var(--t,#f6f8fa);border:1px solid var(--line)}
.pm .para.none{background:#fff;color:#3d444d}
.pm .bar{position:absolute;left:0;top:0;bottom:0;width:6px;border-radius:.45rem 0 0 .45rem;
 background:#d1d9e0}
.pm .meta{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem;margin-bottom:.25rem;
 font-size:.8rem}
.pm .num{color:var(--muted);font-variant-numeric:tabular-nums;margin-right:.15rem}
.pm .para.furniture{opacity:.6}
.pm .furniture-tag{border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;
 color:var(--muted)}
.pm .chip{display:inline-block;border-radius:1rem;padding:.05rem .55rem;font-weight:600;
 background:var(--c);color:var(--k);white-space:nowrap}
.pm .chip .thr{font-weight:400}
.pm details.quiet{margin:.45rem 0;padding:.1rem .75rem;border:1px dashed var(--line);
 border-radius:.45rem;font-size:1rem;background:#fff}
.pm details.quiet>summary{font-size:.85rem;padding:.3rem 0;min-height:1.9rem;
 white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pm details.quiet[open]>summary{white-space:normal}
.pm details.quiet>summary .num{margin-right:.3rem}
.pm details.quiet>summary .snippet{font-style:italic}
.pm details.quiet[open]>summary .snippet{display:none}
.pm .nolabel{color:var(--muted);font-style:italic}
.pm .text{margin:0}
.pm mark.evidence{color:inherit;padding:0 .05em;border-radius:.15em;
 background:linear-gradient(transparent 45%,var(--m) 45%);-webkit-box-decoration-break:clone;
 box-decoration-break:clone}
.pm details{margin-top:.35rem;font-size:.88rem}
.pm summary{cursor:pointer;color:var(--muted);padding:.2rem 0;min-height:1.6rem}
.pm .why{display:grid;gap:.6rem;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));
 padding:.4rem 0 .1rem}
.pm .probs{border-collapse:collapse;width:100%}
.pm .probs td{padding:.05rem .3rem .05rem 0;vertical-align:middle}
.pm .probs .lab{text-transform:capitalize;white-space:nowrap}
.pm .probs .on .lab{font-weight:650}
.pm .probs .v{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pm .meter{display:block;height:.5rem;background:#e6eaef;border-radius:.25rem;min-width:4rem;
 position:relative}
.pm .meter>span{display:block;height:100%;border-radius:.25rem}
.pm .meter>i{position:absolute;top:-.15rem;bottom:-.15rem;width:2px;background:#59636e}
.pm .terms h4{margin:0 0 .2rem;font-size:.85rem;text-transform:capitalize}
.pm .terms ul{list-style:none;margin:0 0 .4rem;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
.pm .terms li{border-radius:.3rem;padding:0 .35rem;font-size:.82rem;border:1px solid var(--line)}
.pm .terms li.up{background:#e7f5ec;border-color:#a5d6b5}
.pm .terms li.down{background:#fbeaea;border-color:#e6b3b3}
.pm .terms li b{font-weight:600;font-variant-numeric:tabular-nums;margin-left:.2rem}
.pm .ev{font-style:italic;margin:.1rem 0 .3rem}
.pm .more{color:var(--muted);font-style:italic}
.pm .table-toggle{margin-top:1rem}
"""


# --------------------------------------------------------------------------- rendering


class ResultView:
    """Everything needed to render one classified policy."""

    def __init__(
        self,
        result: pd.DataFrame,
        *,
        thresholds: Mapping[str, float] | None = None,
        terms: Sequence[Mapping[str, list[tuple[str, float]]]] | None = None,
        evidence: Sequence[Mapping[str, tuple[str, float]]] | None = None,
        ids: str = "p",
    ) -> None:
        self.categories = check_result(result)
        self.result = result.reset_index(drop=True)
        self.colors = category_colors(self.categories)
        self.thresholds = dict(thresholds or {})
        self.terms = terms
        self.evidence = evidence
        self.ids = ids  # element ids: ids + row position (unique even for several policies)
        self.proba = self.result[[PROBA_PREFIX + c for c in self.categories]].to_numpy(float)
        self.labels = [
            tuple(v) if isinstance(v, tuple | list | set | frozenset) else ()
            for v in self.result["labels"]
        ]
        # rows of page furniture, in a ``content="all"`` result
        self.furniture = (
            self.result["boilerplate"].astype(bool).tolist()
            if "boilerplate" in self.result.columns
            else [False] * len(self.result)
        )

    # ---- pieces

    def style(self, category: str, tint: float = 0.13) -> str:
        color = self.colors.get(category, "#8c959f")
        return f"--c:{color};--t:{_tint(color, tint)};--k:{_ink(color)};--m:{_tint(color, 0.4)}"

    def ordered_labels(self, i: int) -> list[str]:
        """Labels of paragraph ``i``, most probable first."""
        index = {c: j for j, c in enumerate(self.categories)}
        known = [c for c in self.labels[i] if c in index]
        return sorted(known, key=lambda c: -self.proba[i, index[c]])

    def number(self, i: int) -> int:
        """The number shown as ``¶n``: the row's ``paragraph`` (0-based, as in the result)."""
        if "paragraph" in self.result.columns:
            try:
                return int(self.result["paragraph"].iloc[i])
            except (TypeError, ValueError):
                pass
        return i

    def anchor(self, i: int) -> str:
        return f"{self.ids}{i}"

    def gradient(self, labels: Sequence[str]) -> str:
        colors = [self.colors[c] for c in labels]
        if len(colors) == 1:
            return colors[0]
        step = 100 / len(colors)
        stops = ",".join(f"{c} {k * step:.1f}% {(k + 1) * step:.1f}%" for k, c in enumerate(colors))
        return f"linear-gradient({stops})"

    def threshold_note(self, category: str) -> str:
        """``"labelled at ≥ 41%"`` when the category's threshold is known, else ``""``."""
        if category not in self.thresholds:
            return ""
        return f"labelled at ≥ {percent(float(self.thresholds[category]))}"

    def chip(self, i: int, category: str) -> str:
        """A label's badge: its probability, and the threshold that made it a label (shown,
        not on hover: "collection 45%" alone reads as a contradiction)."""
        j = self.categories.index(category)
        p = self.proba[i, j]
        title = f"{category}: probability {p:.2f}"
        note = self.threshold_note(category)
        if note:
            title += f" ({note})"
            note = f'<span class="thr"> / {escape(note)}</span>'
        return (
            f'<span class="chip cat-{slug(category)}" style="{self.style(category)}"'
            f' title="{escape(title)}">{escape(category)} {percent(p)}{note}</span>'
        )

    def text_html(self, i: int) -> str:
        """The paragraph's text, escaped, with its evidence sentences marked."""
        text = self.result["text"].iloc[i]
        text = text if isinstance(text, str) else ""
        if not self.evidence or not self.evidence[i]:
            return escape(text)
        spans: dict[tuple[int, int], list[str]] = {}
        for category in self.ordered_labels(i):
            found = self.evidence[i].get(category)
            if not found or found[0].strip() == text.strip():  # one sentence: nothing to single out
                continue
            start = text.find(found[0])
            if start >= 0:
                spans.setdefault((start, start + len(found[0])), []).append(category)
        out, position = [], 0
        for (start, end), categories in sorted(spans.items()):
            if start < position:  # overlapping sentences cannot happen; be safe anyway
                continue
            title = "Evidence for " + ", ".join(categories)
            out.append(escape(text[position:start]))
            out.append(
                f'<mark class="evidence" style="{self.style(categories[0])}"'
                f' title="{escape(title)}">{escape(text[start:end])}</mark>'
            )
            position = end
        out.append(escape(text[position:]))
        return "".join(out)

    def why(self, i: int) -> str:
        """The expandable block: all probabilities, evidence and top terms."""
        rows = []
        for j, category in enumerate(self.categories):
            p = self.proba[i, j]
            color = self.colors[category]
            on = category in self.labels[i]
            mark = ""
            if category in self.thresholds:
                t = min(max(self.thresholds[category], 0.0), 1.0)
                mark = f'<i style="left:{t * 100:.1f}%" title="threshold {t:.2f}"></i>'
            rows.append(
                f'<tr class="{"on" if on else "off"}"><td class="lab">{escape(category)}</td>'
                f'<td style="width:100%"><span class="meter"><span style="width:{p * 100:.1f}%;'
                f'background:{color}"></span>{mark}</span></td>'
                f'<td class="v">{percent(p)}</td></tr>'
            )
        parts = [f'<table class="probs">{"".join(rows)}</table>']
        blocks = []
        for category in self.ordered_labels(i):
            inner = []
            if self.evidence and self.evidence[i].get(category):
                sentence, p = self.evidence[i][category]
                inner.append(
                    f'<p class="ev" title="{escape(f"sentence probability {p:.2f}")}">'
                    f"“{escape(sentence)}”</p>"
                )
            if self.terms and self.terms[i].get(category):
                items = []
                for phrase, contribution in self.terms[i][category]:
                    kind = "up" if contribution > 0 else "down"
                    items.append(
                        f'<li class="{kind}" title="contribution {contribution:+.3f}">'
                        f"{escape(phrase)}<b>{_signed(contribution)}</b></li>"
                    )
                inner.append(f"<ul>{''.join(items)}</ul>")
            if inner:
                blocks.append(f"<div><h4>{escape(category)}</h4>{''.join(inner)}</div>")
        if blocks:
            parts.append(f'<div class="terms">{"".join(blocks)}</div>')
        return "".join(parts)

    def paragraph(self, i: int) -> str:
        labels = self.ordered_labels(i)
        classes = ["para", *(f"cat-{slug(c)}" for c in labels)] if labels else ["para", "none"]
        furniture = ""
        if self.furniture[i]:
            classes.append("furniture")
            furniture = '<span class="furniture-tag">page furniture</span>'
        style = f' style="{self.style(labels[0])}"' if labels else ""
        bar = ""
        if labels:
            bar = f'<span class="bar" style="background:{self.gradient(labels)}"></span>'
        chips = "".join(self.chip(i, c) for c in labels) or '<span class="nolabel">no label</span>'
        summary = "Why: evidence and top terms" if self.terms and labels else "Probabilities"
        return (
            f'<article class="{" ".join(classes)}" id="{self.anchor(i)}"'
            f' data-labels="{escape(" ".join(labels))}"{style}>{bar}'
            f'<div class="meta"><span class="num">¶{self.number(i)}</span>{furniture}{chips}</div>'
            f'<p class="text">{self.text_html(i)}</p>'
            f"<details><summary>{summary}</summary>"
            f'<div class="why">{self.why(i)}</div></details></article>'
        )

    def quiet_run(self, first: int, last: int) -> str:
        """Paragraphs ``first``..``last`` (none labelled) as one collapsed line that opens to
        them all; each keeps its anchor (browsers open a closed ``<details>`` to show a
        linked element in it)."""
        count = last - first + 1
        if count == 1:
            numbers, what = f"¶{self.number(first)}", "no label"
        else:
            numbers = f"¶{self.number(first)}–¶{self.number(last)}"
            what = f"{count} paragraphs without a label"
        text = self.result["text"].iloc[first]
        text = " ".join(text.split()) if isinstance(text, str) else ""
        snippet = text if len(text) <= 90 else text[:88].rstrip() + "…"
        articles = "".join(self.paragraph(i) for i in range(first, last + 1))
        return (
            f'<details class="quiet" data-first="{self.number(first)}" data-count="{count}">'
            f'<summary><span class="num">{numbers}</span> {what}'
            f'<span class="snippet">: “{escape(snippet)}”</span></summary>{articles}</details>'
        )

    def paragraphs(self, limit: int | None = None, *, title: str | None = None) -> str:
        out, previous = [], title  # a first heading that is the page's title is not repeated
        n = len(self.result)
        shown = n if limit is None else min(n, limit)
        headings = [
            h if isinstance(h, str) else None
            for h in (
                self.result["heading"].tolist() if "heading" in self.result.columns else [None] * n
            )
        ]
        i = 0
        while i < shown:
            heading = headings[i]
            if heading and heading != previous:
                out.append(f'<h3 class="section">{escape(heading)}</h3>')
            previous = heading
            if self.ordered_labels(i):
                out.append(self.paragraph(i))
                i += 1
                continue
            last = i  # a run of unlabelled paragraphs under one heading: one compact line
            while (
                last + 1 < shown
                and not self.ordered_labels(last + 1)
                and headings[last + 1] == heading
            ):
                last += 1
            out.append(self.quiet_run(i, last))
            i = last + 1
        if shown < n:
            out.append(
                f'<p class="more">… {n - shown} more paragraphs (raise pandas\''
                f" display.max_rows, or write the whole policy with"
                f" policyml.report.write_report).</p>"
            )
        return "".join(out)

    def policy_map(self) -> str:
        segments = []
        for i in range(len(self.result)):
            labels = self.ordered_labels(i)
            text = self.result["text"].iloc[i]
            snippet = text[:80] + ("…" if len(text) > 80 else "") if isinstance(text, str) else ""
            title = f"¶{self.number(i)} {', '.join(labels) or 'no label'}: {snippet}"
            style = f' style="background:{self.gradient(labels)}"' if labels else ""
            segments.append(f'<a href="#{self.anchor(i)}" title="{escape(title)}"{style}></a>')
        return (
            f'<nav class="map" aria-label="Policy map: paragraphs in order, coloured by category">'
            f"{''.join(segments)}</nav>"
            '<p class="maplabel">Policy map: every paragraph in order, coloured by category.</p>'
        )

    def counts(self) -> str:
        n = len(self.result)
        labelled = sum(1 for labels in self.labels if labels)
        found = len({c for labels in self.labels for c in labels if c in self.categories})
        return (
            f"{n} paragraph{'s' if n != 1 else ''} · {labelled} labelled ·"
            f" {found} of {len(self.categories)} categories found"
        )


def highlight_html(result: pd.DataFrame, *, max_paragraphs: int | None = None) -> str:
    """An HTML fragment showing a classify result as the policy, highlighted by category.

    Used by :class:`PolicyResult` for its Jupyter display; styles are scoped to the fragment.

    Parameters
    ----------
    result : DataFrame
        A :func:`policyml.classify` result.
    max_paragraphs : int, optional
        Show at most this many paragraphs.

    Returns
    -------
    str

    Examples
    --------
    >>> import policyml
    >>> fragment = highlight_html(policyml.classify("We use cookies to count visits."))
    >>> "cat-cookies" in fragment
    True
    """
    # several results can show in one notebook: ids unique to this fragment keep links apart
    view = ResultView(result, ids=f"pm{uuid.uuid4().hex[:8]}-")
    return (
        f'<div class="pm pm-embed"><style>{CSS}</style>'
        f'<p class="sub">{escape(view.counts())}</p>{view.policy_map()}'
        f"{view.paragraphs(max_paragraphs)}</div>"
    )


class PolicyResult(pd.DataFrame):
    """The result of :func:`policyml.classify`: a DataFrame, shown in Jupyter as the policy.

    It is an ordinary :class:`pandas.DataFrame` (every pandas operation works and returns a
    ``PolicyResult``; ``pd.DataFrame(result)`` gives a plain one). Jupyter displays it with its
    paragraphs highlighted by category (label chips with probabilities, probabilities on
    expand), followed by the usual table, collapsed. A frame lacking the ``text``, ``labels`` or
    ``p_<category>`` columns (e.g. ``result[["text"]]``) displays as a plain table.

    Examples
    --------
    >>> import policyml
    >>> result = policyml.classify("We use cookies to count visits.")
    >>> isinstance(result, pd.DataFrame), type(result[["text", "labels"]]).__name__
    (True, 'PolicyResult')
    """

    @property
    def _constructor(self) -> type[PolicyResult]:
        return PolicyResult

    def _repr_html_(self) -> str | None:
        table = super()._repr_html_()
        if not is_result(self) or table is None:
            return table
        try:
            view = highlight_html(self, max_paragraphs=pd.get_option("display.max_rows"))
        except Exception:  # a display must never raise; fall back to the table
            return table
        return (
            f'{view}<details class="pm table-toggle"><summary>Table ({len(self)} rows ×'
            f" {len(self.columns)} columns)</summary>{table}</details>"
        )
