"""The sweep: lease due rows (SKIP LOCKED), queue one send each after commit."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone

from reminders.models import Reminder
from reminders.services import LEASE_EXPIRED, reminders_dispatch, reminders_send_due

from .conftest import make_due_sms, schedule_sms

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)"
)


def test_due_is_pending_and_due_failed_past_retry_or_leased_past_lease(participant, session):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    due = schedule_sms(participant, session, due_at=now - hour)
    schedule_sms(participant, session, due_at=now + hour)  # not yet
    failed_ready = schedule_sms(participant, session, due_at=now - 2 * hour)
    failed_waiting = schedule_sms(participant, session, due_at=now - 3 * hour)
    lease_over = schedule_sms(participant, session, due_at=now - 4 * hour)
    lease_running = schedule_sms(participant, session, due_at=now - 5 * hour)
    sent = schedule_sms(participant, session, due_at=now - 6 * hour)
    Reminder.objects.filter(pk=failed_ready.pk).update(status="failed", retry_at=now - hour)
    Reminder.objects.filter(pk=failed_waiting.pk).update(status="failed", retry_at=now + hour)
    Reminder.objects.filter(pk=lease_over.pk).update(status="leased", lease_until=now - hour)
    Reminder.objects.filter(pk=lease_running.pk).update(status="leased", lease_until=now + hour)
    Reminder.objects.filter(pk=sent.pk).update(status="sent", sent_at=now)

    assert set(Reminder.objects.due(now).values_list("pk", flat=True)) == {
        due.pk,
        failed_ready.pk,
        lease_over.pk,
    }


def test_dispatch_leases_a_batch_and_sends_each_after_commit(
    participant, group, sms_calls, settings, django_capture_on_commit_callbacks
):
    reminders = make_due_sms(3, participant, group)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = reminders_dispatch(batch=2)
        # Leased, and nothing sent before the lease is committed.
        assert Reminder.objects.filter(status="leased").count() == 2
        assert sms_calls == []

    # Eager tasks here: the queued sends ran in this process once the lease committed.
    assert len(callbacks) == 1
    assert ids == [r.pk for r in reminders[:2]]
    assert Reminder.objects.filter(status="sent").count() == 2
    assert len(sms_calls) == 2


def test_a_lease_that_ran_out_is_leased_again(participant, session):
    reminder = schedule_sms(participant, session)
    now = timezone.now()
    assert reminders_dispatch(now=now, queue=False) == [reminder.pk]
    assert reminders_dispatch(now=now, queue=False) == []

    later = now + datetime.timedelta(seconds=601)
    assert reminders_dispatch(now=later, queue=False) == [reminder.pk]


def test_a_reminder_due_later_is_not_sent_until_it_is_due(participant, session, sms_calls):
    schedule_sms(participant, session, due_at=timezone.now() + datetime.timedelta(hours=1))

    assert reminders_send_due() == {}
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, seconds=1)):
        assert reminders_send_due() == {"sent": 1}
    assert len(sms_calls) == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_rows_another_sweep_holds(participant, group):
    reminders = make_due_sms(4, participant, group)
    held = threading.Event()
    release = threading.Event()

    def first_sweep():
        try:
            with transaction.atomic():
                list(
                    Reminder.objects.filter(
                        pk__in=[r.pk for r in reminders[:2]]
                    ).select_for_update()
                )
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    try:
        assert held.wait(10)
        assert reminders_dispatch(queue=False) == [r.pk for r in reminders[2:]]
    finally:
        release.set()
        thread.join()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_reminder_once(participant, group, sms_calls):
    reminders = make_due_sms(60, participant, group)
    start = threading.Barrier(2)
    results: list[dict] = []

    def sweep():
        try:
            start.wait(10)
            results.append(reminders_send_due(batch=5))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    keys = [message.idempotency_key for message in sms_calls]
    assert len(keys) == len(reminders)
    assert len(set(keys)) == len(reminders)
    assert sum(r.get("sent", 0) for r in results) == len(reminders)
    # Both really took part: the work was shared, not done by one while the other idled.
    assert all(r.get("sent", 0) > 0 for r in results)
    assert Reminder.objects.sent().count() == len(reminders)


def test_a_lease_that_ran_out_counts_as_an_attempt(participant, session):
    reminder = schedule_sms(participant, session)
    now = timezone.now()
    reminders_dispatch(now=now, queue=False)

    later = now + datetime.timedelta(seconds=601)
    assert reminders_dispatch(now=later, queue=False) == [reminder.pk]

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.LEASED
    assert reminder.attempts == 1
    assert reminder.last_error == LEASE_EXPIRED
    assert reminder.lease_until == later + datetime.timedelta(seconds=600)


def test_a_row_that_keeps_losing_its_lease_is_dead_after_the_last_attempt(
    participant, session, settings
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    reminder = schedule_sms(participant, session)
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)

    leased = [reminders_dispatch(now=now + n * lease, queue=False) for n in range(5)]

    # Leased three times (three attempts, none finished), then given up on.
    assert leased == [[reminder.pk]] * 3 + [[], []]
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.DEAD
    assert reminder.attempts == 3
    assert reminder.lease_until is None
    assert reminder.last_error == LEASE_EXPIRED
    assert not Reminder.objects.due(now + 30 * lease).exists()
    # The command reports it among the dead, and leases it no more.
    assert reminders_send_due() == {}


def test_the_command_path_gives_up_on_a_row_whose_lease_ran_out_for_the_last_time(
    participant, session, settings, sms_calls
):
    settings.REMINDER_MAX_ATTEMPTS = 2
    reminder = schedule_sms(participant, session)
    later = timezone.now() + datetime.timedelta(seconds=601)
    reminders_dispatch(queue=False)
    Reminder.objects.filter(pk=reminder.pk).update(attempts=1)

    with time_machine.travel(later):
        assert reminders_send_due() == {"dead": 1}
    assert sms_calls == []
