"""What the views of several sessions_app features share."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.confirm import confirm_item

from ..models import Recording, Session


def refused(request: HttpRequest, error: ValidationError, *, back: str | None) -> HttpResponse:
    """400 with the service's reason and a way back, for a one-button action refused."""
    return render(
        request,
        "sessions_app/_refused.html",
        {"error": " ".join(error.messages), "back": back},
        status=400,
    )


def safe_next(request: HttpRequest) -> str | None:
    """The POSTed `next` when it points back into this site, else None."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def session_item(session: Session) -> dict[str, Any]:
    """A session on a confirmation page: its topic, at its time where the group meets."""
    topic = session.topic.title if session.topic else _("No topic yet")
    return confirm_item(topic, when=session.starts_at, zone=session.group.timezone)


def recording_item(recording: Recording) -> dict[str, Any]:
    """A recording on a confirmation page: its group and purpose, at its session's time."""
    session = recording.session
    text = f"{session.group.name} · {recording.get_purpose_display()}"
    return confirm_item(text, when=session.starts_at, zone=session.group.timezone)
