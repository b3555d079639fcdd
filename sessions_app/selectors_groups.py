"""Reads for groups, participants and enrollments. Every queryset starts from the
organization scope (`for_user`) or from an object already fetched through it."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Organization, Role, User
from accounts.scoping import memberships_of
from curriculum.models import Topic

from .models import Enrollment, FacilitatorAssignment, Group, GroupTopic, Participant, Session

# How many former members a group page lists (newest first); the rest stay in the data.
FORMER_MEMBERS_SHOWN = 50
UPCOMING_SESSIONS_SHOWN = 5


def organizations_managed_by(user: Any) -> list[Organization]:
    return list(
        Organization.objects.filter(
            pk__in=memberships_of(user, roles=[Role.MANAGER]).values("organization_id")
        )
    )


def group_list_for_user(*, user: Any, archived: bool = False) -> QuerySet[Group]:
    """Groups the user manages (every group of organizations they manage) or facilitates,
    with the current head count, the next planned session and the facilitators."""
    managed = memberships_of(user, roles=[Role.MANAGER]).values("organization_id")
    facilitates = FacilitatorAssignment.objects.filter(group=OuterRef("pk"), user=user)
    next_session = (
        Session.objects.filter(
            group=OuterRef("pk"), status=Session.Status.PLANNED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    groups = Group.objects.for_user(user).filter(Q(organization__in=managed) | Exists(facilitates))
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
        Enrollment.objects.filter(group=group, left_on__isnull=False)
        .select_related("participant")
        .order_by("-left_on", "-pk")[:FORMER_MEMBERS_SHOWN]
    )


def group_upcoming_sessions(*, group: Group) -> list[Session]:
    return list(
        group.sessions.filter(status=Session.Status.PLANNED, starts_at__gte=timezone.now())
        .select_related("topic")
        .order_by("starts_at")[:UPCOMING_SESSIONS_SHOWN]
    )


def session_day(session: Session) -> date:
    """The session's date where its group meets."""
    return timezone.localtime(session.starts_at, ZoneInfo(session.group.timezone)).date()


def enrollments_on_session(*, session: Session) -> QuerySet[Enrollment]:
    """The session's roster, derived from enrollments: everyone enrolled on its day. So a
    participant who joins is on every later session, and one who leaves drops off later
    sessions only."""
    return (
        Enrollment.objects.filter(group_id=session.group_id)
        .on(session_day(session))
        .select_related("participant")
        .order_by("participant__display_name", "pk")
    )


def participant_list_for_user(
    *, user: Any, query: str = "", archived: bool = False
) -> QuerySet[Participant]:
    """Participants of the organizations the user manages, with their current groups."""
    participants = Participant.objects.for_user(user, roles=[Role.MANAGER]).filter(
        archived_at__isnull=not archived
    )
    if query:
        participants = participants.filter(display_name__icontains=query)
    return (
        participants.select_related("organization")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.current()
                .select_related("group")
                .order_by("group__name", "pk"),
                to_attr="current_enrollments",
            )
        )
        .order_by("display_name", "pk")
    )


def participant_enrollments(*, participant: Participant) -> QuerySet[Enrollment]:
    """Every group the participant has been in, current ones first."""
    return participant.enrollments.select_related("group").order_by(
        F("left_on").desc(nulls_first=True), "-joined_on", "-pk"
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


def groups_to_join(*, participant: Participant) -> QuerySet[Group]:
    """Active groups of the participant's organization they are not in now."""
    in_group = Enrollment.objects.current().filter(participant=participant, group=OuterRef("pk"))
    return (
        Group.objects.active()
        .filter(organization_id=participant.organization_id)
        .exclude(Exists(in_group))
        .order_by("name", "pk")
    )


def facilitators_to_assign(*, group: Group) -> QuerySet[User]:
    """The organization's facilitator members (an assigned one may get a new role)."""
    return User.objects.filter(
        memberships__organization_id=group.organization_id,
        memberships__role=Role.FACILITATOR,
        is_active=True,
    ).order_by("display_name", "email")
