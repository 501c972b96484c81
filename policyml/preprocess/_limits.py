"""Size limits of one policy: refuse input that would take minutes instead of seconds."""

from __future__ import annotations

from policyml.exceptions import InvalidInputError

#: Default limit on the length of one policy, in characters (after decoding bytes), for
#: :func:`split_paragraphs` and :func:`policyml.classify`; ``None`` means no limit. Measured on
#: 2 cores: a 20 MB policy of ordinary paragraphs splits in 3-5 s; 20 M characters of
#: one-letter words in a single paragraph take 6 s and 350 MB for the whole process (see
#: docs/errors.md, "Memory", for other shapes). Longer input raises
#: :class:`~policyml.InvalidInputError` instead of running for minutes. Override per call with
#: ``max_input_chars=``.
MAX_INPUT_CHARS: int | None = 20_000_000

#: Default limit on the number of lines of one policy (of an HTML page: its lines, tags and
#: character references, which cost the parser memory as lines do); ``None`` means no limit.
#: Chosen so that any policy within the limits peaks under 500 MB (docs/errors.md, "Memory");
#: the largest of the 345 real policy pages we have holds 1,700 lines, 8,800 tags and 5,800
#: references. Override per call with ``max_input_lines=``.
MAX_INPUT_LINES: int | None = 200_000


def resolve_limit(value: int | None, default: int | None, name: str) -> int | None:
    """``value`` checked (a positive int), or ``default`` when it is None."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{name} must be a positive int or None, got {value!r}")
    return value


def _how_to_raise(keyword: str, value: int) -> str:
    """Where a user reads about a limit: help reachable from an installed package."""
    flag = "--" + keyword.replace("_", "-")
    return (
        f"{keyword}={value}; raise it with {keyword}=N, or {flag} N on the command line;"
        " see help(policyml.preprocess) or `policyml classify --help`"
    )


def check_input_size(
    text: str, *, max_input_chars: int | None = None, max_input_lines: int | None = None
) -> None:
    """Raise :class:`InvalidInputError` if ``text`` is over the size limits.

    Parameters
    ----------
    text : str
        The whole policy.
    max_input_chars, max_input_lines : int, optional
        Limits; default :data:`MAX_INPUT_CHARS` and :data:`MAX_INPUT_LINES` (``None`` there
        means no limit).

    Examples
    --------
    >>> check_input_size("a\\nb\\nc", max_input_lines=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyml.exceptions.InvalidInputError: policy has 3 lines, over the limit of 2 (...)
    """
    chars, lines = resolve_limits(max_input_chars, max_input_lines)
    if chars is not None and len(text) > chars:
        raise InvalidInputError(
            f"policy is {len(text):,} characters, over the limit of {chars:,}"
            f" ({_how_to_raise('max_input_chars', chars)})"
        )
    if lines is not None and len(text) > lines:
        n = _line_count(text)
        if n > lines:
            raise InvalidInputError(
                f"policy has {n:,} lines, over the limit of {lines:,}"
                f" ({_how_to_raise('max_input_lines', lines)})"
            )


def _line_count(text: str) -> int:
    """Lines of ``text``, ending at ``\n``, ``\r`` or ``\r\n``."""
    return 1 + text.count("\n") + text.count("\r") - text.count("\r\n")


def check_markup_size(html: str, *, max_input_lines: int | None = None) -> None:
    """Raise :class:`InvalidInputError` if the HTML page ``html`` has more lines, tags and
    character references together than the line limit (default :data:`MAX_INPUT_LINES`).

    Each tag and reference becomes parser state as a line does, so a page where every word
    has its own tag is bounded like a text where every word has its own line.

    Examples
    --------
    >>> check_markup_size("<p>a</p>" * 3, max_input_lines=5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyml.exceptions.InvalidInputError: HTML policy has 7 lines, tags and character ...
    """
    lines = resolve_limit(max_input_lines, MAX_INPUT_LINES, "max_input_lines")
    if lines is None or len(html) <= lines:
        return
    n = _line_count(html) + html.count("<") + html.count("&")
    if n > lines:
        raise InvalidInputError(
            f"HTML policy has {n:,} lines, tags and character references, over the limit of"
            f" {lines:,} ({_how_to_raise('max_input_lines', lines)})"
        )


def resolve_limits(
    max_input_chars: int | None = None, max_input_lines: int | None = None
) -> tuple[int | None, int | None]:
    """The limits a call uses: the arguments checked, or the module defaults as set now
    (``None``: no limit).

    Examples
    --------
    >>> resolve_limits(max_input_lines=5)
    (20000000, 5)
    """
    return (
        resolve_limit(max_input_chars, MAX_INPUT_CHARS, "max_input_chars"),
        resolve_limit(max_input_lines, MAX_INPUT_LINES, "max_input_lines"),
    )
