"""The purgers apps register: a kind, a label for people, and the function that purges."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.functional import Promise

# purge(now, dry_run=...) -> {organization id (None: no organization): how many}
PurgeFunction = Callable[..., dict[int | None, int]]


@dataclass(frozen=True)
class Purger:
    kind: str
    label: str | Promise
    purge: PurgeFunction
    # What the rule is, in plain words, for the managers' page (a callable: it reads
    # settings when shown, so a test's override shows).
    rule: Callable[[], str] | None = None

    def run(self, now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
        """What is past retention at `now`, by organization; deleted unless `dry_run`."""
        return self.purge(now, dry_run=dry_run)


def counts_by_organization(rows: QuerySet) -> dict[int | None, int]:
    """How many of `rows` each organization holds: what a purger returns."""
    return dict(Counter(rows.values_list("organization_id", flat=True)))


_REGISTRY: dict[str, Purger] = {}


def register(
    kind: str,
    label: str | Promise,
    purge: PurgeFunction,
    *,
    rule: Callable[[], str] | None = None,
) -> None:
    """Register (or replace) the purger of `kind`. `purge(now, *, dry_run)` deletes what is
    past retention at `now` (only counts it when dry_run) and returns counts by
    organization id."""
    _REGISTRY[kind] = Purger(kind=kind, label=label, purge=purge, rule=rule)


def registered() -> list[Purger]:
    """Every registered purger, in kind order."""
    return [_REGISTRY[kind] for kind in sorted(_REGISTRY)]
