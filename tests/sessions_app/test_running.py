"""Running a session: the session page (attendance, the log, adaptations, notes to self,
commitments, held, and the history kept after it), my sessions across the groups a
facilitator runs, and the one rule of who facilitates a session."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role, User
from curriculum.models import Topic
from sessions_app.models import (
    Adaptation,
    Attendance,
    Commitment,
    FacilitatorAssignment,
    FacilitatorNote,
    Session,
    SessionLog,
)
from sessions_app.services import running as running_services
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
from tests.sessions_app.conftest import TeamSession

# A Tuesday evening; today's session (the `running` fixture) started an hour ago. Ticking,
# so auto_now timestamps of two saves differ like they do in real life.
NOW = datetime.datetime(2026, 11, 24, 19, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=True)


# What the session page's "Save and mark session held" button sends on its own.
HELD = {"mark_held": "1"}


def url(name: str, session: Session, **kwargs) -> str:
    return reverse(f"sessions_app:{name}", kwargs={"code": session.code, **kwargs})


def attendance_data(
    running: TeamSession, marks: dict[str, str], drop_ins: int = 0
) -> dict[str, str]:
    session = Session.objects.get(pk=running.session.pk)
    data = {
        "attendance-version": running_services.attendance_version(
            session.attendance.all(), session.drop_in_count
        ),
        "attendance-drop_in_count": str(drop_ins),
    }
    by_name = {p.display_name: p for p in running.roster}
    data.update(
        {f"attendance-status_{by_name[name].code}": status for name, status in marks.items()}
    )
    return data


def log_data(running: TeamSession, **fields) -> dict:
    log = SessionLog.objects.filter(session=running.session).first()
    data = {"log-version": running_services.log_version(log), "log-quotation_reference": ""}
    data.update({f"log-{name}": value for name, value in fields.items()})
    return data


def commitments_data(
    running: TeamSession, session: Session, texts: dict[str, str]
) -> dict[str, str]:
    data = {"commitments-version": running_services.commitments_version(session.commitments.all())}
    by_name = {p.display_name: p for p in running.roster}
    data.update(
        {f"commitments-commitment_{by_name[name].code}": text for name, text in texts.items()}
    )
    return data


# --- Reading the page ---------------------------------------------------------------------


def test_facilitator_sees_the_roster_and_every_part_of_the_session(client, cast, running):
    client.force_login(cast.peer)
    response = client.get(url("session_detail", running.session))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ["Ana", "Bea", "Cy", "Attendance", "Adaptations", "Note to self"]:
        assert name in body
    # The four parts of every session, numbered as in the model.
    parts = ["1. Check-in", "2. Quotation", "3. Topic", "4. Check-out"]
    assert all(part in body for part in parts)
    assert [body.index(part) for part in parts] == sorted(body.index(part) for part in parts)
    assert "mark session held" in body


def test_clinician_of_the_session_and_manager_may_open_it(client, cast, running):
    for user in (cast.clinician, cast.manager):
        client.force_login(user)
        assert client.get(url("session_detail", running.session)).status_code == 200


def test_clinician_named_on_the_session_may_open_it_without_an_assignment(client, cast, running):
    FacilitatorAssignment.objects.filter(user=cast.clinician).delete()
    client.force_login(cast.clinician)
    assert client.get(url("session_detail", running.session)).status_code == 403
    Session.objects.filter(pk=running.session.pk).update(clinician=cast.clinician)
    assert client.get(url("session_detail", running.session)).status_code == 200


def test_reviewer_and_facilitator_of_another_group_get_403(client, cast, running):
    for user in (cast.reviewer, running.other_facilitator):
        client.force_login(user)
        assert client.get(url("session_detail", running.session)).status_code == 403


def test_outsider_gets_404_and_sees_nothing_of_the_session(client, cast, running):
    client.force_login(cast.outsider_manager)
    response = client.get(url("session_detail", running.session))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert running.group.name not in body
    assert "mark session held" not in body


def test_anonymous_is_sent_from_the_session_page_to_sign_in(client, running):
    response = client.get(url("session_detail", running.session))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_someone_who_joined_after_the_session_is_not_on_its_roster(client, cast, running):
    EnrollmentFactory(
        group=running.group, participant__display_name="Late Joiner", joined_on=NOW.date()
    )
    EnrollmentFactory(
        group=running.group,
        participant__display_name="Already Left",
        joined_on=datetime.date(2026, 10, 1),
        left_on=datetime.date(2026, 11, 1),
    )
    client.force_login(cast.peer)
    body = client.get(url("session_detail", running.session)).content.decode()
    assert "Late Joiner" in body  # joined today, the session's day
    assert "Already Left" not in body


# --- One save for the whole page -----------------------------------------------------------


def page_form(body: str) -> str:
    start = body.index('<form id="session-form"')
    return body[start : body.index("</form>", start)]


def whole_page(running: TeamSession, session: Session, author: User, **parts: dict) -> dict:
    """What one tap on any Save sends: every part of the page, as it stands now, with
    `parts` overriding some of them."""
    data = {
        **attendance_data(running, {}),
        **log_data(running),
        **commitments_data(running, session, {}),
        **note_data(session, author, ""),
        "save": "check-in",
    }
    for part in parts.values():
        data.update(part)
    return data


def test_every_part_of_the_session_is_in_one_form_with_its_own_save_buttons(client, cast, running):
    client.force_login(cast.peer)
    form = page_form(client.get(url("session_detail", running.session)).content.decode())
    for field in (
        f'name="attendance-status_{running.roster[0].code}"',
        'name="attendance-drop_in_count"',
        'name="log-check_in_done"',
        'name="log-quotation_reference"',
        f'name="commitments-commitment_{running.roster[0].code}"',
        'name="log-check_out_done"',
        'name="adaptation-what"',
        'name="note-body"',
        'name="mark_held"',
    ):
        assert field in form
    assert form.count('name="save"') >= 5  # one per part, each saving everything


def test_attendance_changed_then_save_log_tapped_keeps_both(client, cast, running):
    """The lost tap: marking someone absent, then tapping the log's Save, saved only the log."""
    client.force_login(cast.peer)
    data = whole_page(
        running,
        running.session,
        cast.peer,
        attendance=attendance_data(running, {"Ana": "present", "Bea": "absent"}),
        log=log_data(running, check_in_done="on", quotation_reference="Page 3"),
    )
    data["save"] = "quotation"
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 302
    assert response["Location"].endswith("#quotation")
    statuses = dict(Attendance.objects.values_list("participant__display_name", "status"))
    assert statuses == {"Ana": "present", "Bea": "absent"}
    assert SessionLog.objects.get().quotation_reference == "Page 3"


