"""Writes for groups: create, edit, archive, facilitator assignments, planned topic sequence.

Sessions follow the schedule: every write that changes the schedule or the topic sequence
(re)plans the group's sessions through `sessions_generate`, which never touches held,
cancelled or one-off sessions.
"""

from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.history import delete_with_history, save_with_history
from accounts.models import Membership, Organization, Role, User
from curriculum.models import Topic

from ..models import (
    TOO_FAR_AHEAD,
    Enrollment,
    FacilitatorAssignment,
    Group,
    GroupTopic,
    Session,
    latest_plannable_day,
)
from ..selectors.groups import group_sessions_removed_by_archive
from .planning import sessions_generate

START_DATE_IN_PAST = _("The start date is in the past. Choose today or a later date.")
END_TOO_FAR_AHEAD = _(
    "Choose an end date within the next two years, or leave it empty for an open-ended group."
)
CAPACITY_BELOW_ENROLLED = _(
    "%(enrolled)s people are enrolled, more than a capacity of %(capacity)s. "
    "Record who has left first, or choose a larger capacity."
)
NOT_A_FACILITATOR = _(
    "Only facilitators of this group's organization can be assigned. "
    "Invite them as a facilitator first."
)
ALREADY_LEAD_PEER = _(
    "%(name)s is already this group's lead peer facilitator: change their role first, "
    "or choose a co-facilitator role."
)
CLINICIAN_NOT_PEER = _(
    "%(name)s is the clinician co-facilitator of %(group)s, so cannot take a peer role: "
    "in one organization a person facilitates either as a peer or as a clinician. "
    "Choose clinician co-facilitator, or change their role in %(group)s first."
)
PEER_NOT_CLINICIAN = _(
    "%(name)s is a peer facilitator of %(group)s (%(role)s), so cannot be a clinician "
    "co-facilitator: in one organization a person facilitates either as a peer or as a "
    "clinician. Choose a peer role, or change their role in %(group)s first."
)
SESSION_CLINICIAN_NOT_PEER = _(
    "%(name)s is the clinician co-facilitator of the session of %(group)s on %(when)s, so "
    "cannot take a peer role: in one organization a person facilitates either as a peer or "
    "as a clinician. Name another clinician for that session first, or choose clinician "
    "co-facilitator."
)
UNKNOWN_TOPIC = _("This topic is not in the curriculum.")
GROUP_IS_ARCHIVED = _("This group is archived. Restore it first.")
UNKNOWN_TIME_ZONE = _("Choose a time zone from the list.")

# What a manager may set on a group; the form's cleaned data uses the same names.
GROUP_FIELDS = frozenset(
    {
        "name",
        "format",
        "admission",
        "modality",
        "location",
        "meeting_link",
        "language",
        "weekdays",
        "start_time",
        "timezone",
        "duration_minutes",
        "start_date",
        "end_date",
        "capacity",
    }
)
DATE_FIELDS = ("start_date", "end_date")
# Changing any of these re-plans the group's future sessions.
SCHEDULE_FIELDS = (
    "weekdays",
    "start_time",
    "timezone",
    "duration_minutes",
    "start_date",
    "end_date",
)


def _check_time_zone(group: Group) -> None:
    try:
        ZoneInfo(group.timezone)
    except (ValueError, ZoneInfoNotFoundError) as error:
        raise ValidationError({"timezone": UNKNOWN_TIME_ZONE}) from error


def _check_values(values: dict[str, Any]) -> None:
    unknown = set(values) - GROUP_FIELDS
    if unknown:
        raise TypeError(f"Not group fields: {sorted(unknown)}")


def _check_plan_window(group: Group, *, moved: Collection[str]) -> None:
    """The start and end dates among `moved` (set or changed now) fall within the planning
    window of PLAN_AHEAD_DAYS; a date kept as it was is not judged again."""
    latest = latest_plannable_day(group.today())
    errors = {}
    if "start_date" in moved and group.start_date and group.start_date > latest:
        errors["start_date"] = TOO_FAR_AHEAD
    if "end_date" in moved and group.end_date and group.end_date > latest:
        errors["end_date"] = END_TOO_FAR_AHEAD
    if errors:
        raise ValidationError(errors)


