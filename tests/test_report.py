from __future__ import annotations

import pickle
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from sklearn.multiclass import OneVsRestClassifier
from sklearn.tree import DecisionTreeClassifier

import policyml
from policyml._resources import shipped_file
from policyml.cli import main
from policyml.datasets import load_example_csv, load_example_policy
from policyml.display import PolicyResult, highlight_html
from policyml.model import PolicyModel, build_pipeline, default_model
from policyml.report import render_report, write_report

CATS = list(policyml.CATEGORIES)

HOSTILE = (
    load_example_policy() + "\n\n## Extras &lt;img src=x onerror=\"document.title='pwned'\"&gt;\n\n"
    "We never run &lt;script&gt;document.title='pwned'&lt;/script&gt; in your browser, and we"
    ' keep cookies "out" of <b>bold</b> claims &amp; tricks.\n'
)

VOID = {"meta", "br", "img", "hr", "input", "link", "wbr", "col", "source", "area", "base"}


class Tree(HTMLParser):
    """A minimal DOM: elements with tag, attrs, children and text; checks nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict = {"tag": "#root", "attrs": {}, "children": [], "text": ""}
        self.stack = [self.root]
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "text": ""}
        self.stack[-1]["children"].append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack[-1]["tag"] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1]['tag']}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        for node in self.stack:
            node["text"] += data


def parse(page: str) -> Tree:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert not tree.problems, tree.problems[:3]
    assert tree.stack == [tree.root], "unclosed elements"
    return tree


def find(node: dict, tag: str | None = None, cls: str | None = None) -> list[dict]:
    found = []
    for child in node["children"]:
        classes = child["attrs"].get("class", "") or ""
        if (tag is None or child["tag"] == tag) and (cls is None or cls in classes.split()):
            found.append(child)
        found.extend(find(child, tag, cls))
    return found


@pytest.fixture(scope="module")
def model():
    return default_model()


@pytest.fixture(scope="module")
def hostile(model):
    return policyml.classify(HOSTILE, model=model)


@pytest.fixture(scope="module")
def page(model, hostile):
    return render_report(hostile, model=model)


# --------------------------------------------------------------------------- PolicyResult


def test_classify_returns_a_dataframe_compatible_result(hostile):
    assert isinstance(hostile, PolicyResult) and isinstance(hostile, pd.DataFrame)
    plain = pd.DataFrame(hostile)
    assert type(plain) is pd.DataFrame
    pd.testing.assert_frame_equal(hostile, plain)
    pd.testing.assert_frame_equal(hostile, hostile.copy())
    assert type(hostile.head(2)) is PolicyResult
    assert type(hostile[hostile["p_cookies"] > 0.5]) is PolicyResult
    assert type(hostile["text"]) is pd.Series
    again = pickle.loads(pickle.dumps(hostile))
    assert type(again) is PolicyResult
    pd.testing.assert_frame_equal(again, hostile)
    empty = policyml.classify("")
    assert isinstance(empty, PolicyResult) and empty.empty
    assert empty._repr_html_()  # displays without error


def test_jupyter_display_highlights_paragraphs(hostile):
    shown = hostile._repr_html_()
    tree = parse(shown)
    paragraphs = find(tree.root, "article", "para")
    assert len(paragraphs) == len(hostile)
    for article, labels in zip(paragraphs, hostile["labels"], strict=True):
        classes = set(article["attrs"]["class"].split())
        assert classes == ({"para"} | {f"cat-{c}" for c in labels} if labels else {"para", "none"})
    assert "<table" in shown and "Table (" in shown  # the usual table, collapsed
    assert "<script" not in shown.lower()
    assert "&lt;script&gt;" in shown
    # a frame without the result's columns is a plain table
    plain = hostile[["heading", "text"]]._repr_html_()
    assert "pm-embed" not in plain and "<table" in plain
    with pd.option_context("display.max_rows", 3):
        limited = hostile._repr_html_()
    assert len(find(parse(limited).root, "article", "para")) == 3
    assert f"{len(hostile) - 3} more paragraphs" in limited


def test_highlight_html_rejects_other_frames():
    with pytest.raises(policyml.InvalidInputError, match="classify"):
        highlight_html(pd.DataFrame({"text": ["x"]}))


# --------------------------------------------------------------------------- the report


def test_report_structure(page, hostile):
    tree = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    summary = find(tree.root, "section")[0]
    assert summary["attrs"]["id"] == "summary"
    cards = find(summary, "li", "card")
    assert [c["attrs"]["data-category"] for c in cards] == CATS
    present = policyml.summarize(hostile)["present"]
    for card in cards:
        state = "present" if present[card["attrs"]["data-category"]] else "absent"
        assert state in card["attrs"]["class"].split()
    paragraphs = find(tree.root, "article", "para")
    assert len(paragraphs) == len(hostile)
    ids = [p["attrs"]["id"] for p in paragraphs]
    assert len(set(ids)) == len(ids)
    links = [a["attrs"]["href"] for a in find(tree.root, "a")]
    assert links and all(link.startswith("#") and link[1:] in ids for link in links)
    assert len(find(tree.root, "nav", "map")[0]["children"]) == len(hostile)
    for article, labels in zip(paragraphs, hostile["labels"], strict=True):
        chips = find(article, "span", "chip")
        assert [c["text"].split()[0] for c in chips] == sorted(
            labels, key=lambda c, a=article: -hostile.loc[int(a["attrs"]["id"][1:]), f"p_{c}"]
        )
        details = find(article, "details")
        assert len(details) == 1 and find(details[0], "summary")
        rows = find(details[0], "tr")
        assert len(rows) == len(CATS)  # every probability on expand
        if labels:
            terms = find(details[0], "li")
            assert terms, "top terms of each label"
            assert all(re.search(r"[+−]\d", t["text"]) for t in terms)


def test_report_evidence_and_terms_come_from_explain(model, hostile, page):
    tree = parse(page)
    row = int(hostile["p_cookies"].idxmax())
    article = next(a for a in find(tree.root, "article") if a["attrs"]["id"] == f"p{row}")
    why = policyml.explain(hostile, row=row, model=model, top=6)
    cookies = why[why["category"] == "cookies"]
    evidence = cookies["evidence"].iloc[0]
    marks = find(article, "mark", "evidence")
    if evidence.strip() != hostile.loc[row, "text"].strip():
        assert any(m["text"] == evidence for m in marks)
    term_texts = [t["text"] for t in find(article, "li")]
    assert any(t.startswith(cookies["phrase"].iloc[0]) for t in term_texts)


def test_report_escapes_policy_text(page, hostile):
    assert any("<script>" in text for text in hostile["text"])  # the test is meaningful
    assert any("<img" in str(h) for h in hostile["heading"])
    lower = page.lower()
    assert (
        "<script" not in lower
        and "<img" not in lower
        and "onerror=" not in lower.replace("onerror=&quot;", "")
    )
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;" in page
    # self-contained: no external resources of any kind, and scripts are forbidden
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|data:)""", lower)
    assert "<link" not in lower and "@import" not in lower and "url(" not in lower
    assert "content-security-policy" in lower and "default-src 'none'" in page
    assert 'name="viewport"' in page


