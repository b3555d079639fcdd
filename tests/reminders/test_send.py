"""Sending one row: at most once, with retries and backoff, and nothing private kept."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from reminders.models import Reminder
from reminders.services import (
    CANCELLED,
    DEAD,
    RETRYING,
    SENT,
    SKIPPED,
    reminder_deliver,
    reminder_retry,
    reminder_schedule,
    reminders_deliver_batch,
    reminders_dispatch,
    retry_delay,
)
from reminders.sms import (
    FileBackend,
    PermanentSendError,
    SmsMessage,
    TransientSendError,
    read_file_backend,
)

from .backends import FlakyBackend
from .conftest import EMAIL, PHONE, schedule_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.REMINDER_SMS_BACKEND = "tests.reminders.backends.FlakyBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    FlakyBackend.errors.clear()
    FlakyBackend.accepted.clear()
    yield FlakyBackend
    FlakyBackend.errors.clear()
    FlakyBackend.accepted.clear()


def leased(reminder):
    assert reminders_dispatch(queue=False) == [reminder.pk]
    return reminder


def test_a_leased_reminder_is_sent_to_the_file_backend(participant, session, sms_file):
    reminder = leased(schedule_sms(participant, session))

    assert reminder_deliver(reminder_id=reminder.pk) == SENT

    reminder.refresh_from_db()
    messages = read_file_backend(sms_file)
    assert [m["to"] for m in messages] == [PHONE]
    assert messages[0]["body"].startswith("Reminder: your ")
    assert reminder.status == Reminder.Status.SENT
    assert reminder.sent_at is not None
    assert reminder.provider_message_id == messages[0]["message_id"]
    assert reminder.attempts == 1
    assert reminder.lease_until is None


def test_a_redelivered_send_for_a_sent_row_does_nothing(participant, session, sms_calls):
    reminder = leased(schedule_sms(participant, session))
    assert reminder_deliver(reminder_id=reminder.pk) == SENT

    assert reminder_deliver(reminder_id=reminder.pk) == SKIPPED
    assert len(sms_calls) == 1


def test_a_send_for_a_row_that_is_not_leased_does_nothing(participant, session, sms_calls):
    pending = schedule_sms(participant, session)
    cancelled = schedule_sms(participant, session, kind=Reminder.Kind.FEEDBACK_LINK)
    Reminder.objects.filter(pk=cancelled.pk).update(status="cancelled")

    assert reminder_deliver(reminder_id=pending.pk) == SKIPPED
    assert reminder_deliver(reminder_id=cancelled.pk) == SKIPPED
    assert reminder_deliver(reminder_id=999_999) == SKIPPED
    assert sms_calls == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_second_send_of_a_row_being_sent_waits_and_then_sends_nothing(
    participant, session, sms_calls
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    reminder = leased(schedule_sms(participant, session))
    held = threading.Event()
    release = threading.Event()

    def other_send_in_progress():
        try:
            with transaction.atomic():
                Reminder.objects.select_for_update().get(pk=reminder.pk)
                Reminder.objects.filter(pk=reminder.pk).update(
                    status=Reminder.Status.SENT, sent_at=timezone.now()
                )
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    outcome = []

    def second_send():
        try:
            outcome.append(reminder_deliver(reminder_id=reminder.pk))
        finally:
            connections.close_all()

    first = threading.Thread(target=other_send_in_progress)
    first.start()
    assert held.wait(10)
    second = threading.Thread(target=second_send)
    second.start()
    try:
        for _ in range(200):
            if _someone_waits_for_a_lock():
                break
            time.sleep(0.02)
        assert outcome == []  # still waiting for the first send
    finally:
        release.set()
        first.join()
        second.join()
    assert outcome == [SKIPPED]
    assert sms_calls == []


def test_a_transient_failure_retries_with_backoff_then_succeeds(participant, session, flaky):
    flaky.errors.append(TransientSendError("provider returned 503"))
    reminder = leased(schedule_sms(participant, session))

    assert reminder_deliver(reminder_id=reminder.pk) == RETRYING

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.attempts == 1
    assert reminder.last_error == "TransientSendError: provider returned 503"
    wait = reminder.retry_at - timezone.now()
    assert datetime.timedelta(seconds=29) <= wait <= datetime.timedelta(seconds=60)
    # Not due again before its retry time; sent once it is.
    assert reminders_dispatch(queue=False) == []
    with time_machine.travel(reminder.retry_at + datetime.timedelta(seconds=1)):
        assert reminders_dispatch(queue=False) == [reminder.pk]
        assert reminder_deliver(reminder_id=reminder.pk) == SENT
    assert len(flaky.accepted) == 1


def test_after_the_last_attempt_a_reminder_is_dead(participant, session, flaky):
    flaky.errors.extend(TransientSendError("timeout") for _ in range(3))
    reminder = schedule_sms(participant, session)
    outcomes = []
    for _ in range(3):
        reminder.refresh_from_db()
        with time_machine.travel(
            (reminder.retry_at or timezone.now()) + datetime.timedelta(seconds=1)
        ):
            leased(reminder)
            outcomes.append(reminder_deliver(reminder_id=reminder.pk))

    reminder.refresh_from_db()
    assert outcomes == [RETRYING, RETRYING, DEAD]
    assert reminder.status == Reminder.Status.DEAD
    assert reminder.attempts == 3
    assert reminder.retry_at is None
    assert not Reminder.objects.due(timezone.now() + datetime.timedelta(days=30)).exists()
    assert flaky.accepted == []


def test_a_permanent_failure_is_dead_at_once(participant, session, flaky):
    flaky.errors.append(PermanentSendError("number refused by provider"))
    reminder = leased(schedule_sms(participant, session))

    assert reminder_deliver(reminder_id=reminder.pk) == DEAD
    reminder.refresh_from_db()
    assert reminder.attempts == 1


def test_a_dead_reminder_can_be_retried(participant, session, flaky):
    flaky.errors.append(PermanentSendError("number refused by provider"))
    reminder = leased(schedule_sms(participant, session))
    reminder_deliver(reminder_id=reminder.pk)

    assert reminder_retry(reminder=reminder) is True

    leased(reminder)
    assert reminder_deliver(reminder_id=reminder.pk) == SENT


def test_the_error_kept_never_holds_the_number_or_address(participant, session, flaky):
    flaky.errors.extend(
        [RuntimeError(f"could not reach {PHONE}"), OSError(f"refused {PHONE} / {EMAIL}")]
    )
    reminder = leased(schedule_sms(participant, session))
    reminder_deliver(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    first_error = reminder.last_error

    with time_machine.travel(reminder.retry_at + datetime.timedelta(seconds=1)):
        leased(reminder)
        reminder_deliver(reminder_id=reminder.pk)
    reminder.refresh_from_db()

    assert first_error == "RuntimeError"
    assert reminder.last_error == "TransientSendError: sms: OSError"
    for value in Reminder.objects.filter(pk=reminder.pk).values().get().values():
        assert PHONE not in str(value)
        assert EMAIL not in str(value)


def test_backoff_doubles_with_jitter_and_is_capped(settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    settings.REMINDER_RETRY_MAX_SECONDS = 3600
    for attempts, full in [(1, 60), (2, 120), (3, 240), (4, 480), (10, 3600)]:
        delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays)
        # Jitter: rows that failed together do not come back together.
        assert len(delays) > 1


def test_a_participant_who_opted_out_is_not_sent_to(participant, session, sms_calls):
    reminder = leased(schedule_sms(participant, session))
    participant.remind_by_sms = False
    participant.save()

    assert reminder_deliver(reminder_id=reminder.pk) == CANCELLED
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.CANCELLED
    assert reminder.last_error == "NoRecipient: participant opted out of sms"
    assert sms_calls == []


def test_the_contact_is_read_when_the_message_is_sent(participant, session, sms_calls):
    reminder = leased(schedule_sms(participant, session))
    participant.contact_phone = "+15555550999"
    participant.save()

    reminder_deliver(reminder_id=reminder.pk)

    assert [m.to for m in sms_calls] == ["+15555550999"]


def test_an_email_reminder_is_rendered_in_the_participants_language(participant, session):
    participant.preferred_language = "es"
    participant.save()
    reminder = leased(
        reminder_schedule(
            kind=Reminder.Kind.SESSION_PARTICIPANT,
            channel=Reminder.Channel.EMAIL,
            due_at=timezone.now(),
            participant=participant,
            about=session,
        )
    )

    assert reminder_deliver(reminder_id=reminder.pk) == SENT

    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject.startswith("Recordatorio: su grupo del ")
    assert "Recordatorio: su grupo del" in message.alternatives[0][0]
    assert message.from_email == "Reminders <no-reply@localhost>"
    reminder.refresh_from_db()
    assert reminder.provider_message_id == message.extra_headers["Message-ID"]


def test_a_staff_reminder_names_the_group_and_links_the_session(cast, session):
    reminder = leased(
        reminder_schedule(
            kind=Reminder.Kind.SESSION_FACILITATOR,
            channel=Reminder.Channel.EMAIL,
            due_at=timezone.now(),
            user=cast.peer,
            about=session,
        )
    )

    assert reminder_deliver(reminder_id=reminder.pk) == SENT

    [message] = mail.outbox
    assert message.to == [cast.peer.email]
    assert session.group.name in message.subject
    assert f"/sessions/{session.code}/" in message.body


def test_the_file_backend_writes_a_key_it_has_once(tmp_path):
    path = tmp_path / "sms.jsonl"
    backend = FileBackend(file_path=path)
    first = backend.send(SmsMessage(to=PHONE, body="a", idempotency_key="k1"))
    again = FileBackend(file_path=path).send(SmsMessage(to=PHONE, body="a", idempotency_key="k1"))
    other = backend.send(SmsMessage(to=PHONE, body="b", idempotency_key="k2"))

    assert first == again != other
    assert [m["idempotency_key"] for m in read_file_backend(path)] == ["k1", "k2"]


def test_a_batch_sends_each_row_once_and_records_each_outcome(cast, group, flaky):
    from tests.factories import ParticipantFactory, SessionFactory

    def person(remind_by_sms=True):
        return ParticipantFactory(
            organization=cast.org, contact_phone=PHONE, remind_by_sms=remind_by_sms
        )

    now = timezone.now()
    rows = [
        schedule_sms(
            person(), SessionFactory(group=group), due_at=now - datetime.timedelta(minutes=n)
        )
        for n in (5, 4, 3)
    ]
    opted_out = schedule_sms(
        person(remind_by_sms=False),
        SessionFactory(group=group),
        due_at=now - datetime.timedelta(minutes=2),
    )
    not_leased = schedule_sms(
        person(), SessionFactory(group=group), due_at=now + datetime.timedelta(hours=1)
    )
    ids = reminders_dispatch(queue=False)
    assert ids == [r.pk for r in [*rows, opted_out]]
    # In due order: the first call fails for now, the second for good, the third is sent.
    flaky.errors.extend(
        [TransientSendError("provider returned 503"), PermanentSendError("refused")]
    )

    outcomes = reminders_deliver_batch(ids=[*ids, not_leased.pk])

    assert outcomes == {
        rows[0].pk: RETRYING,
        rows[1].pk: DEAD,
        rows[2].pk: SENT,
        opted_out.pk: CANCELLED,
        not_leased.pk: SKIPPED,
    }
    assert len(flaky.accepted) == 1
    stored = {r.pk: r for r in Reminder.objects.all()}
    assert [stored[r.pk].status for r in rows] == ["failed", "dead", "sent"]
    assert [stored[r.pk].attempts for r in rows] == [1, 1, 1]
    assert stored[rows[0].pk].retry_at > now
    assert stored[rows[0].pk].last_error == "TransientSendError: provider returned 503"
    assert stored[rows[1].pk].last_error == "PermanentSendError: refused"
    assert stored[rows[2].pk].sent_at is not None
    assert stored[rows[2].pk].provider_message_id == "flaky-ok"
    assert stored[opted_out.pk].status == "cancelled"
    assert stored[not_leased.pk].status == "pending"
    assert all(stored[pk].lease_until is None for pk in ids)
    # Sent again (a redelivered task, a second sweep): nothing more goes out.
    assert set(reminders_deliver_batch(ids=ids).values()) == {SKIPPED}
    assert len(flaky.accepted) == 1


def due_mix(count, cast, group):
    """`count` due reminders of several kinds and channels, each with its own
    participant, session (and group) or feedback link."""
    from feedback.services.links import feedback_link_ensure
    from tests.factories import GroupFactory, ParticipantFactory, SessionFactory

    reminders = []
    for n in range(count):
        session = SessionFactory(group=GroupFactory(organization=cast.org))
        if n % 4 == 3:
            reminders.append(
                reminder_schedule(
                    kind=Reminder.Kind.SESSION_FACILITATOR,
                    channel=Reminder.Channel.EMAIL,
                    due_at=timezone.now(),
                    user=cast.peer,
                    about=session,
                )
            )
            continue
        participant = ParticipantFactory(
            organization=cast.org,
            contact_phone=PHONE,
            contact_email=EMAIL,
            remind_by_sms=True,
            remind_by_email=True,
        )
        about = session
        kind = Reminder.Kind.SESSION_PARTICIPANT
        if n % 4 == 2:
            about = feedback_link_ensure(session=session, by=None)
            kind = Reminder.Kind.FEEDBACK_LINK
        reminders.append(
            reminder_schedule(
                kind=kind,
                channel=Reminder.Channel.EMAIL if n % 2 else Reminder.Channel.SMS,
                due_at=timezone.now(),
                participant=participant,
                about=about,
            )
        )
    return reminders


@pytest.mark.parametrize("size", [4, 24])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    cast, group, sms_calls, size, django_assert_max_num_queries
):
    reminders = due_mix(size, cast, group)
    ids = reminders_dispatch(queue=False)
    assert len(ids) == size

    # One SELECT ... FOR UPDATE with everything rendering reads, one UPDATE (and the
    # savepoint around them).
    with django_assert_max_num_queries(4):
        outcomes = reminders_deliver_batch(ids=ids)

    assert set(outcomes.values()) == {SENT}
    assert len(sms_calls) + len(mail.outbox) == len(reminders)


def test_a_reminder_is_rendered_only_for_its_channel(participant, session):
    from reminders.content import reminder_render

    reminder = schedule_sms(participant, session)

    text = reminder_render(reminder, channel=Reminder.Channel.SMS)
    email = reminder_render(reminder, channel=Reminder.Channel.EMAIL)

    assert text.sms and not (text.subject or text.text or text.html)
    assert email.subject and email.text and email.html and not email.sms