def test_a_refused_part_saves_nothing_and_keeps_every_tap_on_the_page(client, cast, running):
    client.force_login(cast.peer)
    bea = running.person("Bea")
    data = whole_page(
        running,
        running.session,
        cast.peer,
        attendance=attendance_data(running, {"Bea": "absent"}),
        log=log_data(running, check_in_done="on", actual_length_minutes="0"),
        note=note_data(running.session, cast.peer, "Slow down at check-in"),
    )
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "greater than or equal to 1" in body
    # The summary at the top takes the focus and links to the field to correct.
    tag = re.search(r'<div[^>]*data-testid="error-summary"[^>]*>', body)
    assert tag and "autofocus" in tag.group(0) and 'tabindex="-1"' in tag.group(0)
    assert 'href="#id_log-actual_length_minutes"' in body[tag.start() :]
    assert 'id="id_log-actual_length_minutes"' in body
    # Nothing saved, and what was tapped and typed is still on the page.
    assert not Attendance.objects.exists()
    assert not SessionLog.objects.exists() and not FacilitatorNote.objects.exists()
    assert re.search(rf'id="id_attendance-status_{bea.code}_1"[^>]*checked', body)
    assert "Slow down at check-in" in body
    assert 'value="0"' in body  # the refused length, to correct
    assert "data-unsaved" in body  # the page warns before it is left


def test_a_part_someone_else_saved_first_is_refused_and_the_rest_kept_to_send_again(
    client, cast, running
):
    client.force_login(cast.peer)
    seen = attendance_data(running, {"Ana": "present"})
    # The co-facilitator saves attendance first.
    client.force_login(cast.clinician)
    first = whole_page(
        running,
        running.session,
        cast.clinician,
        attendance=attendance_data(running, {"Ana": "excused"}),
    )
    assert client.post(url("session_save", running.session), first).status_code == 302
    client.force_login(cast.peer)
    data = whole_page(
        running,
        running.session,
        cast.peer,
        attendance=seen,
        log=log_data(running, quotation_reference="Page 9"),
    )
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert escape(str(STALE)) in body
    assert Attendance.objects.get().status == "excused"
    assert not SessionLog.objects.exists()
    assert "Page 9" in body  # kept, to send again with the fresh attendance
    ana = running.person("Ana")
    assert re.search(rf'id="id_attendance-status_{ana.code}_2"[^>]*checked', body)


def test_the_same_page_saved_twice_writes_once_and_is_not_refused(client, cast, running):
    client.force_login(cast.peer)
    data = whole_page(
        running,
        running.session,
        cast.peer,
        attendance=attendance_data(running, {"Ana": "present"}, drop_ins=1),
        log=log_data(running, check_in_done="on"),
        commitments=commitments_data(running, running.session, {"Ana": "Call a friend"}),
        note=note_data(running.session, cast.peer, "Went well"),
        adaptation=adaptation_data(running.session),
    )
    assert client.post(url("session_save", running.session), data).status_code == 302
    histories = [
        m.history.count()
        for m in (Attendance, SessionLog, Commitment, Adaptation)  # type: ignore[attr-defined]
    ]
    assert client.post(url("session_save", running.session), data).status_code == 302
    assert [
        m.history.count()
        for m in (Attendance, SessionLog, Commitment, Adaptation)  # type: ignore[attr-defined]
    ] == histories
    assert Adaptation.objects.count() == 1 and Commitment.objects.count() == 1


def test_saving_attendance_alone_creates_no_empty_log(client, cast, running):
    client.force_login(cast.peer)
    data = whole_page(
        running, running.session, cast.peer, attendance=attendance_data(running, {"Ana": "present"})
    )
    assert client.post(url("session_save", running.session), data).status_code == 302
    assert Attendance.objects.count() == 1
    assert not SessionLog.objects.exists() and not Commitment.objects.exists()


def test_attendance_and_held_in_one_tap(client, cast, running):
    client.force_login(cast.peer)
    data = {
        **whole_page(
            running,
            running.session,
            cast.peer,
            attendance=attendance_data(running, {"Ana": "present"}),
        ),
        **HELD,
    }
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 302
    assert response["Location"].endswith("#held")
    running.session.refresh_from_db()
    assert running.session.status == Session.Status.HELD
    assert Attendance.objects.get().status == "present"


def test_a_later_session_offers_only_the_note_to_self(client, cast, running):
    later = SessionFactory(group=running.group, starts_at=NOW + datetime.timedelta(days=2))
    client.force_login(cast.peer)
    form = page_form(client.get(url("session_detail", later)).content.decode())
    assert 'name="note-body"' in form
    assert "attendance-" not in form and "log-" not in form
    data = note_data(later, cast.peer, "Bring the handouts")
    assert client.post(url("session_save", later), data).status_code == 302
    assert FacilitatorNote.objects.get(session=later).body == "Bring the handouts"


# --- Attendance ---------------------------------------------------------------------------


def test_attendance_is_saved_with_one_choice_per_person_and_drop_ins(client, cast, running):
    client.force_login(cast.peer)
    data = attendance_data(running, {"Ana": "present", "Bea": "absent", "Cy": "excused"}, 2)
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 302
    statuses = {a.participant.display_name: a.status for a in Attendance.objects.all()}
    assert statuses == {"Ana": "present", "Bea": "absent", "Cy": "excused"}
    running.session.refresh_from_db()
    assert running.session.drop_in_count == 2
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {cast.peer.pk}
    history = Attendance.history.filter(participant__display_name="Ana").get()
    assert history.history_user == cast.peer


