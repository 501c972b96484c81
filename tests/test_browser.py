"""Render ``policyml report``'s page in headless Chromium: screenshot it and check the DOM.

Needs Debian's ``chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs it). Without
it the test skips, except under ``CI`` where it fails. Set ``POLICYML_SCREENSHOTS=DIR`` to keep
the screenshots.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import policyml
from policyml.datasets import load_example_policy
from policyml.display import category_colors
from policyml.model import default_model
from policyml.report import write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

POLICY = (
    load_example_policy()
    + "\n\n## Extras &lt;img src=x onerror=\"document.documentElement.dataset.pwned='1'\"&gt;\n\n"
    "We never run &lt;script&gt;document.documentElement.dataset.pwned='1'&lt;/script&gt; in"
    " your browser, and we do not sell your personal information to advertisers.\n"
)


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    reason = "headless Chromium not found (install it: apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser test")
    pytest.skip(reason)


def run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


class Dom(HTMLParser):
    """Elements of the DOM Chromium serialised after loading the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def having(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


@pytest.fixture(scope="module")
def rendered(chromium, tmp_path_factory):
    """The report of a policy with hostile text; its DOM after load and screenshots."""
    folder = tmp_path_factory.mktemp("browser")
    model = default_model()
    result = policyml.classify(POLICY, model=model)
    page = write_report(result, folder / "report.html", model=model)
    url = page.resolve().as_uri()
    profile = folder / "profile"
    shots = {name: folder / f"report-{name}.png" for name in ("phone", "desktop")}
    phone = ("--window-size=412,2600", f"--screenshot={shots['phone']}", "--dump-dom")
    dom = run_chromium(chromium, profile, *phone, url).stdout.decode("utf-8")
    desktop = ("--window-size=1280,1600", f"--screenshot={shots['desktop']}")
    run_chromium(chromium, profile, *desktop, url)
    # a link to a paragraph folded into a run of unlabelled ones opens the run
    folded = next(i for i, labels in enumerate(result["labels"]) if not labels)
    linked = run_chromium(chromium, profile, "--dump-dom", f"{url}#p{folded}").stdout
    keep = os.environ.get("POLICYML_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots.values():
            shutil.copy(shot, Path(keep) / shot.name)
    parsed = Dom()
    parsed.feed(dom)
    opened = Dom()
    opened.feed(linked.decode("utf-8"))
    return result, parsed, shots, (folded, opened)


def test_dom_after_load(rendered):
    result, dom, _, _ = rendered
    # the summary, with a card per category
    assert next(a["id"] for t, a in dom.elements if t == "section") == "summary"
    cards = dom.having("li", "card")
    assert [c["data-category"] for c in cards] == list(policyml.CATEGORIES)
    # every paragraph, highlighted by its labels
    paragraphs = dom.having("article", "para")
    assert len(paragraphs) == len(result)
    for article, labels in zip(paragraphs, result["labels"], strict=True):
        classes = set(article["class"].split())
        if labels:
            assert classes == {"para"} | {f"cat-{c}" for c in labels}
            assert "--c:" in article["style"]  # coloured
        else:
            assert classes == {"para", "none"}
    assert sum(1 for labels in result["labels"] if "children" in labels) == len(
        dom.having("article", "cat-children")
    )
    # the hostile text is shown as text, and nothing ran
    tags = {t for t, _ in dom.elements}
    assert "script" not in tags and "img" not in tags
    text = "".join(dom.text)
    assert "<script>document.documentElement.dataset.pwned='1'</script>" in text
    assert "<img src=x onerror=" in text
    html_element = next(a for t, a in dom.elements if t == "html")
    assert "data-pwned" not in html_element
    assert "Privacy Policy of Lantern Notes" in text


def test_screenshots_show_the_highlights(rendered):
    from PIL import Image

    _, _, shots, _ = rendered
    for name, shot in shots.items():
        image = Image.open(shot).convert("RGB")
        assert image.width in (412, 1280), name
        colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 24)}
        assert len(colours) > 200, f"{name} screenshot looks blank"
        # the category colours are on screen (card borders, chips, map)
        for category, hex_colour in category_colors(list(policyml.CATEGORIES)).items():
            rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
            assert any(
                all(abs(a - b) <= 6 for a, b in zip(pixel, rgb, strict=True)) for pixel in colours
            ), f"{category} colour not visible in the {name} screenshot"


def test_folded_paragraphs_stay_reachable(rendered):
    """Unlabelled paragraphs are folded (collapsed ``<details class="quiet">``); following a
    link to one opens its fold."""
    _, dom, _, (folded, opened) = rendered
    runs = dom.having("details", "quiet")
    assert runs and all("open" not in run for run in runs)
    target = next(
        attrs
        for tag, attrs in opened.elements
        if tag == "details"
        and "quiet" in attrs.get("class", "").split()
        and int(attrs["data-first"]) <= folded < int(attrs["data-first"]) + int(attrs["data-count"])
    )
    assert "open" in target
    chips = dom.having("span", "chip")
    assert chips and len(dom.having("span", "thr")) == len(chips)  # thresholds on the badges
