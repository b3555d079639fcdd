"""Fixtures for the reminder outbox: a session tomorrow, an opted-in participant, and SMS
backends that keep what was sent (a file, or memory with every call counted)."""

import datetime

import pytest
from django.utils import timezone

from reminders.models import Reminder
from reminders.services import reminder_schedule
from reminders.sms import LocmemBackend
from tests.factories import GroupFactory, ParticipantFactory, SessionFactory

PHONE = "+15555550123"
EMAIL = "river.person@example.net"


@pytest.fixture
def sms_file(settings, tmp_path):
    path = tmp_path / "sms.jsonl"
    settings.REMINDER_SMS_BACKEND = "reminders.sms.FileBackend"
    settings.REMINDER_SMS_FILE_PATH = str(path)
    return path


@pytest.fixture
def sms_calls(settings):
    """Every call made to the SMS backend, duplicates included."""
    settings.REMINDER_SMS_BACKEND = "reminders.sms.LocmemBackend"
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


@pytest.fixture
def group(cast):
    return GroupFactory(organization=cast.org, name="Riverside Tuesday Seeking Safety")


@pytest.fixture
def session(group):
    return SessionFactory(group=group, starts_at=timezone.now() + datetime.timedelta(days=1))


@pytest.fixture
def participant(cast):
    return ParticipantFactory(
        organization=cast.org,
        contact_phone=PHONE,
        contact_email=EMAIL,
        remind_by_email=True,
        remind_by_sms=True,
        preferred_language="en",
    )


def schedule_sms(participant, session, *, due_at=None, kind=Reminder.Kind.SESSION_PARTICIPANT):
    """A participant's SMS reminder about `session`, due now unless told."""
    return reminder_schedule(
        kind=kind,
        channel=Reminder.Channel.SMS,
        due_at=due_at or timezone.now(),
        participant=participant,
        about=session,
    )


def make_due_sms(count, participant, group):
    """`count` due SMS reminders, one per session (each its own key)."""
    sessions = [
        SessionFactory(group=group, starts_at=timezone.now() + datetime.timedelta(hours=2 + n))
        for n in range(count)
    ]
    return [schedule_sms(participant, session) for session in sessions]
