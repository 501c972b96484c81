"""Page furniture is left out of a web page's paragraphs by default, and kept on request.

Each test is a small page written for policyml: a privacy policy inside the usual frame of a
site (a header with navigation, a footer) and one more kind of furniture that crawled pages have
(menus, link lists, share buttons, cookie banners, repeated blocks, tables of contents,
headlines and ads). The policy's paragraphs must
all come back, the furniture must not (``content="policy"``), and ``content="all"`` returns
both, the furniture flagged.
"""

from __future__ import annotations

import pytest

import policyml
from policyml.preprocess import split_paragraphs

POLICY = [
    ("h1", "Privacy Policy of Lumen Gardens"),
    (
        "p",
        "This privacy policy explains how Lumen Gardens collects, uses and shares personal"
        " information when you visit our website or order seeds from our online shop.",
    ),
    ("h2", "Information we collect"),
    (
        "p",
        "We collect the name, postal address and email address you give us when you place"
        " an order, and the payment details our payment processor needs to charge you.",
    ),
    (
        "p",
        "When you browse the shop we record your IP address, browser type and the pages you"
        " view, so that we can keep the site working and understand how it is used.",
    ),
    ("h2", "How we share information"),
    (
        "p",
        "We share your address with the courier that delivers your parcel and your payment"
        " details with our payment processor. We never sell your personal information.",
    ),
    ("h2", "Cookies"),
    (
        "p",
        "We use cookies to keep your shopping basket between visits and to count visitors."
        " You can refuse cookies in your browser settings; the basket then will not work.",
    ),
    ("h2", "Children"),
    (
        "p",
        "Our shop is not directed to children under 13 and we do not knowingly collect"
        " personal information from them.",
    ),
    ("h2", "Security"),
    (
        "p",
        "We protect your information with encryption in transit and at rest, and only staff"
        " who handle your order can see it.",
    ),
    ("h2", "Contact"),
    (
        "p",
        "If you have questions about this policy, write to privacy@lumen-gardens.example or"
        " to Lumen Gardens, 12 Orchard Lane, Springfield.",
    ),
]
POLICY_TEXTS = [text for tag, text in POLICY if tag == "p"]


def page(before: str = "", after: str = "", inside: str = "") -> str:
    body = "".join(f"<{tag}>{text}</{tag}>" for tag, text in POLICY)
    return (
        "<!DOCTYPE html><html><head><title>Privacy</title></head><body>"
        f"{NAV}{before}<main><article>{body}{inside}</article></main>{after}{FOOTER}"
        "</body></html>"
    )


NAV = (
    '<header class="site-header"><a href="/">Lumen Gardens</a><nav class="main-nav"><ul>'
    + "".join(
        f'<li><a href="/{w.lower()}">{w}</a></li>'
        for w in ("Seeds", "Bulbs", "Tools", "Gift cards", "Blog", "About us")
    )
    + "</ul></nav></header>"
)
MENU = (
    '<div class="dropdown-menu"><ul>'
    + "".join(
        f'<li><a href="/c/{i}">{w}</a></li>'
        for i, w in enumerate(("Tomatoes", "Peppers", "Herbs", "Flowers", "Sale", "New arrivals"))
    )
    + "</ul></div>"
)
FOOTER = (
    '<footer class="site-footer"><p>© 2026 Lumen Gardens Ltd. All rights reserved.</p>'
    '<p><a href="/terms">Terms</a> | <a href="/privacy">Privacy</a> | <a href="/contact">'
    "Contact</a> | <a href='/sitemap'>Sitemap</a></p></footer>"
)
LINK_LIST = (
    '<div class="related-links"><h3>Popular pages</h3><ul>'
    + "".join(
        f'<li><a href="/p/{i}">{w}</a></li>'
        for i, w in enumerate(
            (
                "Planting calendar",
                "Growing tomatoes indoors",
                "Best herbs for shade",
                "Composting basics",
                "Watering guide",
            )
        )
    )
    + "</ul></div>"
)
SHARE = (
    '<div class="social-share"><a href="https://x.example/share">Tweet</a>'
    '<a href="https://fb.example/share">Share</a><a href="mailto:?body=x">Email</a>'
    '<a href="https://pin.example">Pin it</a></div>'
)
COOKIE_BANNER = (
    '<div id="cookie-consent-banner" class="cookie-banner"><p>This site uses cookies.'
    ' <a href="/cookies">Learn more</a></p><button>Accept all</button>'
    "<button>Reject</button><button>Cookie settings</button></div>"
)
TOC = (
    '<nav class="toc"><ol>'
    + "".join(
        f'<li><a href="#s{i}">{t}</a></li>'
        for i, t in enumerate(
            (
                "Information we collect",
                "How we share information",
                "Cookies",
                "Children",
                "Security",
                "Contact",
            )
        )
    )
    + "</ol></nav>"
)
BACK_TO_TOP = '<p class="back-to-top"><a href="#top">Back to top</a></p>'
HEADLINES = (
    '<aside class="sidebar"><h3>Latest news</h3>'
    + "".join(
        f'<div class="teaser"><a href="/news/{i}">{t}</a><span>2 hours ago</span></div>'
        for i, t in enumerate(
            (
                "Heatwave hits the valley orchards",
                "Council approves new allotments",
                "Record pumpkin weighs in at the fair",
            )
        )
    )
    + '<div class="advert">Advertisement</div><div class="ad-slot">Buy two bags of compost,'
    " get one free</div></aside>"
)

