"""Demo groups, participants and sessions for `seed_demo`: safe to run again.

Three groups (one open and in person, one closed and virtual, and one in Spanish whose
participants prefer Spanish, so the Spanish pages and consent form are exercised), their
participants, a few held sessions with attendance, logs, adaptations and commitments,
recording consents on shared consent forms written for this project (English and
Spanish: each person signs the one in their language), and upcoming sessions, one of
them today for the demo peer facilitator (the browser test runs it).

Running it twice leaves the same rows: every row is looked up before it is created, and
nothing that exists is saved again (each save would add a history row). On a later day it
adds that day's session and the ones after it; what was seeded before stays.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.history import save_with_history
from accounts.models import Organization, User
from curriculum.models import Topic, TopicMaterial

from .models import (
    Adaptation,
    Attendance,
    Commitment,
    Consent,
    ConsentForm,
    Enrollment,
    FacilitatorAssignment,
    FacilitatorNote,
    Group,
    GroupTopic,
    Participant,
    Session,
    SessionLog,
)
from .services.running import session_team_snapshot

PEER = "peer@demo.example"
CLINICIAN = "clinician@demo.example"

OPEN_GROUP = "Evening circle (in person, open)"
CLOSED_GROUP = "Midday group (online, closed)"
# Named by the organization in the group's own language.
SPANISH_GROUP = "Grupo de la mañana (en español, presencial)"

# Chosen names or initials only, as participants give them.
OPEN_PARTICIPANTS = [("A.M.", "en"), ("Bea", "en"), ("C.J.", "en"), ("Dee", "en")]
OPEN_PARTICIPANTS += [("Esperanza", "es"), ("F.", "en")]
LATE_JOINER = ("Gigi", "en")  # joins the open group a week ago: on later sessions only
CLOSED_PARTICIPANTS = [("Hana", "en"), ("I.K.", "en"), ("Jo", "en"), ("Kay", "en")]
SPANISH_PARTICIPANTS = [("Lucía", "es"), ("Marisol", "es"), ("Rosa", "es"), ("Inés", "es")]

# Written for this project; never text from the Seeking Safety book.
CONSENT_PURPOSE = (
    "Recording a group session so a trained reviewer can give the facilitator feedback "
    "(facilitator certification and peer review)."
)
CONSENT_TEXT = """\
We would like to audio-record this group session. The recording is only for helping
the facilitator do this work well: a trained reviewer listens to it and gives the
facilitator feedback. It is not about you, and it is never shared with anyone else.

- Saying no is fine. You can still come to every group, and nothing changes for you.
- Everyone in the room has to agree. If one person says no, we do not record.
- You can change your mind at any time, even after a recording was made. Tell a
  facilitator, and the recording is deleted.
- Recordings are kept in a locked place and deleted once the review is done.
- Please do not share details of your own story during a recorded session.
"""

CONSENT_PURPOSE_ES = (
    "Grabar una sesión de grupo para que una persona revisora capacitada dé su opinión a "
    "quien facilita (certificación y revisión entre pares)."
)
CONSENT_TEXT_ES = """\
Nos gustaría grabar el audio de esta sesión de grupo. La grabación solo sirve para
ayudar a quien facilita a hacer bien este trabajo: una persona revisora capacitada la
escucha y le da su opinión. No se trata de usted, y nunca se comparte con nadie más.

- Decir que no está bien. Puede seguir viniendo a todos los grupos y nada cambia.
- Todas las personas presentes tienen que estar de acuerdo. Si alguien dice que no,
  no grabamos.
- Puede cambiar de opinión en cualquier momento, incluso después de la grabación.
  Dígaselo a quien facilita y la grabación se borra.
