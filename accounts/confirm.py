"""The one confirmation step of every destructive action.

The action's first POST (without `confirm`) renders templates/confirm.html with 200 and
changes nothing; only the POST that page sends, with confirm=1, does it."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The field the confirmation page sends with the action.
CONFIRM_FIELD = "confirm"


def confirmed(data: Any) -> bool:
    """Whether a destructive action's POST carries the confirmation its page sends."""
    return data.get(CONFIRM_FIELD) == "1"


def confirm_item(text: str, *, when: datetime | None = None, zone: str = "") -> dict[str, Any]:
    """One line of what will be destroyed or changed; a date is shown in `zone`."""
    return {"text": text, "when": when, "zone": zone}


def confirmation_page(
    request: HttpRequest,
    *,
    heading: str,
    button: str,
    back: str,
    lead: str = "",
    items: Iterable[dict[str, Any]] = (),
    more: int = 0,
    notes: Iterable[str] = (),
    hidden: Sequence[tuple[str, Any]] = (),
) -> HttpResponse:
    """The page that asks before `request`'s action: what happens (`heading`, `lead`,
    `items`, `notes`), a danger `button` posting the same fields again (`hidden`) with
    the confirmation, and a way `back`."""
    return render(
        request,
        "confirm.html",
        {
            "heading": heading,
            "lead": lead,
            "items": list(items),
            "more": more,
            "notes": list(notes),
            "action": request.path,
            "hidden": list(hidden),
            "button": button,
            "back": back,
        },
    )
