"""Writes that plan sessions: generate them from a group's schedule, then move, re-topic,
cancel, add a one-off session, and name who leads one (participant rotation, clinician
co-facilitation).

Each change runs in one transaction with the session row locked, raises ValidationError
with a message meant for the person at the form, and saves nothing when it refuses.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Max, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from accounts.history import delete_with_history, save_with_history
from accounts.models import Membership, Role, User
from curriculum.models import Topic

from ..models import FacilitatorAssignment, Group, Participant, Session
from ..selectors.planning import clinician_choices, double_bookings
from ..selectors.running import session_roster

IN_THE_PAST = _("That time has already passed. Choose a time in the future.")
ONLY_PLANNED = _("Only a planned session can be changed this way; this one is %(status)s.")
CANCELLED_NO_CHANGE = _("This session was cancelled; it cannot be changed.")
SAME_TOPIC_TWICE = _("The second topic is the same as the first.")
INACTIVE_TOPIC = _("That topic is no longer offered.")
REASON_REQUIRED = _("Say why the session is cancelled.")
GROUP_ARCHIVED = _("This group is archived; it has no new sessions.")
LEADER_NOT_ON_ROSTER = _("%(name)s is not enrolled in this group on the session's date.")
NOT_A_CLINICIAN = _("Choose a facilitator of this organization as clinician co-facilitator.")
CLINICIAN_IS_A_PEER = _(
    "%(name)s is a peer facilitator of %(group)s (%(role)s), so cannot be this session's "
    "clinician co-facilitator: in one organization a person facilitates either as a peer "
    "or as a clinician. Choose a clinician, or change their role in %(group)s first."
)
DOUBLE_BOOKED = _(
    "%(who)s already facilitates %(group)s at %(when)s. "
    "Tick “Schedule anyway” to keep both sessions."
)


class DoubleBooked(ValidationError):
    """A facilitator already runs another session at that time: a warning the person at
    the form may override by confirming."""

    def __init__(self, conflicts: list[tuple[User, Session]]):
        self.conflicts = conflicts
        messages = [
            ValidationError(
                DOUBLE_BOOKED,
                code="double_booked",
                params={
                    "who": user,
                    "group": other.group.name,
                    "when": date_format(
                        timezone.localtime(other.starts_at, other.group.zone), "DATETIME_FORMAT"
                    ),
                },
            )
            for user, other in conflicts
        ]
        super().__init__(messages)


def _check_future(starts_at: datetime) -> None:
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": IN_THE_PAST}, code="past")


def _check_double_booking(
    *,
    organization_id: int,
    user_ids: set[int],
    starts_at: datetime,
    duration_minutes: int,
    exclude_pk: int | None,
    confirmed: bool,
) -> None:
    if confirmed:
        return
    conflicts = double_bookings(
        organization_id=organization_id,
        user_ids=user_ids,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        exclude_pk=exclude_pk,
    )
    if conflicts:
        raise DoubleBooked(conflicts)


def _require_planned(session: Session) -> None:
    if session.status != Session.Status.PLANNED:
        raise ValidationError(
            ONLY_PLANNED, code="not_planned", params={"status": session.get_status_display()}
        )


def _check_clinician_is_no_peer(session: Session, clinician: User) -> None:
    """A session's clinician co-facilitator facilitates as a clinician, so holds no peer
    role in the organization's active groups (FacilitatorAssignment explains why): not
    this group's lead peer, nor a peer anywhere else. This group's role is named first."""
    # Locked as facilitator_assign locks it: a peer role given at the same moment waits.
    Membership.objects.select_for_update().filter(
        user=clinician, organization_id=session.group.organization_id, role=Role.FACILITATOR
    ).first()
    peer_role = (
        FacilitatorAssignment.objects.as_peer()
        .filter(
            user=clinician,
            group__organization_id=session.group.organization_id,
            group__archived_at=None,
        )
        .select_related("group")
        .order_by(Case(When(group_id=session.group_id, then=0), default=1), "group__name", "pk")
        .first()
    )
    if peer_role is None:
        return
    error = ValidationError(
        CLINICIAN_IS_A_PEER,
        code="clinician_is_a_peer",
        params={
            "name": clinician,
            "group": peer_role.group.name,
            "role": peer_role.get_role_display(),
        },
    )
    raise ValidationError({"clinician": error})


def _save(session: Session, by: User, fields: list[str]) -> None:
    # A change by hand survives regenerating the plan (sessions_generate).
    session.customised = True
    session.full_clean(exclude=["group", "topic", "second_topic", "clinician"])
    save_with_history(session, by=by, update_fields=[*fields, "customised"])


@transaction.atomic
def session_move(
    *,
    session: Session,
    starts_at: datetime,
    duration_minutes: int | None = None,
    by: User,
    confirm_double_booking: bool = False,
) -> Session:
    """Move a planned session to a future time; warns when a facilitator is double-booked."""
    session = Session.objects.locked().get(pk=session.pk)
    _require_planned(session)
    _check_future(starts_at)
    duration = duration_minutes or session.duration_minutes
    _check_double_booking(
        organization_id=session.group.organization_id,
        user_ids=session.team_user_ids(),
        starts_at=starts_at,
        duration_minutes=duration,
        exclude_pk=session.pk,
        confirmed=confirm_double_booking,
    )
    session.starts_at = starts_at
    session.duration_minutes = duration
    _save(session, by, ["starts_at", "duration_minutes"])
    return session


@transaction.atomic
def session_retopic(
    *, session: Session, topic: Topic, second_topic: Topic | None = None, by: User
) -> Session:
    """Set a session's topic (one, sometimes two); planned or held, never cancelled."""
    session = Session.objects.locked().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(CANCELLED_NO_CHANGE, code="cancelled")
    if not topic.is_active or (second_topic is not None and not second_topic.is_active):
        raise ValidationError(INACTIVE_TOPIC, code="inactive_topic")
    if second_topic is not None and second_topic.pk == topic.pk:
        raise ValidationError({"second_topic": SAME_TOPIC_TWICE}, code="same_topic")
    session.topic = topic
    session.second_topic = second_topic
    _save(session, by, ["topic", "second_topic"])
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by: User) -> Session:
    """Cancel a planned session with a reason; it stays in the plan, marked cancelled."""
    session = Session.objects.locked().get(pk=session.pk)
    _require_planned(session)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    _save(session, by, ["status", "cancel_reason"])
    return session


