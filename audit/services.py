"""Writes of the audit trail: `record_access` (one INSERT per request) and
`access_events_purge` (the single sanctioned delete, for retention)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pgtrigger
from django.db import models
from django.http import HttpRequest

from accounts.models import Organization

from .models import NO_DELETE_TRIGGER, AccessEvent

Action = AccessEvent.Action


def _object_fields(obj: models.Model | None) -> tuple[str, str]:
    """The object's type and code: its UUID `code` where it has one, else its id. Never
    its name (a participant's chosen name identifies them)."""
    if obj is None:
        return "", ""
    code = getattr(obj, "code", None) or obj.pk
    return obj._meta.model_name or "", str(code)


def record_access(
    request_or_user: HttpRequest | Any,
    action: str,
    *,
    organization: Organization | Iterable[Organization] | int | None,
    obj: models.Model | None = None,
    label: str = "",
) -> list[AccessEvent]:
    """Record that the signed-in person read something sensitive: one INSERT, one row per
    organization concerned (a list spanning several organizations appears in each
    one's trail). `label` says what in words, and must not name a participant."""
    user: Any = getattr(request_or_user, "user", request_or_user)
    path = request_or_user.path if isinstance(request_or_user, HttpRequest) else ""
    actor: Any = user if getattr(user, "is_authenticated", False) else None
    object_type, object_code = _object_fields(obj)
    if organization is None or isinstance(organization, Organization | int):
        organizations: list[Any] = [organization]
    else:
        organizations = list(organization) or [None]
    rows = [
        AccessEvent(
            organization_id=org.pk if isinstance(org, Organization) else org,
            actor=actor,
            actor_label=getattr(actor, "email", "") if actor else "",
            action=action,
            object_type=object_type,
            object_code=object_code,
            object_label=str(label)[:200],
            path=path[:500],
        )
        for org in organizations
    ]
    return AccessEvent.objects.bulk_create(rows)


def access_events_purge(older_than: datetime) -> int:
    """Delete the events that occurred before `older_than` (retention); the only delete
    the append-only trigger lets through. Returns how many rows went."""
    with pgtrigger.ignore(f"audit.AccessEvent:{NO_DELETE_TRIGGER}"):
        deleted, _ = AccessEvent.objects.filter(occurred_at__lt=older_than).delete()
    return deleted
