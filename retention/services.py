"""Running every registered purger once and recording the counts."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import PurgeCount, PurgeRun
from .registry import registered

logger = logging.getLogger(__name__)


@dataclass
class PurgeResult:
    run: PurgeRun | None
    # kind -> organization id -> count
    counts: dict[str, dict[int | None, int]] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(self.counts.get(kind, {}).values())


def retention_purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Purge what each registered kind holds past its retention at `now`, and record a
    PurgeRun with a PurgeCount per kind and organization. A dry run only counts: nothing
    is deleted and no run is recorded. Each kind purges in its own transaction, so one
    failing kind does not undo another's."""
    now = now or timezone.now()
    result = PurgeResult(run=None)
    run = None if dry_run else PurgeRun.objects.create(started_at=timezone.now())
    for purger in registered():
        if dry_run:
            counts = purger.run(now, dry_run=True)
        else:
            with transaction.atomic():
                counts = purger.run(now)
        counts = {org: n for org, n in counts.items() if n}
        result.counts[purger.kind] = counts
        if run is not None:
            PurgeCount.objects.bulk_create(
                PurgeCount(run=run, kind=purger.kind, organization_id=org, count=n)
                for org, n in counts.items()
            )
    if run is not None:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        result.run = run
    logger.info(
        "Retention purge%s: %s",
        " (dry run)" if dry_run else "",
        {kind: sum(c.values()) for kind, c in result.counts.items()},
    )
    return result
