"""Writes for rubrics: a used version is frozen (the models refuse edits), so a change
is a copy as a new version."""

from django.db import transaction

from accounts.history import save_with_history
from accounts.models import User

from ..models import Rubric, RubricItem, RubricPart


@transaction.atomic
def rubric_copy_as_new_version(*, rubric: Rubric, by: User) -> Rubric:
    """Copy a rubric with its parts and items as the next version of its name (inactive,
    so the admin edits it and then switches it on)."""
    latest = (
        Rubric.objects.filter(kind=rubric.kind, name=rubric.name, organization=rubric.organization)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) or rubric.version
    copy = Rubric(
        kind=rubric.kind,
        name=rubric.name,
        version=latest + 1,
        description=rubric.description,
        active=False,
        organization=rubric.organization,
    )
    save_with_history(copy, by=by)
    for part in rubric.parts.prefetch_related("items"):
        new_part = RubricPart.objects.create(rubric=copy, name=part.name, order=part.order)
        RubricItem.objects.bulk_create(
            RubricItem(
                part=new_part,
                text=item.text,
                order=item.order,
                takes_helpfulness=item.takes_helpfulness,
            )
            for item in part.items.all()
        )
    return copy
