"""Reads for rater calibration: who is a calibrated rater, the calibration recordings a
reviewer may rate, and their attempts with agreement."""

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from accounts.scoping import scope_to_user

from ..models import CalibrationAttempt, CalibrationRating, CalibrationRecording, RubricItem

# Passed attempts, on this many different calibration recordings, make a calibrated rater.
CALIBRATION_PASSES_NEEDED = 2


def is_calibrated(*, user: Any) -> bool:
    """Calibrated: passed attempts on at least two different calibration recordings."""
    passed = (
        CalibrationAttempt.objects.passed()
        .filter(reviewer=user)
        .values("calibration_id")
        .distinct()
        .count()
    )
    return passed >= CALIBRATION_PASSES_NEEDED


def calibration_list_for_reviewer(*, user: Any) -> QuerySet[CalibrationRecording]:
    """Active calibration recordings of the organizations the user reviews for, each with
    how many items it has, oldest first."""
    return (
        CalibrationRecording.objects.available_to(user)
        .select_related("rubric", "recording__session__group__organization")
        .annotate(item_count=Count("rubric__parts__items", distinct=True))
        .order_by("created_at", "pk")
    )


def calibration_attempts_of(*, user: Any) -> QuerySet[CalibrationAttempt]:
    """The user's own attempts in the organizations they still belong to, newest first."""
    return scope_to_user(
        CalibrationAttempt.objects.filter(reviewer=user),
        user,
        path="calibration__recording__session__group__organization",
    ).select_related("calibration__rubric")


def calibration_items(*, calibration: CalibrationRecording) -> list[RubricItem]:
    return list(
        RubricItem.objects.filter(part__rubric_id=calibration.rubric_id)
        .select_related("part")
        .order_by("part__order", "part_id", "order", "pk")
    )


def calibration_attempt_with_ratings(*, attempt_id: int) -> CalibrationAttempt:
    """An attempt with its ratings and their items (not the gold values: a result shows
    which items disagreed, never the expert's numbers)."""
    return (
        CalibrationAttempt.objects.select_related("calibration__rubric")
        .prefetch_related(
            Prefetch("ratings", queryset=CalibrationRating.objects.select_related("item__part"))
        )
        .get(pk=attempt_id)
    )
