from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .access import membership_list_for, roles_of
from .models import MFA_REQUIRED_ROLES

# Pages reachable before MFA is set up: the account pages themselves (including the MFA
# set-up and logout), static files and the health check.
# The language switch too: a manager setting up two-step sign-in may read Spanish.
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def user_must_use_mfa(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.email.lower() in settings.MFA_EXEMPT_EMAILS:
        return False
    return user.is_staff or user.is_superuser or bool(roles_of(user) & MFA_REQUIRED_ROLES)


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class RequireMFAMiddleware:
    """Managers, reviewers and platform admins must set up MFA before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            not path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
            and user_must_use_mfa(request.user)
            and not user_has_mfa(request.user)
        ):
            # Answered before NoStoreForSignedInMiddleware (further in) sees the request,
            # so it says no-store itself, as every response to a signed-in user does.
            response = redirect(reverse("mfa_activate_totp"))
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """No response to a signed-in user, and no download, is kept by a browser or a proxy:
    on a shared computer the Back button after signing out must not show a participant
    list, a session's attendance or a recording."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
        if signed_in or response.streaming or response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
        return response


def organization_time_zone(user) -> ZoneInfo | None:
    """The time zone of the signed-in user's organization (their first membership's, for
    someone in several): where their sessions happen."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = membership_list_for(user)
    if not memberships:
        return None
    try:
        return ZoneInfo(memberships[0].organization.timezone)
    except (ValueError, ZoneInfoNotFoundError):
        return None


class OrganizationTimeZoneMiddleware:
    """Dates and times on every page in the organization's own time zone: a session at
    18:00 in New York shows as 6:00 p.m., not as 23:00 UTC. Pages about one group still
    switch to the group's zone where it differs ({% timezone %} in their templates)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = organization_time_zone(request.user)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
