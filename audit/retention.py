"""audit's part in retention, registered in AuditConfig.ready: access events are deleted
ACCESS_EVENT_RETENTION_YEARS after they happened, through access_events_purge (the one
delete the append-only trigger lets through)."""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retention import counts_by_organization

from .models import AccessEvent
from .services import access_events_purge


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` earlier (28 February for a 29th with no leap year)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def purge_access_events(now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
    cutoff = years_before(now, settings.ACCESS_EVENT_RETENTION_YEARS)
    due = AccessEvent.objects.filter(occurred_at__lt=cutoff)
    counts = counts_by_organization(due)
    if not dry_run:
        access_events_purge(cutoff)
    return counts


def register() -> None:
    from retention import register as register_purger

    register_purger(
        "access_events",
        gettext_lazy("Access log"),
        purge_access_events,
        rule=lambda: (
            _("Entries of the access log are deleted %(years)s years after the read they record.")
            % {"years": settings.ACCESS_EVENT_RETENTION_YEARS}
        ),
    )