def _set_topic_sequence(group: Group, topic_ids: list[int]) -> None:
    known = set(Topic.objects.active().filter(pk__in=topic_ids).values_list("pk", flat=True))
    if set(topic_ids) - known:
        raise ValidationError({"topic_sequence": UNKNOWN_TOPIC})
    group.topic_sequence.all().delete()
    GroupTopic.objects.bulk_create(
        GroupTopic(group=group, topic_id=topic_id, position=position)
        for position, topic_id in enumerate(topic_ids, start=1)
    )


@transaction.atomic
def group_create(
    *, organization: Organization, values: dict[str, Any], topic_ids: list[int], by: User
) -> Group:
    """Create a group starting today or later, with its topic sequence, and plan its sessions."""
    _check_values(values)
    group = Group(organization=organization, **values)
    _check_time_zone(group)
    if group.start_date and group.start_date < group.today():
        raise ValidationError({"start_date": START_DATE_IN_PAST})
    _check_plan_window(group, moved=DATE_FIELDS)
    group.full_clean()
    save_with_history(group, by=by)
    _set_topic_sequence(group, topic_ids)
    sessions_generate(group=group, by=by)
    return group


@transaction.atomic
def group_update(*, group: Group, values: dict[str, Any], topic_ids: list[int], by: User) -> Group:
    """Edit a group. Capacity never drops below the people enrolled; a start date may stay
    where it was but not move into the past; a schedule or sequence change re-plans."""
    _check_values(values)
    group = Group.objects.select_for_update().get(pk=group.pk)
    schedule_before = [getattr(group, name) for name in SCHEDULE_FIELDS]
    topics_before = list(group.topic_sequence.order_by("position").values_list("topic", flat=True))
    dates_before = {name: getattr(group, name) for name in DATE_FIELDS}
    for name, value in values.items():
        setattr(group, name, value)
    _check_time_zone(group)
    moved = [name for name in DATE_FIELDS if getattr(group, name) != dates_before[name]]
    if "start_date" in moved and group.start_date < group.today():
        raise ValidationError({"start_date": START_DATE_IN_PAST})
    _check_plan_window(group, moved=moved)
    enrolled = Enrollment.objects.filter(group=group).current().count()
    if group.capacity < enrolled:
        raise ValidationError(
            {
                "capacity": ValidationError(
                    CAPACITY_BELOW_ENROLLED,
                    params={"enrolled": enrolled, "capacity": group.capacity},
                )
            }
        )
    group.full_clean()
    save_with_history(group, by=by)
    if topic_ids != topics_before:
        _set_topic_sequence(group, topic_ids)
    schedule_changed = schedule_before != [getattr(group, name) for name in SCHEDULE_FIELDS]
    if group.archived_at is None and (schedule_changed or topic_ids != topics_before):
        sessions_generate(group=group, by=by)
    return group


@transaction.atomic
def group_archive(*, group: Group, by: User) -> int:
    """Archive a group and drop its future planned sessions that have no attendance (held,
    cancelled and past sessions stay as history); returns how many were dropped.
    Enrollments stay as they are, so restoring brings the same people back."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.archived_at is not None:
        return 0
    group.archived_at = timezone.now()
    save_with_history(group, by=by, update_fields=["archived_at"])
    # Exactly what the confirmation page listed, one by one so each leaves history.
    dropped = list(group_sessions_removed_by_archive(group=group))
    for session in dropped:
        delete_with_history(session, by=by)
    return len(dropped)


@transaction.atomic
def group_restore(*, group: Group, by: User) -> Group:
    """Bring an archived group back and plan its sessions again."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.archived_at is None:
        return group
    group.archived_at = None
    save_with_history(group, by=by, update_fields=["archived_at"])
    sessions_generate(group=group, by=by)
    return group


