"""Scheduling: one row per idempotency key, written in the caller's transaction."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reminders.models import Reminder
from reminders.services import reminder_key, reminder_schedule
from tests.factories import SessionFactory, TrainingRecordFactory, profile_of

from .conftest import EMAIL, PHONE, schedule_sms

pytestmark = pytest.mark.django_db


def test_scheduling_twice_makes_one_row(participant, session):
    due = session.starts_at - datetime.timedelta(hours=24)
    first = schedule_sms(participant, session, due_at=due)
    second = schedule_sms(participant, session, due_at=due)

    assert first.pk == second.pk
    assert Reminder.objects.count() == 1


def test_keys_differ_by_kind_recipient_channel_subject_and_due_time(cast, participant, session):
    due = session.starts_at - datetime.timedelta(hours=24)
    base = {
        "kind": Reminder.Kind.SESSION_PARTICIPANT,
        "channel": Reminder.Channel.SMS,
        "due_at": due,
        "participant": participant,
        "about": session,
    }
    other_session = SessionFactory(group=session.group)
    variants = [
        base,
        {**base, "kind": Reminder.Kind.SESSION_CANCELLED},
        {**base, "channel": Reminder.Channel.EMAIL},
        {**base, "about": other_session},
        {**base, "due_at": due + datetime.timedelta(hours=22)},
        {**base, "participant": None, "user": cast.peer, "channel": Reminder.Channel.EMAIL},
    ]
    keys = {reminder_key(**variant) for variant in variants}

    assert len(keys) == len(variants)


def test_the_key_is_the_same_whatever_the_time_zone_of_the_due_time(participant, session):
    due = datetime.datetime(2026, 3, 10, 18, 0, tzinfo=datetime.UTC)
    in_chicago = due.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    args = {"kind": "session_participant", "channel": "sms", "participant": participant}

    assert reminder_key(due_at=due, about=session, **args) == reminder_key(
        due_at=in_chicago, about=session, **args
    )


def test_the_key_names_no_contact_detail_and_the_row_holds_none(participant, session):
    reminder = schedule_sms(participant, session)

    row = Reminder.objects.filter(pk=reminder.pk).values().get()
    for value in row.values():
        assert PHONE not in str(value)
        assert EMAIL not in str(value)


def test_a_participant_reminder_takes_their_language_and_organization(participant, session):
    participant.preferred_language = "es"
    participant.save()

    reminder = schedule_sms(participant, session)

    assert reminder.language == "es"
    assert reminder.organization_id == participant.organization_id


def test_a_staff_reminder_belongs_to_its_subjects_organization(cast, session):
    reminder = reminder_schedule(
        kind=Reminder.Kind.SESSION_FACILITATOR,
        channel=Reminder.Channel.EMAIL,
        due_at=timezone.now(),
        user=cast.peer,
        about=session,
    )

    assert reminder.organization_id == cast.org.pk


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_reminder(participant, session):
    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed), transaction.atomic():
        session.starts_at += datetime.timedelta(days=1)
        session.save()
        schedule_sms(participant, session)
        raise ChangeFailed

    assert not Reminder.objects.exists()


def test_cancelling_cancels_what_is_not_sent_and_keeps_what_is(participant, session):
    sent = schedule_sms(participant, session, due_at=timezone.now() - datetime.timedelta(hours=1))
    Reminder.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    pending = schedule_sms(participant, session)
    other = schedule_sms(participant, SessionFactory(group=session.group))

    assert Reminder.objects.about(session).cancel() == 1

    statuses = dict(Reminder.objects.values_list("pk", "status"))
    assert statuses == {sent.pk: "sent", pending.pk: "cancelled", other.pk: "pending"}


def test_cancelling_can_keep_to_some_kinds(participant, session):
    reminder = schedule_sms(participant, session)

    assert Reminder.objects.about(session).filter(kind=Reminder.Kind.FEEDBACK_LINK).cancel() == 0
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING


def test_scheduling_a_cancelled_key_again_revives_it(participant, session):
    reminder = schedule_sms(participant, session)
    Reminder.objects.about(session).cancel()

    again = schedule_sms(participant, session, due_at=reminder.due_at)

    assert again.pk == reminder.pk
    assert again.status == Reminder.Status.PENDING


def test_scheduling_a_sent_key_again_leaves_it_sent(participant, session):
    reminder = schedule_sms(participant, session)
    Reminder.objects.filter(pk=reminder.pk).update(status="sent", sent_at=timezone.now())

    again = schedule_sms(participant, session, due_at=reminder.due_at)

    assert again.status == Reminder.Status.SENT


def test_the_database_refuses_a_reminder_with_two_recipients(cast, participant, session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            organization=cast.org,
            kind="session_participant",
            channel="email",
            user=cast.peer,
            participant=participant,
            due_at=timezone.now(),
            idempotency_key="two-recipients",
        )


def test_the_database_refuses_a_staff_text_message(cast, session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            organization=cast.org,
            kind="session_facilitator",
            channel="sms",
            user=cast.peer,
            due_at=timezone.now(),
            idempotency_key="staff-sms",
        )


def test_the_database_refuses_a_reminder_about_two_things(cast, participant, session):
    record = TrainingRecordFactory(profile=profile_of(cast.peer, cast.org))

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            organization=cast.org,
            kind="session_participant",
            channel="sms",
            participant=participant,
            session=session,
            training_record=record,
            due_at=timezone.now(),
            idempotency_key="about-two",
        )
