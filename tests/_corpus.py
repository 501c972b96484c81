"""Generated policy corpora for the long-run tests: invented sentences, several formats."""

from __future__ import annotations

import random
from pathlib import Path

_SUBJECTS = ["We", "Our partners", "Advertisers", "Our app", "This site", "Service providers"]
_VERBS = [
    "collect",
    "share",
    "store",
    "encrypt",
    "use cookies to track",
    "never sell",
    "may disclose",
    "delete on request",
]
_OBJECTS = [
    "your e-mail address",
    "your location",
    "device identifiers",
    "payment details",
    "data about children under 13",
    "browsing history",
    "your contacts",
    "usage statistics",
]
_ENDS = [
    "for analytics.",
    "with affiliates.",
    "to show ads.",
    "as the law requires.",
    "for 30 days.",
    "with TLS in transit.",
    "unless you opt out.",
    "e.g. to prevent fraud.",
]
_HEADINGS = ["Collection", "Sharing", "Cookies", "Children", "Security", "Your choices"]


def _sentence(rng: random.Random) -> str:
    return " ".join(
        [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS), rng.choice(_ENDS)]
    )


def _policy(rng: random.Random) -> tuple[str, str]:
    sections = []
    for heading in rng.sample(_HEADINGS, rng.randint(1, 4)):
        paragraphs = [
            " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
            for _ in range(rng.randint(1, 3))
        ]
        sections.append((heading, paragraphs))
    kind = rng.choice(["txt", "md", "html"])
    if kind == "html":
        body = "".join(f"<h2>{h}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for h, ps in sections)
        return kind, f"<html><body>{body}</body></html>"
    mark = "## " if kind == "md" else ""
    return kind, "\n\n".join(f"{mark}{h}\n\n" + "\n\n".join(ps) for h, ps in sections)


def write_corpus(root: Path, n: int, seed: int = 0) -> Path:
    """``n`` invented policies under ``root`` (text, Markdown, HTML; in sub-folders)."""
    rng = random.Random(seed)
    for i in range(n):
        kind, text = _policy(rng)
        path = root / f"part{i % 7}" / f"policy{i:04d}.{kind}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
