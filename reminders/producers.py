"""Producers: which reminders should exist, derived from the other apps' data in a sweep.

How reminders come to exist (the issue asks us to say): the owning apps (sessions_app,
facilitators, feedback) may not import `reminders`, and STYLE.md rules out signals for
domain flow, so `reminders` reads their rows and reconciles. Every minute,
`reminders_produce` works out the reminders that should exist now, as idempotency keys:

- creates the missing ones (`bulk_create(ignore_conflicts=True)` on the unique key, so two
  sweeps at once write each row once),
- cancels the pending ones that are no longer wanted (a session moved or cancelled, a
  participant who left or opted out, a training renewed, a review submitted),
- revives a row it had cancelled when it is wanted again (a session moved back).

A rolled-back change leaves nothing to reconcile, and a moved session's reminders follow
it within a minute. Keys are deterministic (kind, recipient, subject, due time), so a
sweep that runs twice, or late, never writes a reminder twice.

Session offsets are wall-clock times in the group's time zone: "24 hours before" a
Sunday 6 pm group is Saturday 6 pm, across a daylight-saving change too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Membership, Role
from facilitators.models import DebriefRequest, ReviewAssignment, TrainingRecord
from facilitators.selectors.trainings import EXPIRING_WITHIN_DAYS
from feedback.models import FeedbackLink
from feedback.selectors.links import feedback_link_closes_at
from sessions_app.models import (
    Attendance,
    Enrollment,
    FacilitatorAssignment,
    Participant,
    Session,
)

from .models import Reminder

SESSION_KINDS = (Reminder.Kind.SESSION_FACILITATOR, Reminder.Kind.SESSION_PARTICIPANT)
TRAINING_KINDS = (Reminder.Kind.TRAINING_EXPIRING, Reminder.Kind.TRAINING_EXPIRED)
# A row the sender cancelled for want of a recipient stays cancelled: reviving it would
# only cancel it again every minute.
NO_RECIPIENT = "NoRecipient"


@dataclass(frozen=True)
class Wanted:
    """A reminder that should exist. `creatable` is False for one whose time has passed
    and that must not be written late (an existing row for it is kept, not cancelled)."""

    kind: str
    channel: str
    due_at: datetime
    organization_id: int
    about_field: str
    about_id: int
    language: str
    user_id: int | None = None
    participant_id: int | None = None
    creatable: bool = True
    # The time the key names, when it is not the due time (a cancellation notice is due
    # at once, and named after the session's time so each person gets one).
    key_at: datetime | None = None

    @property
    def key(self) -> str:
        return make_key(
            kind=self.kind,
            channel=self.channel,
            due_at=self.key_at or self.due_at,
            recipient=f"u{self.user_id}" if self.user_id is not None else f"p{self.participant_id}",
            subject=f"{self.about_field}{self.about_id}",
        )

    def row(self) -> Reminder:
        return Reminder(
            idempotency_key=self.key,
            organization_id=self.organization_id,
            kind=self.kind,
            channel=self.channel,
            user_id=self.user_id,
            participant_id=self.participant_id,
            language=self.language,
            due_at=self.due_at,
            **{f"{self.about_field}_id": self.about_id},
        )


def make_key(*, kind: str, channel: str, due_at: datetime, recipient: str, subject: str) -> str:
    """The idempotency key in ids only: `kind:recipient.channel:subject:due` (UTC)."""
    due = due_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{kind}:{recipient}.{channel}:{subject}:{due}"


@dataclass
class Produced:
    created: int = 0
    cancelled: int = 0
    revived: int = 0

    def add(self, other: "Produced") -> None:
        self.created += other.created
        self.cancelled += other.cancelled
        self.revived += other.revived


def _offsets(hours: Iterable[float]) -> list[timedelta]:
    return sorted((timedelta(hours=h) for h in hours), reverse=True)


def _wall_clock_before(starts_at: datetime, offset: timedelta, zone: Any) -> datetime:
    """`offset` before `starts_at` on the group's clock (not in elapsed hours)."""
    local = timezone.localtime(starts_at, zone).replace(tzinfo=None) - offset
    return local.replace(tzinfo=zone).astimezone(UTC)


def _timed(due_times: list[datetime], now: datetime) -> list[tuple[datetime, bool]]:
    """Each offset's due time and whether it may still be written: any still to come, and
    of those already past only the latest (a session added at short notice gets one
    reminder now, not one for every offset it missed)."""
    past = [due for due in due_times if due <= now]
    latest_past = max(past) if past else None
    return [(due, due > now or due == latest_past) for due in due_times]


def _staff_language() -> str:
    return settings.LANGUAGE_CODE


