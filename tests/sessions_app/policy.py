"""Permission-matrix rows for sessions_app, and the objects they point at.

Per organization (other_org's rows carry the canary, its recording's bytes included):

- Consent and recordings: a group the peer (in other_org, the outsider) facilitates, with a
  session held a week ago where one participant was present and consented, and a recording
  of it (through the real consent and upload services, into the module's private storage);
  a second held session with the same participant and no recording, for uploads. In org
  the assigned reviewer holds an active grant to that recording
  (`recording_grant_access`, as a review assignment will make it); the other reviewer none.
- Groups and participants: someone enrolled in that group (not its attendee).
- Running sessions and changing the plan: a second group of the same facilitator, with a
  session that started an hour ago with one person enrolled and one drop-in (so it can be
  marked held), and an earlier session with an adaptation to remove. Both organizations'
  sessions start in the same state, so one payload (with its `version`) fits either.
- In org, the clinician facilitates a group of their own and nothing above: "a facilitator
  of another group" (403 on the pages of the groups and sessions above).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organization
from curriculum.models import Topic
from sessions_app.models import (
    Adaptation,
    Attendance,
    Commitment,
    Consent,
    Enrollment,
    FacilitatorAssignment,
    FacilitatorNote,
    Group,
    Participant,
    Recording,
    RecordingAccessGrant,
    Session,
    SessionLog,
)
from sessions_app.services import recording_grant_access, running
from sessions_app.services.consent import consent_capture
from sessions_app.services.recordings import recording_upload
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
)
from tests.matrix import (
    BAD_REQUEST,
    FORBIDDEN,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    OK,
    By,
    Kwargs,
    Policy,
    Redirect,
    World,
    everyone,
    org_page,
    signed_in,
    team_page,
)

# --- The objects -------------------------------------------------------------------------


@dataclass
class Objects:
    # Consent and recordings.
    session: Session
    upload_session: Session
    participant: Participant
    consent: Consent
    recording: Recording
    # Groups and participants: enrolled in `session`'s group.
    enrollment: Enrollment
    # Running and planning.
    run_group: Group
    run_session: Session
    earlier: Session
    adaptation: Adaptation


def wav(extra: bytes = b"") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = b"\x80" * 32 + extra
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    own = organization == cast.org
    facilitator = cast.peer if own else cast.outsider

    # Consent and recordings.
    group = GroupFactory(organization=organization, name=f"Group of {organization.slug}{tag}")
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    form = ConsentFormFactory(organization=organization, text=f"Form{tag}")
    attendance = AttendanceFactory(
        session=SessionFactory(
            group=group,
            status=Session.Status.HELD,
            starts_at=timezone.now() - timedelta(days=7),
        ),
        participant__organization=organization,
        participant__display_name=f"Alex{tag}",
    )
    participant, session = attendance.participant, attendance.session
    upload_session = SessionFactory(
        group=group,
        status=Session.Status.HELD,
        starts_at=timezone.now() - timedelta(days=1),
    )
    AttendanceFactory(session=upload_session, participant=participant)
    consent = consent_capture(
        participant=participant,
        form=form,
        granted=True,
        method=Consent.Method.WRITTEN,
        captured_by=facilitator,
        session=session,
    )
    recording = recording_upload(
        session=session,
        file=SimpleUploadedFile("r.wav", wav(tag.encode()), "audio/wav"),
        purpose=Recording.Purpose.PEER_REVIEW,
        uploaded_by=facilitator,
    )
    if own:
        recording_grant_access(
            recording=recording, user=world.extra["reviewer_assigned"], granted_by=cast.manager
        )

    # Groups and participants.
    enrollment = EnrollmentFactory(group=group, participant__display_name=f"Sam{tag}")

    # Running and planning.
    run_group = GroupFactory(
        organization=organization,
        name=f"Run group of {organization.slug}{tag}",
        start_date=timezone.localdate() - timedelta(days=30),
    )
    FacilitatorAssignmentFactory(group=run_group, user=facilitator)
    EnrollmentFactory(group=run_group, participant__display_name=f"Robin{tag}")
    run_session = SessionFactory(
        group=run_group, starts_at=timezone.now() - timedelta(hours=1), drop_in_count=1
    )
    earlier = SessionFactory(group=run_group, starts_at=timezone.now() - timedelta(days=7))
    adaptation = Adaptation.objects.create(
        session=earlier, category="time", what=f"Shorter{tag}", why=f"Late start{tag}"
    )

    if own:  # The clinician's own group, which no URL below points at.
        clinicians_group = GroupFactory(organization=organization, name="Clinician's group")
        FacilitatorAssignmentFactory(
            group=clinicians_group,
            user=cast.clinician,
            role=FacilitatorAssignment.Role.CLINICIAN_CO,
        )
        SessionFactory(group=clinicians_group, starts_at=timezone.now() + timedelta(days=2))

    return Objects(
        session=session,
        upload_session=upload_session,
        participant=participant,
        consent=consent,
        recording=recording,
        enrollment=enrollment,
        run_group=run_group,
        run_session=run_session,
        earlier=earlier,
        adaptation=adaptation,
    )


def snapshot() -> list[Any]:
    """What a refused sessions_app write must leave as it was."""
    return [
        list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        list(
            Recording.objects.order_by("pk").values_list(
                "pk", "reviewed_at", "marked_for_deletion_at"
            )
        ),
        list(RecordingAccessGrant.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(
            Session.objects.order_by("pk").values_list(
                "pk",
                "status",
                "starts_at",
                "duration_minutes",
                "topic_id",
                "second_topic_id",
                "clinician_id",
                "led_by_participant_id",
                "cancel_reason",
                "drop_in_count",
                "is_one_off",
            )
        ),
        list(Attendance.objects.order_by("pk").values_list("pk", "status")),
        list(SessionLog.objects.order_by("pk").values_list("pk", "updated_at")),
        list(Adaptation.objects.order_by("pk").values_list("pk", "what")),
        list(FacilitatorNote.objects.order_by("pk").values_list("pk", "body")),
        list(Commitment.objects.order_by("pk").values_list("pk", "text")),
        list(Group.objects.order_by("pk").values_list("pk", "name", "archived_at")),
        list(FacilitatorAssignment.objects.order_by("pk").values_list("pk", "role")),
        list(Enrollment.objects.order_by("pk").values_list("pk", "left_on")),
        list(Participant.objects.order_by("pk").values_list("pk", "display_name", "archived_at")),
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def org_objects(world: World) -> Objects:
    """org's objects, which the payloads name (on other_org's URLs they are foreign)."""
    return mine(world, world.cast.org)


# --- URL kwargs and payloads ---------------------------------------------------------------


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


def _session(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).session.code}


def _recording(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).recording.code}


def _group(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).session.group.code}


def _participant(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).participant.code}


def _run_session(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).run_session.code}


def capture_data(world: World) -> dict[str, Any]:
    """A valid answer for org's participant: on other_org's session it names someone not
    present there, so outsiders get 400 on their own organization's URL."""
    objects = org_objects(world)
    return {
        "participant": str(objects.participant.code),
        "seen": str(objects.consent.code),
        "decision": "agrees",
        "method": "written",
        "witness": "",
    }


