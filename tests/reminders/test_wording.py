"""Participants' reminders read neutrally on a shared phone, in both languages."""

import pytest
from django.utils import timezone

from reminders.content import reminder_render
from reminders.models import Reminder
from reminders.services import reminder_schedule
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    "seeking safety",
    "safety",
    "seguridad",
    "trafficking",
    "trata",
    "substance",
    "sustancia",
    "recovery",
    "recuperación",
    "trauma",
    "survivor",
    "sobreviviente",
    "riverside",
    "topic",
    "tema",
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", sorted(Reminder.PARTICIPANT_KINDS))
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_participant_reminders_name_no_program_topic_or_organization(
    participant, group, language, kind, channel
):
    from feedback.services.links import feedback_link_ensure

    session = SessionFactory(group=group)
    participant.preferred_language = language
    participant.save()
    about = session
    if kind == Reminder.Kind.FEEDBACK_LINK:
        about = feedback_link_ensure(session=session, by=None)
    reminder = reminder_schedule(
        kind=kind, channel=channel, due_at=timezone.now(), participant=participant, about=about
    )

    rendered = reminder_render(reminder)

    text = " ".join([rendered.subject, rendered.text, rendered.html, rendered.sms]).lower()
    assert group.name.lower() not in text
    assert session.topic.title.lower() not in text
    for word in FORBIDDEN:
        assert word not in text, word


def _rendered(participant, group, kind, channel):
    from feedback.services.links import feedback_link_ensure

    session = SessionFactory(group=group)
    about = feedback_link_ensure(session=session, by=None) if kind == "feedback_link" else session
    reminder = reminder_schedule(
        kind=kind, channel=channel, due_at=timezone.now(), participant=participant, about=about
    )
    rendered = reminder_render(reminder)
    return rendered.sms if channel == "sms" else rendered.text + rendered.html


@pytest.mark.parametrize("kind", sorted(Reminder.PARTICIPANT_KINDS))
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_every_participant_reminder_carries_its_stop_link(participant, group, kind, channel):
    from reminders.opt_out import opt_out_token

    text = _rendered(participant, group, kind, channel)
    assert f"/r/{opt_out_token(participant_id=participant.pk, channel=channel)}" in text


@pytest.mark.parametrize("kind", sorted(Reminder.PARTICIPANT_KINDS))
def test_an_organization_that_opted_in_is_named(participant, group, kind):
    organization = group.organization
    organization.reminder_wording = organization.ReminderWording.NAMED
    organization.save()
    assert organization.name in _rendered(participant, group, kind, "sms")
    assert organization.name in _rendered(participant, group, kind, "email")


def test_staff_reminders_carry_no_stop_link(cast, group):
    session = SessionFactory(group=group)
    reminder = reminder_schedule(
        kind=Reminder.Kind.SESSION_FACILITATOR,
        channel="email",
        due_at=timezone.now(),
        user=cast.peer,
        about=session,
    )
    rendered = reminder_render(reminder)
    assert "/r/" not in rendered.text + rendered.html
    assert group.name in rendered.text


def test_a_text_message_is_plain_text_and_an_email_escapes_its_html():
    from django.template.loader import render_to_string

    values = {"weekday": "Mon & Tue", "time": "<6>"}
    text = render_to_string("reminders/session_participant/sms.txt", values)
    html = render_to_string("reminders/session_participant/body.html", values)
    assert "Reminder: your Mon & Tue group at <6>." in text
    assert "Mon &amp; Tue group at &lt;6&gt;" in html
