"""What a reminder says: one helper renders every kind, in the reminder's language.

Each kind has `reminders/<kind>/subject.txt`, `body.txt`, `body.html` and `sms.txt`.
Participant kinds get a context that holds nothing but the weekday and the time, the
session's feedback link and the link that stops reminders: no group name, topic or
organization (unless it opted in to being named), so a message read on a shared phone
says nothing about the program.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Organization
from sessions_app.models import Session

from .models import Reminder
from .opt_out import opt_out_token


@dataclass(frozen=True)
class RenderedReminder:
    subject: str
    text: str
    html: str
    sms: str


def _site_url(path: str) -> str:
    return settings.REMINDER_SITE_URL.rstrip("/") + path


@cache
def _opt_out_prefix() -> str:
    # reverse() is slow next to everything else a send does; tokens need no quoting.
    return reverse("reminders:opt_out", args=["-"])[:-1]


@lru_cache(maxsize=4096)
def _when(starts_at: datetime, zone_name: str, language: str) -> tuple[str, str, str]:
    """Weekday, date and time of a session on the group's clock, in `language`."""
    with translation.override(language):
        local = timezone.localtime(starts_at, ZoneInfo(zone_name))
        return (
            formats.date_format(local, "l"),
            formats.date_format(local, "DATE_FORMAT"),
            formats.time_format(local, "TIME_FORMAT"),
        )


def _session_context(session: Session | None, *, for_participant: bool) -> dict[str, Any]:
    if session is None:
        return {}
    weekday, date, time = _when(
        session.starts_at, session.group.timezone, translation.get_language()
    )
    context: dict[str, Any] = {"weekday": weekday, "date": date, "time": time}
    if not for_participant:
        context["group_name"] = session.group.name
        context["topic"] = session.topic.title if session.topic is not None else ""
        context["session_url"] = _site_url(f"/sessions/{session.code}/")
    return context


def reminder_context(reminder: Reminder) -> dict[str, Any]:
    """The template context of `reminder`: for participants, the weekday, time and link."""
    context: dict[str, Any] = {"kind": reminder.kind, "site_url": _site_url("/")}
    if reminder.for_participant:
        token = opt_out_token(participant_id=reminder.participant_id, channel=reminder.channel)  # type: ignore[arg-type]
        context["opt_out_url"] = _site_url(_opt_out_prefix() + token)
        # Neutral unless the organization chose to be named (Organization.reminder_wording).
        if reminder.organization.reminder_wording == Organization.ReminderWording.NAMED:
            context["organization_name"] = reminder.organization.name
    session = reminder.session
    if reminder.feedback_link is not None:
        context["feedback_url"] = _site_url(f"/f/{reminder.feedback_link.token}")
        session = reminder.feedback_link.session
    context.update(_session_context(session, for_participant=reminder.for_participant))
    if reminder.training_record_id is not None:
        record = reminder.training_record
        context["training"] = record.training_type.name  # type: ignore[union-attr]
        context["expires_on"] = (
            formats.date_format(record.expires_on, "DATE_FORMAT")  # type: ignore[union-attr]
            if record.expires_on  # type: ignore[union-attr]
            else ""
        )
    if reminder.review_assignment_id is not None:
        context["reviews_url"] = _site_url("/")
    if reminder.debrief_id is not None:
        debrief = reminder.debrief
        context["requested_by"] = str(debrief.requested_by)  # type: ignore[union-attr]
    return context


# Stands in for the one value that differs between the participants of a session (their
# own stop link), so a session's message is rendered once and reused for each of them.
_PERSONAL = "\x00stop-link\x00"


@lru_cache(maxsize=2048)
def _render_shared(template_name: str, language: str, items: tuple[tuple[str, Any], ...]) -> str:
    with translation.override(language):
        return render_to_string(template_name, dict(items))


def _render(template_name: str, context: dict[str, Any]) -> str:
    shared = dict(context)
    personal = shared.pop("opt_out_url", None)
    if personal is not None:
        shared["opt_out_url"] = _PERSONAL
    rendered = _render_shared(
        template_name, translation.get_language(), tuple(sorted(shared.items()))
    )
    # The link holds only URL-safe characters, which HTML escaping leaves as they are.
    return rendered.replace(_PERSONAL, personal) if personal is not None else rendered


def reminder_render(reminder: Reminder, *, channel: str | None = None) -> RenderedReminder:
    """Render `reminder` in its language: only what `channel` sends (a text message's
    body, or an email's subject, text and HTML), or every part when no channel is given."""
    with translation.override(reminder.language):
        context = reminder_context(reminder)
        base = f"reminders/{reminder.kind}"
        sms = subject = text = html = ""
        if channel != Reminder.Channel.EMAIL:
            sms = " ".join(_render(f"{base}/sms.txt", context).split())
        if channel != Reminder.Channel.SMS:
            subject = " ".join(_render(f"{base}/subject.txt", context).split())
            text = _render(f"{base}/body.txt", context).strip() + "\n"
            html = _render(f"{base}/body.html", context)
        return RenderedReminder(subject=subject, text=text, html=html, sms=sms)