def test_attendance_left_blank_for_someone_is_not_recorded(client, cast, running):
    client.force_login(cast.peer)
    client.post(url("session_save", running.session), attendance_data(running, {"Ana": "present"}))
    assert list(Attendance.objects.values_list("participant__display_name", flat=True)) == ["Ana"]


def test_the_session_page_saves_by_post_only(client, cast, running):
    client.force_login(cast.peer)
    assert client.get(url("session_save", running.session)).status_code == 405


def test_attendance_by_outsider_gets_404(client, cast, running):
    client.force_login(cast.outsider)
    data = attendance_data(running, {"Ana": "present"})
    assert client.post(url("session_save", running.session), data).status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_by_reviewer_gets_403(client, cast, running):
    client.force_login(cast.reviewer)
    data = attendance_data(running, {"Ana": "present"})
    assert client.post(url("session_save", running.session), data).status_code == 403
    assert not Attendance.objects.exists()


def test_invalid_attendance_is_400_and_nothing_is_saved(client, cast, running):
    client.force_login(cast.peer)
    data = attendance_data(running, {"Ana": "present", "Bea": "asleep"}, drop_ins=-1)
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Attendance.objects.exists()
    running.session.refresh_from_db()
    assert running.session.drop_in_count == 0


def test_attendance_for_someone_not_enrolled_is_refused(client, cast, running):
    stranger = EnrollmentFactory(group=GroupFactory(organization=cast.org)).participant
    client.force_login(cast.peer)
    data = attendance_data(running, {"Ana": "present"})
    data[f"attendance-status_{stranger.code}"] = "present"
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 400
    assert "not enrolled in the group" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_service_refuses_someone_off_the_roster(cast, running):
    stranger = ParticipantFactory(organization=cast.org)
    with pytest.raises(ValidationError):
        running_services.attendance_record(
            session=running.session,
            marks={running.roster[0].pk: "present", stranger.pk: "present"},
            drop_in_count=0,
            by=cast.peer,
            expected_version=running_services.attendance_version([], 0),
        )
    assert not Attendance.objects.exists()


def test_a_stale_attendance_form_submitted_twice_is_refused(client, cast, running):
    client.force_login(cast.peer)
    first = attendance_data(running, {"Ana": "present", "Bea": "present"})
    assert client.post(url("session_save", running.session), first).status_code == 302
    stale = {**first, f"attendance-status_{running.roster[1].code}": "absent"}
    response = client.post(url("session_save", running.session), stale)
    assert response.status_code == 400
    assert escape(str(STALE)) in response.content.decode()
    assert Attendance.objects.get(participant=running.roster[1]).status == "present"


def test_attendance_of_a_cancelled_session_is_refused(client, cast, running):
    Session.objects.filter(pk=running.session.pk).update(status="cancelled", cancel_reason="Flood")
    client.force_login(cast.peer)
    data = attendance_data(running, {"Ana": "present"})
    assert client.post(url("session_save", running.session), data).status_code == 400
    assert not Attendance.objects.exists()


def test_attendance_before_the_sessions_day_is_refused(client, cast, running):
    later = SessionFactory(group=running.group, starts_at=NOW + datetime.timedelta(days=2))
    client.force_login(cast.peer)
    data = {
        "attendance-version": running_services.attendance_version([], 0),
        "attendance-drop_in_count": "0",
        f"attendance-status_{running.roster[0].code}": "present",
    }
    response = client.post(url("session_save", later), data)
    assert response.status_code == 400
    assert escape(str(running_services.NOT_YET)) in response.content.decode()
    assert not Attendance.objects.exists()


# --- Session log --------------------------------------------------------------------------


def test_the_log_saves_the_parts_done_and_handouts_of_the_topic(client, cast, running):
    shared = TopicMaterialFactory(organization=None, title="Shared handout")
    own = TopicMaterialFactory(organization=cast.org, title="Our own handout")
    client.force_login(cast.peer)
    body = client.get(url("session_detail", running.session)).content.decode()
    assert "Shared handout" in body and "Our own handout" in body
    data = log_data(
        running,
        check_in_done="on",
        quotation_reference="Quote on page 12",
        handouts_used=[shared.pk, own.pk],
        check_out_done="on",
        actual_length_minutes="85",
    )
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 302
    log = SessionLog.objects.get(session=running.session)
    assert log.check_in_done and log.check_out_done and not log.follow_up_needed
    assert log.quotation_reference == "Quote on page 12"
    assert log.actual_length_minutes == 85
    assert set(log.handouts_used.all()) == {shared, own}
    assert log.updated_by == cast.peer


def test_the_log_offers_no_material_of_another_organization_or_topic(client, cast, running):
    foreign = TopicMaterialFactory(organization=cast.other_org, title=f"Theirs {CANARY}")
    other_topic = TopicMaterialFactory(
        organization=cast.org, title="Another topic's", topic=Topic.objects.get(order=5)
    )
    client.force_login(cast.peer)
    body = client.get(url("session_detail", running.session)).content.decode()
    assert CANARY not in body and "Another topic&#x27;s" not in body
    for material in (foreign, other_topic):
        data = log_data(running, handouts_used=[material.pk])
        assert client.post(url("session_save", running.session), data).status_code == 400
    assert not SessionLog.objects.exists()


def test_log_by_outsider_gets_404_and_by_reviewer_403(client, cast, running):
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        response = client.post(
            url("session_save", running.session), log_data(running, check_in_done="on")
        )
        assert response.status_code == status
    assert not SessionLog.objects.exists()


