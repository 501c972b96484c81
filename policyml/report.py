"""HTML views of a classified policy: the highlighted Jupyter display and a standalone report.

``policyml.classify`` returns a :class:`PolicyResult`, an ordinary DataFrame that Jupyter shows
as the policy with its paragraphs highlighted by category. :func:`write_report` writes one
self-contained HTML file (no external assets, no JavaScript) with a per-category summary at the
top and every paragraph highlighted, with probabilities, evidence and top terms on expand::

    policyml report policy.html -o report.html

All policy text is HTML-escaped, and the page's Content-Security-Policy forbids scripts.
"""

from __future__ import annotations

import html
import re
import uuid
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from policyml.exceptions import InvalidInputError

__all__ = [
    "CATEGORY_COLORS",
    "CATEGORY_DESCRIPTIONS",
    "PolicyResult",
    "category_colors",
    "highlight_html",
    "render_report",
    "write_report",
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

#: One-line meaning of each of policyml's categories.
CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "collection": "First-party collection and use of personal information",
    "sharing": "Sharing with or collection by third parties",
    "cookies": "Cookies, tracking technologies and Do Not Track",
    "children": "Practices about children and minors",
    "security": "How the data is protected",
}


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


def _slug(category: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(category).lower()).strip("-") or "x"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _pct(p: float) -> str:
    if not np.isfinite(p):
        return "–"
    if p >= 0.995:
        return ">99%"
    if p < 0.005:
        return "<1%"
    return f"{p:.0%}"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\u2212")


def _is_result(frame: pd.DataFrame) -> bool:
    return (
        "text" in frame.columns
        and "labels" in frame.columns
        and any(str(c).startswith("p_") for c in frame.columns)
    )


def _result_categories(frame: pd.DataFrame) -> list[str]:
    return [str(c)[2:] for c in frame.columns if str(c).startswith("p_")]


# --------------------------------------------------------------------------- styles

_CSS = """
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
.pm .chip{display:inline-block;border-radius:1rem;padding:.05rem .55rem;font-weight:600;
 background:var(--c);color:var(--k);white-space:nowrap}
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

_PAGE_CSS = """
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#fff}
main.pm{max-width:50rem;margin:0 auto;padding:1rem 1rem 3rem}
.pm footer{margin-top:2rem;padding-top:.7rem;border-top:1px solid var(--line);
 color:var(--muted);font-size:.82rem}
@media (max-width:30rem){.pm{font-size:15.5px}.pm h1{font-size:1.35rem}
 .pm .para{padding:.5rem .6rem .5rem .85rem}}
