"""Writes for review assignments: assign a recording or a training type to a reviewer,
withdraw an assignment, and close a recording's review once its last open assignment is
done. Recording access goes through sessions_app's services (sessions_app never imports
this app)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import save_with_history
from accounts.models import Role, User
from accounts.scoping import memberships_of
from sessions_app.models import Recording
from sessions_app.services import (
    recording_grant_access,
    recording_mark_reviewed,
    recording_revoke_access,
)

from ..models import ReviewAssignment, Rubric, TrainingType
from ..selectors.assignments import has_run_session
from ..selectors.calibration import is_calibrated

# Messages tests assert on, marked for translation; gettext at call time.
NOT_A_REVIEWER_HERE = gettext_noop(
    "This person holds no reviewer membership in the organization, so they cannot be "
    "assigned its reviews."
)
OWN_SESSION = gettext_noop(
    "This person facilitated the session, and nobody may review a session they facilitated."
)
NOT_A_MANAGER = gettext_noop("Only a program manager of the organization can assign reviews.")
RUBRIC_NOT_USABLE = gettext_noop("This rubric is not active or belongs to another organization.")
TRAINING_NEEDS_PEER_REVIEW = gettext_noop("A training is reviewed with a peer-review rubric.")
ALREADY_ASSIGNED = gettext_noop(
    "This reviewer already has an open assignment of this recording with this rubric."
)
SEGMENT_ORDER = gettext_noop("The segment must end after it starts.")
NOT_OPEN = gettext_noop("This assignment is no longer open.")
NOT_CALIBRATED = gettext_noop(
    "Only a calibrated rater may be assigned a fidelity review for certification, and this "
    "reviewer has not yet passed calibration on two recordings."
)


def needs_calibrated_rater(*, rubric: Rubric, recording: Recording | None) -> bool:
    """A fidelity review of a recording made for certification needs a calibrated rater."""
    return (
        recording is not None
        and rubric.kind == Rubric.Kind.FIDELITY
        and recording.purpose == Recording.Purpose.CERTIFICATION
    )


def _require_manager(*, by: User, organization_id: int) -> None:
    if (
        not memberships_of(by, roles=[Role.MANAGER])
        .filter(organization_id=organization_id)
        .exists()
    ):
        raise ValidationError(_(NOT_A_MANAGER), code="not_a_manager")


def _require_reviewer(*, reviewer: User, organization_id: int) -> None:
    """A reviewer reviews for an organization by holding a reviewer membership there."""
    held = memberships_of(reviewer, roles=[Role.REVIEWER]).filter(organization_id=organization_id)
    if not held.exists():
        raise ValidationError({"reviewer": _(NOT_A_REVIEWER_HERE)}, code="not_a_reviewer")


def _require_rubric(*, rubric: Rubric, organization_id: int) -> None:
    if not Rubric.objects.usable_in(organization_id).filter(pk=rubric.pk).exists():
        raise ValidationError({"rubric": _(RUBRIC_NOT_USABLE)}, code="rubric_not_usable")


def review_check_segment(segment: tuple[int, int] | None) -> tuple[int | None, int | None]:
    """A segment ends after it starts; none means the whole recording."""
    if segment is None:
        return None, None
    start, end = segment
    if end <= start:
        raise ValidationError({"segment_end": _(SEGMENT_ORDER)}, code="segment_order")
    return start, end


def review_check_reviewer(*, reviewer: User, rubric: Rubric, recording: Recording) -> None:
    """Nobody reviews a session they ran (its held-team snapshot) or facilitate today; a
    fidelity review of a certification recording needs a calibrated rater. The assign
    form shows these before the service refuses them."""
    session = recording.session
    if has_run_session(user=reviewer, session=session):
        raise ValidationError({"reviewer": _(OWN_SESSION)}, code="own_session")
    if needs_calibrated_rater(rubric=rubric, recording=recording) and not is_calibrated(
        user=reviewer
    ):
        raise ValidationError({"reviewer": _(NOT_CALIBRATED)}, code="not_calibrated")


@transaction.atomic
def review_assign(
    *,
    reviewer: User,
    rubric: Rubric,
    by: User,
    recording: Recording | None = None,
    training_type: TrainingType | None = None,
    organization: Any = None,
    segment: tuple[int, int] | None = None,
) -> ReviewAssignment:
    """Assign one subject to a reviewer: a recording (its organization's reviewer; never one
    who ran or runs that session, and a calibrated rater for a fidelity review of a
    certification recording, as `review_check_reviewer` says; access granted through
    sessions_app) or, for peer review, a training type of `organization` (no recording)."""
    if (recording is None) == (training_type is None):
        raise ValueError("Assign exactly one of recording or training_type.")
    if recording is not None:
        organization_id = recording.session.group.organization_id
    else:
        if organization is None:
            raise ValueError("A training's peer review needs the organization it is for.")
        organization_id = organization.pk
    _require_manager(by=by, organization_id=organization_id)
    _require_reviewer(reviewer=reviewer, organization_id=organization_id)
    _require_rubric(rubric=rubric, organization_id=organization_id)
    start, end = review_check_segment(segment)
    if recording is not None:
        review_check_reviewer(reviewer=reviewer, rubric=rubric, recording=recording)
        if (
            ReviewAssignment.objects.open()
            .filter(reviewer=reviewer, recording=recording, rubric=rubric)
            .exists()
        ):
            raise ValidationError(_(ALREADY_ASSIGNED), code="already_assigned")
    elif rubric.kind != Rubric.Kind.PEER_REVIEW:
        raise ValidationError({"rubric": _(TRAINING_NEEDS_PEER_REVIEW)}, code="training_rubric")
    assignment = ReviewAssignment(
        organization_id=organization_id,
        reviewer=reviewer,
        rubric=rubric,
        recording=recording,
        training_type=training_type,
        segment_start_seconds=start,
        segment_end_seconds=end,
        assigned_by=by,
    )
    assignment.full_clean()
    save_with_history(assignment, by=by)
    if recording is not None:
        recording_grant_access(recording=recording, user=reviewer, granted_by=by)
    return assignment


def _end_access(*, assignment: ReviewAssignment, by: User) -> None:
    """The reviewer's access to the recording ends, unless another open assignment of the
    same recording still needs it; the recording is marked reviewed (and so purged,
    invariant 4) once its last open assignment is closed, not at the first."""
    recording = assignment.recording
    if recording is None:
        return
    still_open = ReviewAssignment.objects.open().filter(recording=recording)
    if not still_open.filter(reviewer_id=assignment.reviewer_id).exists():
        recording_revoke_access(recording=recording, user=assignment.reviewer, revoked_by=by)
    if still_open.exists():
        return
    recording.refresh_from_db(fields=["reviewed_at", "marked_for_deletion_at", "deleted_at"])
    if recording.reviewed_at or recording.marked_for_deletion_at or recording.deleted_at:
        return  # already done, or already going (a consent was withdrawn)
    recording_mark_reviewed(recording=recording, by=by)


def review_assignment_close(*, assignment: ReviewAssignment, status: str, by: User) -> None:
    """Close an open assignment (submitted or withdrawn) and end what it gave."""
    locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != ReviewAssignment.Status.OPEN:
        raise ValidationError(_(NOT_OPEN), code="not_open")
    assignment.status = status
    assignment.closed_at = timezone.now()
    save_with_history(assignment, by=by, update_fields=["status", "closed_at"])
    _end_access(assignment=assignment, by=by)


@transaction.atomic
def review_withdraw(*, assignment: ReviewAssignment, by: User) -> ReviewAssignment:
    """A manager withdraws an open assignment: the reviewer's access ends at once."""
    _require_manager(by=by, organization_id=assignment.organization_id)
    review_assignment_close(assignment=assignment, status=ReviewAssignment.Status.WITHDRAWN, by=by)
    return assignment
