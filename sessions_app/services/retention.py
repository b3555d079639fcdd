"""sessions_app's purgers for the retention app (registered in SessionsAppConfig.ready):
recording files past RECORDING_RETENTION_DAYS (the existing purge), and participants'
contact details PARTICIPANT_CONTACT_RETENTION_MONTHS after they last attended."""

import calendar
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.history import save_with_history

from ..models import Attendance, OfflineChange, Participant, Recording
from ..selectors.recordings import recording_list_due_for_purge
from .recordings import recording_purge


def purge_recordings(now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
    """The recording purge (reviewed, withdrawn or past retention), counted by organization."""
    due = dict(
        recording_list_due_for_purge(now=now).values_list("pk", "session__group__organization_id")
    )
    if dry_run:
        return dict(Counter(due.values()))
    recording_purge(now=now)
    purged = Recording.objects.filter(pk__in=list(due), deleted_at=now).values_list(
        "session__group__organization_id", flat=True
    )
    return dict(Counter(purged))


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _contact_cutoff(now: datetime) -> datetime:
    return months_before(now, settings.PARTICIPANT_CONTACT_RETENTION_MONTHS)


def participants_with_stale_contact(now: datetime) -> list[Participant]:
    """Participants holding contact details or reminder choices who have not attended
    since the cutoff (and were added before it). Contact details are encrypted, so
    whether any is held is read row by row."""
    cutoff = _contact_cutoff(now)
    candidates = (
        Participant.objects.filter(erased_at=None, created_on__lt=cutoff.date())
        .annotate(
            last_attended=Max(
                "attendance__session__starts_at",
                filter=Q(attendance__status=Attendance.Status.PRESENT),
            )
        )
        .filter(Q(last_attended=None) | Q(last_attended__lt=cutoff))
        .order_by("pk")
    )
    return [
        p
        for p in candidates
        if p.contact_email or p.contact_phone or p.remind_by_email or p.remind_by_sms
    ]


def purge_participant_contacts(now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
    """Clear contact details (and the reminder choices they served) past retention."""
    counts: Counter[int | None] = Counter()
    for participant in participants_with_stale_contact(now):
        counts[participant.organization_id] += 1
        if dry_run:
            continue
        participant.contact_email = ""
        participant.contact_phone = ""
        participant.remind_by_email = False
        participant.remind_by_sms = False
        participant._change_reason = "retention"  # type: ignore[attr-defined]
        save_with_history(
            participant,
            by=None,
            update_fields=["contact_email", "contact_phone", "remind_by_email", "remind_by_sms"],
        )
    return dict(counts)


def purge_offline_receipts(now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
    """Receipts of changes sent from offline, OFFLINE_RECEIPT_DAYS after they came in."""
    due = OfflineChange.objects.filter(
        applied_at__lt=now - timedelta(days=settings.OFFLINE_RECEIPT_DAYS)
    )
    counts: dict[int | None, int] = dict(
        Counter(due.values_list("session__group__organization_id", flat=True))
    )
    if not dry_run:
        due.delete()
    return counts


def register_purgers() -> None:
    """Called from SessionsAppConfig.ready."""
    from retention import register

    register(
        "recordings",
        gettext_lazy("Recording files"),
        purge_recordings,
        rule=lambda: (
            _(
                "Recording files are deleted after review, when someone on them withdraws "
                "consent, or %(days)s days after upload, whichever comes first."
            )
            % {"days": settings.RECORDING_RETENTION_DAYS}
        ),
    )
    register(
        "participant_contacts",
        gettext_lazy("Participants' contact details"),
        purge_participant_contacts,
        rule=lambda: (
            _("Contact details are removed %(months)s months after a person last attended.")
            % {"months": settings.PARTICIPANT_CONTACT_RETENTION_MONTHS}
        ),
    )
    register(
        "offline_receipts",
        gettext_lazy("Receipts of changes sent from offline"),
        purge_offline_receipts,
        rule=lambda: (
            _(
                "The keys that stop a change saved on a phone offline from being applied "
                "twice are deleted %(days)s days after it was sent."
            )
            % {"days": settings.OFFLINE_RECEIPT_DAYS}
        ),
    )
