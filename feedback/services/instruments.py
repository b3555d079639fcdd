"""Writes for feedback instruments: a version with responses is frozen (the models refuse
edits), so a change is a copy as a new version."""

from django.db import transaction

from accounts.history import save_with_history
from accounts.models import User

from ..models import FeedbackInstrument, FeedbackItem


@transaction.atomic
def feedback_instrument_copy_as_new_version(
    *, instrument: FeedbackInstrument, by: User
) -> FeedbackInstrument:
    """Copy an instrument with its questions (both languages, scales, order) as the next
    version of its name for the same owner. The copy is inactive: the admin edits it and
    then switches it on; new links take the highest active version."""
    latest = (
        FeedbackInstrument.objects.filter(
            name=instrument.name, organization=instrument.organization
        )
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) or instrument.version
    copy = FeedbackInstrument(
        name=instrument.name,
        version=latest + 1,
        active=False,
        organization_id=instrument.organization_id,
    )
    copy.full_clean()
    save_with_history(copy, by=by)
    for item in instrument.items.order_by("order", "pk"):
        save_with_history(
            FeedbackItem(
                instrument=copy,
                key=item.key,
                kind=item.kind,
                order=item.order,
                required=item.required,
                prompt_en=item.prompt_en,
                prompt_es=item.prompt_es,
                scale_en=item.scale_en,
                scale_es=item.scale_es,
            ),
            by=by,
        )
    return copy