def test_invalid_log_is_400_and_nothing_is_saved(client, cast, running):
    client.force_login(cast.peer)
    data = log_data(running, check_in_done="on", actual_length_minutes="0")
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_a_stale_log_form_submitted_twice_is_refused(client, cast, running):
    client.force_login(cast.peer)
    first = log_data(running, check_in_done="on")
    assert client.post(url("session_save", running.session), first).status_code == 302
    response = client.post(
        url("session_save", running.session), {**first, "log-follow_up_needed": "on"}
    )
    assert response.status_code == 400
    assert escape(str(STALE)) in response.content.decode()
    assert not SessionLog.objects.get().follow_up_needed


# --- Adaptations --------------------------------------------------------------------------


def adaptation_data(session: Session, **fields) -> dict:
    values = {
        "category": "language",
        "what": "Explained the handout in Spanish too",
        "why": "Two people prefer Spanish",
        **fields,
    }
    return {f"adaptation-{name}": value for name, value in values.items()}


def test_an_adaptation_is_noted_with_what_and_why(client, cast, running):
    client.force_login(cast.peer)
    response = client.post(url("session_save", running.session), adaptation_data(running.session))
    assert response.status_code == 302
    adaptation = Adaptation.objects.get()
    assert (adaptation.category, adaptation.created_by) == ("language", cast.peer)
    assert (
        "Two people prefer Spanish"
        in client.get(url("session_detail", running.session)).content.decode()
    )


def test_adaptation_by_outsider_404_reviewer_403(client, cast, running):
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        data = adaptation_data(running.session)
        assert client.post(url("session_save", running.session), data).status_code == status
    assert not Adaptation.objects.exists()


def test_an_adaptation_without_why_is_400_and_not_saved(client, cast, running):
    client.force_login(cast.peer)
    data = adaptation_data(running.session, why="")
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Adaptation.objects.exists()


def test_the_same_adaptation_form_submitted_twice_is_saved_once(client, cast, running):
    client.force_login(cast.peer)
    data = adaptation_data(running.session)
    client.post(url("session_save", running.session), data)
    assert client.post(url("session_save", running.session), data).status_code == 302
    assert Adaptation.objects.count() == 1


def test_removing_an_adaptation_keeps_it_in_history(client, cast, running):
    adaptation = Adaptation.objects.create(
        session=running.session, category="time", what="Shorter", why="Late start"
    )
    save, remove = url("session_save", running.session), {"remove_adaptation": adaptation.pk}
    client.force_login(cast.reviewer)
    assert client.post(save, remove).status_code == 403
    client.force_login(cast.peer)
    assert client.post(save, remove).status_code == 302
    assert not Adaptation.objects.exists()
    assert Adaptation.history.filter(history_type="-").get().history_user == cast.peer
    # A second tap finds nothing to remove and says so.
    response = client.post(save, remove, follow=True)
    assert "already removed" in response.content.decode()


def test_an_adaptation_of_another_session_cannot_be_removed_through_this_one(client, cast, running):
    elsewhere = SessionFactory(group=running.group, starts_at=NOW - datetime.timedelta(days=7))
    adaptation = Adaptation.objects.create(
        session=elsewhere, category="time", what="Shorter", why="Late start"
    )
    client.force_login(cast.peer)
    client.post(url("session_save", running.session), {"remove_adaptation": adaptation.pk})
    assert Adaptation.objects.filter(pk=adaptation.pk).exists()


# --- Notes to self ------------------------------------------------------------------------


def note_data(session: Session, author: User, body: str) -> dict:
    note = FacilitatorNote.objects.filter(session=session, author=author).first()
    return {"note-version": running_services.note_version(note), "note-body": body}


def test_a_note_to_self_is_read_only_by_its_author(client, cast, running):
    client.force_login(cast.peer)
    data = note_data(running.session, cast.peer, "I felt rushed; breathe before check-in")
    assert client.post(url("session_save", running.session), data).status_code == 302
    assert (
        "breathe before check-in"
        in client.get(url("session_detail", running.session)).content.decode()
    )
    for other in (cast.clinician, cast.manager):
        client.force_login(other)
        body = client.get(url("session_detail", running.session)).content.decode()
        assert "breathe before check-in" not in body
        body = client.get(url("session_history", running.session)).content.decode()
        assert "breathe before check-in" not in body


def test_a_co_facilitators_note_does_not_replace_mine(client, cast, running):
    for user, text in ((cast.peer, "mine"), (cast.clinician, "theirs")):
        client.force_login(user)
        client.post(url("session_save", running.session), note_data(running.session, user, text))
    notes = dict(FacilitatorNote.objects.values_list("author__email", "body"))
    assert notes == {cast.peer.email: "mine", cast.clinician.email: "theirs"}


def test_an_emptied_note_is_removed(client, cast, running):
    client.force_login(cast.peer)
    client.post(url("session_save", running.session), note_data(running.session, cast.peer, "x"))
    client.post(url("session_save", running.session), note_data(running.session, cast.peer, "  "))
    assert not FacilitatorNote.objects.exists()


def test_note_by_outsider_404_reviewer_403_too_long_400(client, cast, running):
    client.force_login(cast.peer)
    too_long = note_data(running.session, cast.peer, "x" * 2001)
    response = client.post(url("session_save", running.session), too_long)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        data = note_data(running.session, user, "hello")
        assert client.post(url("session_save", running.session), data).status_code == status
    assert not FacilitatorNote.objects.exists()


def test_a_stale_note_form_is_refused(client, cast, running):
    client.force_login(cast.peer)
    first = note_data(running.session, cast.peer, "first")
    client.post(url("session_save", running.session), first)
    response = client.post(url("session_save", running.session), {**first, "note-body": "second"})
    assert response.status_code == 400
    assert FacilitatorNote.objects.get().body == "first"


# --- Commitments --------------------------------------------------------------------------


