"""Template tags for pages outside facilitators: bench depth on the group page
(sessions_app) and the manager's home (accounts), the self-check offer on the session
page, and the debrief requests on the manager's home. Neither app may import facilitators;
their templates load this library instead."""

from typing import Any

from django import template

from accounts.models import User
from sessions_app.models import Group

from ..selectors.bench import GroupBench, OrganizationBench, bench_for_group, bench_for_manager
from ..selectors.self_checks import SelfCheckOffer, debrief_requests_for_manager
from ..selectors.self_checks import self_check_offer as _self_check_offer

register = template.Library()


@register.simple_tag
def manager_bench(user: User) -> dict[int, OrganizationBench]:
    """Bench depth of every organization the user manages (three queries)."""
    return bench_for_manager(user=user)


@register.filter
def bench_of(benches: dict[int, OrganizationBench], organization: Any) -> OrganizationBench | None:
    """One organization's bench from `manager_bench`."""
    return benches.get(getattr(organization, "pk", None))  # type: ignore[arg-type]


@register.simple_tag
def group_bench(group: Group) -> GroupBench | None:
    """How many trained facilitators the group has (two queries)."""
    return bench_for_group(group=group)


@register.simple_tag
def self_check_offer(session: Any, user: User) -> SelfCheckOffer:
    """On the session page: whether to offer the user the session's private self-check,
    and whether they took it already (no query unless the session is held)."""
    return _self_check_offer(session=session, user=user)


@register.simple_tag
def manager_debriefs(user: User) -> dict[int, list[Any]]:
    """Open debrief requests of every organization the user manages (one query)."""
    return debrief_requests_for_manager(user=user)


@register.filter
def debriefs_of(debriefs: dict[int, list[Any]], organization: Any) -> list[Any]:
    """One organization's open debrief requests from `manager_debriefs`."""
    return debriefs.get(getattr(organization, "pk", None), [])  # type: ignore[arg-type]
