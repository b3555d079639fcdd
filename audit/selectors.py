"""Reads of the audit trail: an organization's events, filtered, newest first."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models

from accounts.models import Membership, Organization, User

from .models import AccessEvent


@dataclass(frozen=True)
class EventFilters:
    actor: User | None = None
    object_text: str = ""
    action: str = ""
    from_date: date | None = None
    to_date: date | None = None


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def access_event_list_for_organization(
    *, organization: Organization, filters: EventFilters
) -> models.QuerySet[AccessEvent]:
    """The organization's events matching the filters, newest first; the dates are days
    in the organization's time zone, both ends included, any span."""
    events = AccessEvent.objects.of_organization(organization)
    zone = ZoneInfo(organization.timezone)
    if filters.actor is not None:
        events = events.filter(actor=filters.actor)
    if filters.object_text:
        events = events.filter(
            models.Q(object_code__icontains=filters.object_text)
            | models.Q(object_label__icontains=filters.object_text)
            | models.Q(object_type__icontains=filters.object_text)
        )
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.from_date is not None:
        events = events.filter(occurred_at__gte=_local_midnight(filters.from_date, zone))
    if filters.to_date is not None:
        end = _local_midnight(filters.to_date + timedelta(days=1), zone)
        events = events.filter(occurred_at__lt=end)
    return events.order_by("-occurred_at", "-pk")


def audit_people(*, organization: Organization) -> models.QuerySet[User]:
    """The organization's members, the people an event list can be filtered by."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(organization=organization).values("user_id")
    ).order_by("email")


def event_csv_rows(events: Any, *, zone: ZoneInfo) -> Any:
    """The CSV's cells, one event per row, times in the organization's time zone."""
    for event in events.iterator(chunk_size=1000):
        yield [
            event.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.get_action_display(),
            event.object_type,
            event.object_code,
            event.object_label,
            event.path,
        ]
