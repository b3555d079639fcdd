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
