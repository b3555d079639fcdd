"""Writes for feedback responses: a participant's answers, stored with the session, the
instrument version and the day only (invariant 2), within the link's cap.

The cap holds under concurrent submissions: the link row is locked while its count is
compared with the cap and raised. A form nonce (kept in the page, never in a cookie) is
spent in the same transaction, so a double-tapped submit counts once. Nothing here logs.
"""

import enum
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum.participant_text import participant_text

from ..models import (
    RATING_POINTS,
    FeedbackAnswer,
    FeedbackItem,
    FeedbackLink,
    FeedbackResponse,
    UsedNonce,
)
from ..selectors.links import LinkState, feedback_link_state

TEXT_MAX_LENGTH = 1000

# Keys of the messages participants see (curriculum/participant_text.py).
NOT_A_RATING = "form.error.pick_one"
TEXT_TOO_LONG = "form.error.too_long"
ANSWER_NEEDED = "form.error.needed"


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    ALREADY_SENT = "already_sent"  # the same form sent twice: counted once
    FULL = "full"
    CLOSED = "closed"


def feedback_answer_check(item: FeedbackItem, raw: Any) -> tuple[int | None, str]:
    """The stored form of one raw answer, (number, text); (None, "") when skipped.
    Ratings are 0-3, yes/no is 1/0, text is trimmed and at most TEXT_MAX_LENGTH."""
    value = "" if raw is None else str(raw).strip()
    if item.kind == FeedbackItem.Kind.TEXT:
        if len(value) > TEXT_MAX_LENGTH:
            raise ValidationError(
                participant_text(TEXT_TOO_LONG, limit=TEXT_MAX_LENGTH), code="too_long"
            )
        number, text = None, value
    elif not value:
        number, text = None, ""
    elif item.kind == FeedbackItem.Kind.YES_NO:
        if value not in {"yes", "no"}:
            raise ValidationError(participant_text(NOT_A_RATING), code="invalid")
        number, text = (1 if value == "yes" else 0), ""
    else:
        if value not in {str(point) for point in range(RATING_POINTS)}:
            raise ValidationError(participant_text(NOT_A_RATING), code="invalid")
        number, text = int(value), ""
    if item.required and number is None and not text:
        raise ValidationError(participant_text(ANSWER_NEEDED), code="required")
    return number, text


def feedback_submit(*, link: FeedbackLink, nonce: str, answers: Mapping[int, Any]) -> Outcome:
    """Store one response to an open link, or say why not. `answers` maps item ids of the
    link's instrument to raw values; invalid values raise ValidationError keyed
    `item-<id>` and nothing is stored."""
    items = list(FeedbackItem.objects.filter(instrument_id=link.instrument_id))
    errors: dict[str, list[ValidationError]] = {}
    checked: dict[int, tuple[int | None, str]] = {}
    for item in items:
        try:
            checked[item.pk] = feedback_answer_check(item, answers.get(item.pk))
        except ValidationError as error:
            errors[f"item-{item.pk}"] = [error]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked = (
            FeedbackLink.objects.select_for_update(of=("self",))
            .select_related("session__group")
            .get(pk=link.pk)
        )
        state = feedback_link_state(link=locked)
        if state in {LinkState.CLOSED, LinkState.NOT_YET_OPEN}:
            return Outcome.CLOSED
        if nonce:
            try:
                with transaction.atomic():
                    UsedNonce.objects.create(link=locked, nonce=nonce[:64])
            except IntegrityError:
                return Outcome.ALREADY_SENT
        if state == LinkState.FULL:
            return Outcome.FULL
        session = locked.session
        response = FeedbackResponse.objects.create(
            session=session,
            instrument_id=locked.instrument_id,
            submitted_on=timezone.localdate(timezone.now(), session.group.zone),
        )
        FeedbackAnswer.objects.bulk_create(
            FeedbackAnswer(response=response, item_id=item_id, number=number, text=text)
            for item_id, (number, text) in checked.items()
            if number is not None or text
        )
        FeedbackLink.objects.filter(pk=locked.pk).update(response_count=locked.response_count + 1)
    return Outcome.ACCEPTED
