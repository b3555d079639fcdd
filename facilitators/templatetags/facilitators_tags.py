"""Template tags for pages outside facilitators that show bench depth: the group page
(sessions_app) and the manager's home (accounts). Neither app may import facilitators;
their templates load this library instead."""

from typing import Any

from django import template

from accounts.models import User
from sessions_app.models import Group

from ..selectors.bench import GroupBench, OrganizationBench, bench_for_group, bench_for_manager

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
