"""Writes for rater calibration: a platform admin keeps a calibration recording (sessions_app
keeps its file while it is in use); a reviewer starts an attempt (a recording grant through
sessions_app) and submits it once, compared item by item with the gold standard."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import save_with_history
from accounts.models import User
from sessions_app.services import (
    recording_grant_access,
    recording_keep_for_calibration,
    recording_revoke_access,
)

from ..models import (
    CalibrationAttempt,
    CalibrationRating,
    CalibrationRecording,
    GoldRating,
    RubricItem,
)
from .reviews import RatingInput, _check_item, ratings_gaps

# Messages tests assert on, marked for translation; gettext at call time.
NOT_AVAILABLE = gettext_noop("This calibration recording is no longer in use.")
NOT_YOUR_ATTEMPT = gettext_noop("Only the reviewer who started this attempt can submit it.")
ATTEMPT_SUBMITTED = gettext_noop("This attempt was submitted and can no longer be changed.")

DIMENSIONS = ("adherence", "helpfulness")


@transaction.atomic
def calibration_recording_save(*, calibration: CalibrationRecording, by: User) -> None:
    """Save a calibration recording (the admin's form) and tell sessions_app to keep its
    file while it is in use, or to release it to normal retention."""
    if calibration.pk is None:
        calibration.created_by = by
    calibration.full_clean()
    save_with_history(calibration, by=by)
    recording_keep_for_calibration(recording=calibration.recording, keep=calibration.active, by=by)


@dataclass
class Comparison:
    agreeing: int = 0
    compared: int = 0
    # Items with at least one rating outside tolerance (or "can't rate"), in rubric order.
    disagreed: list[int] = field(default_factory=list)

    @property
    def agreement(self) -> Decimal:
        if not self.compared:
            return Decimal(0)
        return (Decimal(self.agreeing) / Decimal(self.compared)).quantize(Decimal("0.001"))

    @property
    def passed(self) -> bool:
        # Exact, not the rounded share: 4 of 5 is 0.8 and passes at 0.8.
        minimum = Decimal(str(settings.CALIBRATION_MIN_AGREEMENT))
        return self.compared > 0 and Decimal(self.agreeing) >= minimum * self.compared


def calibration_compare(
    *, items: list[RubricItem], gold: Mapping[int, GoldRating], ratings: Mapping[int, Any]
) -> Comparison:
    """Compare a rater's ratings with gold, item by item. Each dimension (adherence,
    helpfulness) that gold rates is one comparison; it agrees when the rater's value is
    within CALIBRATION_TOLERANCE of gold (|rating - gold| <= tolerance, so at exactly the
    tolerance it agrees). An item the rater marked "can't rate" (or left without a value
    gold has) counts as a disagreement on each dimension gold rates: a calibrated rater
    must be able to rate what the expert rated. Items without gold are not compared."""
    tolerance = Decimal(str(settings.CALIBRATION_TOLERANCE))
    result = Comparison()
    for item in items:
        expert = gold.get(item.pk)
        if expert is None:
            continue
        rated = ratings.get(item.pk) or {}
        item_agrees = True
        for name in DIMENSIONS:
            expected = getattr(expert, name)
            if expected is None:
                continue
            given = None if rated.get("cant_rate") else rated.get(name)
            result.compared += 1
            if given is not None and abs(Decimal(given) - expected) <= tolerance:
                result.agreeing += 1
            else:
                item_agrees = False
        if not item_agrees:
            result.disagreed.append(item.pk)
    return result


@transaction.atomic
def calibration_start(*, calibration: CalibrationRecording, by: User) -> CalibrationAttempt:
    """Start (or return the open) attempt of a reviewer on an active calibration recording
    of an organization where they hold a reviewer membership, with access to play it."""
    if not CalibrationRecording.objects.available_to(by).filter(pk=calibration.pk).exists():
        raise ValidationError(_(NOT_AVAILABLE), code="not_available")
    attempt = (
        CalibrationAttempt.objects.select_for_update()
        .filter(reviewer=by, calibration=calibration, submitted_at=None)
        .first()
    )
    if attempt is None:
        attempt = CalibrationAttempt(reviewer=by, calibration=calibration)
        save_with_history(attempt, by=by)
    recording_grant_access(recording=calibration.recording, user=by, granted_by=by)
    return attempt


@transaction.atomic
def calibration_submit(
    *, attempt: CalibrationAttempt, by: User, ratings: Mapping[int, RatingInput]
) -> CalibrationAttempt:
    """Submit an attempt once, complete (every item rated or "can't rate" with a reason)
    or refused with nothing saved; it is compared with gold, scored, and the reviewer's
    access to the recording ends."""
    locked = CalibrationAttempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.reviewer_id != by.pk:
        raise ValidationError(_(NOT_YOUR_ATTEMPT), code="not_yours")
    if locked.submitted_at is not None:
        raise ValidationError(_(ATTEMPT_SUBMITTED), code="submitted")
    calibration = attempt.calibration
    items = list(
        RubricItem.objects.filter(part__rubric_id=calibration.rubric_id).order_by(
            "part__order", "part_id", "order", "pk"
        )
    )
    errors: dict[str, list[ValidationError]] = {}
    checked: dict[int, dict[str, Any]] = {}
    for item in items:
        try:
            checked[item.pk] = _check_item(item, ratings.get(item.pk, RatingInput()))
        except ValidationError as error:
            errors[f"item-{item.pk}"] = [error]
    if errors:
        raise ValidationError(errors)
    gaps = ratings_gaps(items=items, ratings=checked)
    if gaps:
        raise ValidationError(gaps)

    gold = {rating.item_id: rating for rating in GoldRating.objects.filter(calibration=calibration)}
    comparison = calibration_compare(items=items, gold=gold, ratings=checked)
    disagreed = set(comparison.disagreed)
    CalibrationRating.objects.bulk_create(
        CalibrationRating(
            attempt=attempt,
            item_id=item_id,
            adherence=values["adherence"],
            helpfulness=values["helpfulness"],
            cant_rate=values["cant_rate"],
            cant_rate_reason=values["cant_rate_reason"],
            agrees=item_id in gold and item_id not in disagreed,
        )
        for item_id, values in checked.items()
    )
    attempt.submitted_at = timezone.now()
    attempt.agreement = comparison.agreement
    attempt.passed = comparison.passed
    save_with_history(attempt, by=by, update_fields=["submitted_at", "agreement", "passed"])
    recording_revoke_access(recording=calibration.recording, user=by, revoked_by=by)
    return attempt