def upload_data(world: World) -> dict[str, Any]:
    return {
        "purpose": "peer_review",
        "seen": "",
        "file": SimpleUploadedFile("upload.wav", wav(), "audio/wav"),
    }


def _group_data(start_date: Any) -> dict[str, Any]:
    return {
        "name": "Planned group",
        "format": "group",
        "admission": "open",
        "modality": "in_person",
        "location": "Room 1",
        "language": "en",
        "weekdays": ["1"],
        "start_time": "18:00",
        "timezone": "UTC",
        "duration_minutes": "90",
        "start_date": start_date.isoformat(),
        "capacity": "12",
        "topic_sequence": "1-3",
    }


# Payloads for the running session, valid for either organization's (both start alike).


def session_save_data(world: World) -> dict[str, Any]:
    """Every part of the session page, as one tap on Save sends it."""
    return {
        "attendance-version": running.attendance_version([], 1),
        "attendance-drop_in_count": "2",
        "log-version": running.log_version(None),
        "log-check_in_done": "on",
        "adaptation-category": "order",
        "adaptation-what": "Check-out first",
        "adaptation-why": "Someone had to leave early",
        "commitments-version": running.commitments_version([]),
        "note-version": running.note_version(None),
        "note-body": "Breathe before check-in",
    }


def move_data(world: World) -> dict[str, Any]:
    day = timezone.localdate() + timedelta(days=30)
    return {"day": day.isoformat(), "start_time": "03:17", "duration_minutes": "60"}


def retopic_data(world: World) -> dict[str, Any]:
    return {"topic": Topic.objects.get(order=3).pk}


# Destructive actions show a confirmation page first (templates/confirm.html); the rows
# post what that page posts, so a row's redirect proves the action itself went through.
CONFIRM = {"confirm": "1"}


def cancel_data(world: World) -> dict[str, Any]:
    return {"reason": "Facilitator ill", **CONFIRM}


def leaders_data(world: World) -> dict[str, Any]:
    return {"led_by_participant": "", "clinician": ""}


# --- The rows ------------------------------------------------------------------------------

