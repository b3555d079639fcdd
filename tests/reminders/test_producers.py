"""Producers: the sweep derives every reminder that should exist from the other apps' rows
(sessions, feedback links, trainings, review assignments, debrief requests), with keys
that make it write each one once, and follows moves and cancellations. Time is frozen."""

import datetime
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from facilitators.models import ReviewAssignment
from facilitators.services.self_checks import debrief_mark_handled, self_check_save
from feedback.services.links import feedback_link_close, feedback_link_ensure
from reminders.content import reminder_render
from reminders.models import Reminder
from reminders.producers import reminders_produce
from sessions_app.models import Enrollment, Session
from sessions_app.services.planning import session_cancel, session_move
from tests.conftest import member
from tests.facilitators.review_factories import (
    point_private_storage_at,
    recorded_session,
    rubric_with,
)
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    ParticipantFactory,
    SessionFactory,
    TrainingRecordFactory,
    profile_of,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOMORROW_6PM = datetime.datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def group(cast):
    group = GroupFactory(
        organization=cast.org, start_date=datetime.date(2026, 1, 1), name="Riverside Tuesday"
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    return group


def person(group, *, email=True, sms=True, language="en", **fields):
    participant = ParticipantFactory(
        organization=group.organization,
        contact_email="someone@example.net" if email else "",
        contact_phone="+15555550100" if sms else "",
        remind_by_email=email,
        remind_by_sms=sms,
        preferred_language=language,
        **fields,
    )
    EnrollmentFactory(group=group, participant=participant, joined_on=group.start_date)
    return participant


def rows(**filters):
    return Reminder.objects.filter(**filters).order_by("kind", "channel", "due_at", "pk")


def keys(**filters):
    return sorted(rows(**filters).values_list("idempotency_key", flat=True))


def pending_keys(**filters):
    return keys(status=Reminder.Status.PENDING, **filters)


# --- Sessions ------------------------------------------------------------------------


def test_a_session_tomorrow_reminds_its_facilitator_and_each_opted_in_channel(cast, group):
    both = person(group)
    texts_only = person(group, email=False)
    person(group, email=False, sms=False)  # did not opt in
    session = SessionFactory(group=group, starts_at=TOMORROW_6PM)

    produced = reminders_produce()

    s = f"session{session.pk}"
    assert keys(session=session) == sorted(
        [
            f"session_facilitator:u{cast.peer.pk}.email:{s}:20260301T1800Z",
            f"session_participant:p{both.pk}.email:{s}:20260301T1800Z",
            f"session_participant:p{both.pk}.email:{s}:20260302T1600Z",
            f"session_participant:p{both.pk}.sms:{s}:20260301T1800Z",
            f"session_participant:p{both.pk}.sms:{s}:20260302T1600Z",
            f"session_participant:p{texts_only.pk}.sms:{s}:20260301T1800Z",
            f"session_participant:p{texts_only.pk}.sms:{s}:20260302T1600Z",
        ]
    )
    assert produced.created == 7
    assert rows(participant=both).first().language == "en"


def test_producing_again_writes_nothing_new(cast, group):
    person(group)
    SessionFactory(group=group, starts_at=TOMORROW_6PM)
    reminders_produce()
    before = keys()

    again = reminders_produce()

    assert (again.created, again.cancelled, again.revived) == (0, 0, 0)
    assert keys() == before


def test_people_who_left_or_were_archived_or_joined_later_get_nothing(cast, group):
    left = person(group)
    Enrollment.objects.filter(participant=left).update(left_on=datetime.date(2026, 2, 1))
    archived = person(group, archived_at=NOW)
    later = person(group)
    Enrollment.objects.filter(participant=later).update(joined_on=datetime.date(2026, 3, 5))
    SessionFactory(group=group, starts_at=TOMORROW_6PM)

    reminders_produce()

    assert not Reminder.objects.filter(participant__in=[left, archived, later]).exists()


def test_a_session_far_ahead_gets_its_reminders_only_when_they_come_near(cast, group):
    person(group)
    session = SessionFactory(group=group, starts_at=NOW + datetime.timedelta(days=5))
    reminders_produce()
    assert not rows(session=session).exists()


def test_a_session_added_at_short_notice_gets_one_reminder_now_not_one_per_missed_offset(
    cast, group
):
    participant = person(group, email=False)
    session = SessionFactory(group=group, starts_at=NOW + datetime.timedelta(minutes=90))

    reminders_produce()

    # The 24-hour one is long past and is skipped; the 2-hour one (past by 30 minutes)
    # goes out now, once.
    assert keys(participant=participant) == [
        f"session_participant:p{participant.pk}.sms:session{session.pk}:20260301T1130Z"
    ]


def test_moving_a_session_replaces_its_pending_reminders(cast, group):
    participant = person(group, email=False)
    session = SessionFactory(group=group, starts_at=TOMORROW_6PM)
    reminders_produce()
    old = pending_keys(participant=participant)

    session_move(
        session=session, starts_at=TOMORROW_6PM + datetime.timedelta(hours=2), by=cast.manager
    )
    produced = reminders_produce()

    new = pending_keys(participant=participant)
    assert set(new).isdisjoint(old)
    assert [k.rsplit(":", 1)[1] for k in new] == ["20260301T2000Z", "20260302T1800Z"]
    assert sorted(keys(participant=participant, status=Reminder.Status.CANCELLED)) == old
    assert produced.cancelled == 3  # two for the participant, one for the facilitator


def test_moving_a_session_back_revives_the_same_rows(cast, group):
    participant = person(group, email=False)
    session = SessionFactory(group=group, starts_at=TOMORROW_6PM)
    reminders_produce()
    first = pending_keys(participant=participant)
    session_move(
        session=session, starts_at=TOMORROW_6PM + datetime.timedelta(hours=2), by=cast.manager
    )
    reminders_produce()
    session_move(session=session, starts_at=TOMORROW_6PM, by=cast.manager)

    produced = reminders_produce()

    assert pending_keys(participant=participant) == first
    assert produced.revived == 3


def test_a_rolled_back_session_move_leaves_no_reminder(cast, group):
    participant = person(group, email=False)
    session = SessionFactory(group=group, starts_at=TOMORROW_6PM)
    with pytest.raises(RuntimeError), transaction.atomic():
        session_move(session=session, starts_at=NOW + datetime.timedelta(hours=3), by=cast.manager)
        raise RuntimeError("the request failed after the move")

    reminders_produce()

    dues = [k.rsplit(":", 1)[1] for k in pending_keys(participant=participant)]
    assert dues == ["20260301T1800Z", "20260302T1600Z"]


def test_cancelling_cancels_pending_reminders_and_tells_whoever_was_reminded(cast, group):
    reminded = person(group, email=False)
    not_yet = person(group, email=False)
    session = SessionFactory(group=group, starts_at=TOMORROW_6PM)
    reminders_produce()
    # The 24-hour text went out to one of them already.
    sent = rows(participant=reminded, due_at=datetime.datetime(2026, 3, 1, 18, 0, tzinfo=UTC))
    sent.update(status=Reminder.Status.SENT, sent_at=NOW)

    session_cancel(session=session, reason="The room is flooded", by=cast.manager)
    reminders_produce()
    reminders_produce()

    notices = rows(kind=Reminder.Kind.SESSION_CANCELLED)
    assert [(n.participant_id, n.channel, n.status) for n in notices] == [
        (reminded.pk, "sms", Reminder.Status.PENDING)
    ]
    assert notices.get().due_at <= timezone.now()  # due at once
    assert not rows(participant=not_yet, status=Reminder.Status.PENDING).exists()
    assert not rows(kind=Reminder.Kind.SESSION_FACILITATOR, status=Reminder.Status.PENDING)
    assert rows(participant=reminded, status=Reminder.Status.SENT).count() == 1


def test_reminders_not_sent_by_the_time_the_session_starts_are_cancelled(cast, group, frozen):
    participant = person(group, email=False)
    SessionFactory(group=group, starts_at=TOMORROW_6PM)
    reminders_produce()

    frozen.move_to(TOMORROW_6PM + datetime.timedelta(minutes=1))
    reminders_produce()

    assert not rows(participant=participant, status=Reminder.Status.PENDING).exists()


def test_a_clinician_on_the_session_is_reminded_too(cast, group):
    session = SessionFactory(group=group, starts_at=TOMORROW_6PM, clinician=cast.clinician)
    reminders_produce()
    assert set(rows(session=session).values_list("user_id", flat=True)) == {
        cast.peer.pk,
        cast.clinician.pk,
    }


def test_offsets_follow_the_groups_clock_across_a_daylight_saving_change(cast, frozen):
    # New York springs forward at 2 am on Sunday 8 March 2026: "a day before" a Sunday
    # 6 pm group is Saturday 6 pm on the clock, 23 hours earlier.
    frozen.move_to(datetime.datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    group = GroupFactory(
        organization=cast.org, timezone="America/New_York", start_date=datetime.date(2026, 1, 1)
    )
    participant = person(group, email=False)
    zone = ZoneInfo("America/New_York")
    starts = datetime.datetime(2026, 3, 8, 18, 0, tzinfo=zone)
    session = SessionFactory(group=group, starts_at=starts)

    reminders_produce()

    dues = [r.due_at.astimezone(zone) for r in rows(participant=participant)]
    assert [(d.day, d.hour, d.minute) for d in dues] == [(7, 18, 0), (8, 16, 0)]
    assert starts.astimezone(UTC) - dues[0].astimezone(UTC) == datetime.timedelta(hours=23)
    text = reminder_render(rows(participant=participant).first()).sms
    assert "Sunday" in text
    assert "6:00" in text
    assert rows(session=session).count() == 2  # no facilitator in this group


def test_a_spanish_speaker_in_madrid_reads_the_day_and_time_of_madrid(cast, frozen):
    frozen.move_to(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    group = GroupFactory(
        organization=cast.org, timezone="Europe/Madrid", start_date=datetime.date(2026, 1, 1)
    )
    participant = person(group, email=False, language="es")
    SessionFactory(group=group, starts_at=datetime.datetime(2026, 3, 2, 17, 30, tzinfo=UTC))

    reminders_produce()

    reminder = rows(participant=participant).first()
    assert reminder.language == "es"
    text = reminder_render(reminder).sms
    assert "lunes" in text
    assert "18:30" in text


# --- Feedback links ------------------------------------------------------------------


@pytest.fixture
def held_session(cast, group):
    session = SessionFactory(
        group=group, starts_at=NOW - datetime.timedelta(hours=2), status=Session.Status.HELD
    )
    return session


def test_a_held_sessions_open_link_goes_to_those_present_who_opted_in(cast, group, held_session):
    present = person(group, email=False)
    absent = person(group, email=False)
    AttendanceFactory(session=held_session, participant=present)
    AttendanceFactory(session=held_session, participant=absent, status="absent")
    link = feedback_link_ensure(session=held_session, by=cast.peer)

    reminders_produce()

    feedback = rows(kind=Reminder.Kind.FEEDBACK_LINK)
    assert [(r.participant_id, r.feedback_link_id) for r in feedback] == [(present.pk, link.pk)]
    ends = held_session.starts_at + datetime.timedelta(minutes=held_session.duration_minutes)
    assert feedback.get().due_at == ends
    # The same link as on the facilitator's page: one per session, never one per person.
    assert f"/f/{link.token}" in reminder_render(feedback.get()).sms


def test_no_feedback_reminder_without_a_link_or_once_it_is_closed(cast, group, held_session):
    present = person(group, email=False)
    AttendanceFactory(session=held_session, participant=present)
    reminders_produce()
    assert not rows(kind=Reminder.Kind.FEEDBACK_LINK).exists()

    link = feedback_link_ensure(session=held_session, by=cast.peer)
    reminders_produce()
    assert rows(kind=Reminder.Kind.FEEDBACK_LINK, status=Reminder.Status.PENDING).count() == 1
    feedback_link_close(link=link, by=cast.peer)
    reminders_produce()
    assert not rows(kind=Reminder.Kind.FEEDBACK_LINK, status=Reminder.Status.PENDING).exists()


# --- Trainings, reviews, debriefs ----------------------------------------------------


def test_a_training_expiring_within_30_days_reminds_the_facilitator_and_the_managers(cast):
    record = TrainingRecordFactory(
        profile=profile_of(cast.peer), expires_on=datetime.date(2026, 3, 20)
    )
    reminders_produce()
    expiring = rows(kind=Reminder.Kind.TRAINING_EXPIRING)
    assert sorted(expiring.values_list("user_id", flat=True)) == sorted(
        [cast.peer.pk, cast.manager.pk]
    )
    # 9 am where the organization works, 30 days before the expiry date.
    assert {r.due_at for r in expiring} == {datetime.datetime(2026, 2, 18, 9, 0, tzinfo=UTC)}
    assert {r.training_record_id for r in expiring} == {record.pk}


def test_a_renewed_training_is_not_chased(cast):
    profile = profile_of(cast.peer)
    TrainingRecordFactory(profile=profile, expires_on=datetime.date(2026, 3, 20))
    TrainingRecordFactory(profile=profile, expires_on=datetime.date(2029, 3, 20))
    reminders_produce()
    assert not rows(kind=Reminder.Kind.TRAINING_EXPIRING).exists()


def test_a_training_that_expired_this_week_says_so_once(cast):
    TrainingRecordFactory(profile=profile_of(cast.peer), expires_on=datetime.date(2026, 2, 27))
    TrainingRecordFactory(
        profile=profile_of(cast.clinician),
        completed_on=datetime.date(2025, 1, 2),
        expires_on=datetime.date(2026, 1, 2),
    )
    reminders_produce()
    reminders_produce()
    expired = rows(kind=Reminder.Kind.TRAINING_EXPIRED)
    assert sorted(expired.values_list("user_id", flat=True)) == sorted(
        [cast.peer.pk, cast.manager.pk]
    )
    assert {r.due_at for r in expired} == {datetime.datetime(2026, 2, 28, 9, 0, tzinfo=UTC)}


@pytest.fixture
def recorded_assignment(cast, tmp_path, settings):
    point_private_storage_at(tmp_path / "private", settings=settings)
    recorded = recorded_session(cast.org, cast.peer)
    return ReviewAssignment.objects.create(
        organization=cast.org,
        reviewer=cast.reviewer,
        rubric=rubric_with({"Format": 1}),
        recording=recorded.recording,
        assigned_by=cast.manager,
    )


def test_a_review_waiting_more_than_seven_days_reminds_the_reviewer_and_managers(
    cast, recorded_assignment
):
    ReviewAssignment.objects.filter(pk=recorded_assignment.pk).update(
        assigned_at=NOW - datetime.timedelta(days=8)
    )
    reminders_produce()
    waiting = rows(kind=Reminder.Kind.REVIEW_WAITING)
    assert sorted(waiting.values_list("user_id", flat=True)) == sorted(
        [cast.reviewer.pk, cast.manager.pk]
    )
    assert {r.due_at for r in waiting} == {NOW - datetime.timedelta(days=1)}


def test_a_review_submitted_or_younger_than_seven_days_reminds_nobody(cast, recorded_assignment):
    ReviewAssignment.objects.filter(pk=recorded_assignment.pk).update(
        assigned_at=NOW - datetime.timedelta(days=6)
    )
    reminders_produce()
    ReviewAssignment.objects.filter(pk=recorded_assignment.pk).update(
        assigned_at=NOW - datetime.timedelta(days=8),
        status=ReviewAssignment.Status.SUBMITTED,
        closed_at=NOW,
    )
    reminders_produce()
    assert not rows(kind=Reminder.Kind.REVIEW_WAITING).exists()


def test_a_debrief_request_reminds_the_managers_and_stops_once_handled(cast, group):
    second_manager = member(cast.org, Role.MANAGER, email="second.manager@riverside.test")
    session = SessionFactory(
        group=group, starts_at=NOW - datetime.timedelta(hours=3), status=Session.Status.HELD
    )
    check = self_check_save(session=session, by=cast.peer, answers={"wants_debrief": True})
    reminders_produce()
    debriefs = rows(kind=Reminder.Kind.DEBRIEF_REQUESTED)
    assert sorted(debriefs.values_list("user_id", flat=True)) == sorted(
        [cast.manager.pk, second_manager.pk]
    )
    assert cast.peer.pk not in debriefs.values_list("user_id", flat=True)

    debrief_mark_handled(request=check.debrief_request, by=cast.manager)
    reminders_produce()
    assert not rows(kind=Reminder.Kind.DEBRIEF_REQUESTED, status=Reminder.Status.PENDING)


def test_beat_runs_the_producing_sweep_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["produce-reminders"]
    assert entry["task"] == "reminders.tasks.reminders_produce_due"
    assert entry["schedule"] == 60.0


def test_the_producing_task_writes_the_reminders(cast, group):
    from reminders.tasks import reminders_produce_due

    person(group, email=False)
    SessionFactory(group=group, starts_at=TOMORROW_6PM)
    assert reminders_produce_due.delay().get() == 3
    assert rows(kind=Reminder.Kind.SESSION_PARTICIPANT).count() == 2