@transaction.atomic
def session_add_one_off(
    *,
    group: Group,
    starts_at: datetime,
    duration_minutes: int | None = None,
    topic: Topic | None = None,
    second_topic: Topic | None = None,
    by: User,
    confirm_double_booking: bool = False,
) -> Session:
    """Add a session outside the schedule; schedule regeneration never touches it."""
    Group.objects.select_for_update().filter(pk=group.pk).first()
    if group.archived_at is not None:
        raise ValidationError(GROUP_ARCHIVED, code="archived")
    _check_future(starts_at)
    if second_topic is not None and topic is None:
        topic, second_topic = second_topic, None
    if second_topic is not None and topic is not None and second_topic.pk == topic.pk:
        raise ValidationError({"second_topic": SAME_TOPIC_TWICE}, code="same_topic")
    duration = duration_minutes or group.duration_minutes
    session = Session(
        group=group,
        starts_at=starts_at,
        duration_minutes=duration,
        topic=topic,
        second_topic=second_topic,
        is_one_off=True,
    )
    team = set(group.assignments.values_list("user_id", flat=True))
    _check_double_booking(
        organization_id=group.organization_id,
        user_ids=team,
        starts_at=starts_at,
        duration_minutes=duration,
        exclude_pk=None,
        confirmed=confirm_double_booking,
    )
    session.full_clean(exclude=["group", "topic", "second_topic", "clinician"])
    save_with_history(session, by=by)
    return session


@transaction.atomic
def session_set_leaders(
    *,
    session: Session,
    led_by_participant: Participant | None,
    clinician: User | None,
    by: User,
    confirm_double_booking: bool = False,
) -> Session:
    """Name who leads the session: a participant (rotation) and/or a clinician
    co-facilitator. The participant must be on the session's roster; the clinician a
    facilitator of the organization who is no peer facilitator in it, warned about when
    double-booked."""
    session = Session.objects.locked().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(CANCELLED_NO_CHANGE, code="cancelled")
    if led_by_participant is not None and led_by_participant.pk not in {
        p.pk for p in session_roster(session=session)
    }:
        error = ValidationError(
            LEADER_NOT_ON_ROSTER,
            code="not_on_roster",
            params={"name": led_by_participant.display_name},
        )
        raise ValidationError({"led_by_participant": error})
    if clinician is not None:
        organization_id = session.group.organization_id
        if not clinician_choices(organization_id=organization_id).filter(pk=clinician.pk).exists():
            raise ValidationError({"clinician": NOT_A_CLINICIAN}, code="not_clinician")
        # Judged when a clinician is named, not again on every later change of leaders: a
        # held session keeps who co-facilitated it, whatever their roles became since.
        if clinician.pk != session.clinician_id:
            _check_clinician_is_no_peer(session, clinician)
        if clinician.pk != session.clinician_id and session.status == Session.Status.PLANNED:
            _check_double_booking(
                organization_id=organization_id,
                user_ids={clinician.pk},
                starts_at=session.starts_at,
                duration_minutes=session.duration_minutes,
                exclude_pk=session.pk,
                confirmed=confirm_double_booking,
            )
    session.led_by_participant = led_by_participant
    session.clinician = clinician
    _save(session, by, ["led_by_participant", "clinician"])
    return session


