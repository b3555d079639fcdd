"""Reviews: the reviewer's queue (one across all their organizations) and review form
(save a draft any number of times, submit once after confirming); the facilitator's
submitted reviews with the part means over time; a review's page for its readers."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import role_required
from accounts.confirm import CONFIRM_FIELD, confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role

from ..access import get_assignment_for_reviewer, get_review_for_reader
from ..forms.reviews import SAVE_DRAFT, SUBMIT, ReviewForm
from ..models import Review, ReviewAssignment, RubricItem, RubricPart
from ..selectors.assignments import review_queue_for
from ..selectors.reviews import (
    part_means_series,
    review_list_for_facilitator,
    reviews_with_scores,
    scores_of,
)
from ..services.reviews import review_check_complete, review_save_draft, review_submit


@role_required(Role.REVIEWER)
@require_GET
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reviewer's open and submitted assignments, across their organizations."""
    return render(
        request,
        "facilitators/reviews/queue.html",
        {"assignments": review_queue_for(user=request.user)},
    )


def _parts(assignment: ReviewAssignment) -> list[RubricPart]:
    return list(
        RubricPart.objects.filter(rubric_id=assignment.rubric_id)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("items", queryset=RubricItem.objects.order_by("order", "pk")))
    )


def _review_of(assignment: ReviewAssignment) -> Review | None:
    return Review.objects.filter(assignment=assignment).prefetch_related("ratings").first()


def _form_page(
    request: AuthenticatedHttpRequest,
    assignment: ReviewAssignment,
    form: ReviewForm,
    *,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    return render(
        request,
        "facilitators/reviews/form.html",
        {
            "assignment": assignment,
            "form": form,
            "sections": form.sections(),
            "notice": notice,
            "actions": {"save": SAVE_DRAFT, "submit": SUBMIT},
        },
        status=status,
    )


def _hidden_fields(request: AuthenticatedHttpRequest) -> list[tuple[str, Any]]:
    """Everything the form posted, to post again from the confirmation page."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in values
    ]


@login_required
@require_http_methods(["GET", "POST"])
def review_form(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The assigned reviewer's form. "Save draft" keeps whatever is there (a refused value
    saves nothing and the page comes back with what was typed); "Submit" saves, checks
    that everything is rated, asks to confirm, then submits once."""
    assignment = get_assignment_for_reviewer(request.user, code)
    review = _review_of(assignment)
    if review is not None and review.is_submitted:  # read-only from now on
        if request.method == "POST":
            messages.error(request, _("This review was submitted and can no longer be changed."))
        return redirect("facilitators:review_detail", code=review.code)
    parts = _parts(assignment)
    if request.method != "POST":
        form = ReviewForm(rubric=assignment.rubric, parts=parts, review=review)
        return _form_page(request, assignment, form)

    form = ReviewForm(request.POST, rubric=assignment.rubric, parts=parts)
    if not form.is_valid():
        return _form_page(request, assignment, form, status=400)
    action = request.POST.get("action", SAVE_DRAFT)
    saved = False
    try:
        # The draft is saved first, in its own transaction: a refused submission keeps it.
        review = review_save_draft(
            assignment=assignment, by=request.user, ratings=form.ratings(), overall=form.overall()
        )
        saved = True
        if action == SUBMIT and confirmed(request.POST):
            review = review_submit(
                assignment=assignment,
                by=request.user,
                ratings=form.ratings(),
                overall=form.overall(),
            )
            messages.success(request, _("Review submitted. Thank you."))
            return redirect("facilitators:review_detail", code=review.code)
        if action == SUBMIT:
            review_check_complete(
                review=Review.objects.prefetch_related("ratings").get(pk=review.pk)
            )
            return confirmation_page(
                request,
                heading=_("Submit this review?"),
                lead=_("Once submitted, the review cannot be changed."),
                button=_("Submit the review"),
                back=reverse("facilitators:review_form", kwargs={"code": assignment.code}),
                notes=[
                    _(
                        "Your access to the recording ends when you submit. The facilitator "
                        "and their program managers will read the review."
                    )
                ],
                hidden=_hidden_fields(request),
            )
    except ValidationError as error:
        form.add_service_error(error)
        notice = _("Saved as a draft. To submit, finish what is marked below.") if saved else ""
        return _form_page(request, assignment, form, status=400, notice=notice)
    messages.success(request, _("Draft saved."))
    return redirect("facilitators:review_form", code=assignment.code)


@role_required(Role.FACILITATOR)
@require_GET
def review_list_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A facilitator's submitted reviews of their sessions, with the part means over time."""
    reviews = review_list_for_facilitator(user=request.user)
    rows = [{"review": review, "scores": scores_of(review)} for review in reviews]
    return render(
        request,
        "facilitators/reviews/list.html",
        {"rows": rows, "series": part_means_series(reviews)},
    )


@login_required
@require_GET
def review_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A submitted review, read-only, with its scores: for its author, the organization's
    managers and the facilitators of the reviewed session."""
    found = get_review_for_reader(request.user, code)
    review = reviews_with_scores().get(pk=found.pk)
    ratings = {rating.item_id: rating for rating in review.ratings.all()}
    parts = [
        {"part": part, "items": [(item, ratings.get(item.pk)) for item in part.items.all()]}
        for part in review.assignment.rubric.parts.all()
    ]
    return render(
        request,
        "facilitators/reviews/detail.html",
        {
            "review": review,
            "assignment": review.assignment,
            "scores": scores_of(review),
            "parts": parts,
        },
    )