@media print{.pm details{display:none}.pm .para{break-inside:avoid}}
"""


# --------------------------------------------------------------------------- rendering


class _View:
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
        if not _is_result(result):
            raise InvalidInputError(
                "expected a policyml.classify() result (columns text, labels and p_<category>);"
                f" got columns {list(map(str, result.columns))}"
            )
        self.result = result.reset_index(drop=True)
        self.categories = _result_categories(result)
        self.colors = category_colors(self.categories)
        self.thresholds = dict(thresholds or {})
        self.terms = terms
        self.evidence = evidence
        self.ids = ids  # element ids: ids + row position (unique even for several policies)
        self.proba = self.result[[f"p_{c}" for c in self.categories]].to_numpy(dtype=float)
        self.labels = [
            tuple(v) if isinstance(v, tuple | list | set | frozenset) else ()
            for v in self.result["labels"]
        ]

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

    def chip(self, i: int, category: str) -> str:
        j = self.categories.index(category)
        p = self.proba[i, j]
        title = f"{category}: probability {p:.2f}"
        if category in self.thresholds:
            title += f" (labelled at {self.thresholds[category]:.2f} or more)"
        return (
            f'<span class="chip cat-{_slug(category)}" style="{self.style(category)}"'
            f' title="{_e(title)}">{_e(category)} {_pct(p)}</span>'
        )

    def text_html(self, i: int) -> str:
        """The paragraph's text, escaped, with its evidence sentences marked."""
        text = self.result["text"].iloc[i]
        text = text if isinstance(text, str) else ""
        if not self.evidence or not self.evidence[i]:
            return _e(text)
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
            out.append(_e(text[position:start]))
            out.append(
                f'<mark class="evidence" style="{self.style(categories[0])}"'
                f' title="{_e(title)}">{_e(text[start:end])}</mark>'
            )
            position = end
        out.append(_e(text[position:]))
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
                f'<tr class="{"on" if on else "off"}"><td class="lab">{_e(category)}</td>'
                f'<td style="width:100%"><span class="meter"><span style="width:{p * 100:.1f}%;'
                f'background:{color}"></span>{mark}</span></td>'
                f'<td class="v">{_pct(p)}</td></tr>'
            )
        parts = [f'<table class="probs">{"".join(rows)}</table>']
        blocks = []
        for category in self.ordered_labels(i):
            inner = []
            if self.evidence and self.evidence[i].get(category):
                sentence, p = self.evidence[i][category]
                inner.append(
                    f'<p class="ev" title="{_e(f"sentence probability {p:.2f}")}">'
                    f"“{_e(sentence)}”</p>"
                )
            if self.terms and self.terms[i].get(category):
                items = []
                for phrase, contribution in self.terms[i][category]:
                    kind = "up" if contribution > 0 else "down"
                    items.append(
                        f'<li class="{kind}" title="contribution {contribution:+.3f}">'
                        f"{_e(phrase)}<b>{_signed(contribution)}</b></li>"
                    )
                inner.append(f"<ul>{''.join(items)}</ul>")
            if inner:
                blocks.append(f"<div><h4>{_e(category)}</h4>{''.join(inner)}</div>")
        if blocks:
            parts.append(f'<div class="terms">{"".join(blocks)}</div>')
        return "".join(parts)

    def paragraph(self, i: int) -> str:
        labels = self.ordered_labels(i)
        classes = ["para", *(f"cat-{_slug(c)}" for c in labels)] if labels else ["para", "none"]
        style = f' style="{self.style(labels[0])}"' if labels else ""
        bar = ""
        if labels:
            bar = f'<span class="bar" style="background:{self.gradient(labels)}"></span>'
        chips = "".join(self.chip(i, c) for c in labels) or '<span class="nolabel">no label</span>'
        summary = "Why: evidence and top terms" if self.terms and labels else "Probabilities"
        return (
            f'<article class="{" ".join(classes)}" id="{self.anchor(i)}"'
            f' data-labels="{_e(" ".join(labels))}"{style}>{bar}'
            f'<div class="meta"><span class="num">¶{self.number(i) + 1}</span>{chips}</div>'
            f'<p class="text">{self.text_html(i)}</p>'
            f"<details><summary>{summary}</summary>"
            f'<div class="why">{self.why(i)}</div></details></article>'
        )

    def paragraphs(self, limit: int | None = None, *, title: str | None = None) -> str:
        out, previous = [], title  # a first heading that is the page's title is not repeated
        n = len(self.result)
        shown = n if limit is None else min(n, limit)
        headings = (
            self.result["heading"].tolist() if "heading" in self.result.columns else [None] * n
        )
        for i in range(shown):
            heading = headings[i] if isinstance(headings[i], str) else None
            if heading and heading != previous:
                out.append(f'<h3 class="section">{_e(heading)}</h3>')
            previous = heading
            out.append(self.paragraph(i))
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
            title = f"¶{self.number(i) + 1} {', '.join(labels) or 'no label'}: {snippet}"
            style = f' style="background:{self.gradient(labels)}"' if labels else ""
            segments.append(f'<a href="#{self.anchor(i)}" title="{_e(title)}"{style}></a>')
        return (
            f'<nav class="map" aria-label="Policy map: paragraphs in order, coloured by category">'
            f"{''.join(segments)}</nav>"
            '<p class="maplabel">Policy map: every paragraph in order, coloured by category.</p>'
        )

    def cards(self) -> str:
        from policyml.interpret import summarize

        summary = summarize(self.result)
        cards = []
        for category, row in summary.iterrows():
            category = str(category)
            description = CATEGORY_DESCRIPTIONS.get(category)
            desc = f'<div class="desc">{_e(description)}</div>' if description else ""
            if row["present"]:
                n = int(row["paragraphs"])
                status = f"{n} paragraph{'s' if n != 1 else ''}"
                i = int(np.argmax(self.proba[:, self.categories.index(category)]))
                quote = row["evidence"]
                if self.evidence and self.evidence[i].get(category):
                    quote = self.evidence[i][category][0]
                quote = quote if len(quote) <= 220 else quote[:217].rstrip() + "…"
                body = (
                    f'<p class="quote">“{_e(quote)}”</p>'
                    f'<a class="jump" href="#{self.anchor(i)}">Strongest: ¶{self.number(i) + 1}'
                    f" · {_pct(float(row['probability']))}</a>"
                )
                klass = "present"
            else:
                status = "Not found"
                body = (
                    f'<div class="desc">Highest probability in any paragraph:'
                    f" {_pct(float(row['probability']))}</div>"
                )
                klass = "absent"
            cards.append(
                f'<li class="card {klass} cat-{_slug(category)}" data-category="{_e(category)}"'
                f' style="{self.style(category, 0.1)}"><div class="card-top">'
                f'<span class="name">{_e(category)}</span><span class="status">{status}</span>'
                f"</div>{desc}{body}</li>"
            )
        return f'<ul class="cards">{"".join(cards)}</ul>'

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
    view = _View(result, ids=f"pm{uuid.uuid4().hex[:8]}-")
    return (
        f'<div class="pm pm-embed"><style>{_CSS}</style>'
        f'<p class="sub">{_e(view.counts())}</p>{view.policy_map()}'
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
        if not _is_result(self) or table is None:
            return table
        try:
            view = highlight_html(self, max_paragraphs=pd.get_option("display.max_rows"))
        except Exception:  # a display must never raise; fall back to the table
            return table
        return (
            f'{view}<details class="pm table-toggle"><summary>Table ({len(self)} rows ×'
            f" {len(self.columns)} columns)</summary>{table}</details>"
        )


# --------------------------------------------------------------------------- the report


def _explanations(
    model: Any, result: pd.DataFrame, top: int
) -> tuple[list[dict[str, list[tuple[str, float]]]] | None, list[dict[str, tuple[str, float]]]]:
    """Per paragraph: top terms and evidence sentence of each label."""
    from policyml.interpret import _explain_rows, _linear_view, evidence_sentences

    keep = [c for c in ("text", "heading", "policy_id") if c in result.columns]
    frame = result[keep].reset_index(drop=True)
    frame = pd.DataFrame({c: frame[c].astype(object) for c in keep})
    categories = list(model.categories)
    labels = [
        [c for c in value if c in categories] if isinstance(value, tuple | list) else []
        for value in result["labels"]
    ]
    if not len(frame):  # a blank policy: nothing to explain
        return [], []
    evidence = evidence_sentences(model, frame, labels)
    proba = model.predict_proba(frame)
    given = result[[f"p_{c}" for c in categories]].to_numpy(dtype=float)
    if len(frame) and not np.allclose(proba, given, atol=1e-6):
        warnings.warn(
            "the result's probabilities differ from the model's: the report's evidence and terms"
            " come from the given model (pass the model that classified the policy)",
            stacklevel=3,
        )
    try:
        view = _linear_view(model)
    except InvalidInputError:
        return None, evidence  # not a linear model: the report goes without terms
    wanted = [[categories.index(c) for c in row] for row in labels]
    records = _explain_rows(view, frame, proba, top=top, categories=wanted)
    terms: list[dict[str, list[tuple[str, float]]]] = [{} for _ in range(len(frame))]
    for record in records:
        phrase = record["phrase"]
        if record["block"] not in ("", "words"):
            phrase = f"{phrase} ({record['block']})"
        terms[record["row"]].setdefault(record["category"], []).append(
            (phrase, record["contribution"])
        )
    return terms, evidence


def render_report(
    policy: pd.DataFrame | str | bytes | Sequence[str],
    *,
    model: Any = None,
    title: str | None = None,
    fmt: str = "auto",
    top: int = 6,
) -> str:
    """A self-contained HTML page of a classified policy.

    The page has no external assets and needs no JavaScript: a per-category summary (present or
    not, number of paragraphs, strongest evidence), a map of the policy, then every paragraph
    highlighted by category with its label probabilities; each paragraph expands
    (``<details>``) to all probabilities, the evidence sentence of each label and the terms that
    pushed it up or down. All policy text is escaped; the page forbids scripts
    (Content-Security-Policy). It reads well on a phone.

    Parameters
    ----------
    policy : DataFrame, str, bytes or list of str
        A :func:`policyml.classify` result, or a policy to classify.
    model : PolicyModel or path, optional
        The model (default: the bundled one). For a result, pass the model that produced it:
        the evidence and terms come from it.
    title : str, optional
        Page title; default the policy's first heading.
    fmt : {"auto", "text", "markdown", "html"}
        Input format when ``policy`` is a policy.
    top : int, default 6
        Terms shown per label.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import policyml
    >>> page = render_report("We use cookies. <script>alert(1)</script>", fmt="text")
    >>> "<script>" in page, "&lt;script&gt;" in page
    (False, True)
    """
    from policyml._version import __version__
    from policyml.predict import _resolve_model, classify

    model = _resolve_model(model)
    if isinstance(policy, pd.DataFrame):
        result = policy
        if not _is_result(result) or _result_categories(result) != list(model.categories):
            raise InvalidInputError(
                "render_report needs a classify() result of this model (columns text, labels"
                f" and p_<category> for {list(model.categories)}); got columns"
                f" {list(map(str, result.columns))}"
            )
    else:
        result = classify(policy, model=model, fmt=fmt)
    terms, evidence = _explanations(model, result, top)
    thresholds = dict(zip(model.categories, np.asarray(model.thresholds, dtype=float), strict=True))
    view = _View(result, thresholds=thresholds, terms=terms, evidence=evidence)
    if title is None:
        headings = result["heading"].dropna().tolist() if "heading" in result.columns else []
        title = next((h for h in headings if isinstance(h, str) and h.strip()), "Privacy policy")
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f'<meta name="generator" content="policyml {_e(__version__)}">'
        f"<title>{_e(title)} — policyml report</title>"
        f"<style>{_CSS}{_PAGE_CSS}</style></head>\n"
        '<body><main class="pm">'
        f'<header><h1>{_e(title)}</h1><p class="sub">{_e(view.counts())}</p></header>'
        '<section id="summary" class="summary" aria-labelledby="summary-h">'
        '<h2 id="summary-h">What this policy covers</h2>'
        f"{view.cards()}{view.policy_map()}</section>"
        '<section id="policy" aria-labelledby="policy-h"><h2 id="policy-h">The policy,'
        " paragraph by paragraph</h2>"
        '<p class="sub">Coloured paragraphs carry the labels shown on them; highlighted: the'
        " sentence that is the strongest evidence. Tap a paragraph's “Why” for all"
        " probabilities and the words that pushed each label up (green) or down (red).</p>"
        f"{view.paragraphs(title=title)}</section>"
        f"<footer>Generated by policyml {_e(__version__)}. Labels are a model's predictions"
        " (a paragraph is labelled when its probability reaches the category's threshold),"
        " not legal advice.</footer>"
        "</main></body></html>\n"
    )


def write_report(
    policy: pd.DataFrame | str | bytes | Sequence[str],
    path: str | Path,
    *,
    model: Any = None,
    title: str | None = None,
    fmt: str = "auto",
    top: int = 6,
) -> Path:
    """Write :func:`render_report`'s page to ``path`` (UTF-8) and return the path.

    Examples
    --------
    >>> import policyml, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> write_report(policyml.datasets.load_example_policy(), out).name
    'report.html'
    """
    page = render_report(policy, model=model, title=title, fmt=fmt, top=top)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