# --- Generating sessions from the schedule ----------------------------------------------


def _schedule_dates(group: Group, *, first: date, last: date) -> list[date]:
    weekdays = set(group.weekdays)
    end = min(last, group.end_date) if group.end_date else last
    day = max(first, group.start_date)
    dates = []
    while day <= end:
        if day.weekday() in weekdays:
            dates.append(day)
        day += timedelta(days=1)
    return dates


def session_start(group: Group, day: date) -> datetime:
    """The aware start time of a session of `group` on `day`, in the group's time zone."""
    return datetime.combine(day, group.start_time, tzinfo=group.zone)


def _drop_replaceable_sessions(group: Group, *, now: datetime, by: User | None) -> None:
    """Future planned sessions made from the schedule, untouched by hand, with no
    attendance or notes: the only ones regenerating may replace. One by one, so each
    leaves a history row naming who re-planned."""
    replaceable = group.sessions.planned().filter(
        is_one_off=False, customised=False, starts_at__gt=now, attendance=None, notes=None
    )
    for session in replaceable:
        delete_with_history(session, by=by)


def _taken_days(group: Group, *, now: datetime) -> set[date]:
    """Days that already have a session: where it happens, and the slot it fills (a moved
    session keeps its slot, so the schedule does not fill it again)."""
    taken: set[date] = set()
    recent = group.sessions.filter(starts_at__gte=now - timedelta(days=1))
    for start, slot in recent.values_list("starts_at", "slot_date"):
        taken.add(timezone.localtime(start, group.zone).date())
        if slot is not None:
            taken.add(slot)
    return taken


def _next_sequence_index(group: Group, sequence: list[tuple[int, int]]) -> int:
    """Where in the topic sequence new sessions continue: after the last position a kept
    (not cancelled) session took."""
    last_position = group.sessions.not_cancelled().aggregate(m=Max("sequence_position"))["m"]
    if not sequence or last_position is None:
        return 0
    later = [i for i, (position, _topic) in enumerate(sequence) if position > last_position]
    return later[0] if later else len(sequence)


@transaction.atomic
def sessions_generate(*, group: Group, by: User | None = None, weeks: int | None = None) -> int:
    """(Re)plan the group's sessions for the coming weeks; returns how many were created.

    Only future planned sessions made from the schedule, untouched by hand, with no
    attendance or notes, are replaced: held, cancelled, one-off and customised sessions
    (moved, re-topiced, given leaders) are never touched, and keep their schedule slot.
    Topics follow the planned sequence, continuing after the last session kept. Every
    session created or replaced has a history row naming `by` (None: the system).
    """
    Group.objects.select_for_update().filter(pk=group.pk).first()  # one planner at a time
    weeks = weeks or settings.SESSIONS_GENERATE_WEEKS
    now = timezone.now()
    today = group.today(now=now)
    _drop_replaceable_sessions(group, now=now, by=by)
    sequence = list(group.topic_sequence.order_by("position").values_list("position", "topic_id"))
    next_index = _next_sequence_index(group, sequence)
    taken = _taken_days(group, now=now)
    new_sessions = []
    for day in _schedule_dates(group, first=today, last=today + timedelta(weeks=weeks)):
        starts_at = session_start(group, day)
        if day in taken or starts_at <= now:
            continue
        position, topic_id = sequence[next_index] if next_index < len(sequence) else (None, None)
        next_index += 1
        new_sessions.append(
            Session(
                group=group,
                starts_at=starts_at,
                duration_minutes=group.duration_minutes,
                topic_id=topic_id,
                sequence_position=position,
                slot_date=day,
            )
        )
    bulk_create_with_history(new_sessions, Session, default_user=by)
    return len(new_sessions)
