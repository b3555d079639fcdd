"""Reads for participants (program managers' pages): the list, one person's groups over
time, and the groups they can join. Every queryset starts from the organization scope
(`for_user`) or from a participant already fetched through `access`."""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from accounts.models import Role, User

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