FURNITURE = {
    "navigation and footer": ("", "", ""),  # the frame every page has
    "menus": (MENU, "", ""),
    "link list": ("", LINK_LIST, ""),
    "share buttons": ("", "", SHARE),
    "cookie banner": (COOKIE_BANNER, "", ""),
    "table of contents": ("", "", ""),  # set below: before the policy's first section
    "repeated blocks": ("", "", ""),  # set below: "Back to top" after every section
    "headlines and ads": ("", HEADLINES, ""),
}


def furniture_page(kind: str) -> tuple[str, str]:
    """A page with one kind of furniture, and the furniture's own markup."""
    before, after, inside = FURNITURE[kind]
    if kind == "table of contents":
        doc = page().replace("<h2>Information we collect", TOC + "<h2>Information we collect")
        return doc, NAV + TOC + FOOTER
    if kind == "repeated blocks":
        doc = page().replace("<h2>", BACK_TO_TOP + "<h2>")
        return doc, NAV + BACK_TO_TOP + FOOTER
    return page(before, after, inside), NAV + before + after + inside + FOOTER


def _texts(markup: str) -> list[str]:
    return [p.text for p in split_paragraphs(markup, "html", content="all")]


@pytest.mark.parametrize("kind", list(FURNITURE))
def test_furniture_is_left_out_and_the_policy_kept(kind: str) -> None:
    doc, furniture = furniture_page(kind)
    policy = split_paragraphs(doc)
    texts = [p.text for p in policy]
    assert texts == POLICY_TEXTS, kind
    furniture_words = {w for t in _texts(furniture) for w in t.split()} - {
        w for _, t in POLICY for w in t.split()
    }
    assert furniture_words  # the test means something
    returned = {w for p in policy for w in p.text.split()} | {
        w for p in policy if p.heading for w in p.heading.split()
    }
    assert not furniture_words & returned, kind


@pytest.mark.parametrize("kind", list(FURNITURE))
def test_content_all_keeps_the_furniture_flagged(kind: str) -> None:
    doc, furniture = furniture_page(kind)
    every = split_paragraphs(doc, content="all")
    assert [p.text for p in every if not p.boilerplate] == POLICY_TEXTS
    flagged = " ".join(p.text for p in every if p.boilerplate)
    for text in _texts(furniture):
        for word in text.split():
            if not any(word in t for _, t in POLICY):
                assert word in flagged or any(word in (p.heading or "") for p in every), word
    for p in every:
        assert doc[p.start : p.end]  # offsets into the page, furniture included


def test_headings_never_come_from_furniture() -> None:
    doc = page(before=HEADLINES.replace("aside", "div"))
    headings = {p.heading for p in split_paragraphs(doc)}
    assert not any("Heatwave" in (h or "") or "news" in (h or "").lower() for h in headings)
    assert "Cookies" in headings


def test_html_fragment_without_page_structure_is_left_whole() -> None:
    assert [p.text for p in split_paragraphs("<p>We do not sell data.</p>")] == [
        "We do not sell data."
    ]
    fragment = "<h2>Sharing</h2><p>We do not sell data.<br>Ever.</p>"
    assert [p.text for p in split_paragraphs(fragment)] == ["We do not sell data.", "Ever."]