- Las grabaciones se guardan en un lugar bajo llave y se borran al terminar la revisión.
- Por favor, no cuente detalles de su propia historia durante una sesión grabada.
"""

OUR_HANDOUT = (
    "A one-page summary in plain language, written by the demo organization for its own groups."
)


def _local(organization: Organization) -> ZoneInfo:
    return ZoneInfo(organization.timezone)


def _at(day: date, start: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, start, tzinfo=tz)


def _session_on(group: Group, day: date, **defaults: Any) -> tuple[Session, bool]:
    """The group's session on a local day, created when there is none."""
    tz = group.zone
    start = _at(day, time(0), tz)
    existing = group.sessions.filter(
        starts_at__gte=start, starts_at__lt=start + timedelta(days=1)
    ).first()
    if existing:
        return existing, False
    session = Session(
        group=group,
        starts_at=_at(day, group.start_time, tz),
        duration_minutes=group.duration_minutes,
        **defaults,
    )
    save_with_history(session, by=defaults.get("held_by"))
    return session, True


def _group(
    organization: Organization, name: str, topic_orders: list[int], **defaults: Any
) -> Group:
    group, created = Group.objects.get_or_create(
        organization=organization, name=name, defaults=defaults
    )
    if created:
        topics = {t.order: t for t in Topic.objects.filter(order__in=topic_orders)}
        GroupTopic.objects.bulk_create(
            GroupTopic(group=group, topic=topics[order], position=position)
            for position, order in enumerate(topic_orders, start=1)
            if order in topics
        )
    return group


def _participants(organization: Organization, people: list[tuple[str, str]]) -> list[Participant]:
    return [
        Participant.objects.get_or_create(
            organization=organization,
            display_name=name,
            defaults={"preferred_language": language},
        )[0]
        for name, language in people
    ]


def _enroll(group: Group, participants: list[Participant], joined_on: date) -> None:
    for participant in participants:
        Enrollment.objects.get_or_create(
            group=group, participant=participant, left_on=None, defaults={"joined_on": joined_on}
        )


def _materials(organization: Organization, topic_orders: list[int]) -> dict[int, TopicMaterial]:
    materials = {}
    for topic in Topic.objects.filter(order__in=topic_orders):
        materials[topic.order], _ = TopicMaterial.objects.get_or_create(
            organization=organization,
            topic=topic,
            title=f"Our summary: {topic.title}",
            defaults={"kind": TopicMaterial.Kind.HANDOUT, "body": OUR_HANDOUT},
        )
    return materials


def _held(
    group: Group,
    day: date,
    position: int,
    *,
    by: User,
    roster: list[Participant],
    drop_ins: int = 0,
    handouts: list[TopicMaterial] | None = None,
    follow_up: bool = False,
) -> Session:
    """A held session with attendance and a log; left as it is when it exists."""
    step = group.topic_sequence.filter(position=position).select_related("topic").first()
    topic = step.topic if step else None
    start = _at(day, group.start_time, group.zone)
    session, created = _session_on(
        group,
        day,
        topic=topic,
        sequence_position=position,
        status=Session.Status.HELD,
        held_at=start + timedelta(minutes=group.duration_minutes),
        held_by=by,
        drop_in_count=drop_ins,
    )
    if not created:
        return session
    # Who ran it, as marking it held stores (the group's facilitators are assigned first).
    session_team_snapshot(session=session)
    for index, participant in enumerate(roster):
        status = Attendance.Status.PRESENT
        if (index + position) % 5 == 0:
            status = Attendance.Status.ABSENT
        elif (index + position) % 7 == 0:
            status = Attendance.Status.EXCUSED
        row = Attendance(session=session, participant=participant, status=status, recorded_by=by)
        save_with_history(row, by=by)
    log = SessionLog(
        session=session,
        check_in_done=True,
        quotation_reference="The quotation suggested for this topic (facilitator guide)",
        check_out_done=True,
        follow_up_needed=follow_up,
        actual_length_minutes=group.duration_minutes - 5,
        updated_by=by,
    )
    save_with_history(log, by=by)
    if handouts:
        log.handouts_used.set(handouts)
    return session