# Decorator order, which decides what anonymous gets on a GET of a POST-only URL (the
# GET-on-POST check signs in as someone the POST lets in, so it holds either way):
# running, planning, consent and recordings views put @login_required outside
# @require_POST (anonymous: the login redirect); groups and participants views put
# @require_POST outside @login_required (anonymous: 405).

TO_SESSION = Redirect("sessions_app:session_detail")
TO_CONSENT = Redirect("sessions_app:consent_screen")
TO_RECORDINGS = Redirect("sessions_app:recording_list")
TO_GROUP = Redirect("sessions_app:group_detail")
TO_PARTICIPANT = Redirect("sessions_app:participant_detail")
# A manager of other_org posting org's objects as choices on other_org's URL.
INVALID_CHOICE_IN_OTHER_ORG = By(org=NOT_FOUND, other_org=BAD_REQUEST, missing=NOT_FOUND)
# The GET+POST views' GET: the form.
SHOWS_ITS_FORM = OK

SESSION_WRITES = {
    "session_save": session_save_data,
    "session_move": move_data,
    "session_retopic": retopic_data,
    "session_cancel": cancel_data,
    "session_leaders": leaders_data,
}

FACILITATORS_AND_MANAGERS = ("manager", "peer", "clinician", "outsider", "outsider_manager")

RUNNING_AND_PLANNING: dict[str, Policy] = {
    # The session page's service worker holds no data; the page it shows offline is
    # for anyone signed in.
    "sessions_app:offline_worker": Policy(expect=everyone(OK)),
    "sessions_app:offline_page": Policy(expect=signed_in(OK)),
    "sessions_app:my_sessions": Policy(
        expect={**signed_in(FORBIDDEN), **dict.fromkeys(FACILITATORS_AND_MANAGERS, OK)}
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=team_page(manager=OK, team=OK), url_kwargs=_run_session, missing=_missing
        )
        for name in ("session_detail", "session_history", "session_plan")
    },
    **{
        f"sessions_app:{name}": Policy(
            expect=team_page(manager=TO_SESSION, team=TO_SESSION),
            method="post",
            url_kwargs=_run_session,
            missing=_missing,
            data=data,
        )
        for name, data in SESSION_WRITES.items()
    },
    "sessions_app:session_add": Policy(
        expect=team_page(manager=OK, team=OK),
        url_kwargs=lambda world, organization: {
            "group_code": mine(world, organization).run_group.code
        },
        missing=lambda world: {"group_code": uuid.uuid4()},
    ),
}

CONSENT_AND_RECORDINGS: dict[str, Policy] = {
    "sessions_app:consent_screen": Policy(
        expect=team_page(manager=OK, team=OK), url_kwargs=_session, missing=_missing
    ),
    "sessions_app:consent_capture": Policy(
        expect={
            **team_page(manager=TO_CONSENT, team=TO_CONSENT),
            # The payload names org's participant, who was not present at other_org's session.
            "outsider": INVALID_CHOICE_IN_OTHER_ORG,
            "outsider_manager": INVALID_CHOICE_IN_OTHER_ORG,
        },
        method="post",
        url_kwargs=_session,
        missing=_missing,
        data=capture_data,
    ),
    "sessions_app:consent_withdraw": Policy(
        expect=team_page(manager=Redirect("home"), team=Redirect("home")),
        method="post",
        url_kwargs=lambda world, organization: {"code": mine(world, organization).consent.code},
        missing=_missing,
        data=lambda world: CONFIRM,
    ),
    # A reviewer gets in only through a grant: the list of the recordings they may play.
    "sessions_app:recording_list": Policy(
        expect=team_page(manager=OK, team=OK, reviewer_assigned=OK),
        url_kwargs=_session,
        missing=_missing,
    ),
    "sessions_app:recording_upload": Policy(
        expect=team_page(manager=TO_RECORDINGS, team=TO_RECORDINGS),
        method="post",
        url_kwargs=lambda world, organization: {
            "code": mine(world, organization).upload_session.code
        },
        missing=_missing,
        data=upload_data,
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=team_page(manager=OK, team=OK, reviewer_assigned=OK),
            url_kwargs=_recording,
            missing=_missing,
        )
        for name in ("recording_play", "recording_download")
    },
    "sessions_app:recording_mark_reviewed": Policy(
        expect=org_page(manager=TO_RECORDINGS, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        method="post",
        url_kwargs=_recording,
        missing=_missing,
    ),
}

