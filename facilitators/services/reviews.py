"""Writes for reviews: save a draft any number of times, submit once. Submitting closes
the assignment: the reviewer's recording access ends, and the recording is marked
reviewed when no open assignment of it is left."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import save_with_history
from accounts.models import User

from ..models import (
    ItemRating,
    Review,
    ReviewAssignment,
    RubricItem,
    on_rating_grid,
)
from .assignments import review_assignment_close

# Messages tests assert on, marked for translation; gettext at call time.
RATING_OFF_GRID = gettext_noop(
    "Ratings run from 0 to 3 in half points (0, 0.5, 1 … 3); %(value)s is not one of them."
)
BOTH_RATED_AND_CANT_RATE = gettext_noop("Give a rating or mark it “can't rate”, not both.")
CANT_RATE_NEEDS_REASON = gettext_noop("Say why it can't be rated.")
ITEM_NOT_RATED = gettext_noop("Rate this item, or mark it “can't rate” with a reason.")
HELPFULNESS_MISSING = gettext_noop("Rate helpfulness too, or mark it “can't rate”.")
RECOMMENDATION_MISSING = gettext_noop("Choose an overall recommendation before submitting.")
ALREADY_SUBMITTED = gettext_noop("This review was submitted and can no longer be changed.")
NOT_YOUR_REVIEW = gettext_noop("Only the assigned reviewer can write this review.")
ASSIGNMENT_CLOSED = gettext_noop("This assignment was withdrawn.")


class RatingInput(TypedDict, total=False):
    adherence: Decimal | None
    helpfulness: Decimal | None
    cant_rate: bool
    cant_rate_reason: str
    strengths: str
    to_work_on: str


RATING_FIELDS = ("adherence", "helpfulness", "cant_rate", "cant_rate_reason")
TEXT_FIELDS = ("strengths", "to_work_on")


def rating_check(value: Any) -> Decimal | None:
    """A rating is empty or one of 0, 0.5, ... 3; anything else is refused with a message."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(
            _(RATING_OFF_GRID) % {"value": value}, code="rating_off_grid"
        ) from None
    if not number.is_finite() or not on_rating_grid(number):
        raise ValidationError(_(RATING_OFF_GRID) % {"value": value}, code="rating_off_grid")
    return number.quantize(Decimal("0.1"))


def _check_item(item: RubricItem, data: RatingInput) -> dict[str, Any]:
    """One item's input, checked: values on the grid, "can't rate" without values."""
    adherence = rating_check(data.get("adherence"))
    helpfulness = rating_check(data.get("helpfulness")) if item.takes_helpfulness else None
    cant_rate = bool(data.get("cant_rate"))
    reason = data.get("cant_rate_reason", "") or ""
    if cant_rate and (adherence is not None or helpfulness is not None):
        raise ValidationError(_(BOTH_RATED_AND_CANT_RATE), code="both")
    if reason and reason not in ItemRating.CantRateReason.values:
        raise ValidationError(_(CANT_RATE_NEEDS_REASON), code="reason")
    return {
        "adherence": adherence,
        "helpfulness": helpfulness,
        "cant_rate": cant_rate,
        "cant_rate_reason": reason if cant_rate else "",
        "strengths": data.get("strengths", "") or "",
        "to_work_on": data.get("to_work_on", "") or "",
    }


def _require_writable(*, assignment: ReviewAssignment, by: User) -> None:
    if assignment.reviewer_id != by.pk:
        raise ValidationError(_(NOT_YOUR_REVIEW), code="not_yours")
    if assignment.status == ReviewAssignment.Status.SUBMITTED:
        raise ValidationError(_(ALREADY_SUBMITTED), code="submitted")
    if assignment.status != ReviewAssignment.Status.OPEN:
        raise ValidationError(_(ASSIGNMENT_CLOSED), code="closed")


