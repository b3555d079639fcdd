"""A program manager's next steps, per organization they manage, read from what is there
and what is missing: staff, groups, each group's facilitators, participants and planned
sessions, and past sessions nobody marked held.

It lives here, not in accounts (whose home page shows it through a template tag),
because it reads groups and sessions, and accounts may not import sessions_app. Three
queries, whatever the number of organizations, groups and sessions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import membership_list_for
from accounts.models import Invitation, Membership, Organization, Role, User

from ..models import Enrollment, FacilitatorAssignment, Group, Session

# Past sessions older than this are history, not a to-do: the step stops asking for them.
UNLOGGED_WITHIN_DAYS = 14
# How many groups or sessions a step names; the rest are counted ("and 4 more").
NAMED_PER_STEP = 3


class Step:
    """What a step asks for; the home page's template words each one."""

    INVITE_STAFF = "invite_staff"  # no facilitators yet
    CREATE_GROUP = "create_group"
    ASSIGN_FACILITATORS = "assign_facilitators"
    ENROLL_PARTICIPANTS = "enroll_participants"
    PLAN_SESSIONS = "plan_sessions"
    LOG_SESSIONS = "log_sessions"
    INVITE_REVIEWER = "invite_reviewer"  # facilitators, but nobody to review recordings


# The steps about groups, in their order, each with the annotation (see
# _groups_lacking_something) that says a group has what the step asks for.
GROUP_STEPS = {
    Step.ASSIGN_FACILITATORS: "has_facilitator",
    Step.ENROLL_PARTICIPANTS: "has_participants",
    Step.PLAN_SESSIONS: "has_upcoming",
}


@dataclass
class NextStep:
    kind: str
    # The groups or sessions it is about, at most NAMED_PER_STEP; `count` is all of them.
    items: list[Any] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass
class OrganizationSteps:
    organization: Organization
    facilitators: int
    reviewers: int
    pending_invitations: int
    active_groups: int
    steps: list[NextStep] = field(default_factory=list)
    # For the page's words: how far back a session still asks to be logged.
    within_days: int = UNLOGGED_WITHIN_DAYS

    @property
    def all_set(self) -> bool:
        return not self.steps


def _count_per_organization(queryset: QuerySet, path: str = "organization") -> Coalesce:
    """How many rows of `queryset` belong to the outer organization, as a subquery (a
    join per count would multiply the rows of one by the others')."""
    counted = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def next_steps_for_manager(*, user: User, now: datetime | None = None) -> list[OrganizationSteps]:
    """For each organization `user` manages (and no other), by name, what to do next.

    Steps come in the order the work goes: invite facilitators, create a group, assign
    its facilitators, enroll its participants, plan its sessions, log past sessions;
    then invite a reviewer. Archived groups ask for nothing.
    """
    now = now or timezone.now()
    managed_ids = [m.organization_id for m in membership_list_for(user) if m.role == Role.MANAGER]
    if not managed_ids:
        return []
    organizations = (
        Organization.objects.filter(pk__in=managed_ids)
        .annotate(
            facilitators=_count_per_organization(
                Membership.objects.filter(role=Role.FACILITATOR, user__is_active=True)
            ),
            reviewers=_count_per_organization(
                Membership.objects.filter(role=Role.REVIEWER, user__is_active=True)
            ),
            pending_invitations=_count_per_organization(Invitation.objects.pending()),
            active_groups=_count_per_organization(Group.objects.active()),
        )
        .order_by("name", "pk")
    )
    result = {
        org.pk: OrganizationSteps(
            organization=org,
            facilitators=org.facilitators,
            reviewers=org.reviewers,
            pending_invitations=org.pending_invitations,
            active_groups=org.active_groups,
        )
        for org in organizations
    }
    lacking = _groups_lacking_something(user)
    unlogged = _sessions_not_logged(user, now=now)
    for org_id, steps in result.items():
        mine = [group for group in lacking if group.organization_id == org_id]
        plan = steps.steps
        if not steps.facilitators:
            plan.append(NextStep(Step.INVITE_STAFF))
        if not steps.active_groups:
            plan.append(NextStep(Step.CREATE_GROUP))
        missing: dict[str, list[Any]] = {
            kind: [group for group in mine if not getattr(group, has)]
            for kind, has in GROUP_STEPS.items()
        }
        missing[Step.LOG_SESSIONS] = [s for s in unlogged if s.group.organization_id == org_id]
        for kind, items in missing.items():
            if items:
                plan.append(NextStep(kind, items=items[:NAMED_PER_STEP], count=len(items)))
        if steps.facilitators and not steps.reviewers:
            plan.append(NextStep(Step.INVITE_REVIEWER))
    return list(result.values())


def _groups_lacking_something(user: User) -> list[Group]:
    """Active groups of the organizations the user manages with no facilitator, nobody
    enrolled, or no session planned ahead; each annotated with which it lacks."""
    return list(
        Group.objects.for_user(user, roles=[Role.MANAGER])
        .active()
        .annotate(
            has_facilitator=Exists(FacilitatorAssignment.objects.filter(group=OuterRef("pk"))),
            # Enrolled now, including people whose joining day is still ahead.
            has_participants=Exists(Enrollment.objects.current().filter(group=OuterRef("pk"))),
            has_upcoming=Exists(Session.objects.upcoming().filter(group=OuterRef("pk"))),
        )
        .filter(Q(has_facilitator=False) | Q(has_participants=False) | Q(has_upcoming=False))
        .only("pk", "code", "name", "organization_id")
        .order_by("name", "pk")
    )


def _sessions_not_logged(user: User, *, now: datetime) -> list[Session]:
    """Sessions of active groups the user manages, on one of the last UNLOGGED_WITHIN_DAYS
    days before today where the group meets, still planned: not marked held, not
    cancelled; the latest first. Today's sessions are left out: their facilitators log
    them today."""
    # A day wider than the window on each side, for time zones; the dates are then read
    # in each group's zone.
    candidates = (
        Session.objects.for_user(user, roles=[Role.MANAGER])
        .planned()
        .filter(
            group__archived_at=None,
            starts_at__lt=now,
            starts_at__gte=now - timedelta(days=UNLOGGED_WITHIN_DAYS + 1),
        )
        .select_related("group")
        .only("pk", "code", "starts_at", "group__name", "group__timezone", "group__organization")
        .order_by("-starts_at", "-pk")
    )
    unlogged = []
    for session in candidates:
        today = session.group.today(now=now)
        if today - timedelta(days=UNLOGGED_WITHIN_DAYS) <= session.local_date < today:
            unlogged.append(session)
    return unlogged