def test_plain_text_and_markdown_are_left_whole() -> None:
    doc = "Home | Shop | Blog\n\nWe collect your email address.\n\n© 2026 Example"
    for fmt in ("text", "markdown"):
        policy, every = split_paragraphs(doc, fmt), split_paragraphs(doc, fmt, content="all")
        assert policy == every
        assert [p.text for p in policy] == ["We collect your email address.", "© 2026 Example"]
        assert not any(p.boilerplate for p in every)


def test_classify_and_the_report_follow_content() -> None:
    doc, _ = furniture_page("menus")
    result = policyml.classify(doc)
    assert "boilerplate" not in result.columns
    assert result["text"].tolist() == POLICY_TEXTS
    every = policyml.classify(doc, content="all")
    assert every["boilerplate"].dtype == bool and every["boilerplate"].any()
    assert every.loc[~every["boilerplate"], "text"].tolist() == POLICY_TEXTS
    with pytest.raises(policyml.InvalidInputError, match="content must be one of"):
        policyml.classify(doc, content="everything")


def test_classify_many_follows_content(tmp_path) -> None:
    doc, _ = furniture_page("menus")
    pages = {"menus": doc, "banner": furniture_page("cookie banner")[0]}
    policy = policyml.classify_many(pages)
    assert "boilerplate" not in policy.columns
    every = policyml.classify_many(pages, content="all")
    assert every["boilerplate"].dtype == bool
    for name, page_doc in pages.items():
        one = policyml.classify(page_doc, content="all")
        rows = every[every["policy"] == name]
        assert rows["text"].tolist() == one["text"].tolist()
        assert rows["boilerplate"].tolist() == one["boilerplate"].tolist()
    assert every.loc[~every["boilerplate"], "text"].tolist() == policy["text"].tolist()
    streamed = list(policyml.batch.iter_classify(pages, content="all", batch_size=1))
    assert all(frame["boilerplate"].any() for frame in streamed)
    with pytest.raises(policyml.InvalidInputError, match="content must be one of"):
        policyml.classify_many(pages, content="page")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_an_output_file_keeps_the_flags_and_resumes_only_the_same_content(
    tmp_path, suffix: str
) -> None:
    import pandas as pd

    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    pages = {f"p{i}": furniture_page(kind)[0] for i, kind in enumerate(FURNITURE)}
    out = tmp_path / f"out{suffix}"
    summary = policyml.classify_many(pages, content="all", output=out)
    expected = policyml.classify_many(pages, content="all")
    assert summary.n_rows == len(expected)
    if suffix == ".jsonl":
        written = pd.read_json(out, lines=True)
    elif suffix == ".csv":
        written = pd.read_csv(out)
    else:
        written = pd.read_parquet(out)
    assert written["boilerplate"].dtype == bool
    assert written["boilerplate"].tolist() == expected["boilerplate"].tolist()
    # the same output asked for with the other content: refused, not mixed
    with pytest.raises(policyml.OutputError):
        policyml.classify_many(pages, content="policy", output=out)


def test_cli_content_all(tmp_path) -> None:
    from _cli import run_in_process

    doc, _ = furniture_page("menus")
    page_file = tmp_path / "page.html"
    page_file.write_text(doc, encoding="utf-8")
    policy = run_in_process("classify", str(page_file), "--format", "json")
    every = run_in_process("classify", str(page_file), "--format", "json", "--content", "all")
    assert policy.returncode == 0 and every.returncode == 0, every.stderr
    import json

    rows = json.loads(every.stdout)
    assert any(row["boilerplate"] for row in rows)
    assert [r["text"] for r in rows if not r["boilerplate"]] == [
        r["text"] for r in json.loads(policy.stdout)
    ]
    out = tmp_path / "all.csv"
    run = run_in_process("classify", str(page_file), "-o", str(out), "--content", "all")
    assert run.returncode == 0, run.stderr
    assert "boilerplate" in out.read_text(encoding="utf-8").splitlines()[0].split(",")
    bad = run_in_process("classify", str(page_file), "--content", "page")
    assert bad.returncode != 0 and b"--content" in bad.stderr