def _managers(organization_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active managers' user ids per organization."""
    managers: dict[int, list[int]] = {}
    for organization_id, user_id in Membership.objects.filter(
        organization_id__in=set(organization_ids), role=Role.MANAGER, user__is_active=True
    ).values_list("organization_id", "user_id"):
        managers.setdefault(organization_id, []).append(user_id)
    return managers


def _participant_channels(participant: Participant) -> list[str]:
    channels: list[str] = []
    if participant.remind_by_email:
        channels.append(Reminder.Channel.EMAIL)
    if participant.remind_by_sms:
        channels.append(Reminder.Channel.SMS)
    return channels


# --- What should exist ---------------------------------------------------------------


def wanted_session_reminders(now: datetime) -> list[Wanted]:
    """Planned sessions starting within the longest offset: their facilitators at
    FACILITATOR_REMINDER_OFFSETS, and enrolled participants who opted into a channel at
    PARTICIPANT_REMINDER_OFFSETS, in the participant's language."""
    facilitator_offsets = _offsets(settings.FACILITATOR_REMINDER_OFFSETS)
    participant_offsets = _offsets(settings.PARTICIPANT_REMINDER_OFFSETS)
    # A day more than the longest offset, so a wall-clock offset across a clock change
    # (23 or 25 hours long) still finds its session.
    horizon = max(facilitator_offsets[:1] + participant_offsets[:1], default=timedelta())
    sessions = list(
        Session.objects.planned()
        .filter(starts_at__gt=now, starts_at__lte=now + horizon + timedelta(days=1))
        .select_related("group")
    )
    if not sessions:
        return []
    group_ids = {s.group_id for s in sessions}
    team: dict[int, set[int]] = {}
    for group_id, user_id in FacilitatorAssignment.objects.filter(
        group_id__in=group_ids, user__is_active=True
    ).values_list("group_id", "user_id"):
        team.setdefault(group_id, set()).add(user_id)
    earliest = min(s.starts_at for s in sessions) - timedelta(days=2)
    enrollments: dict[int, list[Enrollment]] = {}
    for enrollment in (
        Enrollment.objects.filter(group_id__in=group_ids, participant__archived_at=None)
        .filter(Q(left_on=None) | Q(left_on__gt=earliest.date()))
        .filter(Q(participant__remind_by_email=True) | Q(participant__remind_by_sms=True))
        .select_related("participant")
    ):
        enrollments.setdefault(enrollment.group_id, []).append(enrollment)

    wanted: list[Wanted] = []
    for session in sessions:
        zone = session.group.zone
        organization_id = session.group.organization_id
        common = {
            "organization_id": organization_id,
            "about_field": "session",
            "about_id": session.pk,
        }
        facilitator_times = _timed(
            [_wall_clock_before(session.starts_at, o, zone) for o in facilitator_offsets], now
        )
        people = set(team.get(session.group_id, set()))
        if session.clinician_id:
            people.add(session.clinician_id)
        for user_id in sorted(people):
            for due, creatable in facilitator_times:
                wanted.append(
                    Wanted(
                        kind=Reminder.Kind.SESSION_FACILITATOR,
                        channel=Reminder.Channel.EMAIL,
                        due_at=due,
                        user_id=user_id,
                        language=_staff_language(),
                        creatable=creatable,
                        **common,
                    )
                )
        participant_times = _timed(
            [_wall_clock_before(session.starts_at, o, zone) for o in participant_offsets], now
        )
        day = session.local_date
        for enrollment in enrollments.get(session.group_id, []):
            if not enrollment.covers(day):
                continue
            participant = enrollment.participant
            for channel in _participant_channels(participant):
                for due, creatable in participant_times:
                    wanted.append(
                        Wanted(
                            kind=Reminder.Kind.SESSION_PARTICIPANT,
                            channel=channel,
                            due_at=due,
                            participant_id=participant.pk,
                            language=participant.preferred_language,
                            creatable=creatable,
                            **common,
                        )
                    )
    return wanted


def wanted_cancellation_notices(now: datetime) -> list[Wanted]:
    """Everyone already reminded of a session that was then cancelled (and has not
    started yet) gets one notice on the channel they were reminded on."""
    reminded = (
        Reminder.objects.sent()
        .filter(
            kind__in=SESSION_KINDS,
            session__status=Session.Status.CANCELLED,
            session__starts_at__gt=now,
        )
        .select_related("participant")
        .values_list(
            "organization_id",
            "session_id",
            "session__starts_at",
            "channel",
            "user_id",
            "participant_id",
            "participant__preferred_language",
        )
        .distinct()
    )
    return [
        Wanted(
            kind=Reminder.Kind.SESSION_CANCELLED,
            channel=channel,
            due_at=now,
            key_at=starts_at,
            organization_id=organization_id,
            about_field="session",
            about_id=session_id,
            user_id=user_id,
            participant_id=participant_id,
            language=language if participant_id else _staff_language(),
        )
        for (
            organization_id,
            session_id,
            starts_at,
            channel,
            user_id,
            participant_id,
            language,
        ) in reminded
    ]


def wanted_feedback_links(now: datetime) -> list[Wanted]:
    """Held sessions that ended within REMINDER_FEEDBACK_WITHIN_HOURS and have an open
    feedback link: the session's one link to each participant marked present who opted
    in, once, when the session ends."""
    within = timedelta(hours=settings.REMINDER_FEEDBACK_WITHIN_HOURS)
    links = list(
        FeedbackLink.objects.filter(
            session__status=Session.Status.HELD,
            closed_early_at=None,
            session__starts_at__gt=now - within - timedelta(days=1),
            session__starts_at__lte=now,
        )
        .select_related("session__group")
        .annotate(
            present=Count(
                "session__attendance",
                filter=Q(session__attendance__status=Attendance.Status.PRESENT),
            )
        )
    )
    open_links = []
    for link in links:
        session = link.session
        ends_at = session.starts_at + timedelta(minutes=session.duration_minutes)
        full = link.response_count >= link.present + session.drop_in_count  # type: ignore[attr-defined]
        in_window = ends_at <= now < ends_at + within
        if in_window and not full and now < feedback_link_closes_at(session=session):
            open_links.append((link, ends_at))
    if not open_links:
        return []
    present: dict[int, list[Participant]] = {}
    for attendance in Attendance.objects.filter(
        session_id__in=[link.session_id for link, _ in open_links],
        status=Attendance.Status.PRESENT,
        participant__archived_at=None,
    ).select_related("participant"):
        present.setdefault(attendance.session_id, []).append(attendance.participant)
    wanted = []
    for link, ends_at in open_links:
        for participant in present.get(link.session_id, []):
            for channel in _participant_channels(participant):
                wanted.append(
                    Wanted(
                        kind=Reminder.Kind.FEEDBACK_LINK,
                        channel=channel,
                        due_at=ends_at,
                        organization_id=link.session.group.organization_id,
                        about_field="feedback_link",
                        about_id=link.pk,
                        participant_id=participant.pk,
                        language=participant.preferred_language,
                    )
                )
    return wanted


def _nine_am(day: Any, zone: Any) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=zone).astimezone(UTC)


