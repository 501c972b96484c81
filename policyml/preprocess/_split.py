"""``split_paragraphs``: a policy in, its paragraphs with headings and source offsets out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policyml.exceptions import InvalidInputError
from policyml.preprocess._boilerplate import default_model as boilerplate_model
from policyml.preprocess._boilerplate import looks_like_page
from policyml.preprocess._detect import detect_format
from policyml.preprocess._headings import is_heading
from policyml.preprocess._html import html_units
from policyml.preprocess._limits import check_input_size, check_markup_size
from policyml.preprocess._lines import HAS_WORD_RE, Unit
from policyml.preprocess._lists import lead_ins
from policyml.preprocess._long import split_long
from policyml.preprocess._markdown import markdown_units
from policyml.preprocess._text import text_units
from policyml.preprocess._unicode import clean_text, decode_bytes

#: Accepted values of the ``fmt`` argument of :func:`split_paragraphs`.
FORMATS = ("auto", "text", "markdown", "html")

#: Accepted values of the ``content`` argument: the policy's own text, or the whole page.
CONTENTS = ("policy", "all")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a policy.

    Attributes
    ----------
    index : int
        0-based position in the list returned by :func:`split_paragraphs`.
    text : str
        Normalised paragraph text: markup removed, Unicode normalised, whitespace collapsed.
    start, end : int
        Character offsets into the *original* input string; ``source[start:end]`` is the
        source (including any inline markup) this paragraph was produced from.
    heading : str or None
        Normalised text of the nearest preceding section heading, or ``None``.
    lead_in : str or None
        For an item of a list, the text of the paragraph that introduces the list ("We use
        your information to:"); for a cell of an HTML table, its column's header ("Sold to
        third parties?"); otherwise ``None``.
    boilerplate : bool
        Page furniture around the policy (menus, footers, cookie banners, other content of
        the page), returned only with ``content="all"``.
    """

    index: int
    text: str
    start: int
    end: int
    heading: str | None
    lead_in: str | None = None
    boilerplate: bool = False


_HEADING_CHAIN_MAX_PARTS = 3
_HEADING_CHAIN_MAX_CHARS = 200


def _list_paragraphs(items: list[Any] | tuple[Any, ...]) -> list[Paragraph]:
    """One paragraph per item of an already-split policy (see :func:`split_paragraphs`)."""
    paragraphs = []
    for i, item in enumerate(items):
        if isinstance(item, bytes | bytearray | memoryview):
            item = decode_bytes(item)
        if not isinstance(item, str):
            raise InvalidInputError(
                f"paragraph {i} of the list is {type(item).__name__}, expected str or bytes"
            )
        # every item stays a row, so row i is item i (an empty item gets no labels)
        paragraphs.append(Paragraph(i, clean_text(item), 0, len(item), None))
    return paragraphs


