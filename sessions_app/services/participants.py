"""Writes for participants and their enrollments.

A participant is a chosen name or initials, with optional contact details encrypted at
rest (invariant 6). The roster of a session is derived from enrollments
(`Enrollment.objects.on(day)`), so joining puts a person on every later session and
leaving takes them off later sessions only; nothing here writes per-session rows.

Closed groups: once a closed group has started (a session of it has been held, or a
planned one has begun), enrolling someone new needs a program manager's explicit
confirmation; facilitators are asked to get one.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.history import save_with_history
from accounts.models import Organization, User
from accounts.text import name_skeleton, plain_text

from ..models import GROUP_CAPACITY_MAX, Attendance, Enrollment, Group, Participant, Session

NAME_LOOKS_TAKEN = _(
    "%(name)s is already in this organization, and this name would look the same on the "
    "attendance and consent screens. Add an initial or another detail so facilitators "
    "can tell them apart."
)
EMAIL_NEEDED_FOR_REMINDERS = _(
    "To get reminders by email, add an email address (or untick reminders by email)."
)
PHONE_NEEDED_FOR_REMINDERS = _(
    "To get text-message reminders, add a phone number (or untick text-message reminders)."
)
GROUP_FULL = _(
    "This group is full: %(capacity)s of %(capacity)s places are taken. A program manager "
    "can raise its capacity (up to %(max)s), or record that someone has left."
)
ALREADY_ENROLLED = _("%(name)s is already in this group.")
CLOSED_GROUP_STARTED = _(
    "This closed group has already started, so new people do not normally join. "
    "A program manager can confirm an exception."
)
GROUP_ARCHIVED = _("This group is archived: nobody can join it.")
GROUP_ENDED = _("The group ends on %(date)s; choose a joining date before that.")
BEFORE_GROUP_START = _("The group starts on %(date)s; choose a joining date from then on.")
PARTICIPANT_ARCHIVED = _("%(name)s is archived. Restore them before enrolling.")
OTHER_ORGANIZATION = _("This participant belongs to another organization.")
LEFT_BEFORE_JOINED = _("The leaving date is before they joined (%(date)s).")
LEFT_IN_FUTURE = _("Record leaving on the day it happens, not in advance.")
LEFT_BEFORE_ATTENDANCE = _(
    "Their attendance was taken at a session on %(date)s; the leaving date must be after it."
)

PARTICIPANT_FIELDS = frozenset(
    {
        "display_name",
        "preferred_language",
        "contact_email",
        "contact_phone",
        "remind_by_email",
        "remind_by_sms",
    }
)


def reminder_contact_errors(*, by_email: bool, by_sms: bool, email: str, phone: str) -> dict:
    """A channel opted into needs its contact detail: the field's error for each missing."""
    errors = {}
    if by_email and not email:
        errors["remind_by_email"] = EMAIL_NEEDED_FOR_REMINDERS
    if by_sms and not phone:
        errors["remind_by_sms"] = PHONE_NEEDED_FOR_REMINDERS
    return errors


def _apply(participant: Participant, values: dict[str, Any]) -> None:
    unknown = set(values) - PARTICIPANT_FIELDS
    if unknown:
        raise TypeError(f"Not participant fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(participant, name, value)
    participant.display_name = plain_text(participant.display_name)
    contact_errors = reminder_contact_errors(
        by_email=participant.remind_by_email,
        by_sms=participant.remind_by_sms,
        email=participant.contact_email,
        phone=participant.contact_phone,
    )
    if contact_errors:
        raise ValidationError(contact_errors)
    participant.full_clean()
    if participant.archived_at is None:
        _check_name_is_distinct(participant)


def _check_name_is_distinct(participant: Participant) -> None:
    """No two active participants of an organization look alike on a screen: the name is
    refused when its skeleton (accounts.text.name_skeleton) is another's. The
    organization row is locked, so two people adding "Hana" at once take turns."""
    Organization.objects.select_for_update().filter(pk=participant.organization_id).first()
    skeleton = name_skeleton(participant.display_name)
    others = (
        Participant.objects.active()
        .filter(organization_id=participant.organization_id)
        .exclude(pk=participant.pk)
        .values_list("display_name", flat=True)
    )
    clash = next((name for name in others if name_skeleton(name) == skeleton), None)
    if clash is not None:
        raise ValidationError(
            {"display_name": ValidationError(NAME_LOOKS_TAKEN, params={"name": clash})}
        )


@transaction.atomic
def participant_create(
    *, organization: Organization, values: dict[str, Any], by: User
) -> Participant:
    """Add a participant: chosen name or initials; contact only if given, encrypted at rest."""
    participant = Participant(organization=organization)
    _apply(participant, values)
    save_with_history(participant, by=by)
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, values: dict[str, Any], by: User
) -> Participant:
    """Change what a participant chose to give; reminders still need a way to reach them."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _apply(participant, values)
    save_with_history(participant, by=by)
    return participant


@transaction.atomic
def participant_archive(*, participant: Participant, left_reason: str, by: User) -> int:
    """Archive a participant and end their current enrollments with `left_reason`; returns
    how many enrollments ended. Past rosters and attendance stay as they were."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.archived_at is not None:
        return 0
    participant.archived_at = timezone.now()
    save_with_history(participant, by=by, update_fields=["archived_at"])
    ended = 0
    for enrollment in (
        Enrollment.objects.current().filter(participant=participant).select_related("group")
    ):
        enrollment.left_on = max(enrollment.group.today(), enrollment.joined_on)
        enrollment.left_reason = left_reason
        enrollment.full_clean()
        save_with_history(enrollment, by=by, update_fields=["left_on", "left_reason"])
        ended += 1
    return ended


