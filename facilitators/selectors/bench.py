"""Bench depth: how many active facilitators with a valid, verified Seeking Safety
training (TrainingType.counts_as_trained) each group and organization has, and whether one
facilitator leads most of the organization's sessions. The seed's lesson: train several
survivor leaders, or staff turnover leaves groups without one.

A fixed number of queries for any number of organizations and groups, so the manager's
home and the group page keep their budgets.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.access import membership_list_for
from accounts.models import Organization, Role
from sessions_app.models import Group, Session, SessionFacilitator

from ..models import TrainingRecord

# A group with fewer trained facilitators than this gets a warning.
BENCH_MIN_TRAINED = 2
# The window of held sessions over which one facilitator's share is measured.
LEAD_SHARE_DAYS = 90


@dataclass
class GroupBench:
    group_id: int
    name: str
    code: Any
    trained: int


@dataclass
class Dominant:
    name: str
    led: int
    held: int


@dataclass
class OrganizationBench:
    organization: Organization
    trained: int = 0
    groups: dict[int, GroupBench] = field(default_factory=dict)
    dominant: Dominant | None = None

    @property
    def thin_groups(self) -> list[GroupBench]:
        return sorted(
            (g for g in self.groups.values() if g.trained < BENCH_MIN_TRAINED),
            key=lambda g: g.name,
        )

    @property
    def warn(self) -> bool:
        return bool(self.thin_groups) or self.dominant is not None


def trained_user_ids(*, organizations: Iterable[Organization]) -> dict[int, set[int]]:
    """Per organization, the users whose active facilitator profile there holds a verified
    Seeking Safety training valid on the organization's today (one query)."""
    by_id = {o.pk: o for o in organizations}
    if not by_id:
        return {}
    todays = {pk: o.today() for pk, o in by_id.items()}
    earliest, latest = min(todays.values()), max(todays.values())
    rows = (
        TrainingRecord.objects.verified()
        .filter(
            training_type__counts_as_trained=True,
            profile__active=True,
            profile__membership__role=Role.FACILITATOR,
            profile__membership__organization_id__in=list(by_id),
            completed_on__lte=latest,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=earliest))
        .values_list(
            "profile__membership__organization_id",
            "profile__membership__user_id",
            "completed_on",
            "expires_on",
        )
    )
    trained: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id, completed_on, expires_on in rows:
        today = todays[org_id]
        if completed_on <= today and (expires_on is None or expires_on >= today):
            trained[org_id].add(user_id)
    return trained


def bench_for_organizations(
    *,
    organizations: Iterable[Organization],
    group: Group | None = None,
    with_lead_share: bool = True,
) -> dict[int, OrganizationBench]:
    """Bench depth per organization (by pk): trained facilitators, each active group's
    trained facilitators (only `group`'s when given), and the facilitator leading more
    than half of the held sessions of the last 90 days (the lead peer who ran each one, from
    its team snapshot; sessions a participant led count for nobody). Three queries, two
    without the share."""
    organizations = list(organizations)
    benches = {o.pk: OrganizationBench(organization=o) for o in organizations}
    if not benches:
        return benches
    trained = trained_user_ids(organizations=organizations)
    for org_id, users in trained.items():
        benches[org_id].trained = len(users)

    groups = Group.objects.active().filter(organization_id__in=list(benches))
    if group is not None:
        groups = groups.filter(pk=group.pk)
    rows = groups.values_list("pk", "name", "code", "organization_id", "assignments__user_id")
    for pk, name, code, org_id, user_id in rows:
        bench = benches[org_id].groups.setdefault(
            pk, GroupBench(group_id=pk, name=name, code=code, trained=0)
        )
        if user_id is not None and user_id in trained.get(org_id, set()):
            bench.trained += 1

    if with_lead_share:
        since = timezone.now() - timedelta(days=LEAD_SHARE_DAYS)
        # Who led each held session as its team stood that day (the snapshot written when
        # it was marked held), not the group's lead today.
        lead = SessionFacilitator.objects.filter(
            session=OuterRef("pk"), role=SessionFacilitator.Role.LEAD_PEER
        )
        held = (
            Session.objects.filter(
                group__organization_id__in=list(benches),
                status=Session.Status.HELD,
                starts_at__gte=since,
            )
            .annotate(
                lead_id=Subquery(lead.values("user_id")[:1]),
                lead_name=Subquery(lead.values("user__display_name")[:1]),
                lead_email=Subquery(lead.values("user__email")[:1]),
            )
            .values("group__organization_id", "lead_id", "lead_name", "lead_email")
            .annotate(
                total=Count("pk"),
                by_participant=Count("pk", filter=Q(led_by_participant__isnull=False)),
            )
            .order_by()
        )
        totals: Counter[int] = Counter()
        led: dict[int, Counter[tuple[int, str]]] = defaultdict(Counter)
        for row in held:
            org_id = row["group__organization_id"]
            totals[org_id] += row["total"]
            if row["lead_id"] is not None:
                name = row["lead_name"] or row["lead_email"]
                led[org_id][(row["lead_id"], name)] += row["total"] - row["by_participant"]
        for org_id, counter in led.items():
            (user_id, name), count = counter.most_common(1)[0]
            if count * 2 > totals[org_id]:
                benches[org_id].dominant = Dominant(name=name, led=count, held=totals[org_id])
    return benches


def bench_for_manager(*, user: Any) -> dict[int, OrganizationBench]:
    """Bench depth of every organization the user manages (from the memberships the
    request already read; three queries)."""
    organizations = [m.organization for m in membership_list_for(user) if m.role == Role.MANAGER]
    return bench_for_organizations(organizations=organizations)


def bench_for_group(*, group: Group) -> GroupBench | None:
    """How many trained facilitators `group` has (two queries); None when archived."""
    bench = bench_for_organizations(
        organizations=[group.organization], group=group, with_lead_share=False
    )
    return bench[group.organization_id].groups.get(group.pk)
