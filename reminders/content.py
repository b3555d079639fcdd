"""What a reminder says: one helper renders every kind, in the reminder's language.

Each kind has `reminders/<kind>/subject.txt`, `body.txt`, `body.html` and `sms.txt`.
Participant kinds get a context that holds nothing but the weekday and the time, the
session's feedback link and the link that stops reminders: no group name, topic or
organization (unless it opted in to being named), so a message read on a shared phone
says nothing about the program.
"""

from dataclasses import dataclass
from typing import Any

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


def _session_context(session: Session | None, *, for_participant: bool) -> dict[str, Any]:
    if session is None:
        return {}
    local = timezone.localtime(session.starts_at, session.group.zone)
    context: dict[str, Any] = {
        "weekday": formats.date_format(local, "l"),
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }
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
        context["opt_out_url"] = _site_url(reverse("reminders:opt_out", args=[token]))
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


def reminder_render(reminder: Reminder, *, channel: str | None = None) -> RenderedReminder:
    """Render `reminder` in its language: only what `channel` sends (a text message's
    body, or an email's subject, text and HTML), or every part when no channel is given."""
    with translation.override(reminder.language):
        context = reminder_context(reminder)
        base = f"reminders/{reminder.kind}"
        sms = subject = text = html = ""
        if channel != Reminder.Channel.EMAIL:
            sms = " ".join(render_to_string(f"{base}/sms.txt", context).split())
        if channel != Reminder.Channel.SMS:
            subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
            text = render_to_string(f"{base}/body.txt", context).strip() + "\n"
            html = render_to_string(f"{base}/body.html", context)
        return RenderedReminder(subject=subject, text=text, html=html, sms=sms)
