"""The five practice categories: names, order and one-line meanings (imports nothing)."""

from __future__ import annotations

__all__ = ["CATEGORIES", "CATEGORY_DESCRIPTIONS"]

#: The five practice categories predicted by the bundled model, in model order.
CATEGORIES: tuple[str, ...] = ("collection", "sharing", "cookies", "children", "security")

#: One-line meaning of each category.
CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "collection": "First-party collection and use of personal information",
    "sharing": "Sharing with or collection by third parties",
    "cookies": "Cookies, tracking technologies and Do Not Track",
    "children": "Practices about children and minors",
    "security": "How the data is protected",
}