def _check_one_lead_peer(*, group: Group, user: User, role: str) -> None:
    if role != FacilitatorAssignment.Role.LEAD_PEER:
        return
    lead = (
        group.assignments.filter(role=FacilitatorAssignment.Role.LEAD_PEER)
        .exclude(user=user)
        .select_related("user")
        .first()
    )
    if lead is not None:
        error = ValidationError(ALREADY_LEAD_PEER, code="one_lead_peer", params={"name": lead.user})
        raise ValidationError({"role": error})


def _check_peer_or_clinician(*, group: Group, user: User, role: str) -> None:
    """A person facilitates as a peer or as a clinician in one organization, never both
    (see FacilitatorAssignment); their roles in its other active groups say which."""
    elsewhere = (
        FacilitatorAssignment.objects.filter(
            user=user, group__organization_id=group.organization_id, group__archived_at=None
        )
        .exclude(group=group)
        .of_the_other_kind_than(role)
        .select_related("group")
        .order_by("group__name", "pk")
        .first()
    )
    if elsewhere is None:
        return
    message = CLINICIAN_NOT_PEER if role in FacilitatorAssignment.PEER_ROLES else PEER_NOT_CLINICIAN
    error = ValidationError(
        message,
        code="peer_or_clinician",
        params={
            "name": user,
            "group": elsewhere.group.name,
            "role": elsewhere.get_role_display(),
        },
    )
    raise ValidationError({"role": error})


def _check_not_a_session_clinician(*, group: Group, user: User, role: str) -> None:
    """Someone named clinician co-facilitator of an upcoming session in the organization
    facilitates as a clinician, so takes no peer role (session_set_leaders keeps the same
    rule the other way). Held sessions are a record of what was and do not count."""
    if role not in FacilitatorAssignment.PEER_ROLES:
        return
    session = (
        Session.objects.upcoming()
        .filter(
            clinician=user,
            group__organization_id=group.organization_id,
            group__archived_at=None,
        )
        .select_related("group")
        .order_by("starts_at", "pk")
        .first()
    )
    if session is None:
        return
    when = date_format(timezone.localtime(session.starts_at, session.group.zone), "DATETIME_FORMAT")
    error = ValidationError(
        SESSION_CLINICIAN_NOT_PEER,
        code="session_clinician_not_peer",
        params={"name": user, "group": session.group.name, "when": when},
    )
    raise ValidationError({"role": error})


@transaction.atomic
def facilitator_assign(
    *, group: Group, user: User, role: str, by: User
) -> tuple[FacilitatorAssignment, bool]:
    """Assign a facilitator member of the group's organization with a role, or change the
    role of one already assigned; returns the assignment and whether it is new. A group
    has one lead peer at most; a person is a peer or a clinician, not both (a session's
    clinician co-facilitator counts as a clinician)."""
    # One change to the group's team at a time, and to this person's roles in the
    # organization, so two managers cannot together break a rule each one checked.
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.archived_at is not None:
        raise ValidationError(GROUP_IS_ARCHIVED)
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, organization_id=group.organization_id, role=Role.FACILITATOR)
        .first()
    )
    if membership is None:
        raise ValidationError({"user": NOT_A_FACILITATOR})
    _check_peer_or_clinician(group=group, user=user, role=role)
    _check_one_lead_peer(group=group, user=user, role=role)
    assignment = FacilitatorAssignment.objects.filter(group=group, user=user).first()
    if assignment is None or assignment.role != role:
        _check_not_a_session_clinician(group=group, user=user, role=role)
    if assignment is None:
        assignment = FacilitatorAssignment(group=group, user=user, role=role)
        assignment.full_clean()
        save_with_history(assignment, by=by)
        return assignment, True
    if assignment.role != role:
        assignment.role = role
        assignment.full_clean()
        save_with_history(assignment, by=by, update_fields=["role"])
    return assignment, False


def facilitator_unassign(*, assignment: FacilitatorAssignment, by: User) -> None:
    """Remove a facilitator from a group (kept in the assignment's history)."""
    delete_with_history(assignment, by=by)