def split_paragraphs(
    text: str | bytes | list[str | bytes] | tuple[str | bytes, ...],
    fmt: str = "auto",
    *,
    content: str = "policy",
    max_chars: int = 1500,
    max_input_chars: int | None = None,
    max_input_lines: int | None = None,
) -> list[Paragraph]:
    """Split a privacy policy into normalised paragraphs with headings and source offsets.

    Parameters
    ----------
    text : str, bytes, or list of str/bytes
        The policy. Bytes are decoded with :func:`decode_bytes` first, and offsets then refer
        to the decoded string. A list (or tuple) is taken as already-split paragraphs: item
        ``i`` becomes paragraph ``i`` (normalised, whitespace collapsed, no heading, offsets
        within the item), even when empty.
    fmt : {"auto", "text", "markdown", "html"}, default "auto"
        Input format; ``"auto"`` uses :func:`detect_format`. Plain text may have one paragraph
        per line or blank-line separated (possibly hard-wrapped) paragraphs.
    content : {"policy", "all"}, default "policy"
        ``"policy"``: of an HTML page, only the policy's own text; page furniture (navigation,
        menus, headers and footers, link lists, share buttons, cookie banners, tables of
        contents that only link to sections, repeated blocks, headlines, other documents such
        as terms of use) is left out, and never becomes a heading. ``"all"``: every paragraph
        of the page as if nothing were furniture (headings and lead-ins found on the whole
        page), furniture flagged ``boilerplate=True``. Plain text, Markdown and HTML
        without page structure (no ``<nav>``, ``<header>``, ``<footer>``, ``<aside>``,
        ``<form>`` or element named like furniture) are taken as policy text whole.
    max_chars : int, default 1500
        Paragraphs longer than this are cut at sentence boundaries (or, for a single
        over-long sentence, at whitespace). A single token longer than ``max_chars`` is kept
        whole.
    max_input_chars : int, optional
        Refuse a policy longer than this many characters. Default: :data:`MAX_INPUT_CHARS`
        (read at call time; ``None`` there means no limit).
    max_input_lines : int, optional
        Refuse a policy with more lines than this (an HTML page: lines, tags and character
        references together). Default: :data:`MAX_INPUT_LINES`.

    Returns
    -------
    list of Paragraph
        In document order, with non-decreasing ``start``. Short title lines ("6. Cookies",
        "PRIVACY POLICY", "What do we collect?", ``<h2>``, bold-only lines, Markdown headings)
        are not returned as paragraphs but become the ``heading`` of the paragraphs that follow;
        consecutive headings are joined with ``" / "``. A heading with nothing after it is
        returned as a paragraph. An item of a list introduced by a paragraph ending in a colon
        ("…for the following purposes:") has that paragraph's text as its ``lead_in``. Blank
        input gives ``[]``.

    Raises
    ------
    InvalidInputError
        If ``text`` is not str/bytes (or a list of them), ``fmt`` is not one of
        :data:`FORMATS`, ``content`` not one of :data:`CONTENTS`, ``max_chars`` is not a
        positive integer, or the policy is over
        ``max_input_chars`` characters or ``max_input_lines`` lines.
    ModelLoadError
        If a paragraph needs splitting and the packaged Punkt parameters are unusable.

    Notes
    -----
    Headings are Markdown ATX/setext headings and HTML ``h1``-``h6`` (up to 200 characters),
    HTML/Markdown lines that are entirely bold (up to 20 words, not ending in ``,``/``;``),
    and single short lines (at most 120 characters, no final ``.``, ``,``, ``;`` or ``!``, no
    URL or e-mail) that are followed by another unit and are

    * numbered or lettered ("6. Cookies", "E. COOKIES", "(a) Scope") -- unless the next line
      has the same numbering style, which makes both list items;
    * ALL CAPS or Title Case (a trailing ``:`` is allowed for these two);
    * a question of at most 25 words followed by a longer text; or
    * at most 8 words not ending in a function word ("Our promise") and followed by a text at
      least 1.5 times as long.

    Bulleted lines and HTML ``<li>`` and link-only lines are never headings by these rules.

    Examples
    --------
    >>> doc = "1. Cookies\\nWe use cookies to keep you signed in.\\nYou can block them."
    >>> for p in split_paragraphs(doc):
    ...     print(p.index, p.heading, "|", p.text, doc[p.start:p.end] == p.text)
    0 1. Cookies | We use cookies to keep you signed in. True
    1 1. Cookies | You can block them. True
    >>> [p.text for p in split_paragraphs("<h2>Sharing</h2><p>We do not sell data.<br>Ever.")]
    ['We do not sell data.', 'Ever.']
    """
    if isinstance(text, list | tuple):
        return _list_paragraphs(text)
    if isinstance(text, bytes | bytearray | memoryview):
        text = decode_bytes(text)
    elif not isinstance(text, str):
        raise InvalidInputError(
            f"text must be str, bytes or a list of them, got {type(text).__name__}"
        )
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise InvalidInputError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if content not in CONTENTS:
        raise InvalidInputError(f"content must be one of {', '.join(CONTENTS)}; got {content!r}")
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise InvalidInputError(f"max_chars must be a positive int, got {max_chars!r}")
    check_input_size(text, max_input_chars=max_input_chars, max_input_lines=max_input_lines)
    if not text or text.isspace():
        return []
    if fmt == "auto":
        fmt = detect_format(text)
    if fmt == "html":
        check_markup_size(text, max_input_lines=max_input_lines)
        units = html_units(text)
    elif fmt == "markdown":
        units = markdown_units(text)
    else:
        units = text_units(text)
    units = [u for u in units if HAS_WORD_RE.search(u.text)]
    furniture = [False] * len(units)
    # plain text, Markdown and HTML fragments without page structure are the policy's own text
    if fmt == "html" and looks_like_page(units):
        furniture = boilerplate_model().furniture(units)
    if content == "policy":
        units = [u for u, drop in zip(units, furniture, strict=True) if not drop]
        furniture = [False] * len(units)

    out: list[Paragraph] = []
    following = [*units[1:], None] if units else []
    flags = [is_heading(unit, nxt) for unit, nxt in zip(units, following, strict=True)]
    # a table cell is read in the light of its column's header, as a list item of its lead-in
    leads = [
        lead if lead is not None else unit.lines[0].column
        for lead, unit in zip(lead_ins(units, flags), units, strict=True)
    ]
    is_furniture = {id(u) for u, drop in zip(units, furniture, strict=True) if drop}

    def emit(unit: Unit, heading: str | None, lead: str | None = None) -> None:
        chrome = id(unit) in is_furniture
        if len(unit.text) <= max_chars:
            out.append(Paragraph(len(out), unit.text, unit.start, unit.end, heading, lead, chrome))
            return
        for piece, start, end in split_long(unit, text, max_chars):
            out.append(Paragraph(len(out), piece, start, end, heading, lead, chrome))

    heading: str | None = None
    pending: list[Unit] = []
    for unit, is_head, lead in zip(units, flags, leads, strict=True):
        if is_head:
            if pending and (
                len(pending) >= _HEADING_CHAIN_MAX_PARTS
                or sum(len(u.text) + 3 for u in pending) + len(unit.text) > _HEADING_CHAIN_MAX_CHARS
            ):
                for head in pending:  # too many stacked titles: keep them as paragraphs
                    emit(head, heading)
                pending = []
            pending.append(unit)
            continue
        if pending:
            heading = " / ".join(u.text for u in pending)
            pending = []
        emit(unit, heading, lead)
    for head in pending:  # headings with no paragraph after them
        emit(head, heading)
    return out
