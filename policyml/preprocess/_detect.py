"""Guess a policy's format: HTML, Markdown or plain text."""

from __future__ import annotations

import re

from policyml.exceptions import InvalidInputError

_HTML_START_RE = re.compile(r"<(?:!doctype\s+html|html[\s>]|\?xml|head[\s>]|body[\s>]|!--)", re.I)
_HTML_TAG_RE = re.compile(
    r"</?(?:p|div|br|span|a|li|ul|ol|table|tr|td|th|h[1-6]|b|strong|em|i|u|body|html|head|"
    r"section|article|script|style|meta|link|font|center|img|nav|header|footer|form)\b[^<>]*>",
    re.I,
)
_MD_FEATURES = (
    ("atx", re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M), 2),
    ("fence", re.compile(r"^ {0,3}(?:```|~~~)", re.M), 2),
    ("link", re.compile(r"!?\[[^\]\n]+\]\([^)\s]+\)"), 2),
    ("table", re.compile(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*\|", re.M), 2),
    ("escape", re.compile(r"\\[.\-*#_\[\]()!+`]"), 1),
    ("bold", re.compile(r"(?<!\w)\*\*[^*\n]+\*\*(?!\w)"), 1),
    ("quote", re.compile(r"^ {0,3}>[ \t]", re.M), 1),
)
_DETECT_SAMPLE = 200_000


def detect_format(text: str) -> str:
    """Guess whether ``text`` is HTML, Markdown or plain text.

    Parameters
    ----------
    text : str
        The document (only its first 200,000 characters are inspected).

    Returns
    -------
    str
        ``"html"``, ``"markdown"`` or ``"text"``.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> detect_format("<p>We use cookies.</p><p>We never sell data.</p><br>")
    'html'
    >>> detect_format("# Privacy\\n\\nSee [our terms](https://example.org).")
    'markdown'
    >>> detect_format("## Cookies\\n\\nWe use cookies.")
    'markdown'
    >>> detect_format("We use cookies.\\nWe never sell data.")
    'text'
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be str, got {type(text).__name__}")
    sample = text[:_DETECT_SAMPLE]
    head = sample.lstrip("\ufeff \t\r\n")
    if _HTML_START_RE.match(head):
        return "html"
    n_tags = sum(1 for _ in _HTML_TAG_RE.finditer(sample))
    md_score = 0
    kinds = 0
    atx = False
    for name, rx, weight in _MD_FEATURES:
        count = sum(1 for _ in rx.finditer(sample))
        if count:
            kinds += 1
            md_score += weight * min(count, 10)
            atx = atx or name == "atx"
    if n_tags > md_score and (n_tags >= 3 or (n_tags >= 1 and head.startswith("<"))):
        return "html"
    if md_score >= 3 and (kinds >= 2 or atx):
        return "markdown"
    if _MD_FEATURES[0][1].match(head):  # the document opens with an ATX heading ("# Privacy")
        return "markdown"
    return "text"