def _demo_groups(organization: Organization, today: date) -> tuple[Group, Group, Group]:
    """The open in-person group and the closed online one, meeting on today's weekday,
    and the Spanish one, meeting the day after (so today has no second session for the
    peer facilitator, and no session of the two clashes)."""
    weekday = today.weekday()
    open_group = _group(
        organization,
        OPEN_GROUP,
        list(range(1, 26)),
        admission=Group.Admission.OPEN,
        modality=Group.Modality.IN_PERSON,
        location="Community room, 2nd floor (demo address)",
        weekdays=[weekday, (weekday + 2) % 7],
        start_time=time(18, 0),
        timezone=organization.timezone,
        duration_minutes=90,
        start_date=today - timedelta(days=28),
        capacity=12,
    )
    closed_group = _group(
        organization,
        CLOSED_GROUP,
        [1, 2, 23, 6, 19, 16, 7, 25],
        admission=Group.Admission.CLOSED,
        modality=Group.Modality.VIRTUAL,
        meeting_link="https://meet.example.org/demo-seeking-safety",
        weekdays=[weekday],
        start_time=time(12, 0),
        timezone=organization.timezone,
        duration_minutes=60,
        start_date=today - timedelta(days=21),
        end_date=today + timedelta(days=70),
        capacity=8,
    )
    tomorrow = today + timedelta(days=1)
    spanish_group = _group(
        organization,
        SPANISH_GROUP,
        [1, 2, 3, 23, 6],
        admission=Group.Admission.OPEN,
        modality=Group.Modality.IN_PERSON,
        location="Sala comunitaria, planta baja (dirección de ejemplo)",
        language="es",
        weekdays=[tomorrow.weekday()],
        start_time=time(10, 0),
        timezone=organization.timezone,
        duration_minutes=90,
        start_date=tomorrow - timedelta(days=7),
        capacity=10,
    )
    return open_group, closed_group, spanish_group


def _add_adaptation(session: Session, category: str, what: str, why: str, *, by: User) -> None:
    if not session.adaptations.exists():
        adaptation = Adaptation(
            session=session, category=category, what=what, why=why, created_by=by
        )
        save_with_history(adaptation, by=by)


def _seed_what_was_run(
    second: Session, last: Session, *, by_name: dict[str, Participant], peer: User
) -> None:
    """Adaptations, commitments read back next time, and the peer's note to self."""
    _add_adaptation(
        second,
        Adaptation.Category.LANGUAGE,
        "Went over the handout in Spanish as well as English",
        "One participant prefers Spanish",
        by=peer,
    )
    _add_adaptation(
        last,
        Adaptation.Category.TIME,
        "Shortened the check-in to 20 minutes",
        "Started late: the room was double-booked",
        by=peer,
    )
    for name, text in (
        ("A.M.", "Take a walk after work on two days"),
        ("Dee", "Call the housing office on Monday"),
    ):
        Commitment.objects.get_or_create(
            session=last, participant=by_name[name], defaults={"text": text}
        )
    FacilitatorNote.objects.get_or_create(
        session=last,
        author=peer,
        defaults={"body": "Check-in ran long. Try a gentle timer next week."},
    )


def _seed_open_group(
    group: Group,
    *,
    today: date,
    people: list[Participant],
    late_joiner: Participant,
    handouts: dict[int, TopicMaterial],
    peer: User,
    clinician: User,
) -> Session:
    """Three held sessions (adaptations, commitments, a note to self), today's session and
    two after it; returns the first held session (its consents are seeded)."""
    start = group.start_date
    first = _held(
        group, start + timedelta(days=7), 1, by=peer, roster=people, handouts=[handouts[1]]
    )
    second = _held(
        group,
        start + timedelta(days=14),
        2,
        by=peer,
        roster=people,
        drop_ins=1,
        handouts=[handouts[2]],
        follow_up=True,
    )
    last = _held(
        group,
        start + timedelta(days=21),
        3,
        by=peer,
        roster=[*people, late_joiner],
        handouts=[handouts[3]],
    )
    by_name = {p.display_name: p for p in people}
    _seed_what_was_run(second, last, by_name=by_name, peer=peer)
    topic_at = {gt.position: gt.topic for gt in group.topic_sequence.select_related("topic")}
    _session_on(group, today, topic=topic_at.get(4), sequence_position=4, clinician=clinician)
    _session_on(group, today + timedelta(days=2), topic=topic_at.get(5), sequence_position=5)
    _session_on(
        group,
        today + timedelta(days=7),
        topic=topic_at.get(6),
        sequence_position=6,
        led_by_participant=by_name["Bea"],
    )
    return first


