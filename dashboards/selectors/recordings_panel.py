"""The manager dashboard's consent and recordings section (issue 12, item 1): per month,
the sessions recorded, the recordings uploaded, awaiting review, marked for deletion and
purged, and the uploads refused for missing consent; and why recordings were removed.
Three queries whatever the number of sessions and recordings.

Every figure is of the sessions the filters keep, read from the rollups (`SessionFact`):

- months: sessions whose date (where their group meets) falls in them; a recording, its
  removal and a refused upload count under their session's month, not the day they
  happened, so the months add up with the rest of the dashboard;
- group: that group's sessions;
- facilitator: the sessions they were on the team of;
- facilitation model: the sessions run that way.

A recording's state is read live (reviewed, marked for deletion, purged today), so a
recording of March uploaded and purged since still counts under March. Counts of
sessions and files, never of people, so nothing here needs suppressing.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from sessions_app.models import Recording, RecordingRefusal
from sessions_app.services.consent import RECORDING_DELETION_REASON
from sessions_app.services.recordings import (
    REASON_PRESENT_WITHOUT_CONSENT,
    REASON_RETENTION,
    REASON_REVIEWED,
)

from .filters import DashboardFilters
from .program import facts_for

# Why a recording was removed, as sessions_app's services write it (deletion_reason).
REMOVAL_LABELS = {
    REASON_REVIEWED: _("Deleted after review"),
    RECORDING_DELETION_REASON: _("Someone withdrew consent"),
    REASON_PRESENT_WITHOUT_CONSENT: _("Attendance changed: someone present had not consented"),
    REASON_RETENTION: _("Retention period ended"),
}
OTHER_REASON = _("Other reason")


@dataclass(frozen=True)
class RecordingsMonth:
    month: date | None  # None for the total row
    sessions_recorded: int = 0
    uploaded: int = 0
    awaiting_review: int = 0
    marked_for_deletion: int = 0
    purged: int = 0
    refused: int = 0


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    label: str
    count: int


@dataclass(frozen=True)
class RecordingsPanel:
    months: tuple[RecordingsMonth, ...]
    total: RecordingsMonth
    removals: tuple[ReasonCount, ...]
    refusals: tuple[ReasonCount, ...]
    reviewed: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.total.uploaded or self.total.refused)


def recordings_panel(*, organization: Organization, filters: DashboardFilters) -> RecordingsPanel:
    """The consent and recordings section, by the filter rules in this module's
    docstring; three queries whatever the data."""
    sessions = facts_for(organization=organization, filters=filters).values("session_id")
    recordings = Recording.objects.filter(session_id__in=sessions)
    month = "session__fact__month"
    available = Q(marked_for_deletion_at__isnull=True, deleted_at__isnull=True)
    by_month = {
        row[month]: row
        for row in recordings.values(month)
        .annotate(
            sessions_recorded=Count("session_id", distinct=True),
            uploaded=Count("pk"),
            awaiting_review=Count("pk", filter=available & Q(reviewed_at__isnull=True)),
            reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)),
            marked_for_deletion=Count(
                "pk", filter=Q(marked_for_deletion_at__isnull=False, deleted_at__isnull=True)
            ),
            purged=Count("pk", filter=Q(deleted_at__isnull=False)),
        )
        .order_by()
    }
    removed: dict[str, int] = {}
    for reason, count in (
        recordings.filter(~available)
        .values("deletion_reason")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("deletion_reason", "n")
    ):
        key = reason if reason in REMOVAL_LABELS else ""
        removed[key] = removed.get(key, 0) + count
    refused_by_month: dict[date, int] = {}
    refused_by_reason: dict[str, int] = {}
    for refused_month, reason, count in (
        RecordingRefusal.objects.filter(session_id__in=sessions)
        .values_list(month, "reason")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        refused_by_month[refused_month] = refused_by_month.get(refused_month, 0) + count
        refused_by_reason[reason] = refused_by_reason.get(reason, 0) + count

    def figures(row: dict[str, int] | None, refused: int, when: date | None) -> RecordingsMonth:
        row = row or {}
        return RecordingsMonth(
            month=when,
            sessions_recorded=row.get("sessions_recorded", 0),
            uploaded=row.get("uploaded", 0),
            awaiting_review=row.get("awaiting_review", 0),
            marked_for_deletion=row.get("marked_for_deletion", 0),
            purged=row.get("purged", 0),
            refused=refused,
        )

    months = tuple(figures(by_month.get(m), refused_by_month.get(m, 0), m) for m in filters.months)
    total = RecordingsMonth(
        month=None,
        **{
            name: sum(getattr(m, name) for m in months)
            for name in (
                "sessions_recorded",
                "uploaded",
                "awaiting_review",
                "marked_for_deletion",
                "purged",
                "refused",
            )
        },
    )
    removals = tuple(
        ReasonCount(reason=key, label=str(label), count=removed[key])
        for key, label in [*REMOVAL_LABELS.items(), ("", OTHER_REASON)]
        if removed.get(key)
    )
    refusals = tuple(
        ReasonCount(reason=value, label=str(label), count=refused_by_reason[value])
        for value, label in RecordingRefusal.Reason.choices
        if refused_by_reason.get(value)
    )
    return RecordingsPanel(
        months=months,
        total=total,
        removals=removals,
        refusals=refusals,
        reviewed=sum(row["reviewed"] for row in by_month.values()),
    )