def test_a_commitment_made_at_one_session_shows_at_the_next_check_in(client, cast, running):
    client.force_login(cast.peer)
    data = commitments_data(
        running, running.session, {"Ana": "Call my sister on Sunday", "Bea": ""}
    )
    assert client.post(url("session_save", running.session), data).status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.participant, commitment.text) == (
        running.roster[0],
        "Call my sister on Sunday",
    )

    next_one = SessionFactory(group=running.group, starts_at=NOW + datetime.timedelta(days=7))
    after_that = SessionFactory(group=running.group, starts_at=NOW + datetime.timedelta(days=14))
    with time_machine.travel(NOW + datetime.timedelta(days=7, hours=1)):
        client.force_login(cast.peer)  # a sign-in lasts 8 hours
        body = client.get(url("session_detail", next_one)).content.decode()
        assert "Call my sister on Sunday" in body
    with time_machine.travel(NOW + datetime.timedelta(days=14, hours=1)):
        client.force_login(cast.peer)
        body = client.get(url("session_detail", after_that)).content.decode()
        assert "Call my sister on Sunday" not in body


def test_a_cancelled_session_in_between_does_not_hide_last_commitments(client, cast, running):
    Commitment.objects.create(
        session=running.session, participant=running.roster[1], text="Walk daily"
    )
    SessionFactory(
        group=running.group,
        starts_at=NOW + datetime.timedelta(days=7),
        status="cancelled",
        cancel_reason="Holiday",
    )
    next_held = SessionFactory(group=running.group, starts_at=NOW + datetime.timedelta(days=14))
    with time_machine.travel(NOW + datetime.timedelta(days=14)):
        client.force_login(cast.peer)
        assert "Walk daily" in client.get(url("session_detail", next_held)).content.decode()


def test_commitments_by_outsider_404_reviewer_403(client, cast, running):
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        data = commitments_data(running, running.session, {"Ana": "x"})
        assert client.post(url("session_save", running.session), data).status_code == status
    assert not Commitment.objects.exists()


def test_a_too_long_commitment_is_400_and_nothing_is_saved(client, cast, running):
    client.force_login(cast.peer)
    data = commitments_data(running, running.session, {"Ana": "ok", "Bea": "x" * 301})
    assert client.post(url("session_save", running.session), data).status_code == 400
    assert not Commitment.objects.exists()


def test_a_commitment_for_someone_not_enrolled_is_refused(client, cast, running):
    stranger = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    data = commitments_data(running, running.session, {"Ana": "ok"})
    data[f"commitments-commitment_{stranger.code}"] = "sneaky"
    assert client.post(url("session_save", running.session), data).status_code == 400
    assert not Commitment.objects.exists()


def test_a_stale_commitments_form_is_refused(client, cast, running):
    client.force_login(cast.peer)
    first = commitments_data(running, running.session, {"Ana": "one"})
    client.post(url("session_save", running.session), first)
    second = {**first, f"commitments-commitment_{running.roster[0].code}": "two"}
    assert client.post(url("session_save", running.session), second).status_code == 400
    assert Commitment.objects.get().text == "one"


# --- Held and history ---------------------------------------------------------------------


def test_marking_held_records_who_and_when(client, cast, running):
    client.force_login(cast.peer)
    client.post(url("session_save", running.session), attendance_data(running, {"Ana": "present"}))
    response = client.post(url("session_save", running.session), HELD)
    assert response.status_code == 302
    running.session.refresh_from_db()
    assert running.session.status == Session.Status.HELD
    assert running.session.held_by == cast.peer
    assert abs(running.session.held_at - NOW) < datetime.timedelta(minutes=1)
    assert "Marked held by" in client.get(url("session_detail", running.session)).content.decode()


def test_mark_held_by_outsider_404_reviewer_403(client, cast, running):
    Attendance.objects.create(
        session=running.session, participant=running.roster[0], status="present"
    )
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        assert client.post(url("session_save", running.session), HELD).status_code == status
    running.session.refresh_from_db()
    assert running.session.status == Session.Status.PLANNED


def test_marking_held_with_nobody_present_is_400(client, cast, running):
    client.force_login(cast.peer)
    response = client.post(url("session_save", running.session), HELD)
    assert response.status_code == 400
    assert "Take attendance first" in response.content.decode()
    running.session.refresh_from_db()
    assert running.session.status == Session.Status.PLANNED


def test_marking_held_twice_is_refused_and_keeps_the_first(client, cast, running):
    Session.objects.filter(pk=running.session.pk).update(drop_in_count=3)
    client.force_login(cast.peer)
    client.post(url("session_save", running.session), HELD)
    client.force_login(cast.clinician)
    response = client.post(url("session_save", running.session), HELD)
    assert response.status_code == 400
    assert escape(str(running_services.ALREADY_HELD)) in response.content.decode()
    running.session.refresh_from_db()
    assert running.session.held_by == cast.peer


def test_changes_after_held_are_kept_in_history_with_who_and_when(client, cast, running):
    client.force_login(cast.peer)
    client.post(url("session_save", running.session), attendance_data(running, {"Ana": "present"}))
    client.post(url("session_save", running.session), log_data(running, check_in_done="on"))
    client.post(url("session_save", running.session), HELD)
    held_at = Session.objects.get(pk=running.session.pk).held_at

    later = NOW + datetime.timedelta(days=1)
    with time_machine.travel(later):
        client.force_login(cast.clinician)
        correction = attendance_data(running, {"Ana": "excused"})
        assert client.post(url("session_save", running.session), correction).status_code == 302
        relog = log_data(running, check_in_done="on", check_out_done="on")
        assert client.post(url("session_save", running.session), relog).status_code == 302

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

    response = client.get(url("session_history", running.session))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(cast.clinician) in body and str(cast.peer) in body
    assert "Ana: Excused" in body


def test_history_page_outsider_404_reviewer_403(client, cast, running):
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403)):
        client.force_login(user)
        assert client.get(url("session_history", running.session)).status_code == status


# --- Query budget -------------------------------------------------------------------------