@transaction.atomic
def participant_restore(*, participant: Participant, by: User) -> Participant:
    """Bring an archived participant back (their old enrollments stay ended), unless an
    active participant's name now looks the same."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        raise ValidationError(_("An erased person cannot be restored."), code="erased")
    participant.archived_at = None
    _check_name_is_distinct(participant)
    save_with_history(participant, by=by, update_fields=["archived_at"])
    return participant


def group_has_started(group: Group) -> bool:
    """A session of the group has been held, or a planned one has begun."""
    begun = group.sessions.planned().filter(starts_at__lte=timezone.now())
    return (group.sessions.filter(status=Session.Status.HELD) | begun).only("pk").exists()


def _display(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@transaction.atomic
def enrollment_create(
    *,
    group: Group,
    participant: Participant,
    by: User,
    joined_on: date | None = None,
    allow_closed_group_late_join: bool = False,
) -> Enrollment:
    """Enroll a participant from `joined_on` (default: today where the group meets, or its
    start date if later); never before the group starts.

    Refused when the group is archived or full, when they are already in it, and when a
    closed group has started unless a manager confirmed (`allow_closed_group_late_join`).
    The group row is locked so two enrollments cannot both take the last place.
    """
    group = Group.objects.select_for_update().get(pk=group.pk)
    if participant.organization_id != group.organization_id:
        raise ValidationError({"participant": OTHER_ORGANIZATION})
    if group.archived_at is not None:
        raise ValidationError(GROUP_ARCHIVED)
    if participant.archived_at is not None:
        raise ValidationError(
            {"participant": ValidationError(PARTICIPANT_ARCHIVED, params={"name": participant})}
        )
    # Default: today, or the first day for a group that has not started yet.
    joined_on = joined_on or max(group.today(), group.start_date)
    if joined_on < group.start_date:
        raise ValidationError(
            {
                "joined_on": ValidationError(
                    BEFORE_GROUP_START, params={"date": _display(group.start_date)}
                )
            }
        )
    if group.end_date and joined_on > group.end_date:
        raise ValidationError(
            {"joined_on": ValidationError(GROUP_ENDED, params={"date": _display(group.end_date)})}
        )
    current = Enrollment.objects.current().filter(group=group)
    if current.filter(participant=participant).exists():
        raise ValidationError(
            {"participant": ValidationError(ALREADY_ENROLLED, params={"name": participant})}
        )
    if current.count() >= group.capacity:
        raise ValidationError(
            GROUP_FULL, params={"capacity": group.capacity, "max": GROUP_CAPACITY_MAX}
        )
    if (
        group.admission == Group.Admission.CLOSED
        and not allow_closed_group_late_join
        and group_has_started(group)
    ):
        raise ValidationError(CLOSED_GROUP_STARTED, code="closed_group_started")
    enrollment = Enrollment(group=group, participant=participant, joined_on=joined_on)
    enrollment.full_clean()
    save_with_history(enrollment, by=by)
    return enrollment


@transaction.atomic
def participant_create_and_enroll(
    *,
    group: Group,
    values: dict[str, Any],
    by: User,
    joined_on: date | None = None,
    allow_closed_group_late_join: bool = False,
) -> Enrollment:
    """Add a participant to the group's organization and enroll them: both or neither."""
    participant = participant_create(organization=group.organization, values=values, by=by)
    return enrollment_create(
        group=group,
        participant=participant,
        by=by,
        joined_on=joined_on,
        allow_closed_group_late_join=allow_closed_group_late_join,
    )


def _last_attended_day(enrollment: Enrollment) -> date | None:
    last = Attendance.objects.filter(
        participant_id=enrollment.participant_id, session__group_id=enrollment.group_id
    ).aggregate(last=Max("session__starts_at"))["last"]
    if last is None:
        return None
    return timezone.localtime(last, enrollment.group.zone).date()


@transaction.atomic
def enrollment_end(
    *, enrollment: Enrollment, left_on: date | None, left_reason: str, by: User
) -> Enrollment:
    """Record that a participant left: they drop off the rosters of sessions from `left_on`
    (default today) on, never off sessions already attended. Not in advance."""
    enrollment = (
        Enrollment.objects.select_for_update().select_related("group").get(pk=enrollment.pk)
    )
    today = enrollment.group.today()
    left_on = left_on or today
    if left_on > today:
        raise ValidationError({"left_on": LEFT_IN_FUTURE})
    if left_on < enrollment.joined_on:
        raise ValidationError(
            {
                "left_on": ValidationError(
                    LEFT_BEFORE_JOINED, params={"date": _display(enrollment.joined_on)}
                )
            }
        )
    last_attended = _last_attended_day(enrollment)
    if last_attended is not None and left_on <= last_attended:
        raise ValidationError(
            {
                "left_on": ValidationError(
                    LEFT_BEFORE_ATTENDANCE, params={"date": _display(last_attended)}
                )
            }
        )
    enrollment.left_on = left_on
    enrollment.left_reason = left_reason
    enrollment.full_clean()
    save_with_history(enrollment, by=by, update_fields=["left_on", "left_reason"])
    return enrollment
