"""Reads for participants (program managers' pages): the list, one person's groups over
time, and the groups they can join. Every queryset starts from the organization scope
(`for_user`) or from a participant already fetched through `access`."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from accounts.models import Organization, Role, User
from accounts.text import name_skeleton

from ..models import Enrollment, Group, Participant


def participant_list_for_user(
    *, user: User, query: str = "", archived: bool = False
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


def groups_to_join(*, participant: Participant) -> QuerySet[Group]:
    """Active groups of the participant's organization they are not in now."""
    in_group = Enrollment.objects.current().filter(participant=participant, group=OuterRef("pk"))
    return (
        Group.objects.active()
        .filter(organization_id=participant.organization_id)
        .exclude(Exists(in_group))
        .order_by("name", "pk")
    )


@dataclass
class NameClash:
    organization: Organization
    participants: list[Participant]


def participant_name_clashes() -> list[NameClash]:
    """Active participants of one organization whose names look the same on a screen (the
    same accounts.text.name_skeleton): clashes stored before names were checked. For
    platform admins in Django admin, across organizations; reads every active name."""
    alike: dict[tuple[int, str], list[Participant]] = defaultdict(list)
    participants = (
        Participant.objects.active()
        .select_related("organization")
        .only("pk", "code", "display_name", "organization__name", "organization__slug")
        .order_by("organization__name", "display_name", "pk")
    )
    for participant in participants:
        alike[(participant.organization_id, name_skeleton(participant.display_name))].append(
            participant
        )
    return [
        NameClash(organization=group[0].organization, participants=group)
        for group in alike.values()
        if len(group) > 1
    ]
