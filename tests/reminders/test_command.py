"""`manage.py send_due_reminders`: one produce, dispatch and send pass without Celery."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from reminders.channels import _key_digest
from reminders.models import Reminder
from reminders.services import LEASE_EXPIRED_SENDING, reminders_send_due
from reminders.sms import FileBackend, read_file_backend
from tests.factories import ParticipantFactory, SessionFactory

from .conftest import make_due_sms, schedule_sms

pytestmark = pytest.mark.django_db


def run() -> str:
    """Send only: these tests write their rows by hand, which the producing sweep (the
    command's first step otherwise) would cancel as not wanted."""
    out = StringIO()
    call_command("send_due_reminders", "--batch", "2", "--no-produce", stdout=out)
    return out.getvalue()


def test_by_default_the_command_writes_the_reminders_then_sends_the_due_ones(cast, group, sms_file):
    from tests.factories import EnrollmentFactory, FacilitatorAssignmentFactory

    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    person = ParticipantFactory(
        organization=cast.org, contact_phone="+15555550123", remind_by_sms=True
    )
    EnrollmentFactory(group=group, participant=person, joined_on=group.start_date)
    # 23 hours ahead: the 24-hour reminder is due now; the 2-hour one waits.
    SessionFactory(group=group, starts_at=timezone.now() + datetime.timedelta(hours=23))
    out = StringIO()

    call_command("send_due_reminders", stdout=out)

    assert out.getvalue() == ("Produced: 3 new, 0 cancelled, 0 revived.\nReminders: sent 2.\n")
    assert [m["to"] for m in read_file_backend(sms_file)] == ["+15555550123"]
    assert Reminder.objects.pending().count() == 1


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


POISON = "+15555550666"


class WorkerKilled(BaseException):
    """Stands in for the process dying mid-send (SIGKILL, out of memory): no `except
    Exception` catches it, and the open transaction is rolled back."""


class KillingFileBackend(FileBackend):
    """The file backend, except that sending to POISON kills the process."""

    def send(self, message):
        if message.to == POISON:
            raise WorkerKilled
        return super().send(message)


def test_a_row_that_kills_the_command_ends_dead_and_costs_no_other_row_its_send(
    cast, group, sms_file, settings
):
    settings.REMINDER_SMS_BACKEND = "tests.reminders.test_command.KillingFileBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    now = timezone.now()
    reminders = []
    for n in range(5):
        person = ParticipantFactory(
            organization=cast.org,
            contact_phone=POISON if n == 2 else f"+1555555010{n}",
            remind_by_sms=True,
        )
        session = SessionFactory(group=group, starts_at=now + datetime.timedelta(days=1))
        reminders.append(
            schedule_sms(person, session, due_at=now - datetime.timedelta(minutes=5 - n))
        )
    poison = reminders[2]
    lease = datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)

    runs = []
    for n in range(5):
        with time_machine.travel(now + n * lease):
            try:
                runs.append(reminders_send_due())
            except WorkerKilled:
                runs.append("killed")

    # Killed with the whole batch open, then twice on the row sent alone; then dead.
    assert runs == ["killed", "killed", "killed", {"dead": 1}, {}]
    poison.refresh_from_db()
    assert poison.status == Reminder.Status.DEAD
    assert poison.attempts == 3
    assert poison.last_error == LEASE_EXPIRED_SENDING
    others = Reminder.objects.exclude(pk=poison.pk)
    assert all(r.status == Reminder.Status.SENT for r in others)
    assert all(r.attempts <= 3 for r in others)
    # Each of the others reached the provider's file once (the rows sent before the
    # first kill were sent again, with their key: the provider kept one of each).
    messages = read_file_backend(sms_file)
    assert sorted(m["idempotency_key"] for m in messages) == sorted(_key_digest(r) for r in others)
    assert {r.provider_message_id for r in others} == {m["message_id"] for m in messages}


@pytest.mark.django_db(transaction=True)
def test_several_processes_share_the_rows_and_send_each_once(participant, group, sms_file):
    make_due_sms(12, participant, group)
    out = StringIO()

    call_command(
        "send_due_reminders", "--no-produce", "--processes", "2", "--batch", "3", stdout=out
    )

    assert out.getvalue() == "Reminders: sent 12.\n"
    messages = read_file_backend(sms_file)
    assert len(messages) == len({m["idempotency_key"] for m in messages}) == 12
    assert not FileBackend.duplicates_path(sms_file).exists()
    assert Reminder.objects.sent().count() == 12
