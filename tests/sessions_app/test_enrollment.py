"""Enrollment: open groups take people any time and rosters follow; closed groups ask a
manager once they have started; capacity holds; leaving takes people off later sessions."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from curriculum.models import Topic
from sessions_app.models import Attendance, Enrollment, Group, GroupTopic, Participant, Session
from sessions_app.selectors.running import session_roster
from sessions_app.services import participants as services
from sessions_app.services.planning import sessions_generate
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    ParticipantFactory,
)

# A Monday, noon UTC.
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name, **kwargs):
    return reverse(f"sessions_app:{name}", kwargs=kwargs)


def a_group(org, **kwargs):
    kwargs.setdefault("start_date", TODAY)
    group = GroupFactory(organization=org, weekdays=[1, 3], **kwargs)
    GroupTopic.objects.bulk_create(
        GroupTopic(group=group, topic=topic, position=position)
        for position, topic in enumerate(Topic.objects.order_by("order"), start=1)
    )
    sessions_generate(group=group, weeks=4)
    return group


@pytest.fixture
def group(cast):
    group = a_group(cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    return group


def roster(session) -> list[str]:
    return [p.display_name for p in session_roster(session=session)]


def new_person_data(**overrides):
    data = {"new-display_name": "Newcomer", "new-preferred_language": "en"}
    data.update(overrides)
    return data


# --- Open enrollment: rosters follow enrollments --------------------------------------------


def test_someone_who_joins_after_sessions_were_planned_is_on_every_later_session(client, cast):
    group = a_group(cast.org, start_date=TODAY - datetime.timedelta(days=14))
    with time_machine.travel(NOW - datetime.timedelta(days=14), tick=False):
        sessions_generate(group=group, weeks=4)
    past = list(group.sessions.filter(starts_at__lt=NOW))
    future = list(group.sessions.filter(starts_at__gt=NOW))
    assert past and future
    participant = ParticipantFactory(organization=cast.org, display_name="Late Joiner")

    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )

    assert response.status_code == 302
    assert Enrollment.objects.get().joined_on == TODAY
    assert all("Late Joiner" in roster(s) for s in future)
    assert not any("Late Joiner" in roster(s) for s in past)


def test_leaving_takes_someone_off_later_sessions_only(client, cast):
    group = a_group(cast.org, start_date=TODAY - datetime.timedelta(days=14))
    with time_machine.travel(NOW - datetime.timedelta(days=14), tick=False):
        sessions_generate(group=group, weeks=4)
    enrollment = EnrollmentFactory(
        group=group, participant__display_name="Leaver", joined_on=group.start_date
    )
    past = list(group.sessions.filter(starts_at__lt=NOW))
    future = list(group.sessions.filter(starts_at__gt=NOW))

    client.force_login(cast.manager)
    leave = url(
        "group_enrollment_end", code=group.code, participant_code=enrollment.participant.code
    )
    assert client.get(leave).status_code == 200
    response = client.post(leave, {"left_on": TODAY.isoformat(), "left_reason": "moved"})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.left_on, enrollment.left_reason) == (TODAY, "moved")
    assert all("Leaver" in roster(s) for s in past)
    assert not any("Leaver" in roster(s) for s in future)


def test_a_participant_can_be_in_several_groups_and_rejoin_after_leaving(cast):
    first, second = a_group(cast.org), a_group(cast.org)
    participant = ParticipantFactory(organization=cast.org)
    for group in (first, second):
        services.enrollment_create(group=group, participant=participant, by=cast.manager)
    enrollment = first.enrollments.get()
    services.enrollment_end(enrollment=enrollment, left_on=TODAY, left_reason="other", by=cast.peer)
    with time_machine.travel(NOW + datetime.timedelta(days=7), tick=False):
        services.enrollment_create(group=first, participant=participant, by=cast.manager)
    assert participant.enrollments.count() == 3
    assert participant.enrollments.filter(left_on=None).count() == 2


# --- Who enrolls ----------------------------------------------------------------------------


def test_a_groups_facilitator_enrolls_an_existing_participant(client, cast, group):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 302
    enrollment = group.enrollments.get()
    assert enrollment.participant == participant
    assert enrollment.history.get().history_user == cast.peer


def test_a_groups_facilitator_adds_someone_new_and_enrolls_them_in_one_step(client, cast, group):
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll_new", code=group.code),
        new_person_data(**{"new-contact_phone": "555 010 2233", "new-reminder_opt_in": "on"}),
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.organization == cast.org
    assert participant.contact_phone == "555 010 2233"
    assert group.enrollments.get().participant == participant
    assert participant.history.get().history_user == cast.peer


def test_joining_on_a_later_date_puts_them_on_sessions_from_that_day(client, cast, group):
    participant = ParticipantFactory(organization=cast.org, display_name="Next week")
    client.force_login(cast.peer)
    joins = TODAY + datetime.timedelta(days=7)
    client.post(
        url("group_enroll", code=group.code),
        {"enroll-participant": participant.code, "enroll-joined_on": joins.isoformat()},
    )
    sessions = list(group.sessions.order_by("starts_at"))
    on = [s for s in sessions if "Next week" in roster(s)]
    assert on
    assert all(s.starts_at.date() >= joins for s in on)
    assert len(on) < len(sessions)


# --- Refusals -------------------------------------------------------------------------------


def test_a_full_group_refuses_one_more_with_a_clear_message(client, cast):
    group = a_group(cast.org, capacity=2)
    EnrollmentFactory.create_batch(2, group=group)
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 400
    assert "This group is full: 2 of 2 places are taken." in response.content.decode()
    assert group.enrollments.count() == 2


def test_adding_someone_new_to_a_full_group_saves_nobody(client, cast):
    group = a_group(cast.org, capacity=2)
    EnrollmentFactory.create_batch(2, group=group)
    client.force_login(cast.manager)
    response = client.post(url("group_enroll_new", code=group.code), new_person_data())
    assert response.status_code == 400
    assert "This group is full" in response.content.decode()
    assert not Participant.objects.filter(display_name="Newcomer").exists()


def test_a_place_freed_by_someone_leaving_can_be_taken(cast):
    group = a_group(cast.org, capacity=2)
    first, _second = EnrollmentFactory.create_batch(2, group=group)
    services.enrollment_end(enrollment=first, left_on=TODAY, left_reason="moved", by=cast.manager)
    services.enrollment_create(
        group=group, participant=ParticipantFactory(organization=cast.org), by=cast.manager
    )
    assert group.enrollments.current().count() == 2


def test_enrolling_someone_twice_says_they_are_already_in(cast, group):
    participant = ParticipantFactory(organization=cast.org, display_name="Twice")
    services.enrollment_create(group=group, participant=participant, by=cast.peer)
    with pytest.raises(ValidationError, match="Twice is already in this group"):
        services.enrollment_create(group=group, participant=participant, by=cast.peer)
    assert group.enrollments.count() == 1


def test_a_stale_enroll_form_submitted_twice_gets_a_clear_400(client, cast, group):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    data = {"enroll-participant": participant.code}
    assert client.post(url("group_enroll", code=group.code), data).status_code == 302
    response = client.post(url("group_enroll", code=group.code), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert group.enrollments.count() == 1


@pytest.mark.parametrize("whose", ["other_org", "archived"])
def test_only_active_participants_of_the_organization_can_be_enrolled(client, cast, group, whose):
    if whose == "other_org":
        participant = ParticipantFactory(organization=cast.other_org)
    else:
        participant = ParticipantFactory(organization=cast.org, archived_at=NOW)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_the_service_refuses_a_participant_of_another_organization(cast, group):
    with pytest.raises(ValidationError, match="another organization"):
        services.enrollment_create(
            group=group,
            participant=ParticipantFactory(organization=cast.other_org),
            by=cast.manager,
        )


def test_joining_after_the_group_ends_is_refused(client, cast):
    group = a_group(cast.org, end_date=TODAY + datetime.timedelta(days=10))
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code),
        {
            "enroll-participant": participant.code,
            "enroll-joined_on": (TODAY + datetime.timedelta(days=11)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The group ends on" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_joining_before_the_group_starts_is_refused(client, cast):
    group = a_group(cast.org)
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code),
        {
            "enroll-participant": participant.code,
            "enroll-joined_on": (group.start_date - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The group starts on" in response.content.decode()
    assert not Enrollment.objects.exists()


# --- Closed groups ------------------------------------------------------------------------


@pytest.fixture
def started_closed_group(cast):
    group = a_group(
        cast.org, admission=Group.Admission.CLOSED, start_date=TODAY - datetime.timedelta(days=7)
    )
    Session.objects.create(
        group=group,
        starts_at=NOW - datetime.timedelta(days=6),
        duration_minutes=90,
        status=Session.Status.HELD,
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    return group


def test_a_closed_group_takes_people_freely_before_it_starts(client, cast):
    group = a_group(
        cast.org, admission=Group.Admission.CLOSED, start_date=TODAY + datetime.timedelta(days=7)
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(cast.peer)
    response = client.post(url("group_enroll_new", code=group.code), new_person_data())
    assert response.status_code == 302
    assert group.enrollments.count() == 1


def test_a_started_closed_group_refuses_a_facilitator_and_points_to_a_manager(
    client, cast, started_closed_group
):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll", code=started_closed_group.code),
        {"enroll-participant": participant.code, "enroll-confirm_late_join": "on"},
    )
    assert response.status_code == 400
    assert "This closed group has already started" in response.content.decode()
    assert "enroll-confirm_late_join" not in response.content.decode()  # not theirs to confirm
    assert not Enrollment.objects.exists()


def test_a_manager_enrolls_late_in_a_closed_group_only_by_confirming(
    client, cast, started_closed_group
):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    enroll = url("group_enroll", code=started_closed_group.code)
    response = client.post(enroll, {"enroll-participant": participant.code})
    assert response.status_code == 400
    assert "A program manager can confirm an exception" in response.content.decode()
    assert not Enrollment.objects.exists()

    response = client.post(
        enroll, {"enroll-participant": participant.code, "enroll-confirm_late_join": "on"}
    )
    assert response.status_code == 302
    assert started_closed_group.enrollments.get().participant == participant


def test_a_closed_group_whose_first_session_has_begun_counts_as_started(cast):
    group = a_group(cast.org, admission=Group.Admission.CLOSED)
    assert not services.group_has_started(group)
    first = group.sessions.order_by("starts_at").first()
    with time_machine.travel(first.starts_at + datetime.timedelta(minutes=5), tick=False):
        assert services.group_has_started(group)


# --- Leaving: bad input -------------------------------------------------------------------


@pytest.fixture
def member_since_last_week(cast, group):
    return EnrollmentFactory(
        group=group, joined_on=TODAY - datetime.timedelta(days=7), participant__display_name="M"
    )


def _leave(client, enrollment, **data):
    return client.post(
        url(
            "group_enrollment_end",
            code=enrollment.group.code,
            participant_code=enrollment.participant.code,
        ),
        data,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"left_on": "2026-11-24", "left_reason": "moved"}, services.LEFT_IN_FUTURE),
        ({"left_on": "2026-11-15", "left_reason": "moved"}, "before they joined"),
        ({"left_on": "2026-11-23", "left_reason": "vanished"}, "Select a valid choice"),
        ({"left_on": "", "left_reason": "moved"}, "This field is required."),
    ],
)
def test_invalid_leaving_is_refused_with_the_message_and_nothing_changes(
    client, cast, member_since_last_week, data, message
):
    client.force_login(cast.peer)
    response = _leave(client, member_since_last_week, **data)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    member_since_last_week.refresh_from_db()
    assert member_since_last_week.left_on is None


def test_leaving_cannot_erase_someone_from_a_session_they_attended(
    client, cast, group, member_since_last_week
):
    attended = Session.objects.create(
        group=group,
        starts_at=NOW - datetime.timedelta(days=2),
        duration_minutes=90,
        status=Session.Status.HELD,
    )
    AttendanceFactory(session=attended, participant=member_since_last_week.participant)
    client.force_login(cast.manager)
    response = _leave(
        client,
        member_since_last_week,
        left_on=(TODAY - datetime.timedelta(days=3)).isoformat(),
        left_reason="moved",
    )
    assert response.status_code == 400
    assert "Their attendance was taken at a session on" in response.content.decode()
    assert (
        _leave(
            client, member_since_last_week, left_on=TODAY.isoformat(), left_reason="moved"
        ).status_code
        == 302
    )
    assert Attendance.objects.filter(participant=member_since_last_week.participant).exists()


def test_someone_who_already_left_has_no_leave_page(client, cast, member_since_last_week):
    client.force_login(cast.peer)
    assert (
        _leave(
            client, member_since_last_week, left_on=TODAY.isoformat(), left_reason="moved"
        ).status_code
        == 302
    )
    assert (
        _leave(
            client, member_since_last_week, left_on=TODAY.isoformat(), left_reason="moved"
        ).status_code
        == 404
    )


# --- Who may act ----------------------------------------------------------------------------


def _enroll_urls(group, participant):
    return [
        (url("group_enroll", code=group.code), {"enroll-participant": participant.code}),
        (url("group_enroll_new", code=group.code), new_person_data()),
        (
            url("group_enrollment_end", code=group.code, participant_code=participant.code),
            {"left_on": TODAY.isoformat(), "left_reason": "moved"},
        ),
    ]


@pytest.mark.parametrize("actor", ["outsider", "outsider_manager", "nobody", "admin"])
def test_outsiders_get_404_and_change_nothing(client, cast, group, actor):
    enrollment = EnrollmentFactory(group=group, joined_on=TODAY)
    spare = ParticipantFactory(organization=cast.org)
    client.force_login(getattr(cast, actor))
    for target, data in _enroll_urls(group, enrollment.participant):
        data = {**data, "enroll-participant": spare.code}
        assert client.post(target, data).status_code == 404, target
    assert client.get(_enroll_urls(group, enrollment.participant)[2][0]).status_code == 404
    assert Enrollment.objects.count() == 1
    assert Enrollment.objects.get().left_on is None


@pytest.mark.parametrize("actor", ["clinician", "reviewer"])
def test_members_who_do_not_run_the_group_get_403(client, cast, group, actor):
    enrollment = EnrollmentFactory(group=group, joined_on=TODAY)
    spare = ParticipantFactory(organization=cast.org)
    client.force_login(getattr(cast, actor))
    for target, data in _enroll_urls(group, enrollment.participant):
        data = {**data, "enroll-participant": spare.code}
        assert client.post(target, data).status_code == 403, target
    assert Enrollment.objects.count() == 1
    assert not Participant.objects.filter(display_name="Newcomer").exists()


@pytest.mark.parametrize("name", ["group_enroll", "group_enroll_new"])
def test_enrolling_refuses_get(client, cast, group, name):
    client.force_login(cast.peer)
    assert client.get(url(name, code=group.code)).status_code == 405


def test_invalid_new_participant_is_refused_with_the_message_and_nothing_saved(client, cast, group):
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll_new", code=group.code),
        new_person_data(**{"new-reminder_opt_in": "on"}),
    )
    assert response.status_code == 400
    assert "To get reminders, add an email address" in response.content.decode()
    assert not Participant.objects.exists()
    assert not Enrollment.objects.exists()


# --- Invariant 7 ----------------------------------------------------------------------------


def test_enrollment_history_keeps_who_and_when(client, cast, group):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    client.post(url("group_enroll", code=group.code), {"enroll-participant": participant.code})
    client.force_login(cast.manager)
    client.post(
        url("group_enrollment_end", code=group.code, participant_code=participant.code),
        {"left_on": TODAY.isoformat(), "left_reason": "completed"},
    )
    enrollment = Enrollment.objects.get()
    history = list(enrollment.history.order_by("history_date"))
    assert [(h.history_type, h.history_user, h.left_on) for h in history] == [
        ("+", cast.peer, None),
        ("~", cast.manager, TODAY),
    ]


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_people_cannot_both_take_the_last_place(cast):
    group = a_group(cast.org, capacity=2)
    EnrollmentFactory(group=group)
    people = ParticipantFactory.create_batch(2, organization=cast.org)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enroll(participant):
        from django.db import connections

        try:
            barrier.wait()
            services.enrollment_create(group=group, participant=participant, by=cast.manager)
            outcomes.append("enrolled")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enroll, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled", "refused"]
    assert group.enrollments.current().count() == 2