def _seed_closed_group(
    group: Group,
    *,
    today: date,
    people: list[Participant],
    handouts: dict[int, TopicMaterial],
    peer: User,
    clinician: User,
) -> Session:
    """Two held sessions and the next two; returns the first held one."""
    first = _held(group, group.start_date + timedelta(days=7), 1, by=peer, roster=people)
    _held(
        group,
        group.start_date + timedelta(days=14),
        2,
        by=clinician,
        roster=people,
        handouts=[handouts[2]],
    )
    topic_at = {gt.position: gt.topic for gt in group.topic_sequence.select_related("topic")}
    for weeks, position in ((1, 3), (2, 4)):
        _session_on(
            group,
            today + timedelta(days=7 * weeks),
            topic=topic_at.get(position),
            sequence_position=position,
        )
    return first


def _seed_spanish_group(group: Group, *, people: list[Participant], peer: User) -> Session:
    """One held session (with a commitment in Spanish) and the next two; returns the held
    one (its consents are seeded)."""
    held = _held(group, group.start_date, 1, by=peer, roster=people)
    Commitment.objects.get_or_create(
        session=held, participant=people[0], defaults={"text": "Llamar a mi hermana el domingo"}
    )
    topic_at = {gt.position: gt.topic for gt in group.topic_sequence.select_related("topic")}
    for weeks, position in ((0, 2), (1, 3)):
        _session_on(
            group,
            group.start_date + timedelta(days=7 * (weeks + 1)),
            topic=topic_at.get(position),
            sequence_position=position,
        )
    return held


@transaction.atomic
def seed_demo_sessions(*, organization: Organization, users: dict[str, User]) -> dict[str, int]:
    """Create what is missing of the demo program; returns a few counts to print."""
    peer, clinician = users[PEER], users[CLINICIAN]
    today = timezone.localdate(timezone.now(), _local(organization))
    open_group, closed_group, spanish_group = _demo_groups(organization, today)
    for group, user, role in (
        (open_group, peer, FacilitatorAssignment.Role.LEAD_PEER),
        (closed_group, peer, FacilitatorAssignment.Role.LEAD_PEER),
        (closed_group, clinician, FacilitatorAssignment.Role.CLINICIAN_CO),
        (spanish_group, peer, FacilitatorAssignment.Role.LEAD_PEER),
    ):
        FacilitatorAssignment.objects.get_or_create(group=group, user=user, defaults={"role": role})

    open_people = _participants(organization, OPEN_PARTICIPANTS)
    (late_joiner,) = _participants(organization, [LATE_JOINER])
    closed_people = _participants(organization, CLOSED_PARTICIPANTS)
    spanish_people = _participants(organization, SPANISH_PARTICIPANTS)
    _enroll(open_group, open_people, open_group.start_date)
    _enroll(open_group, [late_joiner], open_group.start_date + timedelta(days=21))
    _enroll(closed_group, closed_people, closed_group.start_date)
    _enroll(spanish_group, spanish_people, spanish_group.start_date)
    handouts = _materials(organization, [1, 2, 3, 4, 5, 6])

    open_first = _seed_open_group(
        open_group,
        today=today,
        people=open_people,
        late_joiner=late_joiner,
        handouts=handouts,
        peer=peer,
        clinician=clinician,
    )
    closed_first = _seed_closed_group(
        closed_group,
        today=today,
        people=closed_people,
        handouts=handouts,
        peer=peer,
        clinician=clinician,
    )
    spanish_first = _seed_spanish_group(spanish_group, people=spanish_people, peer=peer)
    signed = [(p, open_first) for p in open_people if p.display_name != "F."]
    signed += [(p, closed_first) for p in closed_people]
    signed += [(p, spanish_first) for p in spanish_people]
    consents = _seed_consents(signed, peer=peer, clinician=clinician)
    return {
        "groups": 3,
        "participants": len(open_people) + len(closed_people) + len(spanish_people) + 1,
        "consents": consents,
    }


