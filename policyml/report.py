"""The report: one self-contained HTML page of a classified policy.

:func:`write_report` writes one self-contained HTML file (no external assets, no JavaScript) with
a per-category summary at the top and every paragraph highlighted, with probabilities, evidence
and top terms on expand::

    policyml report policy.html -o report.html

All policy text is HTML-escaped, and the page's Content-Security-Policy forbids scripts.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from policyml._version import __version__
from policyml.categories import CATEGORY_DESCRIPTIONS
from policyml.display import CSS, ResultView, escape, percent, slug
from policyml.exceptions import InvalidInputError
from policyml.frames import PROBA_PREFIX, is_result, model_input, result_categories
from policyml.interpret import evidence_sentences, explain_rows, summarize
from policyml.linear import linear_view
from policyml.model import PolicyModel, resolve_model
from policyml.predict import classify
from policyml.writers import check_output_path

__all__ = ["render_report", "write_report"]

_PAGE_CSS = """
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#fff}
main.pm{max-width:50rem;margin:0 auto;padding:1rem 1rem 3rem}
.pm footer{margin-top:2rem;padding-top:.7rem;border-top:1px solid var(--line);
 color:var(--muted);font-size:.82rem}
@media (max-width:30rem){.pm{font-size:15.5px}.pm h1{font-size:1.35rem}
 .pm .para{padding:.5rem .6rem .5rem .85rem}.pm details.quiet{padding:.1rem .45rem}}
@media print{.pm .para details{display:none}.pm .para{break-inside:avoid}}
"""


# --------------------------------------------------------------------------- the report


def _explanations(
    model: PolicyModel, result: pd.DataFrame, top: int
) -> tuple[list[dict[str, list[tuple[str, float]]]] | None, list[dict[str, tuple[str, float]]]]:
    """Per paragraph: top terms and evidence sentence of each label."""
    frame = model_input(result)
    categories = list(model.categories)
    labels = [
        [c for c in value if c in categories] if isinstance(value, tuple | list) else []
        for value in result["labels"]
    ]
    if not len(frame):  # a blank policy: nothing to explain
        return [], []
    evidence = evidence_sentences(model, frame, labels)
    proba = model.predict_proba(frame)
    given = result[[PROBA_PREFIX + c for c in categories]].to_numpy(dtype=float)
    if len(frame) and not np.allclose(proba, given, atol=1e-6):
        warnings.warn(
            "the result's probabilities differ from the model's: the report's evidence and terms"
            " come from the given model (pass the model that classified the policy)",
            stacklevel=3,
        )
    try:
        view = linear_view(model)
    except InvalidInputError:
        return None, evidence  # not a linear model: the report goes without terms
    wanted = [[categories.index(c) for c in row] for row in labels]
    records = explain_rows(view, frame, proba, top=top, categories=wanted)
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
    model: PolicyModel | str | Path | None = None,
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
    model = resolve_model(model)
    if isinstance(policy, pd.DataFrame):
        result = policy
        if not is_result(result) or result_categories(result) != list(model.categories):
            raise InvalidInputError(
                "render_report needs a classify() result of this model (columns text, labels"
                f" and p_<category> for {list(model.categories)}); got columns"
                f" {list(map(str, result.columns))}"
            )
    else:
        result = classify(policy, model=model, fmt=fmt)
    terms, evidence = _explanations(model, result, top)
    thresholds = dict(zip(model.categories, np.asarray(model.thresholds, dtype=float), strict=True))
    view = ResultView(result, thresholds=thresholds, terms=terms, evidence=evidence)
    if title is None:
        headings = result["heading"].dropna().tolist() if "heading" in result.columns else []
        title = next((h for h in headings if isinstance(h, str) and h.strip()), "Privacy policy")
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f'<meta name="generator" content="policyml {escape(__version__)}">'
        f"<title>{escape(title)} — policyml report</title>"
        f"<style>{CSS}{_PAGE_CSS}</style></head>\n"
        '<body><main class="pm">'
        f'<header><h1>{escape(title)}</h1><p class="sub">{escape(view.counts())}</p></header>'
        '<section id="summary" class="summary" aria-labelledby="summary-h">'
        '<h2 id="summary-h">What this policy covers</h2>'
        f"{_cards(view)}{view.policy_map()}</section>"
        '<section id="policy" aria-labelledby="policy-h"><h2 id="policy-h">The policy,'
        " paragraph by paragraph</h2>"
        '<p class="sub">Coloured paragraphs carry the labels shown on them, each with its'
        " probability and the threshold from which the model labels (“45% / labelled at ≥"
        " 41%”); highlighted: the sentence that is the strongest evidence. Tap a paragraph's"
        " “Why” for all probabilities and the words that pushed each label up (green) or down"
        " (red). Paragraphs without a label are folded into dashed lines: tap one to open"
        " them.</p>"
        f"{view.paragraphs(title=title)}</section>"
        f"<footer>Generated by policyml {escape(__version__)}. Labels are a model's predictions"
        " (a paragraph is labelled when its probability reaches the category's threshold),"
        " not legal advice.</footer>"
        "</main></body></html>\n"
    )


def write_report(
    policy: pd.DataFrame | str | bytes | Sequence[str],
    path: str | Path,
    *,
    model: PolicyModel | str | Path | None = None,
    title: str | None = None,
    fmt: str = "auto",
    top: int = 6,
) -> Path:
    """Write :func:`render_report`'s page to ``path`` (UTF-8) and return the path.

    ``path`` is checked first (its folder must exist and be writable), so a wrong path fails
    at once, not after the policy was classified and explained.

    Examples
    --------
    >>> import policyml, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> write_report(policyml.datasets.load_example_policy(), out).name
    'report.html'
    """
    check_output_path(path)
    page = render_report(policy, model=model, title=title, fmt=fmt, top=top)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path


def _cards(view: ResultView) -> str:
    """The summary cards: per category, present or not, how often, the strongest quote."""
    summary = summarize(view.result)
    cards = []
    for category, row in summary.iterrows():
        category = str(category)
        description = CATEGORY_DESCRIPTIONS.get(category)
        desc = f'<div class="desc">{escape(description)}</div>' if description else ""
        if row["present"]:
            n = int(row["paragraphs"])
            status = f"{n} paragraph{'s' if n != 1 else ''}"
            i = int(np.argmax(view.proba[:, view.categories.index(category)]))
            quote = row["evidence"]
            if view.evidence and view.evidence[i].get(category):
                quote = view.evidence[i][category][0]
            quote = quote if len(quote) <= 220 else quote[:217].rstrip() + "…"
            body = (
                f'<p class="quote">“{escape(quote)}”</p>'
                f'<a class="jump" href="#{view.anchor(i)}">Strongest: ¶{view.number(i)}'
                f" · {percent(float(row['probability']))}</a>"
            )
            klass = "present"
        else:
            status = "Not found"
            note = view.threshold_note(category)
            body = (
                f'<div class="desc">Highest probability in any paragraph:'
                f" {percent(float(row['probability']))}{f' ({note})' if note else ''}</div>"
            )
            klass = "absent"
        cards.append(
            f'<li class="card {klass} cat-{slug(category)}" data-category="{escape(category)}"'
            f' style="{view.style(category, 0.1)}"><div class="card-top">'
            f'<span class="name">{escape(category)}</span><span class="status">{status}</span>'
            f"</div>{desc}{body}</li>"
        )
    return f'<ul class="cards">{"".join(cards)}</ul>'