def wanted_training_reminders(now: datetime) -> list[Wanted]:
    """Verified trainings of active facilitators expiring within 30 days (from 9 am, their
    organization's time, 30 days before) and expired in the last week (9 am the day
    after): to the facilitator and the organization's managers. A training renewed by a
    later record of the same kind is not chased."""
    today = now.date()
    records = list(
        TrainingRecord.objects.filter(
            status=TrainingRecord.Status.VERIFIED,
            expires_on__gte=today - timedelta(days=8),
            expires_on__lte=today + timedelta(days=EXPIRING_WITHIN_DAYS + 1),
            profile__active=True,
            profile__membership__user__is_active=True,
        ).select_related("profile__membership__organization")
    )
    if not records:
        return []
    renewed = set(
        TrainingRecord.objects.filter(
            status=TrainingRecord.Status.VERIFIED,
            profile_id__in={r.profile_id for r in records},
        )
        .filter(Q(expires_on=None) | Q(expires_on__gt=today + timedelta(days=EXPIRING_WITHIN_DAYS)))
        .values_list("profile_id", "training_type_id")
    )
    managers = _managers(r.profile.membership.organization_id for r in records)
    wanted = []
    for record in records:
        if (record.profile_id, record.training_type_id) in renewed:
            continue
        organization = record.profile.membership.organization
        zone = ZoneInfo(organization.timezone)
        local_today = organization.today()
        expires_on = record.expires_on
        assert expires_on is not None
        if expires_on < local_today:
            if local_today - expires_on > timedelta(days=7):
                continue
            kind = Reminder.Kind.TRAINING_EXPIRED
            due = _nine_am(expires_on + timedelta(days=1), zone)
        elif expires_on - local_today <= timedelta(days=EXPIRING_WITHIN_DAYS):
            kind = Reminder.Kind.TRAINING_EXPIRING
            due = _nine_am(expires_on - timedelta(days=EXPIRING_WITHIN_DAYS), zone)
        else:
            continue
        recipients = [record.profile.membership.user_id, *managers.get(organization.pk, [])]
        for user_id in dict.fromkeys(recipients):
            wanted.append(
                Wanted(
                    kind=kind,
                    channel=Reminder.Channel.EMAIL,
                    due_at=due,
                    organization_id=organization.pk,
                    about_field="training_record",
                    about_id=record.pk,
                    user_id=user_id,
                    language=_staff_language(),
                )
            )
    return wanted


