"""`manage.py send_due_reminders`: one dispatch-and-send pass without Celery."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reminders.models import Reminder
from reminders.sms import read_file_backend

from .conftest import make_due_sms, schedule_sms

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("send_due_reminders", "--batch", "2", stdout=out)
    return out.getvalue()


def test_the_command_sends_the_due_reminders_and_only_those(participant, group, sms_file):
    due = make_due_sms(5, participant, group)
    later = schedule_sms(
        participant, due[0].session, due_at=timezone.now() + datetime.timedelta(hours=1)
    )

    assert run() == "Reminders: sent 5.\n"

    messages = read_file_backend(sms_file)
    assert len(messages) == len({m["idempotency_key"] for m in messages}) == 5
    assert Reminder.objects.sent().count() == 5
    later.refresh_from_db()
    assert later.status == Reminder.Status.PENDING


def test_running_the_command_again_sends_nothing_twice(participant, group, sms_file):
    make_due_sms(3, participant, group)
    run()

    assert run() == "Reminders: none due.\n"
    assert len(read_file_backend(sms_file)) == 3
