"""Access helpers for facilitators: 404 outside the user's organizations, 403 for a role or
a person that may not act. Profiles and trainings are reached through accounts' scoping
(invariant 1). A facilitator's page and trainings are theirs and their managers' alone:
other facilitators, reviewers and dashboards never reach them. Review assignments,
reviews and the recordings assigned reach their reviewer, the organization's managers and
(submitted) the facilitators reviewed."""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_scoped_object_or_404, role_in
from accounts.models import Role
from sessions_app.access import user_manages
from sessions_app.models import Recording, Session

from .models import (
    CalibrationAttempt,
    CalibrationRecording,
    DebriefRequest,
    FacilitatorProfile,
    Review,
    ReviewAssignment,
    TrainingRecord,
)
from .selectors.assignments import has_run_session

_PROFILE_PATH = "membership__organization"
_RECORD_PATH = "profile__membership__organization"


def _profile(user: Any, code: UUID) -> FacilitatorProfile:
    return get_scoped_object_or_404(
        FacilitatorProfile.objects.select_related("membership__user", "membership__organization"),
        user,
        path=_PROFILE_PATH,
        code=code,
    )


def get_profile_for_viewer(user: Any, code: UUID) -> tuple[FacilitatorProfile, bool]:
    """A facilitator's page, and whether the user manages it: 404 outside the user's
    organizations; 403 unless the user is that facilitator or manages the organization."""
    profile = _profile(user, code)
    manages = user_manages(user, profile.membership.organization_id)
    if not (manages or profile.membership.user_id == user.pk):
        raise PermissionDenied
    return profile, manages


def get_profile_for_owner(user: Any, code: UUID) -> FacilitatorProfile:
    """The user's own profile (to add a training to): 404 outside the user's
    organizations, 403 for anyone else's, managers' included."""
    profile = _profile(user, code)
    if profile.membership.user_id != user.pk:
        raise PermissionDenied
    return profile


def _record(user: Any, code: UUID) -> TrainingRecord:
    return get_scoped_object_or_404(
        TrainingRecord.objects.select_related(
            "profile__membership__user", "profile__membership__organization", "training_type"
        ),
        user,
        path=_RECORD_PATH,
        code=code,
    )


def get_training_for_manager(user: Any, code: UUID) -> TrainingRecord:
    """A training to verify or reject: 404 outside, 403 unless the user manages the
    organization."""
    record = _record(user, code)
    if not user_manages(user, record.profile.membership.organization_id):
        raise PermissionDenied
    return record


def get_training_for_owner(user: Any, code: UUID) -> TrainingRecord:
    """The user's own training (to delete): 404 outside, 403 for anyone else's."""
    record = _record(user, code)
    if record.profile.membership.user_id != user.pk:
        raise PermissionDenied
    return record


def get_training_for_evidence(user: Any, code: UUID) -> TrainingRecord:
    """A training whose evidence the user may download: the facilitator and the
    organization's managers; 404 outside, 403 for other members."""
    record = _record(user, code)
    is_owner = record.profile.membership.user_id == user.pk
    if not (is_owner or user_manages(user, record.profile.membership.organization_id)):
        raise PermissionDenied
    return record


def get_profile_for_certification(user: Any, code: UUID) -> FacilitatorProfile:
    """A profile whose certification track the user may see and act on: the same people
    as the facilitator's page (the facilitator and the organization's managers); the
    facilitator's own is told without asking for their role."""
    profile = _profile(user, code)
    own = profile.membership.user_id == user.pk
    if not own and not user_manages(user, profile.membership.organization_id):
        raise PermissionDenied
    return profile


# --- Reviews -------------------------------------------------------------------------------


def get_recording_for_assigning(user: Any, code: UUID) -> Recording:
    """A recording a manager of its organization assigns for review: 404 outside the
    user's organizations, 403 for any other role."""
    return get_scoped_object_or_404(
        Recording.objects.available().select_related("session__group__organization"),
        user,
        path="session__group__organization",
        roles=[Role.MANAGER],
        code=code,
    )


