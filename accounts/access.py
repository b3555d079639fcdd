"""Access helpers: 404 outside the user's organizations, 403 for a role that may not act."""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404

from .models import Membership, Organization, Role
from .scoping import memberships_of, scope_to_user


def roles_of(user: Any) -> set[str]:
    """The roles a user holds in any organization (from the memberships cached for the
    request)."""
    return {membership.role for membership in membership_list_for(user)}


def role_in(user: Any, organization_id: int) -> str | None:
    """The user's role in one organization, or None."""
    return (
        memberships_of(user)
        .filter(organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def require_role(user: Any, organization_id: int, roles: Iterable[str]) -> str:
    """Raise 403 unless the user holds one of `roles` in the organization."""
    role = role_in(user, organization_id)
    if role not in set(roles):
        raise PermissionDenied
    return role  # type: ignore[return-value]


def get_scoped_object_or_404(
    queryset: models.QuerySet,
    user: Any,
    *,
    path: str = "organization",
    roles: Iterable[str] | None = None,
    **lookup: Any,
) -> Any:
    """Fetch one organization-owned object: 404 when it is outside the user's
    organizations, 403 when the user's role there is not one of `roles`."""
    obj = get_object_or_404(scope_to_user(queryset, user, path=path), **lookup)
    if roles is not None:
        *parents, last = path.split("__")
        owner = obj
        for part in parents:
            owner = getattr(owner, part)
        require_role(user, getattr(owner, f"{last}_id"), roles)
    return obj


def organizations_managed_by(user: Any) -> models.QuerySet[Organization]:
    """The organizations the user holds a manager membership in."""
    return Organization.objects.filter(
        pk__in=memberships_of(user, roles=[Role.MANAGER]).values("organization_id")
    )


def get_managed_organization_or_404(user: Any, code: Any) -> Organization:
    """An organization the user manages: 404 if not a member, 403 if a member but not manager."""
    org = get_object_or_404(
        Organization.objects.filter(pk__in=memberships_of(user).values("organization_id")),
        code=code,
    )
    require_role(user, org.pk, [Role.MANAGER])
    return org


def role_required(*roles: str) -> Callable:
    """Login required, and 403 unless the user holds one of `roles` in some organization."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not roles_of(request.user) & set(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def membership_list_for(user: Any) -> list[Membership]:
    """The user's memberships with their organizations, read once per request: the user
    object is loaded afresh for each request, and the navigation, the MFA rule and the
    time zone all ask."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(memberships_of(user).select_related("organization").order_by("pk"))
        user._memberships_cache = cached
    return cached
