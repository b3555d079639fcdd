"""Access helpers for sessions_app: 404 outside the user's organizations, 403 for a role
or a person that may not act. Every object is reached through accounts' scoping
(invariant 1); every refusal a view gives is decided here.

The rules themselves live on the models, once each: who facilitates a session is
`Session.objects.facilitated_by(user)`, who may play a recording is
`Recording.objects.accessible_to(user)`.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_scoped_object_or_404, role_in
from accounts.models import Role

from .models import Consent, Group, Participant, Recording, Session


def user_manages(user: Any, organization_id: int) -> bool:
    return role_in(user, organization_id) == Role.MANAGER


def user_is_on_session_team(user: Any, session: Session) -> bool:
    """The session's team: its facilitators and the organization's managers."""
    return user_manages(user, session.group.organization_id) or session.is_facilitated_by(user)


def user_facilitates_group(user: Any, group: Group) -> bool:
    return Group.objects.filter(pk=group.pk).facilitated_by(user).exists()


# --- Sessions -----------------------------------------------------------------------------


def get_session_in_organization(user: Any, code: UUID) -> Session:
    """A session of one of the user's organizations (404 otherwise); no role check."""
    return get_scoped_object_or_404(
        Session.objects.select_related("group", "group__organization"),
        user,
        path="group__organization",
        code=code,
    )


def get_session_for_user(user: Any, code: UUID) -> Session:
    """A session to open or run: 404 outside the user's organizations, 403 unless the user
    is on its team (facilitates it, or manages the organization). Reading and writing need
    the same team: the pages name the people present."""
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


def get_session_for_recordings(user: Any, code: UUID) -> tuple[Session, bool]:
    """A session whose recordings page the user may open, and whether the user is on its
    team: 404 outside the user's organizations; 403 unless the user is on its team or may
    play one of its recordings (a reviewer with a grant)."""
    session = get_session_in_organization(user, code)
    if user_is_on_session_team(user, session):
        return session, True
    if not Recording.objects.accessible_to(user).filter(session=session).exists():
        raise PermissionDenied
    return session, False


# --- Consent ------------------------------------------------------------------------------


def get_consent_for_withdrawal(user: Any, code: UUID) -> Consent:
    """A consent the user may withdraw: 404 outside the user's organizations; 403 unless the
    user manages the organization, facilitates a group the participant is or was in, or
    facilitated a session the participant attended."""
    consent = get_scoped_object_or_404(
        Consent.objects.select_related("participant", "form"),
        user,
        path="participant__organization",
        code=code,
    )
    participant_id = consent.participant_id
    if user_manages(user, consent.participant.organization_id):
        return consent
    in_their_groups = (
        Group.objects.facilitated_by(user).filter(enrollments__participant_id=participant_id)
    ).exists()
    at_their_sessions = (
        Session.objects.facilitated_by(user).filter(attendance__participant_id=participant_id)
    ).exists()
    if not (in_their_groups or at_their_sessions):
        raise PermissionDenied
    return consent


# --- Recordings ---------------------------------------------------------------------------


def _get_recording(user: Any, code: UUID) -> Recording:
    return get_scoped_object_or_404(
        Recording.objects.select_related("session", "session__group"),
        user,
        path="session__group__organization",
        code=code,
    )


def get_recording_for_user(user: Any, code: UUID) -> Recording:
    """A recording the user may play: 404 outside the user's organizations or once it is
    marked for deletion; 403 for members the access rule does not let in."""
    recording = _get_recording(user, code)
    if not Recording.objects.accessible_to(user).filter(pk=recording.pk).exists():
        if recording.marked_for_deletion_at or recording.deleted_at:
            raise Http404
        raise PermissionDenied
    return recording


def get_recording_for_manager(user: Any, code: UUID) -> Recording:
    """A recording of an organization the user manages: 404 outside, 403 for other roles."""
    recording = _get_recording(user, code)
    if not user_manages(user, recording.session.group.organization_id):
        raise PermissionDenied
    return recording


# --- Groups and participants ----------------------------------------------------------------


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
