"""The session page: attendance, the log, adaptations, notes to self, commitments, held,
and the history kept after it."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role, User
from curriculum.models import Topic
from sessions_app.models import (
    Adaptation,
    Attendance,
    Commitment,
    FacilitatorAssignment,
    FacilitatorNote,
    Group,
    Participant,
    Session,
    SessionLog,
)
from sessions_app.services import running
from sessions_app.services.common import STALE
from tests.conftest import CANARY
from tests.factories import (
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    ParticipantFactory,
    SessionFactory,
    TopicMaterialFactory,
    member,
)

# A Tuesday evening; the session started an hour ago.
NOW = datetime.datetime(2026, 11, 24, 19, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    # Ticking, so auto_now timestamps of two saves differ like they do in real life.
    with time_machine.travel(NOW):
        yield


@dataclass
class Run:
    group: Group
    session: Session
    roster: list[Participant]
    other_facilitator: User


@pytest.fixture
def run(cast) -> Run:
    group = GroupFactory(organization=cast.org, start_date=datetime.date(2026, 10, 1))
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    FacilitatorAssignmentFactory(
        group=group, user=cast.clinician, role=FacilitatorAssignment.Role.CLINICIAN_CO
    )
    roster = [
        EnrollmentFactory(group=group, participant__display_name=name).participant
        for name in ["Ana", "Bea", "Cy"]
    ]
    session = SessionFactory(group=group, starts_at=NOW - datetime.timedelta(hours=1))
    other_facilitator = member(cast.org, Role.FACILITATOR, email="other.group@riverside.test")
    FacilitatorAssignmentFactory(group=GroupFactory(organization=cast.org), user=other_facilitator)
    return Run(group, session, roster, other_facilitator)


def url(name: str, session: Session, **kwargs) -> str:
    return reverse(f"sessions_app:{name}", kwargs={"code": session.code, **kwargs})


def attendance_data(run: Run, marks: dict[str, str], drop_ins: int = 0) -> dict[str, str]:
    session = Session.objects.get(pk=run.session.pk)
    data = {
        "version": running.attendance_version(session.attendance.all(), session.drop_in_count),
        "drop_in_count": str(drop_ins),
    }
    by_name = {p.display_name: p for p in run.roster}
    data.update({f"status_{by_name[name].code}": status for name, status in marks.items()})
    return data


def log_data(run: Run, **fields) -> dict:
    log = SessionLog.objects.filter(session=run.session).first()
    data = {"version": running.log_version(log), "quotation_reference": ""}
    data.update(fields)
    return data


def commitments_data(run: Run, session: Session, texts: dict[str, str]) -> dict[str, str]:
    data = {"version": running.commitments_version(session.commitments.all())}
    by_name = {p.display_name: p for p in run.roster}
    data.update({f"commitment_{by_name[name].code}": text for name, text in texts.items()})
    return data


# --- Reading the page ---------------------------------------------------------------------


def test_facilitator_sees_the_roster_and_every_part_of_the_session(client, cast, run):
    client.force_login(cast.peer)
    response = client.get(url("session_detail", run.session))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ["Ana", "Bea", "Cy", "Attendance", "Session log", "Adaptations", "Note to self"]:
        assert name in body
    assert "Mark session held" in body


def test_clinician_of_the_session_and_manager_may_open_it(client, cast, run):
    for user in (cast.clinician, cast.manager):
        client.force_login(user)
        assert client.get(url("session_detail", run.session)).status_code == 200


def test_clinician_named_on_the_session_may_open_it_without_an_assignment(client, cast, run):
    FacilitatorAssignment.objects.filter(user=cast.clinician).delete()
    client.force_login(cast.clinician)
    assert client.get(url("session_detail", run.session)).status_code == 403
    Session.objects.filter(pk=run.session.pk).update(clinician=cast.clinician)
    assert client.get(url("session_detail", run.session)).status_code == 200


def test_reviewer_and_facilitator_of_another_group_get_403(client, cast, run):
    for user in (cast.reviewer, run.other_facilitator):
        client.force_login(user)
        assert client.get(url("session_detail", run.session)).status_code == 403


def test_outsider_gets_404_and_no_canary(client, cast, run):
    client.force_login(cast.outsider_manager)
    response = client.get(url("session_detail", run.session))
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, run):
    response = client.get(url("session_detail", run.session))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_someone_who_joined_after_the_session_is_not_on_its_roster(client, cast, run):
    EnrollmentFactory(
        group=run.group, participant__display_name="Late Joiner", joined_on=NOW.date()
    )
    EnrollmentFactory(
        group=run.group,
        participant__display_name="Already Left",
        joined_on=datetime.date(2026, 10, 1),
        left_on=datetime.date(2026, 11, 1),
    )
    client.force_login(cast.peer)
    body = client.get(url("session_detail", run.session)).content.decode()
    assert "Late Joiner" in body  # joined today, the session's day
    assert "Already Left" not in body


# --- Attendance ---------------------------------------------------------------------------


def test_attendance_is_saved_with_one_choice_per_person_and_drop_ins(client, cast, run):
    client.force_login(cast.peer)
    data = attendance_data(run, {"Ana": "present", "Bea": "absent", "Cy": "excused"}, 2)
    response = client.post(url("session_attendance", run.session), data)
    assert response.status_code == 302
    statuses = {a.participant.display_name: a.status for a in Attendance.objects.all()}
    assert statuses == {"Ana": "present", "Bea": "absent", "Cy": "excused"}
    run.session.refresh_from_db()
    assert run.session.drop_in_count == 2
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {cast.peer.pk}
    history = Attendance.history.filter(participant__display_name="Ana").get()
    assert history.history_user == cast.peer


def test_attendance_left_blank_for_someone_is_not_recorded(client, cast, run):
    client.force_login(cast.peer)
    client.post(url("session_attendance", run.session), attendance_data(run, {"Ana": "present"}))
    assert list(Attendance.objects.values_list("participant__display_name", flat=True)) == ["Ana"]


def test_attendance_get_is_refused(client, cast, run):
    client.force_login(cast.peer)
    assert client.get(url("session_attendance", run.session)).status_code == 405


def test_attendance_by_outsider_gets_404(client, cast, run):
    client.force_login(cast.outsider)
    data = attendance_data(run, {"Ana": "present"})
    assert client.post(url("session_attendance", run.session), data).status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_by_reviewer_gets_403(client, cast, run):
    client.force_login(cast.reviewer)
    data = attendance_data(run, {"Ana": "present"})
    assert client.post(url("session_attendance", run.session), data).status_code == 403
    assert not Attendance.objects.exists()


def test_invalid_attendance_is_400_and_nothing_is_saved(client, cast, run):
    client.force_login(cast.peer)
    data = attendance_data(run, {"Ana": "present", "Bea": "asleep"}, drop_ins=-1)
    response = client.post(url("session_attendance", run.session), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Attendance.objects.exists()
    run.session.refresh_from_db()
    assert run.session.drop_in_count == 0


def test_attendance_for_someone_not_enrolled_is_refused(client, cast, run):
    stranger = EnrollmentFactory(group=GroupFactory(organization=cast.org)).participant
    client.force_login(cast.peer)
    data = attendance_data(run, {"Ana": "present"})
    data[f"status_{stranger.code}"] = "present"
    response = client.post(url("session_attendance", run.session), data)
    assert response.status_code == 400
    assert "not enrolled in the group" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_service_refuses_someone_off_the_roster(cast, run):
    stranger = ParticipantFactory(organization=cast.org)
    with pytest.raises(ValidationError):
        running.attendance_record(
            session=run.session,
            marks={run.roster[0].pk: "present", stranger.pk: "present"},
            drop_in_count=0,
            by=cast.peer,
            expected_version=running.attendance_version([], 0),
        )
    assert not Attendance.objects.exists()


def test_a_stale_attendance_form_submitted_twice_is_refused(client, cast, run):
    client.force_login(cast.peer)
    first = attendance_data(run, {"Ana": "present", "Bea": "present"})
    assert client.post(url("session_attendance", run.session), first).status_code == 302
    stale = {**first, f"status_{run.roster[1].code}": "absent"}
    response = client.post(url("session_attendance", run.session), stale)
    assert response.status_code == 400
    assert escape(str(STALE)) in response.content.decode()
    assert Attendance.objects.get(participant=run.roster[1]).status == "present"


def test_attendance_of_a_cancelled_session_is_refused(client, cast, run):
    Session.objects.filter(pk=run.session.pk).update(status="cancelled", cancel_reason="Flood")
    client.force_login(cast.peer)
    data = attendance_data(run, {"Ana": "present"})
    assert client.post(url("session_attendance", run.session), data).status_code == 400
    assert not Attendance.objects.exists()


def test_attendance_before_the_sessions_day_is_refused(client, cast, run):
    later = SessionFactory(group=run.group, starts_at=NOW + datetime.timedelta(days=2))
    client.force_login(cast.peer)
    data = {
        "version": running.attendance_version([], 0),
        "drop_in_count": "0",
        f"status_{run.roster[0].code}": "present",
    }
    response = client.post(url("session_attendance", later), data)
    assert response.status_code == 400
    assert escape(str(running.NOT_YET)) in response.content.decode()
    assert not Attendance.objects.exists()


# --- Session log --------------------------------------------------------------------------


def test_the_log_saves_the_parts_done_and_handouts_of_the_topic(client, cast, run):
    shared = TopicMaterialFactory(organization=None, title="Shared handout")
    own = TopicMaterialFactory(organization=cast.org, title="Our own handout")
    client.force_login(cast.peer)
    body = client.get(url("session_detail", run.session)).content.decode()
    assert "Shared handout" in body and "Our own handout" in body
    data = log_data(
        run,
        check_in_done="on",
        quotation_reference="Quote on page 12",
        handouts_used=[shared.pk, own.pk],
        check_out_done="on",
        actual_length_minutes="85",
    )
    response = client.post(url("session_log", run.session), data)
    assert response.status_code == 302
    log = SessionLog.objects.get(session=run.session)
    assert log.check_in_done and log.check_out_done and not log.follow_up_needed
    assert log.quotation_reference == "Quote on page 12"
    assert log.actual_length_minutes == 85
    assert set(log.handouts_used.all()) == {shared, own}
    assert log.updated_by == cast.peer


def test_the_log_offers_no_material_of_another_organization_or_topic(client, cast, run):
    foreign = TopicMaterialFactory(organization=cast.other_org, title=f"Theirs {CANARY}")
    other_topic = TopicMaterialFactory(
        organization=cast.org, title="Another topic's", topic=Topic.objects.get(order=5)
    )
    client.force_login(cast.peer)
    body = client.get(url("session_detail", run.session)).content.decode()
    assert CANARY not in body and "Another topic&#x27;s" not in body
    for material in (foreign, other_topic):
        data = log_data(run, handouts_used=[material.pk])
        assert client.post(url("session_log", run.session), data).status_code == 400
    assert not SessionLog.objects.exists()


def test_log_get_is_refused(client, cast, run):
    client.force_login(cast.peer)
    assert client.get(url("session_log", run.session)).status_code == 405


def test_log_by_outsider_gets_404_and_by_reviewer_403(client, cast, run):
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        response = client.post(url("session_log", run.session), log_data(run, check_in_done="on"))
        assert response.status_code == status
    assert not SessionLog.objects.exists()


def test_invalid_log_is_400_and_nothing_is_saved(client, cast, run):
    client.force_login(cast.peer)
    data = log_data(run, check_in_done="on", actual_length_minutes="0")
    response = client.post(url("session_log", run.session), data)
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_a_stale_log_form_submitted_twice_is_refused(client, cast, run):
    client.force_login(cast.peer)
    first = log_data(run, check_in_done="on")
    assert client.post(url("session_log", run.session), first).status_code == 302
    response = client.post(url("session_log", run.session), {**first, "follow_up_needed": "on"})
    assert response.status_code == 400
    assert escape(str(STALE)) in response.content.decode()
    assert not SessionLog.objects.get().follow_up_needed


# --- Adaptations --------------------------------------------------------------------------


def adaptation_data(session: Session, **fields) -> dict:
    return {
        "version": running.adaptations_version(session.adaptations.all()),
        "category": "language",
        "what": "Explained the handout in Spanish too",
        "why": "Two people prefer Spanish",
        **fields,
    }


def test_an_adaptation_is_noted_with_what_and_why(client, cast, run):
    client.force_login(cast.peer)
    response = client.post(url("session_adaptation_add", run.session), adaptation_data(run.session))
    assert response.status_code == 302
    adaptation = Adaptation.objects.get()
    assert (adaptation.category, adaptation.created_by) == ("language", cast.peer)
    assert (
        "Two people prefer Spanish"
        in client.get(url("session_detail", run.session)).content.decode()
    )


def test_adaptation_get_is_refused_outsider_404_reviewer_403(client, cast, run):
    client.force_login(cast.peer)
    assert client.get(url("session_adaptation_add", run.session)).status_code == 405
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        data = adaptation_data(run.session)
        assert client.post(url("session_adaptation_add", run.session), data).status_code == status
    assert not Adaptation.objects.exists()


def test_an_adaptation_without_why_is_400_and_not_saved(client, cast, run):
    client.force_login(cast.peer)
    data = adaptation_data(run.session, why="")
    response = client.post(url("session_adaptation_add", run.session), data)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Adaptation.objects.exists()


def test_the_same_adaptation_form_submitted_twice_is_saved_once(client, cast, run):
    client.force_login(cast.peer)
    data = adaptation_data(run.session)
    client.post(url("session_adaptation_add", run.session), data)
    assert client.post(url("session_adaptation_add", run.session), data).status_code == 400
    assert Adaptation.objects.count() == 1


def test_removing_an_adaptation_keeps_it_in_history(client, cast, run):
    adaptation = Adaptation.objects.create(
        session=run.session, category="time", what="Shorter", why="Late start"
    )
    remove = url("session_adaptation_remove", run.session, adaptation_id=adaptation.pk)
    client.force_login(cast.reviewer)
    assert client.post(remove).status_code == 403
    client.force_login(cast.peer)
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not Adaptation.objects.exists()
    assert Adaptation.history.filter(history_type="-").get().history_user == cast.peer
    # A second tap finds nothing to remove and says so.
    response = client.post(remove, follow=True)
    assert "already removed" in response.content.decode()


def test_an_adaptation_of_another_session_cannot_be_removed_through_this_one(client, cast, run):
    elsewhere = SessionFactory(group=run.group, starts_at=NOW - datetime.timedelta(days=7))
    adaptation = Adaptation.objects.create(
        session=elsewhere, category="time", what="Shorter", why="Late start"
    )
    client.force_login(cast.peer)
    client.post(url("session_adaptation_remove", run.session, adaptation_id=adaptation.pk))
    assert Adaptation.objects.filter(pk=adaptation.pk).exists()


# --- Notes to self ------------------------------------------------------------------------


def note_data(session: Session, author: User, body: str) -> dict:
    note = FacilitatorNote.objects.filter(session=session, author=author).first()
    return {"version": running.note_version(note), "body": body}


def test_a_note_to_self_is_read_only_by_its_author(client, cast, run):
    client.force_login(cast.peer)
    data = note_data(run.session, cast.peer, "I felt rushed; breathe before check-in")
    assert client.post(url("session_note", run.session), data).status_code == 302
    assert (
        "breathe before check-in" in client.get(url("session_detail", run.session)).content.decode()
    )
    for other in (cast.clinician, cast.manager):
        client.force_login(other)
        body = client.get(url("session_detail", run.session)).content.decode()
        assert "breathe before check-in" not in body
        body = client.get(url("session_history", run.session)).content.decode()
        assert "breathe before check-in" not in body


def test_a_co_facilitators_note_does_not_replace_mine(client, cast, run):
    for user, text in ((cast.peer, "mine"), (cast.clinician, "theirs")):
        client.force_login(user)
        client.post(url("session_note", run.session), note_data(run.session, user, text))
    notes = dict(FacilitatorNote.objects.values_list("author__email", "body"))
    assert notes == {cast.peer.email: "mine", cast.clinician.email: "theirs"}


def test_an_emptied_note_is_removed(client, cast, run):
    client.force_login(cast.peer)
    client.post(url("session_note", run.session), note_data(run.session, cast.peer, "x"))
    client.post(url("session_note", run.session), note_data(run.session, cast.peer, "  "))
    assert not FacilitatorNote.objects.exists()


def test_note_get_refused_outsider_404_reviewer_403_too_long_400(client, cast, run):
    client.force_login(cast.peer)
    assert client.get(url("session_note", run.session)).status_code == 405
    too_long = note_data(run.session, cast.peer, "x" * 2001)
    response = client.post(url("session_note", run.session), too_long)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        data = note_data(run.session, user, "hello")
        assert client.post(url("session_note", run.session), data).status_code == status
    assert not FacilitatorNote.objects.exists()


def test_a_stale_note_form_is_refused(client, cast, run):
    client.force_login(cast.peer)
    first = note_data(run.session, cast.peer, "first")
    client.post(url("session_note", run.session), first)
    response = client.post(url("session_note", run.session), {**first, "body": "second"})
    assert response.status_code == 400
    assert FacilitatorNote.objects.get().body == "first"


# --- Commitments --------------------------------------------------------------------------


def test_a_commitment_made_at_one_session_shows_at_the_next_check_in(client, cast, run):
    client.force_login(cast.peer)
    data = commitments_data(run, run.session, {"Ana": "Call my sister on Sunday", "Bea": ""})
    assert client.post(url("session_commitments", run.session), data).status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.participant, commitment.text) == (run.roster[0], "Call my sister on Sunday")

    next_one = SessionFactory(group=run.group, starts_at=NOW + datetime.timedelta(days=7))
    after_that = SessionFactory(group=run.group, starts_at=NOW + datetime.timedelta(days=14))
    with time_machine.travel(NOW + datetime.timedelta(days=7, hours=1)):
        client.force_login(cast.peer)  # a sign-in lasts 8 hours
        body = client.get(url("session_detail", next_one)).content.decode()
        assert "Call my sister on Sunday" in body
    with time_machine.travel(NOW + datetime.timedelta(days=14, hours=1)):
        client.force_login(cast.peer)
        body = client.get(url("session_detail", after_that)).content.decode()
        assert "Call my sister on Sunday" not in body


def test_a_cancelled_session_in_between_does_not_hide_last_commitments(client, cast, run):
    Commitment.objects.create(session=run.session, participant=run.roster[1], text="Walk daily")
    SessionFactory(
        group=run.group,
        starts_at=NOW + datetime.timedelta(days=7),
        status="cancelled",
        cancel_reason="Holiday",
    )
    next_held = SessionFactory(group=run.group, starts_at=NOW + datetime.timedelta(days=14))
    with time_machine.travel(NOW + datetime.timedelta(days=14)):
        client.force_login(cast.peer)
        assert "Walk daily" in client.get(url("session_detail", next_held)).content.decode()


def test_commitments_get_refused_outsider_404_reviewer_403(client, cast, run):
    client.force_login(cast.peer)
    assert client.get(url("session_commitments", run.session)).status_code == 405
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        data = commitments_data(run, run.session, {"Ana": "x"})
        assert client.post(url("session_commitments", run.session), data).status_code == status
    assert not Commitment.objects.exists()


def test_a_too_long_commitment_is_400_and_nothing_is_saved(client, cast, run):
    client.force_login(cast.peer)
    data = commitments_data(run, run.session, {"Ana": "ok", "Bea": "x" * 301})
    assert client.post(url("session_commitments", run.session), data).status_code == 400
    assert not Commitment.objects.exists()


def test_a_commitment_for_someone_not_enrolled_is_refused(client, cast, run):
    stranger = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    data = commitments_data(run, run.session, {"Ana": "ok"})
    data[f"commitment_{stranger.code}"] = "sneaky"
    assert client.post(url("session_commitments", run.session), data).status_code == 400
    assert not Commitment.objects.exists()


def test_a_stale_commitments_form_is_refused(client, cast, run):
    client.force_login(cast.peer)
    first = commitments_data(run, run.session, {"Ana": "one"})
    client.post(url("session_commitments", run.session), first)
    second = {**first, f"commitment_{run.roster[0].code}": "two"}
    assert client.post(url("session_commitments", run.session), second).status_code == 400
    assert Commitment.objects.get().text == "one"


# --- Held and history ---------------------------------------------------------------------


def test_marking_held_records_who_and_when(client, cast, run):
    client.force_login(cast.peer)
    client.post(url("session_attendance", run.session), attendance_data(run, {"Ana": "present"}))
    response = client.post(url("session_mark_held", run.session))
    assert response.status_code == 302
    run.session.refresh_from_db()
    assert run.session.status == Session.Status.HELD
    assert run.session.held_by == cast.peer
    assert abs(run.session.held_at - NOW) < datetime.timedelta(minutes=1)
    assert "Marked held by" in client.get(url("session_detail", run.session)).content.decode()


def test_mark_held_get_refused_outsider_404_reviewer_403(client, cast, run):
    Attendance.objects.create(session=run.session, participant=run.roster[0], status="present")
    client.force_login(cast.peer)
    assert client.get(url("session_mark_held", run.session)).status_code == 405
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        assert client.post(url("session_mark_held", run.session)).status_code == status
    run.session.refresh_from_db()
    assert run.session.status == Session.Status.PLANNED


def test_marking_held_with_nobody_present_is_400(client, cast, run):
    client.force_login(cast.peer)
    response = client.post(url("session_mark_held", run.session))
    assert response.status_code == 400
    assert "Take attendance first" in response.content.decode()
    run.session.refresh_from_db()
    assert run.session.status == Session.Status.PLANNED


def test_marking_held_twice_is_refused_and_keeps_the_first(client, cast, run):
    Session.objects.filter(pk=run.session.pk).update(drop_in_count=3)
    client.force_login(cast.peer)
    client.post(url("session_mark_held", run.session))
    client.force_login(cast.clinician)
    response = client.post(url("session_mark_held", run.session))
    assert response.status_code == 400
    assert escape(str(running.ALREADY_HELD)) in response.content.decode()
    run.session.refresh_from_db()
    assert run.session.held_by == cast.peer


def test_changes_after_held_are_kept_in_history_with_who_and_when(client, cast, run):
    client.force_login(cast.peer)
    client.post(url("session_attendance", run.session), attendance_data(run, {"Ana": "present"}))
    client.post(url("session_log", run.session), log_data(run, check_in_done="on"))
    client.post(url("session_mark_held", run.session))
    held_at = Session.objects.get(pk=run.session.pk).held_at

    later = NOW + datetime.timedelta(days=1)
    with time_machine.travel(later):
        client.force_login(cast.clinician)
        correction = attendance_data(run, {"Ana": "excused"})
        assert client.post(url("session_attendance", run.session), correction).status_code == 302
        relog = log_data(run, check_in_done="on", check_out_done="on")
        assert client.post(url("session_log", run.session), relog).status_code == 302

    after = Attendance.history.filter(history_date__gt=held_at).get()
    assert (after.status, after.history_user, after.history_type) == (
        "excused",
        cast.clinician,
        "~",
    )
    assert after.history_date >= later
    assert SessionLog.history.filter(history_date__gt=held_at, history_user=cast.clinician).exists()
    # The first facts are kept too.
    assert Attendance.history.filter(status="present", history_user=cast.peer).exists()

    response = client.get(url("session_history", run.session))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(cast.clinician) in body and str(cast.peer) in body
    assert "Ana: Excused" in body


def test_history_page_outsider_404_reviewer_403(client, cast, run):
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        assert client.get(url("session_history", run.session)).status_code == status


# --- Query budget -------------------------------------------------------------------------


def _grow(run: Run, people: int, past_sessions: int) -> Session:
    for i in range(people):
        participant = EnrollmentFactory(group=run.group).participant
        Attendance.objects.create(session=run.session, participant=participant, status="present")
        Commitment.objects.create(session=run.session, participant=participant, text=f"c{i}")
    for i in range(past_sessions):
        SessionFactory(group=run.group, starts_at=NOW - datetime.timedelta(days=7 * (i + 1)))
    log = SessionLog.objects.create(session=run.session, check_in_done=True)
    for _ in range(people // 4 + 1):
        Adaptation.objects.create(session=run.session, category="time", what="w", why="y")
        log.handouts_used.add(TopicMaterialFactory(organization=run.group.organization))
    return run.session


# Measured: 15 for a manager and for a facilitator, at both sizes (SQLite and PostgreSQL).
QUERY_BUDGET = 15


@pytest.mark.parametrize("people,past_sessions", [(3, 1), (40, 12)])
def test_session_page_uses_a_fixed_number_of_queries(
    client, cast, run, people, past_sessions, django_assert_max_num_queries
):
    session = _grow(run, people, past_sessions)
    client.force_login(cast.manager)  # the manager adds the MFA check's query
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(url("session_detail", session))
    assert response.status_code == 200