def _seed_consents(
    signed: list[tuple[Participant, Session]], *, peer: User, clinician: User
) -> int:
    """Recording consent on the shared form in each person's language, given at the
    session named: most people agreed, one (F., left out of `signed`) did not, so the open
    group's sessions cannot be recorded until they do."""
    forms = {
        language: ConsentForm.objects.get_or_create(
            organization=None,
            kind=ConsentForm.Kind.RECORDING,
            language=language,
            version=1,
            defaults={"purpose": purpose, "text": text, "valid_for_days": 365},
        )[0]
        for language, purpose, text in (
            ("en", CONSENT_PURPOSE, CONSENT_TEXT),
            ("es", CONSENT_PURPOSE_ES, CONSENT_TEXT_ES),
        )
    }
    count = 0
    for participant, session in signed:
        verbal = participant.display_name in {"Esperanza", "Rosa"}
        Consent.objects.get_or_create(
            participant=participant,
            form=forms[participant.preferred_language],
            defaults={
                "session": session,
                "method": Consent.Method.VERBAL if verbal else Consent.Method.WRITTEN,
                "witness": str(clinician) if verbal else "",
                "captured_by": peer,
                "captured_at": session.starts_at,
                "expires_at": session.starts_at + timedelta(days=365),
            },
        )
        count += 1
    return count


# --- The demo training center's practice sessions (rater calibration recordings) ---------

PRACTICE_GROUP = "Practice sessions (facilitator training)"
# Volunteers at a training, not program participants: chosen names only, as everywhere.
PRACTICE_VOLUNTEERS = [("Vi", "en"), ("Wren", "en"), ("Xan", "en")]
PRACTICE_CONSENT_PURPOSE = (
    "Recording a practice session of a facilitator training so reviewers can learn to "
    "rate sessions consistently (rater calibration)."
)
PRACTICE_CONSENT_TEXT = """\
We would like to audio-record this practice session. It is a role play at a facilitator
training: please speak as the character you are given, never about your own life.

- The recording trains reviewers: they rate it and compare their ratings with an
  expert's, so that later reviews of real groups are fair and consistent.
- Because of that, it may be kept longer than a normal group recording: for as long as
  it is used to train reviewers, and deleted when it is no longer used.
- Only reviewers in training and the people who run the training can listen to it.
- Saying no is fine. Everyone in the room has to agree, or we do not record.
- You can change your mind at any time. Tell the trainer, and the recording is deleted.
"""


def seed_demo_practice_sessions(*, organization: Organization, facilitator: User) -> list[Session]:
    """Two held practice sessions of a training organization, with volunteers who all
    consented on its own recording consent form, one that covers rater calibration;
    returns them, oldest first. Safe to run again."""
    today = timezone.localdate(timezone.now(), _local(organization))
    start = today - timedelta(days=14)
    group = _group(
        organization,
        PRACTICE_GROUP,
        [1, 2],
        admission=Group.Admission.CLOSED,
        modality=Group.Modality.IN_PERSON,
        location="Training room (demo address)",
        weekdays=[start.weekday()],
        start_time=time(14, 0),
        timezone=organization.timezone,
        duration_minutes=60,
        start_date=start,
        end_date=start + timedelta(days=7),
        capacity=6,
    )
    FacilitatorAssignment.objects.get_or_create(
        group=group, user=facilitator, defaults={"role": FacilitatorAssignment.Role.CLINICIAN_CO}
    )
    volunteers = _participants(organization, PRACTICE_VOLUNTEERS)
    _enroll(group, volunteers, start)
    sessions = [
        _held(group, start + timedelta(days=7 * week), week + 1, by=facilitator, roster=volunteers)
        for week in range(2)
    ]
    form, _ = ConsentForm.objects.get_or_create(
        organization=organization,
        kind=ConsentForm.Kind.RECORDING,
        language="en",
        version=1,
        defaults={
            "purpose": PRACTICE_CONSENT_PURPOSE,
            "text": PRACTICE_CONSENT_TEXT,
            "covers_calibration": True,
            "valid_for_days": 365,
        },
    )
    for volunteer in volunteers:
        Consent.objects.get_or_create(
            participant=volunteer,
            form=form,
            defaults={
                "session": sessions[0],
                "method": Consent.Method.WRITTEN,
                "captured_by": facilitator,
                "captured_at": sessions[0].starts_at,
                "expires_at": sessions[0].starts_at + timedelta(days=365),
            },
        )
    return sessions