def test_report_from_a_policy_and_title(model):
    page = render_report("We use cookies. <b>Really</b>.", model=model, title="A & B", fmt="text")
    assert "<title>A &amp; B — policyml report</title>" in page
    assert "&lt;b&gt;Really&lt;/b&gt;" in page
    default_title = render_report(load_example_policy(), model=model)
    assert "<h1>Privacy Policy of Lantern Notes</h1>" in default_title


def test_report_checks_the_model_and_survives_non_linear_models(model, hostile):
    two = policyml.train(load_example_csv(), categories=["cookies", "children"], thresholds=0.5)
    with pytest.raises(policyml.InvalidInputError, match="classify"):
        render_report(hostile, model=two)
    pipeline = build_pipeline(heading_weight=0.0)
    pipeline.set_params(classifier=OneVsRestClassifier(DecisionTreeClassifier(random_state=0)))
    data = load_example_csv()
    pipeline.fit(data[["text"]], data[CATS].to_numpy())
    trees = PolicyModel(pipeline, CATS, [0.5] * len(CATS))
    page = render_report(load_example_policy(), model=trees)  # no terms, still a report
    tree = parse(page)
    assert find(tree.root, "article", "para")
    with pytest.warns(UserWarning, match="differ"):
        render_report(hostile, model=trees)


