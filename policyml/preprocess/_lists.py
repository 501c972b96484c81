"""Lists and their lead-ins: which paragraph introduces the items that follow it.

"We collect your information for the following purposes:" is followed by items such as
"Verify your identity to prevent fraud;" that say little alone. An item is read in the light of
its lead-in (a feature, like the heading), so each item records the lead-in's text.

A lead-in is a paragraph that ends with a colon ("…such as:", "This means:"). Its items are
the units after it that are bulleted or numbered (Markdown/plain-text bullets, HTML ``<li>``),
or, in a list without any bullets, short units (at most :data:`MAX_PLAIN_ITEM_CHARS`): the first
unit after the lead-in; then units ending with ``;`` or ``,`` (or "; and" / "; or") or without
final punctuation; the unit after such an item (the last item, "…; and the last one.", which
closes the list); and, after items ending with a period, units of about their length (at most
1.5 times the longest item so far). The list ends at the first other unit, at a heading, or at
a new lead-in.
"""

from __future__ import annotations

from collections.abc import Sequence

from policyml.preprocess._lines import CLOSERS, Unit

#: Longest unbulleted unit that can be a list item (longer ones are paragraphs of their own).
MAX_PLAIN_ITEM_CHARS = 300

_ITEM_ENDINGS = (";", ",", "; and", "; or", ", and", ", or")


def _ending(text: str) -> str:
    return text.rstrip().rstrip(CLOSERS)


def is_lead_in(unit: Unit) -> bool:
    """Whether ``unit`` introduces a list: it ends with a colon."""
    return _ending(unit.text).endswith(":")


def _is_marked_item(unit: Unit) -> bool:
    line = unit.lines[0]
    return line.bullet or line.enum


def _continues(unit: Unit, items: list[str]) -> bool:
    """Whether an unbulleted ``unit`` continues a list whose items so far are ``items``."""
    text = _ending(unit.text)
    if len(text) > MAX_PLAIN_ITEM_CHARS or not text:
        return False
    if not items:
        return True  # what a colon introduces
    if text.endswith(_ITEM_ENDINGS) or text[-1] not in ".!?":
        return True
    last = _ending(items[-1])
    if last.endswith(_ITEM_ENDINGS) or last[-1] not in ".!?":
        return True  # "…; and the last item."
    if len(items) > 1 and _ending(items[-2]).endswith(_ITEM_ENDINGS):
        return False  # that was the last item
    return len(text) <= 1.5 * max(len(item) for item in items)


def lead_ins(units: Sequence[Unit], headings: Sequence[bool]) -> list[str | None]:
    """For each unit, the text of the lead-in whose list it belongs to, or None.

    ``headings[i]`` tells whether unit ``i`` is a section heading (a heading ends any list).

    Examples
    --------
    >>> from policyml.preprocess._lines import Line, Unit
    >>> def unit(text):
    ...     return Unit([Line([(text, 0, len(text), True)], text, 0, len(text))])
    >>> texts = ["We use your data to:", "- bill you;", "- ship orders.", "We keep logs."]
    >>> lead_ins([unit(t) for t in texts], [False] * 4)
    [None, 'We use your data to:', 'We use your data to:', None]
    """
    out: list[str | None] = []
    lead: str | None = None
    items: list[str] = []  # unbulleted items of the current list so far
    marked = False  # the list has bulleted or numbered items: unbulleted units end it
    for unit, heading in zip(units, headings, strict=True):
        if heading:
            lead = None
            out.append(None)
            continue
        if lead is not None and not (is_lead_in(unit) and not _is_marked_item(unit)):
            if _is_marked_item(unit):
                out.append(lead)
                marked = True
                if is_lead_in(unit):  # "Information you give us:" with items of its own
                    lead, items, marked = unit.text, [], False
                continue
            if not marked and _continues(unit, items):
                out.append(lead)
                items.append(unit.text)
                continue
        out.append(None)
        lead, items, marked = (unit.text if is_lead_in(unit) else None), [], False
    return out