def _grow(running: TeamSession, people: int, past_sessions: int) -> Session:
    for i in range(people):
        participant = EnrollmentFactory(group=running.group).participant
        Attendance.objects.create(
            session=running.session, participant=participant, status="present"
        )
        Commitment.objects.create(session=running.session, participant=participant, text=f"c{i}")
    for i in range(past_sessions):
        SessionFactory(group=running.group, starts_at=NOW - datetime.timedelta(days=7 * (i + 1)))
    log = SessionLog.objects.create(session=running.session, check_in_done=True)
    for _ in range(people // 4 + 1):
        Adaptation.objects.create(session=running.session, category="time", what="w", why="y")
        log.handouts_used.add(TopicMaterialFactory(organization=running.group.organization))
    return running.session


# Measured: 13 for a manager and for a facilitator, at both sizes (SQLite and PostgreSQL),
# plus at most 3 for the "Participant feedback" card (feedback_tags.feedback_card: the
# session's link, and the cap's two when it has one; tests/feedback/test_links.py).
SESSION_PAGE_QUERY_BUDGET = 13 + 3


@pytest.mark.parametrize("people,past_sessions", [(3, 1), (40, 12)])
def test_session_page_uses_a_fixed_number_of_queries(
    client, cast, running, people, past_sessions, django_assert_max_num_queries
):
    session = _grow(running, people, past_sessions)
    client.force_login(cast.manager)  # the manager adds the MFA check's query
    with django_assert_max_num_queries(SESSION_PAGE_QUERY_BUDGET):
        response = client.get(url("session_detail", session))
    assert response.status_code == 200


# --- Invariant 7: a running service names who acted, request or not -----------------------


def _record_attendance(running, by):
    ana = running.person("Ana")
    running_services.attendance_record(
        session=running.session,
        marks={ana.pk: Attendance.Status.PRESENT},
        drop_in_count=0,
        by=by,
        expected_version=running_services.attendance_version([], 0),
    )
    return Attendance.objects.get(session=running.session, participant=ana)


def _mark_held(running, by):
    Attendance.objects.create(
        session=running.session, participant=running.person("Ana"), status="present"
    )
    return running_services.session_mark_held(session=running.session, by=by)


def _save_log(running, by):
    return running_services.session_log_save(
        session=running.session,
        check_in_done=True,
        quotation_reference="",
        handouts=[],
        check_out_done=False,
        follow_up_needed=False,
        actual_length_minutes=None,
        by=by,
        expected_version=running_services.log_version(None),
    )


def _add_adaptation(running, by):
    return running_services.adaptation_add(
        session=running.session,
        category="time",
        what="Shorter check-in",
        why="Started late",
        by=by,
    )


@pytest.mark.parametrize(
    "service",
    [_record_attendance, _mark_held, _save_log, _add_adaptation],
    ids=["attendance_record", "session_mark_held", "session_log_save", "adaptation_add"],
)
def test_a_running_service_called_outside_a_request_records_who_acted(cast, running, service):
    changed = service(running, cast.manager)  # straight from code: no request, no client
    assert changed.history.first().history_user == cast.manager


# --- Who facilitates a session: one rule, whichever way it is read ------------------------

# Who facilitates which of four sessions: of the team's group or of the other group, each
# with or without the clinician named on it.
FACILITATES = {
    "facilitator": {"ours", "ours_with_clinician"},
    "clinician": {"ours_with_clinician", "theirs_with_clinician"},
    "other_facilitator": {"theirs", "theirs_with_clinician"},
    "manager": set(),
    "reviewer": set(),
}


@pytest.mark.parametrize(("who", "expected"), FACILITATES.items(), ids=FACILITATES)
def test_who_facilitates_a_session_is_one_rule_whichever_way_it_is_read(cast, team, who, expected):
    sessions = {
        "ours": SessionFactory(group=team.group),
        "ours_with_clinician": SessionFactory(group=team.group, clinician=cast.clinician),
        "theirs": SessionFactory(group=team.other_group),
        "theirs_with_clinician": SessionFactory(group=team.other_group, clinician=cast.clinician),
    }
    user = {
        "facilitator": team.facilitator,
        "clinician": cast.clinician,
        "other_facilitator": team.other_facilitator,
        "manager": cast.manager,
        "reviewer": cast.reviewer,
    }[who]
    facilitated = set(Session.objects.facilitated_by(user))
    facilitated_any = set(Session.objects.facilitated_by_any([user.pk, cast.nobody.pk]))

    assert {name for name, s in sessions.items() if s.is_facilitated_by(user)} == expected
    assert {name for name, s in sessions.items() if s in facilitated} == expected
    assert {name for name, s in sessions.items() if s in facilitated_any} == expected
    assert {name for name, s in sessions.items() if user.pk in s.team_user_ids()} == expected


# --- My sessions: today, upcoming and recent across the groups a facilitator runs ---------

# Tuesday 24 November 2026, 15:00 UTC, frozen.
MY_SESSIONS_NOW = datetime.datetime(2026, 11, 24, 15, 0, tzinfo=datetime.UTC)
MY_SESSIONS = reverse("sessions_app:my_sessions")
at_my_sessions_time = pytest.mark.time_machine(MY_SESSIONS_NOW, tick=False)


def at(days: float = 0, hours: float = 0) -> datetime.datetime:
    return MY_SESSIONS_NOW + datetime.timedelta(days=days, hours=hours)


def groups_of(user, organization, *names, **fields):
    groups = []
    for name in names:
        group = GroupFactory(organization=organization, name=name, **fields)
        FacilitatorAssignmentFactory(group=group, user=user)
        groups.append(group)
    return groups


def sections(body: str) -> dict[str, str]:
    """The page's three parts, so a test can say which part a session is in."""
    today = body.index('id="today-heading"')
    upcoming = body.index('id="upcoming-heading"')
    recent = body.index('id="recent-heading"')
    return {
        "today": body[today:upcoming],
        "upcoming": body[upcoming:recent],
        "recent": body[recent:],
    }


@at_my_sessions_time
def test_today_upcoming_and_recent_across_my_groups(client, cast):
    monday, thursday = groups_of(cast.peer, cast.org, "Monday circle", "Thursday circle")
    SessionFactory(group=monday, starts_at=at(hours=3))
    SessionFactory(group=thursday, starts_at=at(hours=-2), status="held")
    SessionFactory(group=thursday, starts_at=at(days=2))
    SessionFactory(group=monday, starts_at=at(days=-6), status="held")
    client.force_login(cast.peer)
    response = client.get(MY_SESSIONS)
    assert response.status_code == 200
    parts = sections(response.content.decode())
    assert parts["today"].count("Monday circle") == 1
    assert parts["today"].count("Thursday circle") == 1
    assert "Thursday circle" in parts["upcoming"] and "Monday circle" not in parts["upcoming"]
    assert "Monday circle" in parts["recent"] and "Thursday circle" not in parts["recent"]


@at_my_sessions_time
def test_today_follows_the_groups_time_zone(client, cast):
    # 15:00 UTC is already Wednesday 04:00 in Auckland: Wednesday's session there is today's.
    (auckland,) = groups_of(cast.peer, cast.org, "Auckland group", timezone="Pacific/Auckland")
    SessionFactory(group=auckland, starts_at=at(hours=14))
    client.force_login(cast.peer)
    parts = sections(client.get(MY_SESSIONS).content.decode())
    assert "Auckland group" in parts["today"]


@at_my_sessions_time
def test_session_times_show_where_the_group_meets(client, cast):
    (group,) = groups_of(cast.peer, cast.org, "New York group", timezone="America/New_York")
    SessionFactory(group=group, starts_at=at(days=1))  # 15:00 UTC is 10:00 in New York
    client.force_login(cast.peer)
    body = client.get(MY_SESSIONS).content.decode()
    assert "10:00" in body


@at_my_sessions_time
def test_clinician_named_on_a_session_sees_it_without_an_assignment(client, cast):
    (group,) = groups_of(cast.peer, cast.org, "Peer-led group")
    SessionFactory(group=group, starts_at=at(days=1), clinician=cast.clinician)
    SessionFactory(group=group, starts_at=at(days=8))
    client.force_login(cast.clinician)
    body = client.get(MY_SESSIONS).content.decode()
    assert body.count("Peer-led group") == 1


@at_my_sessions_time
def test_sessions_of_groups_i_do_not_run_are_not_listed(client, cast):
    groups_of(cast.peer, cast.org, "Mine")
    colleague = member(cast.org, Role.FACILITATOR)
    (theirs,) = groups_of(colleague, cast.org, "A colleague's group")
    SessionFactory(group=theirs, starts_at=at(days=1))
    (foreign,) = groups_of(cast.outsider, cast.other_org, f"Foreign {CANARY}")
    SessionFactory(group=foreign, starts_at=at(days=1))
    # Even an assignment to another organization's group shows nothing to a non-member.
    FacilitatorAssignment.objects.create(group=foreign, user=cast.peer, role="peer_co")
    client.force_login(cast.peer)
    body = client.get(MY_SESSIONS).content.decode()
    assert "A colleague&#x27;s group" not in body
    assert CANARY not in body


@at_my_sessions_time
def test_cancelled_sessions_say_so_and_archived_groups_have_no_upcoming(client, cast):
    active, archived = groups_of(cast.peer, cast.org, "Still running", "Archived group")
    SessionFactory(group=active, starts_at=at(days=1), status="cancelled", cancel_reason="Ill")
    SessionFactory(group=archived, starts_at=at(days=1))
    archived.archived_at = timezone.now()
    archived.save()
    client.force_login(cast.peer)
    parts = sections(client.get(MY_SESSIONS).content.decode())
    assert "Cancelled" in parts["upcoming"]
    assert "Archived group" not in parts["upcoming"]


@at_my_sessions_time
def test_manager_without_groups_sees_an_empty_page(client, cast):
    client.force_login(cast.manager)
    response = client.get(MY_SESSIONS)
    assert response.status_code == 200
    assert "No session today" in response.content.decode()


@at_my_sessions_time
def test_reviewer_and_people_without_membership_get_403(client, cast):
    for user in (cast.reviewer, cast.nobody):
        client.force_login(user)
        assert client.get(MY_SESSIONS).status_code == 403


@at_my_sessions_time
def test_anonymous_is_sent_from_my_sessions_to_sign_in(client, db):
    response = client.get(MY_SESSIONS)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@at_my_sessions_time
def test_my_sessions_refuses_post(client, cast):
    client.force_login(cast.peer)
    assert client.post(MY_SESSIONS).status_code == 405


@at_my_sessions_time
def test_home_shows_a_facilitator_todays_session(client, cast):
    (group,) = groups_of(cast.peer, cast.org, "Tuesday evening")
    session = SessionFactory(group=group, starts_at=at(hours=3))
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert "Tuesday evening" in body
    assert reverse("sessions_app:session_detail", kwargs={"code": session.code}) in body
    assert MY_SESSIONS in body


@at_my_sessions_time
def test_home_tells_a_facilitator_without_sessions_what_happens_next(client, cast):
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert "No sessions planned for you yet" in body


# --- Query budget -------------------------------------------------------------------------


def _grow_my_groups(user, organization, groups: int, sessions_per_group: int) -> None:
    for group in groups_of(user, organization, *[f"Group {i}" for i in range(groups)]):
        for i in range(sessions_per_group):
            SessionFactory(
                group=group,
                starts_at=at(days=i - sessions_per_group // 2, hours=group.pk % 5),
                status=Session.Status.HELD if i < sessions_per_group // 2 else "planned",
                clinician=None,
            )


# Measured: 5 at both sizes (sign-in session, user, roles, sessions ahead, sessions behind).
MY_SESSIONS_QUERY_BUDGET = 4


@at_my_sessions_time
@pytest.mark.parametrize("groups,sessions_per_group", [(1, 2), (6, 20)])
def test_my_sessions_uses_a_fixed_number_of_queries(
    client, cast, groups, sessions_per_group, django_assert_max_num_queries
):
    _grow_my_groups(cast.peer, cast.org, groups, sessions_per_group)
    client.force_login(cast.peer)
    with django_assert_max_num_queries(MY_SESSIONS_QUERY_BUDGET):
        response = client.get(MY_SESSIONS)
    assert response.status_code == 200


# --- Who ran the session: the team snapshot -------------------------------------------------


def _team_of(session: Session) -> set[tuple[int, str]]:
    from sessions_app.selectors import session_team

    return {(member.user.pk, member.role) for member in session_team(session)}


def _hold(running: TeamSession) -> Session:
    from tests.factories import AttendanceFactory

    AttendanceFactory(session=running.session, participant=running.roster[0])
    return running_services.session_mark_held(session=running.session, by=running.team.facilitator)


def test_marking_held_keeps_who_ran_the_session_in_their_roles(cast, running):
    from sessions_app.models import SessionFacilitator

    running.session.clinician = member(cast.org, Role.FACILITATOR)
    running.session.save()
    session = _hold(running)
    stored = set(SessionFacilitator.objects.filter(session=session).values_list("user", "role"))
    assert stored == {
        (cast.peer.pk, "lead_peer"),
        (cast.clinician.pk, "clinician_co"),
        (running.session.clinician.pk, "session_clinician"),
    }


def test_changing_the_groups_assignments_after_the_session_is_held_does_not_change_who_ran_it(
    cast, running
):
    from sessions_app.selectors import facilitation_model

    session = _hold(running)
    before = _team_of(session)
    FacilitatorAssignment.objects.filter(group=running.group, user=cast.clinician).delete()
    FacilitatorAssignment.objects.filter(group=running.group, user=cast.peer).update(
        role=FacilitatorAssignment.Role.PEER_CO
    )
    FacilitatorAssignmentFactory(
        group=running.group, user=member(cast.org, Role.FACILITATOR), role="lead_peer"
    )
    session.refresh_from_db()
    assert _team_of(session) == before
    assert facilitation_model(session) == "peer_with_clinician"


def test_a_session_not_held_yet_reads_todays_assignments(cast, running):
    from sessions_app.selectors import facilitation_model

    assert _team_of(running.session) == {
        (cast.peer.pk, "lead_peer"),
        (cast.clinician.pk, "clinician_co"),
    }
    assert facilitation_model(running.session) == "peer_with_clinician"
    FacilitatorAssignment.objects.filter(group=running.group, user=cast.clinician).delete()
    assert facilitation_model(running.session) == "peer_led"


def test_the_facilitation_model_of_each_kind_of_session(cast):
    from sessions_app.selectors import facilitation_models

    group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    peer_led = SessionFactory(group=group)
    with_clinician = SessionFactory(group=group, clinician=cast.clinician)
    participant = ParticipantFactory(organization=cast.org)
    participant_led = SessionFactory(group=group, led_by_participant=participant)
    # Participant-led wins even with a clinician in the room.
    led_with_clinician = SessionFactory(
        group=group, led_by_participant=participant, clinician=cast.clinician
    )
    sessions = [peer_led, with_clinician, participant_led, led_with_clinician]
    assert facilitation_models([s.pk for s in sessions]) == {
        peer_led.pk: "peer_led",
        with_clinician.pk: "peer_with_clinician",
        participant_led.pk: "participant_led",
        led_with_clinician.pk: "participant_led",
    }


def test_a_held_session_reads_its_snapshot_not_the_group(cast):
    from sessions_app.models import SessionFacilitator
    from sessions_app.selectors import facilitation_models

    group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.clinician, role="clinician_co")
    held = SessionFactory(group=group, status=Session.Status.HELD)
    SessionFacilitator.objects.create(session=held, user=cast.peer, role="lead_peer")
    assert facilitation_models([held.pk]) == {held.pk: "peer_led"}


def test_the_backfill_stores_who_ran_each_held_session_from_its_groups_assignments(cast):
    import importlib

    from django.apps import apps as django_apps

    from sessions_app.models import SessionFacilitator

    backfill = importlib.import_module(
        "sessions_app.migrations.0006_backfill_session_facilitators"
    ).backfill
    group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    FacilitatorAssignmentFactory(group=group, user=cast.clinician, role="clinician_co")
    held = SessionFactory(group=group, status=Session.Status.HELD)
    with_clinician = SessionFactory(
        group=group, status=Session.Status.HELD, clinician=member(cast.org, Role.FACILITATOR)
    )
    planned = SessionFactory(group=group)
    already = SessionFactory(group=group, status=Session.Status.HELD)
    SessionFacilitator.objects.create(session=already, user=cast.peer, role="peer_co")

    backfill(django_apps, None)
    backfill(django_apps, None)  # a second run adds nothing

    def team(session):
        return set(SessionFacilitator.objects.filter(session=session).values_list("user", "role"))

    assert team(held) == {(cast.peer.pk, "lead_peer"), (cast.clinician.pk, "clinician_co")}
    assert (with_clinician.clinician_id, "session_clinician") in team(with_clinician)
    assert len(team(with_clinician)) == 3
    assert team(planned) == set()
    assert team(already) == {(cast.peer.pk, "peer_co")}


# Measured: 3 at both sizes (the sessions, clinicians in held sessions' snapshots,
# clinician co-facilitators of the other sessions' groups).
FACILITATION_MODELS_QUERIES = 3


@pytest.mark.parametrize("per_group", [2, 16])
def test_facilitation_models_take_a_fixed_number_of_queries(
    cast, per_group, django_assert_num_queries
):
    from sessions_app.models import SessionFacilitator
    from sessions_app.selectors import facilitation_models

    session_ids = []
    for i in range(3):
        group = GroupFactory(organization=cast.org)
        FacilitatorAssignmentFactory(group=group, user=cast.peer)
        if i:
            FacilitatorAssignmentFactory(group=group, user=cast.clinician, role="clinician_co")
        for j in range(per_group):
            session = SessionFactory(group=group, status="held" if j % 2 else "planned")
            if session.status == "held":
                SessionFacilitator.objects.create(session=session, user=cast.peer, role="lead_peer")
            session_ids.append(session.pk)
    with django_assert_num_queries(FACILITATION_MODELS_QUERIES):
        models = facilitation_models(session_ids)
    assert len(models) == len(session_ids)
