"""Reads for groups: the group list, a group's page (team, topic sequence, roster,
upcoming sessions) and the people and facilitators it can take on. Every queryset
starts from the organization scope (`for_user`) or from a group already fetched through
`access`."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role, User
from accounts.scoping import memberships_of
from curriculum.models import Topic

from ..models import Enrollment, FacilitatorAssignment, Group, GroupTopic, Participant, Session

# How many former members a group page lists (newest first); the rest stay in the data.
FORMER_MEMBERS_SHOWN = 50
UPCOMING_SESSIONS_SHOWN = 5


def group_list_for_user(*, user: User, archived: bool = False) -> QuerySet[Group]:
    """Groups the user manages (every group of organizations they manage) or facilitates,
    with the current head count, the next planned session and the facilitators."""
    managed = memberships_of(user, roles=[Role.MANAGER]).values("organization_id")
    next_session = (
        Session.objects.upcoming()
        .filter(group=OuterRef("pk"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    groups = Group.objects.for_user(user).filter(
        Q(organization__in=managed) | Q(pk__in=Group.objects.facilitated_by(user).values("pk"))
    )
    groups = groups.filter(archived_at__isnull=not archived)
    return (
        groups.select_related("organization")
        .annotate(
            enrolled=Count("enrollments", filter=Q(enrollments__left_on=None)),
            next_session_at=Subquery(next_session),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=FacilitatorAssignment.objects.select_related("user").order_by(
                    "role", "user__display_name"
                ),
            )
        )
        .order_by("name", "pk")
    )


def active_topics() -> list[Topic]:
    """The curriculum's topics by number, for the topic sequence's reference list."""
    return list(Topic.objects.active().order_by("order"))


def group_assignments(*, group: Group) -> QuerySet[FacilitatorAssignment]:
    return group.assignments.select_related("user").order_by("role", "user__display_name")


def group_topic_sequence(*, group: Group) -> QuerySet[GroupTopic]:
    return group.topic_sequence.select_related("topic").order_by("position")


def group_roster(*, group: Group) -> QuerySet[Enrollment]:
    """Who is in the group now (including people whose joining date is still ahead)."""
    return (
        Enrollment.objects.filter(group=group)
        .current()
        .select_related("participant")
        .order_by("participant__display_name", "pk")
    )


def group_former_members(*, group: Group) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(group=group)
        .former()
        .select_related("participant")
        .order_by("-left_on", "-pk")[:FORMER_MEMBERS_SHOWN]
    )


def group_sessions_removed_by_archive(*, group: Group) -> QuerySet[Session]:
    """The sessions archiving the group would remove: future planned sessions with no
    attendance (services.groups.group_archive drops exactly these; held, cancelled and
    past sessions stay as history)."""
    return (
        group.sessions.planned()
        .filter(starts_at__gt=timezone.now(), attendance=None)
        .select_related("topic")
        .order_by("starts_at")
    )


def group_upcoming_sessions(*, group: Group) -> list[Session]:
    return list(
        group.sessions.upcoming()
        .select_related("topic")
        .order_by("starts_at")[:UPCOMING_SESSIONS_SHOWN]
    )


def participants_to_enroll(*, group: Group) -> QuerySet[Participant]:
    """Active participants of the group's organization who are not in it now."""
    in_group = Enrollment.objects.current().filter(group=group, participant=OuterRef("pk"))
    return (
        Participant.objects.active()
        .filter(organization_id=group.organization_id)
        .exclude(Exists(in_group))
        .order_by("display_name", "pk")
    )


def facilitators_to_assign(*, group: Group) -> QuerySet[User]:
    """The organization's facilitator members (an assigned one may get a new role)."""
    return User.objects.filter(
        memberships__organization_id=group.organization_id,
        memberships__role=Role.FACILITATOR,
        is_active=True,
    ).order_by("display_name", "email")
