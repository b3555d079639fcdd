"""Access helpers for facilitators: 404 outside the user's organizations, 403 for a role
or a person that may not act. Every object is reached through accounts' scoping
(invariant 1)."""

# --- Reviews -------------------------------------------------------------------------------

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_scoped_object_or_404, role_in
from accounts.models import Role
from sessions_app.models import Recording

from .models import Review, ReviewAssignment


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
    """Its author, the organization's managers, and the facilitators of the reviewed
    session read a submitted review."""
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
        and recording.session.is_facilitated_by(user)
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
