"""Reads for the retention page: one organization's purge counts, never anyone else's."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import Organization

from .models import PurgeCount, PurgeRun
from .registry import registered


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    label: str
    rule: str


def purge_run_list_for_organization(*, organization: Organization) -> QuerySet[PurgeRun]:
    """Runs that removed something of `organization`, newest first, each with only that
    organization's counts prefetched (as `org_counts`)."""
    own = PurgeCount.objects.filter(organization=organization).order_by("kind")
    return (
        PurgeRun.objects.filter(counts__organization=organization)
        .distinct()
        .order_by("-started_at", "-pk")
        .prefetch_related(Prefetch("counts", queryset=own, to_attr="org_counts"))
    )


def retention_rules() -> list[RetentionRule]:
    """Every registered kind and its rule in plain words, in the current language."""
    return [
        RetentionRule(kind=p.kind, label=str(p.label), rule=p.rule() if p.rule else "")
        for p in registered()
    ]
