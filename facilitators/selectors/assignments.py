"""Reads for review assignments: the reviewer's one queue across their organizations, an
organization's assignments for its managers, the choices a manager assigns from, and who
ran a session (so never reviews it)."""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Organization, Role, User
from sessions_app.models import Session, SessionFacilitator

from ..models import ReviewAssignment, Rubric, TrainingType


def sessions_run_by(user: Any) -> QuerySet[Session]:
    """Sessions `user` ran or runs: on a held session's team snapshot (who ran it that day,
    kept when they later leave the group), or facilitating it today (assigned to its group,
    or its clinician). A recording's facilitators are never its reviewers."""
    in_snapshot = SessionFacilitator.objects.filter(session_id=OuterRef("pk"), user_id=user.pk)
    return Session.objects.filter(Exists(in_snapshot)) | Session.objects.facilitated_by(user)


def has_run_session(*, user: Any, session: Session) -> bool:
    """Whether `user` ran or runs `session` (see `sessions_run_by`); one query."""
    return sessions_run_by(user).filter(pk=session.pk).exists()


def _listed() -> QuerySet[ReviewAssignment]:
    return ReviewAssignment.objects.select_related(
        "organization",
        "rubric",
        "training_type",
        "reviewer",
        "recording__session__group",
        "recording__session__topic",
        "review",
    )


def review_queue_for(*, user: Any) -> list[ReviewAssignment]:
    """The reviewer's open and submitted assignments, across every organization where they
    hold a reviewer membership (withdrawn ones drop out), open first."""
    return list(
        _listed()
        .filter(pk__in=ReviewAssignment.objects.assigned_to(user).values("pk"))
        .exclude(status=ReviewAssignment.Status.WITHDRAWN)
        .order_by("status", "-assigned_at", "-pk")
    )


def review_assignment_list_for_organization(
    *, organization: Organization
) -> list[ReviewAssignment]:
    """Every assignment of one organization, for its managers, newest first."""
    return list(_listed().filter(organization=organization).order_by("-assigned_at", "-pk"))


def reviewers_of(*, organization_id: int) -> QuerySet[User]:
    """People holding a reviewer membership in the organization."""
    return User.objects.filter(
        memberships__organization_id=organization_id, memberships__role=Role.REVIEWER
    ).order_by("display_name", "email")


def rubrics_for(*, organization_id: int, kind: str | None = None) -> QuerySet[Rubric]:
    rubrics = Rubric.objects.usable_in(organization_id)
    return rubrics.filter(kind=kind) if kind else rubrics


def training_types_for_review() -> QuerySet[TrainingType]:
    return TrainingType.objects.filter(active=True)
