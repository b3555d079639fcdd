"""What we hold about one participant, for the person themselves (read by a manager).

Everything is read for a participant already reached through the manager's scope
(access.get_participant_for_manager); every row below hangs off that participant.
Dates are shown where the organization is (its time zone).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import Attendance, Commitment, Consent, Enrollment, Participant, Recording


@dataclass(frozen=True)
class HeldEnrollment:
    group: str
    joined_on: date
    left_on: date | None


@dataclass(frozen=True)
class HeldAttendance:
    day: date
    topics: list[str]
    status: str


@dataclass(frozen=True)
class HeldConsent:
    kind: str
    version: int
    given_on: date
    agreed: bool
    withdrawn_on: date | None


@dataclass(frozen=True)
class HeldCommitment:
    day: date
    text: str


@dataclass(frozen=True)
class HeldReminder:
    kind: str
    channel: str
    sent_on: date


@dataclass
class OwnData:
    participant: Participant
    email: str
    phone: str
    remind_by_email: bool
    remind_by_sms: bool
    enrollments: list[HeldEnrollment] = field(default_factory=list)
    attendance: list[HeldAttendance] = field(default_factory=list)
    consents: list[HeldConsent] = field(default_factory=list)
    recordings: list[date] = field(default_factory=list)
    reminders: list[HeldReminder] = field(default_factory=list)
    commitments: list[HeldCommitment] = field(default_factory=list)


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return timezone.localtime(moment, zone).date()


def participant_own_data(*, participant: Participant) -> OwnData:
    """Everything held about `participant` (a participant the caller may manage), in plain
    terms: no staff notes, no other person's data, recordings by date only."""
    zone = ZoneInfo(participant.organization.timezone)
    data = OwnData(
        participant=participant,
        email=participant.contact_email,
        phone=participant.contact_phone,
        remind_by_email=participant.remind_by_email,
        remind_by_sms=participant.remind_by_sms,
    )
    for enrollment in (
        Enrollment.objects.filter(participant=participant)
        .select_related("group")
        .order_by("joined_on", "pk")
    ):
        data.enrollments.append(
            HeldEnrollment(
                group=enrollment.group.name,
                joined_on=enrollment.joined_on,
                left_on=enrollment.left_on,
            )
        )
    for row in (
        Attendance.objects.filter(participant=participant)
        .select_related("session__group", "session__topic", "session__second_topic")
        .order_by("session__starts_at")
    ):
        session = row.session
        data.attendance.append(
            HeldAttendance(
                day=session.local_date,
                topics=[t.title for t in (session.topic, session.second_topic) if t],
                status=row.get_status_display(),
            )
        )
    for consent in (
        Consent.objects.filter(participant=participant)
        .select_related("form")
        .order_by("captured_at", "pk")
    ):
        data.consents.append(
            HeldConsent(
                kind=consent.form.get_kind_display(),
                version=consent.form.version,
                given_on=_day(consent.captured_at, zone),
                agreed=consent.granted,
                withdrawn_on=_day(consent.withdrawn_at, zone) if consent.withdrawn_at else None,
            )
        )
    data.recordings = [
        recording.session.local_date
        for recording in Recording.objects.filter(participants=participant, deleted_at=None)
        .select_related("session__group")
        .order_by("session__starts_at")
    ]
    for commitment in (
        Commitment.objects.filter(participant=participant)
        .select_related("session__group")
        .order_by("session__starts_at")
    ):
        data.commitments.append(
            HeldCommitment(day=commitment.session.local_date, text=commitment.text)
        )
    # Reminders live in a higher app, which sessions_app never imports; its rows hang off
    # the participant (related_name "reminders"), so the reverse relation reads them.
    reminders = getattr(participant, "reminders", None)
    if reminders is not None:
        for reminder in reminders.filter(status="sent").order_by("sent_at"):
            data.reminders.append(
                HeldReminder(
                    kind=reminder.get_kind_display(),
                    channel=reminder.get_channel_display(),
                    sent_on=_day(reminder.sent_at, zone),
                )
            )
    return data