# Payloads name org's objects, so on other_org's URLs they are invalid choices (400) where
# a choice is involved.
GROUPS_AND_PARTICIPANTS: dict[str, Policy] = {
    "sessions_app:group_list": Policy(
        expect={**signed_in(FORBIDDEN), **dict.fromkeys(FACILITATORS_AND_MANAGERS, OK)}
    ),
    "sessions_app:group_create": Policy(
        expect={**signed_in(FORBIDDEN), "manager": TO_GROUP, "outsider_manager": TO_GROUP},
        method="post",
        data=lambda world: _group_data(timezone.localdate() + timedelta(days=1)),
        on_get=SHOWS_ITS_FORM,
    ),
    "sessions_app:group_detail": Policy(
        expect=team_page(manager=OK, team=OK), url_kwargs=_group, missing=_missing
    ),
    "sessions_app:group_edit": Policy(
        expect=org_page(manager=TO_GROUP, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: _group_data(org_objects(world).session.group.start_date),
        on_get=SHOWS_ITS_FORM,
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=org_page(manager=TO_GROUP, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
            method="post",
            url_kwargs=_group,
            missing=_missing,
            data=data,
        )
        for name, data in [
            ("group_archive", lambda world: CONFIRM),
            ("group_restore", None),
            # On other_org's group, org's assignment is not there: "no longer assigned".
            (
                "group_facilitator_unassign",
                # The peer's: the matrix's former member is on the team too.
                lambda world: {
                    "assignment": org_objects(world)
                    .session.group.assignments.get(user=world.cast.peer)
                    .pk,
                    **CONFIRM,
                },
            ),
        ]
    },
    "sessions_app:group_facilitator_assign": Policy(
        expect={
            **org_page(manager=TO_GROUP, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
            "outsider_manager": INVALID_CHOICE_IN_OTHER_ORG,
        },
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: {"assign-user": world.cast.clinician.pk, "assign-role": "clinician_co"},
    ),
    "sessions_app:group_enroll": Policy(
        expect={
            **team_page(manager=TO_GROUP, team=TO_GROUP),
            "outsider": INVALID_CHOICE_IN_OTHER_ORG,
            "outsider_manager": INVALID_CHOICE_IN_OTHER_ORG,
        },
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: {"enroll-participant": org_objects(world).participant.code},
    ),
    "sessions_app:group_enroll_new": Policy(
        expect=team_page(manager=TO_GROUP, team=TO_GROUP),
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: {"new-display_name": "Kit", "new-preferred_language": "en"},
    ),
    "sessions_app:group_enrollment_end": Policy(
        expect={
            **team_page(manager=TO_GROUP, team=TO_GROUP),
            # cross: org's group with other_org's participant in the URL. Who may not act on
            # the group is refused before the participant is looked up.
            **dict.fromkeys(
                ("clinician", "reviewer", "reviewer_assigned"),
                By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN),
            ),
        },
        method="post",
        url_kwargs=lambda world, organization: {
            "code": mine(world, organization).enrollment.group.code,
            "participant_code": mine(world, organization).enrollment.participant.code,
        },
        missing=lambda world: {"code": uuid.uuid4(), "participant_code": uuid.uuid4()},
        cross=lambda world: {
            "code": org_objects(world).enrollment.group.code,
            "participant_code": mine(world, world.cast.other_org).enrollment.participant.code,
        },
        data=lambda world: {"left_on": timezone.localdate().isoformat(), "left_reason": "moved"},
        on_get=SHOWS_ITS_FORM,
    ),
    "sessions_app:participant_list": Policy(
        expect={**signed_in(FORBIDDEN), "manager": OK, "outsider_manager": OK},
    ),
    "sessions_app:participant_create": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "manager": TO_PARTICIPANT,
            "outsider_manager": TO_PARTICIPANT,
        },
        method="post",
        data=lambda world: {"display_name": "Kit", "preferred_language": "en"},
        on_get=SHOWS_ITS_FORM,
    ),
    "sessions_app:participant_detail": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_participant,
        missing=_missing,
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=org_page(manager=TO_PARTICIPANT, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
            method="post",
            url_kwargs=_participant,
            missing=_missing,
            data=data,
            on_get=on_get,
        )
        for name, data, on_get in [
            (
                "participant_edit",
                lambda world: {"display_name": "Kit", "preferred_language": "en"},
                SHOWS_ITS_FORM,
            ),
            ("participant_archive", lambda world: {"left_reason": "moved"}, METHOD_NOT_ALLOWED),
            ("participant_restore", None, METHOD_NOT_ALLOWED),
        ]
    },
    "sessions_app:participant_enroll": Policy(
        expect={
            **org_page(manager=TO_PARTICIPANT, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
            "outsider_manager": INVALID_CHOICE_IN_OTHER_ORG,
        },
        method="post",
        url_kwargs=_participant,
        missing=_missing,
        data=lambda world: {"join-group": org_objects(world).session.group.code},
    ),
}

POLICY: dict[str, Policy] = {
    **RUNNING_AND_PLANNING,
    **CONSENT_AND_RECORDINGS,
    **GROUPS_AND_PARTICIPANTS,
}
