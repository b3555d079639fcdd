"""Rater calibration, for reviewers: the calibration recordings they may rate (those of the
organizations they review for) with their own attempts and agreement; starting an attempt
(access to play the recording); the rating form, submitted once; the result (agreement,
passed or not, and which items disagreed, never the gold values, so the recording stays
useful for a next attempt)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role

from ..access import get_attempt_for_reviewer, get_calibration_for_reviewer
from ..forms.calibration import CalibrationForm
from ..models import CalibrationAttempt
from ..selectors.calibration import (
    calibration_attempt_with_ratings,
    calibration_attempts_of,
    calibration_items,
    calibration_list_for_reviewer,
    is_calibrated,
)
from ..services.calibration import calibration_start, calibration_submit


@role_required(Role.REVIEWER)
@require_GET
def calibration_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Calibration recordings the reviewer may rate, and their attempts with agreement."""
    return render(
        request,
        "facilitators/calibration/list.html",
        {
            "calibrations": calibration_list_for_reviewer(user=request.user),
            "attempts": calibration_attempts_of(user=request.user),
            "calibrated": is_calibrated(user=request.user),
        },
    )


@require_POST
@login_required
def calibration_attempt_start(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Start an attempt (or go back to the open one): the reviewer may now play it."""
    calibration = get_calibration_for_reviewer(request.user, code)
    try:
        attempt = calibration_start(calibration=calibration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("facilitators:calibration_list")
    return redirect("facilitators:calibration_attempt", code=attempt.code)


def _form_page(
    request: AuthenticatedHttpRequest,
    attempt: CalibrationAttempt,
    form: CalibrationForm,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "facilitators/calibration/attempt.html",
        {"attempt": attempt, "calibration": attempt.calibration, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def calibration_attempt(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The reviewer's rating form for an open attempt; submitted once, then the result."""
    attempt = get_attempt_for_reviewer(request.user, code)
    if attempt.is_submitted:
        return redirect("facilitators:calibration_result", code=attempt.code)
    items = calibration_items(calibration=attempt.calibration)
    if request.method != "POST":
        return _form_page(request, attempt, CalibrationForm(items=items))
    form = CalibrationForm(request.POST, items=items)
    if not form.is_valid():
        return _form_page(request, attempt, form, status=400)
    try:
        calibration_submit(attempt=attempt, by=request.user, ratings=form.ratings())
    except ValidationError as error:
        form.add_service_error(error)
        return _form_page(request, attempt, form, status=400)
    messages.success(request, _("Calibration attempt submitted."))
    return redirect("facilitators:calibration_result", code=attempt.code)


@login_required
@require_GET
def calibration_result(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A submitted attempt's agreement, whether it passed, and the items that disagreed
    with gold (not the gold values)."""
    found = get_attempt_for_reviewer(request.user, code)
    if not found.is_submitted:
        return redirect("facilitators:calibration_attempt", code=found.code)
    attempt = calibration_attempt_with_ratings(attempt_id=found.pk)
    disagreed = [rating for rating in attempt.ratings.all() if not rating.agrees]
    return render(
        request,
        "facilitators/calibration/result.html",
        {
            "attempt": attempt,
            "disagreed": disagreed,
            "calibrated": is_calibrated(user=request.user),
        },
    )