def get_assignment_for_manager(user: Any, code: UUID) -> ReviewAssignment:
    """An assignment a manager of its organization withdraws: 404 outside, 403 otherwise."""
    return get_scoped_object_or_404(
        ReviewAssignment.objects.select_related(
            "organization", "reviewer", "rubric", "training_type", "recording__session__group"
        ),
        user,
        roles=[Role.MANAGER],
        code=code,
    )


def get_assignment_for_reviewer(user: Any, code: UUID) -> ReviewAssignment:
    """The assigned reviewer's own assignment: 404 outside the user's organizations, 403
    for anyone else there; withdrawn assignments are gone (404)."""
    assignment = get_scoped_object_or_404(
        ReviewAssignment.objects.select_related(
            "organization",
            "rubric",
            "training_type",
            "recording__session__group",
            "recording__session__topic",
        ),
        user,
        code=code,
    )
    if not ReviewAssignment.objects.assigned_to(user).filter(pk=assignment.pk).exists():
        raise PermissionDenied
    if assignment.status == ReviewAssignment.Status.WITHDRAWN:
        raise Http404
    return assignment


def user_may_read_review(user: Any, review: Review) -> bool:
    """Its author, the organization's managers, and the facilitators who ran or run the
    reviewed session read a submitted review."""
    assignment = review.assignment
    if assignment.reviewer_id == user.pk:
        return True
    role = role_in(user, assignment.organization_id)
    if role == Role.MANAGER:
        return True
    recording = assignment.recording
    return (
        role == Role.FACILITATOR
        and recording is not None
        and has_run_session(user=user, session=recording.session)
    )


def get_review_for_reader(user: Any, code: UUID) -> Review:
    """A submitted review: 404 outside the user's organizations (and for drafts), 403
    unless the user may read it."""
    review = get_scoped_object_or_404(
        Review.objects.select_related(
            "assignment__organization",
            "assignment__rubric",
            "assignment__training_type",
            "assignment__recording__session__group",
            "assignment__recording__session__topic",
        ),
        user,
        path="assignment__organization",
        code=code,
        status=Review.Status.SUBMITTED,
    )
    if not user_may_read_review(user, review):
        raise PermissionDenied
    return review


# --- Self-checks ---------------------------------------------------------------------------


def get_session_for_self_check(user: Any, code: UUID) -> Session:
    """A held session whose self-check the user takes: 404 outside the user's organizations
    (and for a session not held yet), 403 unless the user ran the session (on the team
    that held it, or on today's). Managers and reviewers never reach a self-check."""
    session = get_scoped_object_or_404(
        Session.objects.select_related("group", "topic"),
        user,
        path="group__organization",
        roles=[Role.FACILITATOR],
        code=code,
    )
    if not has_run_session(user=user, session=session):
        raise PermissionDenied
    if session.status != Session.Status.HELD:
        raise Http404
    return session


def get_debrief_request_for_manager(user: Any, code: UUID) -> DebriefRequest:
    """A debrief request a manager of its organization marks handled: 404 outside, 403 for
    any other role."""
    return get_scoped_object_or_404(
        DebriefRequest.objects.select_related("requested_by"),
        user,
        roles=[Role.MANAGER],
        code=code,
    )


# --- Rater calibration -------------------------------------------------------------------

_CALIBRATION_PATH = "recording__session__group__organization"


def get_calibration_for_reviewer(user: Any, code: UUID) -> CalibrationRecording:
    """An active calibration recording a reviewer rates: 404 outside the user's
    organizations (and when no longer in use), 403 for roles other than reviewer."""
    return get_scoped_object_or_404(
        CalibrationRecording.objects.active().select_related("rubric", "recording"),
        user,
        path=_CALIBRATION_PATH,
        roles=[Role.REVIEWER],
        code=code,
    )


def get_attempt_for_reviewer(user: Any, code: UUID) -> CalibrationAttempt:
    """The reviewer's own calibration attempt: 404 outside the user's organizations, 403
    for anyone else there (managers included: agreement shows to the reviewer and the
    platform admin only)."""
    attempt = get_scoped_object_or_404(
        CalibrationAttempt.objects.select_related("calibration__rubric", "calibration__recording"),
        user,
        path=f"calibration__{_CALIBRATION_PATH}",
        code=code,
    )
    if attempt.reviewer_id != user.pk:
        raise PermissionDenied
    return attempt
