"""The navigation's link to the reminders page of each organization the user manages."""

from typing import Any

from django import template

from accounts.access import membership_list_for
from accounts.models import Organization, Role

register = template.Library()


@register.simple_tag
def reminder_organizations(user: Any) -> list[Organization]:
    """Organizations the user manages, from the memberships already read for the request."""
    return [m.organization for m in membership_list_for(user) if m.role == Role.MANAGER]
