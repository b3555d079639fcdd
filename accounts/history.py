"""The one way a service records who made a change (invariant 7).

django-simple-history takes the author from the request when there is one; a service
called from a Celery task, a management command or another service has none. These
helpers name the author on the row itself, so every change says who made it.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models


def save_with_history(
    obj: models.Model, *, by: Any, update_fields: Iterable[str] | None = None
) -> None:
    """Save `obj`, recording `by` as the author of its history row."""
    obj._history_user = by  # type: ignore[attr-defined]
    obj.save(update_fields=list(update_fields) if update_fields is not None else None)


def delete_with_history(obj: models.Model, *, by: Any) -> None:
    """Delete `obj`; its history keeps who deleted it and when."""
    obj._history_user = by  # type: ignore[attr-defined]
    obj.delete()
