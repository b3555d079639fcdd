"""The one place organization scoping lives.

Every organization-owned queryset reaches its rows through `scope_to_user`, usually via
`OrganizationScopedQuerySet.for_user(user)`. A user sees rows of the organizations they
belong to, optionally only where they hold one of `roles`. Platform admins get no
shortcut here: they work on other organizations' data in Django admin.
"""

from collections.abc import Iterable
from typing import Any, Self, cast

from django.db import models

from .models import Membership


def memberships_of(user: Any, *, roles: Iterable[str] | None = None) -> models.QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return memberships


def scope_to_user(
    queryset: models.QuerySet,
    user: Any,
    *,
    path: str = "organization",
    roles: Iterable[str] | None = None,
    include_shared: bool = False,
) -> models.QuerySet:
    """Rows of `queryset` whose organization (at `path`) is one the user belongs to.

    `include_shared` also keeps rows whose organization is blank (shared by everyone).
    """
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    org_ids = memberships_of(user, roles=roles).values("organization_id")
    condition = models.Q(**{f"{path}__in": org_ids})
    if include_shared:
        condition |= models.Q(**{f"{path}__isnull": True})
    return queryset.filter(condition)


class OrganizationScopedQuerySet(models.QuerySet):
    """Base queryset for organization-owned models; set `organization_path` on subclasses."""

    organization_path = "organization"

    def for_user(self, user: Any, *, roles: Iterable[str] | None = None) -> Self:
        return cast(Self, scope_to_user(self, user, path=self.organization_path, roles=roles))
