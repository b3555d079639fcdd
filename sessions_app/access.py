"""Access helpers for sessions_app: 404 outside the user's organizations, 403 for a role
that may not act. Every object is reached through accounts' scoping (invariant 1).

The recording access rule lives here and nowhere else: `recording_list_accessible_to`.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.access import get_scoped_object_or_404, role_in
from accounts.models import Role
from accounts.scoping import memberships_of

from .models import (
    Consent,
    FacilitatorAssignment,
    Group,
    Participant,
    Recording,
    RecordingAccessGrant,
    Session,
)


def user_manages(user: Any, organization_id: int) -> bool:
    return role_in(user, organization_id) == Role.MANAGER


def user_facilitates_session(user: Any, session: Session) -> bool:
    """A facilitator of a session: assigned to its group, or its clinician co-facilitator."""
    if session.clinician_id is not None and session.clinician_id == user.pk:
        return True
    return FacilitatorAssignment.objects.filter(group_id=session.group_id, user=user).exists()


def user_is_on_session_team(user: Any, session: Session) -> bool:
    """The session's team: its facilitators and the organization's managers."""
    return user_manages(user, session.group.organization_id) or user_facilitates_session(
        user, session
    )


def get_session_in_organization(user: Any, code: UUID) -> Session:
    """A session of one of the user's organizations (404 otherwise); no role check."""
    return get_scoped_object_or_404(
        Session.objects.select_related("group", "group__organization"),
        user,
        path="group__organization",
        code=code,
    )


def get_consent_for_withdrawal(user: Any, code: UUID) -> Consent:
    """A consent the user may withdraw: 404 outside the user's organizations; 403 unless the
    user manages the organization, facilitates a group the participant was in, or was the
    clinician of a session they attended."""
    consent = get_scoped_object_or_404(
        Consent.objects.select_related("participant", "form"),
        user,
        path="participant__organization",
        code=code,
    )
    if user_manages(user, consent.participant.organization_id):
        return consent
    participant_groups = Q(group__enrollments__participant_id=consent.participant_id) | Q(
        group__sessions__attendance__participant_id=consent.participant_id
    )
    if not (
        FacilitatorAssignment.objects.filter(participant_groups, user=user).exists()
        or Session.objects.filter(
            clinician=user, attendance__participant_id=consent.participant_id
        ).exists()
    ):
        raise PermissionDenied
    return consent


# --- Recordings: the one access rule ----------------------------------------------------


def recording_list_accessible_to(user: Any) -> QuerySet[Recording]:
    """Recordings the user may play or download: available (not marked for deletion, not
    deleted), in one of the user's organizations, and the user facilitates the session,
    manages the organization, or holds an active grant to that recording."""
    if not getattr(user, "is_authenticated", False):
        return Recording.objects.none()
    managed = memberships_of(user, roles=[Role.MANAGER]).values("organization_id")
    facilitates = FacilitatorAssignment.objects.filter(
        group_id=OuterRef("session__group_id"), user=user
    )
    granted = RecordingAccessGrant.objects.filter(
        recording_id=OuterRef("pk"), user=user, revoked_at=None
    )
    return (
        Recording.objects.available()
        .for_user(user)
        .filter(
            Q(session__group__organization__in=managed)
            | Q(session__clinician=user)
            | Exists(facilitates)
            | Exists(granted)
        )
    )


def get_recording_for_user(user: Any, code: UUID) -> Recording:
    """A recording the user may play: 404 outside the user's organizations or once it is
    marked for deletion; 403 for members the access rule does not let in."""
    recording = get_scoped_object_or_404(
        Recording.objects.select_related("session", "session__group"),
        user,
        path="session__group__organization",
        code=code,
    )
    if not recording_list_accessible_to(user).filter(pk=recording.pk).exists():
        if recording.marked_for_deletion_at or recording.deleted_at:
            raise Http404
        raise PermissionDenied
    return recording


def get_recording_for_manager(user: Any, code: UUID) -> Recording:
    """A recording of an organization the user manages: 404 outside, 403 for other roles."""
    recording = get_scoped_object_or_404(
        Recording.objects.select_related("session", "session__group"),
        user,
        path="session__group__organization",
        code=code,
    )
    if not user_manages(user, recording.session.group.organization_id):
        raise PermissionDenied
    return recording


def get_session_for_user(user: Any, code: UUID, *, write: bool = False) -> Session:
    """A session to open or run: 404 outside the user's organizations, 403 unless the user
    facilitates it (group assignment or its clinician) or manages the organization.

    Reading and writing need the same team today (attendance names people); `write`
    marks the call sites that change data, so a read-only role can be let in here alone.
    """
    session = get_scoped_object_or_404(
        Session.objects.select_related(
            "group__organization", "topic", "second_topic", "clinician", "led_by_participant"
        ),
        user,
        path="group__organization",
        code=code,
    )
    if not user_is_on_session_team(user, session):
        raise PermissionDenied
    return session


# --- Groups and participants ------------------------------------------------------------


def user_facilitates_group(user: Any, group: Group) -> bool:
    return FacilitatorAssignment.objects.filter(group_id=group.pk, user=user).exists()


def get_group_for_manager(user: Any, code: UUID) -> Group:
    """A group of an organization the user manages: 404 outside, 403 for other roles."""
    return get_scoped_object_or_404(
        Group.objects.select_related("organization"), user, roles=[Role.MANAGER], code=code
    )


def get_group_for_team(user: Any, code: UUID) -> Group:
    """A group the user manages or facilitates: 404 outside the user's organizations, 403
    for other members (reviewers, facilitators of other groups)."""
    group = get_scoped_object_or_404(Group.objects.select_related("organization"), user, code=code)
    if not (user_manages(user, group.organization_id) or user_facilitates_group(user, group)):
        raise PermissionDenied
    return group


def get_participant_for_manager(user: Any, code: UUID) -> Participant:
    """A participant of an organization the user manages: 404 outside, 403 for other roles."""
    return get_scoped_object_or_404(
        Participant.objects.select_related("organization"), user, roles=[Role.MANAGER], code=code
    )
