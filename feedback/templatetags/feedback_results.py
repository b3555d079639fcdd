"""The navigation's link to the feedback results of each organization the user manages
or facilitates in."""

from typing import Any

from django import template

from accounts.access import membership_list_for
from accounts.models import Organization, Role

register = template.Library()


@register.simple_tag
def results_organizations(user: Any) -> list[Organization]:
    """The organizations whose results page the user may open, from the memberships
    already read for the request (no query of its own)."""
    return [
        membership.organization
        for membership in membership_list_for(user)
        if membership.role in (Role.MANAGER, Role.FACILITATOR)
    ]
