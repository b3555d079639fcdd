from typing import Any

from django import template

from accounts import session_limits

register = template.Library()


@register.simple_tag(takes_context=True)
def session_clock(context: dict[str, Any]) -> dict[str, int]:
    """What the page's idle-timeout script starts from: seconds left, when to warn, how
    often at most to send the keep-alive while someone is active."""
    request = context["request"]
    return {
        "seconds_left": max(0, int(session_limits.session_remaining(request).seconds)),
        "warning_seconds": int(session_limits.warning_seconds()),
        "ping_seconds": max(1, int(min(60.0, session_limits.idle_seconds() / 3))),
    }