def test_write_report_and_cli(tmp_path, capsys):
    out = write_report(load_example_policy(), tmp_path / "a.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    target = tmp_path / "report.html"
    code = main(["report", str(shipped_file("data", "example_policy.md")), "-o", str(target)])
    assert code == 0
    assert f"wrote {target}" in capsys.readouterr().out
    tree = parse(target.read_text(encoding="utf-8"))
    assert len(find(tree.root, "article", "para")) == len(policyml.classify(load_example_policy()))
    code = main(["report", str(tmp_path / "absent.md"), "-o", str(tmp_path / "x.html")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("policyml: error:") and "absent.md" in err
    assert len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- issue 14


def unlabelled_runs(result: pd.DataFrame) -> list[list[int]]:
    """Rows without a label, in runs of consecutive rows under one heading."""
    runs: list[list[int]] = []
    previous = None
    for i, (labels, heading) in enumerate(zip(result["labels"], result["heading"], strict=True)):
        if labels:
            previous = None
            continue
        if previous is not None and previous[0] == i - 1 and previous[1] == heading:
            runs[-1].append(i)
        else:
            runs.append([i])
        previous = (i, heading)
    return runs


def test_paragraph_numbers_are_the_paragraph_column_everywhere(model, hostile, page):
    """Item 6: one convention, 0-based: the report, the Jupyter view and summarize show the
    ``paragraph`` column's number."""
    for html in (page, hostile._repr_html_()):
        tree = parse(html)
        articles = find(tree.root, "article", "para")
        shown = [find(a, "span", "num")[0]["text"] for a in articles]
        assert shown == [f"¶{n}" for n in hostile["paragraph"]]
    summary = policyml.summarize(hostile)
    cards = find(parse(page).root, "li", "card")
    for card in cards:
        category = card["attrs"]["data-category"]
        jump = find(card, "a", "jump")
        if summary.loc[category, "present"]:
            assert f"¶{summary.loc[category, 'paragraph']} " in jump[0]["text"]


def test_badges_show_the_threshold(model, hostile, page):
    """Item 17: "collection 45%" is read with its threshold, without hovering."""
    from policyml.display import percent

    thresholds = dict(zip(model.categories, model.thresholds, strict=True))
    chips = find(parse(page).root, "span", "chip")
    assert chips
    for chip in chips:
        category = chip["text"].split()[0]
        assert chip["text"].endswith(f" / labelled at ≥ {percent(thresholds[category])}")
    # a card of a category found nowhere shows its threshold too
    absent = render_report("We are a bakery in Leeds.", model=model, fmt="text")
    cards = find(parse(absent).root, "li", "absent")
    assert cards and all("labelled at ≥" in card["text"] for card in cards)
    # the Jupyter view knows no thresholds: plain badges
    assert "labelled at" not in hostile._repr_html_()


def test_unlabelled_paragraphs_fold_into_runs(model, hostile, page):
    """Item 18: runs of unlabelled paragraphs are one compact, expandable line each; every
    paragraph keeps its anchor."""
    tree = parse(page)
    runs = unlabelled_runs(hostile)
    assert runs
    quiet = find(tree.root, "details", "quiet")
    assert len(quiet) == len(runs)
    for element, run in zip(quiet, runs, strict=True):
        inside = find(element, "article", "para")
        assert [a["attrs"]["id"] for a in inside] == [f"p{i}" for i in run]
        assert all(set(a["attrs"]["class"].split()) == {"para", "none"} for a in inside)
        summary = find(element, "summary")[0]["text"]
        expected = f"¶{run[0]}–¶{run[-1]}" if len(run) > 1 else f"¶{run[0]}"
        assert summary.startswith(expected)
        assert "open" not in element["attrs"]  # collapsed
    labelled = [a for q in quiet for a in find(q, "article", "para") if a["attrs"]["data-labels"]]
    assert labelled == []
    # the policy map still links every paragraph, folded or not
    links = [a["attrs"]["href"] for a in find(find(tree.root, "nav", "map")[0], "a")]
    assert links == [f"#p{i}" for i in range(len(hostile))]


def test_a_long_run_is_one_line(model):
    filler = "\n\n".join(f"Paragraph {i} is about nothing in particular." for i in range(30))
    policy = f"# Policy\n\n{filler}\n\nWe use cookies to count visits.\n"
    result = policyml.classify(policy, model=model)
    assert sum(1 for labels in result["labels"] if not labels) >= 25
    tree = parse(render_report(result, model=model))
    assert len(find(tree.root, "details", "quiet")) == len(unlabelled_runs(result))
    assert len(find(tree.root, "details", "quiet")) <= 2
