"""Template tags for pages outside sessions_app that show a user's sessions and groups
(the home page lives in accounts, which may not import sessions_app)."""

from django import template

from accounts.models import User

from ..selectors.next_steps import OrganizationSteps, next_steps_for_manager
from ..selectors.running import MySessions, my_sessions

register = template.Library()


@register.simple_tag
def my_sessions_summary(user: User) -> MySessions:
    """Today's, upcoming and recent sessions the user facilitates (two queries)."""
    return my_sessions(user=user)


@register.simple_tag
def manager_next_steps(user: User) -> list[OrganizationSteps]:
    """What each organization the user manages needs next (three queries)."""
    return next_steps_for_manager(user=user)
