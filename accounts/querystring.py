"""The one way a view reads a GET parameter that reaches a query (search, filters,
pagination): a stray NUL byte or a 10,000-character value gets a page, never a server
error (PostgreSQL refuses NUL bytes in text)."""

import re
import unicodedata

from django.http import HttpRequest

# C0 and C1 control characters (NUL included), and Unicode format characters such as
# zero-width and bidirectional controls: nothing a person types into a search.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Longer than any value a form of ours sends; a search longer than this is cut.
MAX_LENGTH = 200


def query_param(
    request: HttpRequest,
    name: str,
    *,
    max_length: int = MAX_LENGTH,
    choices: frozenset[str] | None = None,
    default: str = "",
) -> str:
    """The GET parameter `name`, cleaned: control and format characters removed, spaces
    trimmed, at most `max_length` characters; with `choices`, an unknown value (or a
    missing one) gives `default`."""
    raw = request.GET.get(name, default)
    cleaned = _CONTROL.sub("", raw)
    cleaned = "".join(c for c in cleaned if unicodedata.category(c) != "Cf")
    cleaned = cleaned.strip()[:max_length]
    if choices is not None and cleaned not in choices:
        return default
    return cleaned


def page_number(request: HttpRequest) -> str:
    """The `page` parameter for Paginator.get_page (which turns anything else into page 1
    or the last page), cleaned like any other."""
    return query_param(request, "page", max_length=10, default="1")