@transaction.atomic
def review_save_draft(
    *,
    assignment: ReviewAssignment,
    by: User,
    ratings: Mapping[int, RatingInput],
    overall: Mapping[str, str],
) -> Review:
    """Save what the reviewer has so far (any number of times). Every value is checked
    first: one refused value saves nothing. Items not in the rubric are ignored."""
    _require_writable(assignment=assignment, by=by)
    items = {
        item.pk: item for item in RubricItem.objects.filter(part__rubric_id=assignment.rubric_id)
    }
    errors: dict[str, list[ValidationError]] = {}
    checked: dict[int, dict[str, Any]] = {}
    for item_id, data in ratings.items():
        item = items.get(item_id)
        if item is None:
            continue
        try:
            checked[item_id] = _check_item(item, data)
        except ValidationError as error:
            errors[f"item-{item_id}"] = [error]
    recommendation = overall.get("overall_recommendation", "") or ""
    if recommendation and recommendation not in Review.Recommendation.values:
        errors["overall_recommendation"] = [ValidationError(_(RECOMMENDATION_MISSING))]
    if errors:
        raise ValidationError(errors)

    review = Review.objects.select_for_update().filter(assignment=assignment).first()
    if review is None:
        review = Review(assignment=assignment)
    elif review.is_submitted:
        raise ValidationError(_(ALREADY_SUBMITTED), code="submitted")
    review.overall_strengths = overall.get("overall_strengths", "") or ""
    review.overall_to_work_on = overall.get("overall_to_work_on", "") or ""
    review.overall_recommendation = recommendation
    save_with_history(review, by=by)

    existing = {rating.item_id: rating for rating in review.ratings.all()}
    new, changed = [], []
    for item_id, values in checked.items():
        rating = existing.get(item_id)
        if rating is None:
            new.append(ItemRating(review=review, item_id=item_id, **values))
        else:
            for name, value in values.items():
                setattr(rating, name, value)
            changed.append(rating)
    ItemRating.objects.bulk_create(new)
    if changed:
        ItemRating.objects.bulk_update(changed, [*RATING_FIELDS, *TEXT_FIELDS])
    return review


def ratings_gaps(
    *, items: Iterable[RubricItem], ratings: Mapping[int, Mapping[str, Any]]
) -> dict[str, list[ValidationError]]:
    """What a complete rating lacks, by item (`item-<pk>`): every item rated (helpfulness
    too where the item takes it) or "can't rate" with a reason. Reviews and calibration
    attempts are complete by this one rule."""
    errors: dict[str, list[ValidationError]] = {}
    for item in items:
        rating = ratings.get(item.pk)
        if rating is not None and rating["cant_rate"]:
            if not rating["cant_rate_reason"]:
                errors[f"item-{item.pk}"] = [ValidationError(_(CANT_RATE_NEEDS_REASON))]
        elif rating is None or rating["adherence"] is None:
            errors[f"item-{item.pk}"] = [ValidationError(_(ITEM_NOT_RATED))]
        elif item.takes_helpfulness and rating["helpfulness"] is None:
            errors[f"item-{item.pk}"] = [ValidationError(_(HELPFULNESS_MISSING))]
    return errors


def review_check_complete(*, review: Review) -> None:
    """Every item complete (`ratings_gaps`) and an overall recommendation; raises naming
    each gap."""
    ratings = {
        rating.item_id: {name: getattr(rating, name) for name in RATING_FIELDS}
        for rating in review.ratings.all()
    }
    items = RubricItem.objects.filter(part__rubric_id=review.assignment.rubric_id)
    errors = ratings_gaps(items=items, ratings=ratings)
    if not review.overall_recommendation:
        errors["overall_recommendation"] = [ValidationError(_(RECOMMENDATION_MISSING))]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_submit(
    *,
    assignment: ReviewAssignment,
    by: User,
    ratings: Mapping[int, RatingInput],
    overall: Mapping[str, str],
) -> Review:
    """Save the final input and submit it, once: complete or refused (nothing saved). The
    assignment closes, the reviewer's access to the recording ends, and the recording is
    marked reviewed if this was its last open assignment."""
    review = review_save_draft(assignment=assignment, by=by, ratings=ratings, overall=overall)
    review_check_complete(review=review)
    review.status = Review.Status.SUBMITTED
    review.submitted_at = timezone.now()
    save_with_history(review, by=by, update_fields=["status", "submitted_at", "saved_at"])
    review_assignment_close(assignment=assignment, status=ReviewAssignment.Status.SUBMITTED, by=by)
    return review