def wanted_review_reminders(now: datetime) -> list[Wanted]:
    """Review assignments open for more than REMINDER_REVIEW_WAITING_DAYS: the reviewer
    and the organization's managers, once."""
    waiting = timedelta(days=settings.REMINDER_REVIEW_WAITING_DAYS)
    assignments = list(
        ReviewAssignment.objects.filter(
            status=ReviewAssignment.Status.OPEN, assigned_at__lte=now - waiting
        ).values_list("pk", "organization_id", "reviewer_id", "assigned_at")
    )
    managers = _managers(organization_id for _, organization_id, _, _ in assignments)
    wanted = []
    for pk, organization_id, reviewer_id, assigned_at in assignments:
        for user_id in dict.fromkeys([reviewer_id, *managers.get(organization_id, [])]):
            wanted.append(
                Wanted(
                    kind=Reminder.Kind.REVIEW_WAITING,
                    channel=Reminder.Channel.EMAIL,
                    due_at=assigned_at + waiting,
                    organization_id=organization_id,
                    about_field="review_assignment",
                    about_id=pk,
                    user_id=user_id,
                    language=_staff_language(),
                )
            )
    return wanted


def wanted_debrief_reminders(now: datetime) -> list[Wanted]:
    """Debrief requests not handled yet, asked in the last week: the managers, at once."""
    requests = list(
        DebriefRequest.objects.filter(
            handled_at=None, requested_at__gt=now - timedelta(days=7)
        ).values_list("pk", "organization_id", "requested_by_id", "requested_at")
    )
    managers = _managers(organization_id for _, organization_id, _, _ in requests)
    return [
        Wanted(
            kind=Reminder.Kind.DEBRIEF_REQUESTED,
            channel=Reminder.Channel.EMAIL,
            due_at=requested_at,
            organization_id=organization_id,
            about_field="debrief",
            about_id=pk,
            user_id=user_id,
            language=_staff_language(),
        )
        for pk, organization_id, requested_by, requested_at in requests
        for user_id in managers.get(organization_id, [])
        if user_id != requested_by
    ]


# --- Reconciling ---------------------------------------------------------------------


def reconcile(*, kinds: Iterable[str], wanted: list[Wanted], now: datetime) -> Produced:
    """Make the not-yet-sent reminders of `kinds` match `wanted`: create what is missing,
    revive what this sweep had cancelled, cancel what is no longer wanted."""
    kinds = list(kinds)
    by_key = {w.key: w for w in wanted}
    result = Produced()
    # The rows this sweep may touch: those it wants (in any state) and every unsent one
    # of these kinds (only the few days ahead of the producers' windows).
    existing = dict(
        Reminder.objects.filter(kind__in=kinds)
        .cancellable()
        .values_list("idempotency_key", "status")
    )
    if by_key:
        existing.update(
            Reminder.objects.filter(idempotency_key__in=list(by_key)).values_list(
                "idempotency_key", "status"
            )
        )
    missing = [w.row() for key, w in by_key.items() if key not in existing and w.creatable]
    if missing:
        result.created = len(
            Reminder.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
        )
    revive = [
        key
        for key, status in existing.items()
        if status == Reminder.Status.CANCELLED and key in by_key and by_key[key].creatable
    ]
    if revive:
        result.revived = (
            Reminder.objects.filter(idempotency_key__in=revive, status=Reminder.Status.CANCELLED)
            .exclude(last_error__startswith=NO_RECIPIENT)
            .update(status=Reminder.Status.PENDING, attempts=0, last_error="", updated_at=now)
        )
    stale = [
        key for key, status in existing.items() if status in Reminder.UNSENT and key not in by_key
    ]
    if stale:
        result.cancelled = Reminder.objects.filter(idempotency_key__in=stale).cancel()
    return result


# Each producer and the kinds whose unsent rows it owns. Cancellation notices are only
# ever added (a cancelled session is not un-cancelled).
PRODUCERS = (
    (SESSION_KINDS, wanted_session_reminders),
    ((Reminder.Kind.FEEDBACK_LINK,), wanted_feedback_links),
    (TRAINING_KINDS, wanted_training_reminders),
    ((Reminder.Kind.REVIEW_WAITING,), wanted_review_reminders),
    ((Reminder.Kind.DEBRIEF_REQUESTED,), wanted_debrief_reminders),
)


def reminders_produce(*, now: datetime | None = None) -> Produced:
    """One producing sweep over every kind (beat runs it every minute, before sending)."""
    now = now or timezone.now()
    total = Produced()
    for kinds, producer in PRODUCERS:
        total.add(reconcile(kinds=kinds, wanted=producer(now), now=now))
    notices = wanted_cancellation_notices(now)
    if notices:
        existing = set(
            Reminder.objects.filter(idempotency_key__in=[w.key for w in notices]).values_list(
                "idempotency_key", flat=True
            )
        )
        rows = [w.row() for w in notices if w.key not in existing]
        total.created += len(Reminder.objects.bulk_create(rows, ignore_conflicts=True))
    return total
