"""A small program with hand-computed figures, shared by the dashboards' tests."""

import datetime
from dataclasses import dataclass

from sessions_app.models import Attendance, Group, Participant, Session, SessionFacilitator
from tests.facilitators.factories import SeekingSafetyTrainingFactory
from tests.factories import AttendanceFactory, EnrollmentFactory, GroupFactory, profile_of
from tests.feedback.results_factories import respond, session_on

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)
LEAD = SessionFacilitator.Role.LEAD_PEER
CLINICIAN = SessionFacilitator.Role.CLINICIAN_CO
PRESENT, ABSENT, EXCUSED = (
    Attendance.Status.PRESENT,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
)


@dataclass
class Program:
    group: Group
    people: list[Participant]
    sessions: list[Session]


def held(group, day, *, topic, team, attendance, **fields) -> Session:
    session = session_on(group, day, topic=topic, status=Session.Status.HELD, **fields)
    SessionFacilitator.objects.bulk_create(
        [SessionFacilitator(session=session, user=user, role=role) for user, role in team]
    )
    for participant, status in attendance:
        AttendanceFactory(session=session, participant=participant, status=status)
    return session


def build_program(
    cast, *, name="Tuesday evening", extra_people=0, organization=None, lead=None, clinician=None
) -> Program:
    """Group of four enrolled from March 1. In March: S1 (topic 1, the peer leads: peer-led)
    with P1-P3 present and one drop-in; S2 (topic 2, the peer and a clinician
    co-facilitating) with P1 and P2 present; S3 (topic 3, led by P1, no facilitator
    recorded) with P1 and P2 present; a cancelled session. In April: a planned session on
    topic 4. The peer was trained in January."""
    organization = organization or cast.org
    lead = lead or cast.peer
    clinician = clinician or cast.clinician
    SeekingSafetyTrainingFactory(
        profile=profile_of(lead, organization), completed_on=datetime.date(2026, 1, 10)
    )
    group = GroupFactory(organization=organization, name=name, start_date=MARCH)
    people = [
        EnrollmentFactory(group=group, joined_on=MARCH).participant for _ in range(4 + extra_people)
    ]
    p1, p2, p3, p4 = people[:4]
    s1 = held(
        group,
        datetime.date(2026, 3, 3),
        topic=1,
        team=[(lead, LEAD)],
        attendance=[(p1, PRESENT), (p2, PRESENT), (p3, PRESENT), (p4, ABSENT)],
        drop_in_count=1,
    )
    s2 = held(
        group,
        datetime.date(2026, 3, 10),
        topic=2,
        team=[(lead, LEAD), (clinician, CLINICIAN)],
        attendance=[(p1, PRESENT), (p2, PRESENT), (p3, EXCUSED), (p4, ABSENT)],
    )
    s3 = held(
        group,
        datetime.date(2026, 3, 17),
        topic=3,
        team=[],
        attendance=[(p1, PRESENT), (p2, PRESENT)],
        led_by_participant=p1,
    )
    session_on(
        group, datetime.date(2026, 3, 24), status=Session.Status.CANCELLED, cancel_reason="Snow "
    )
    session_on(group, datetime.date(2026, 4, 7), topic=4)
    respond(s1, {"session_helpful": 3}, times=3)
    respond(s2, {"session_helpful": 1}, times=2)
    return Program(group=group, people=people, sessions=[s1, s2, s3])
