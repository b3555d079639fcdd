from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import session_limits
from .access import membership_list_for, roles_of
from .models import MFA_REQUIRED_ROLES
from .participant_pages import is_participant_path

# The keep-alive the signed-in pages call (static/js/idle-timeout.js).
KEEPALIVE_PATH = "/me/keep-alive/"
# Pages reachable before MFA is set up: the account pages themselves (including the MFA
# set-up and logout), the language switch (a manager setting up may read Spanish), static
# files, the health check and the keep-alive (it shows nothing, and the set-up pages call
# it too).
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", KEEPALIVE_PATH)


class SessionLimitsMiddleware:
    """A staff sign-in ends after SESSION_IDLE_MINUTES without a request, and
    SESSION_ABSOLUTE_HOURS after signing in whatever happens (accounts.session_limits).
    The request that comes too late is served signed out: a staff page sends it to sign
    in again with `next` pointing back. A form posted too late goes back to the page it
    was posted from (its typed text is kept in the browser, idle-timeout.js)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_participant_path(request.path_info) or not request.user.is_authenticated:
            return self.get_response(request)
        remaining = session_limits.session_remaining(request)
        if remaining.seconds <= 0:
            logout(request)
            if remaining.reason == "absolute":
                text = _(
                    "You were signed out: a sign-in lasts %(hours)s hours at most. "
                    "Sign in again to go on."
                ) % {"hours": f"{float(settings.SESSION_ABSOLUTE_HOURS):g}"}
            else:
                text = _(
                    "You were signed out because nothing happened for %(minutes)s minutes. "
                    "Sign in again to go on."
                ) % {"minutes": f"{float(settings.SESSION_IDLE_MINUTES):g}"}
            messages.info(request, text)
            if request.method == "POST" and request.path_info != KEEPALIVE_PATH:
                return redirect_to_login(_posted_from(request))
            return self.get_response(request)
        # The keep-alive decides itself: its GET only asks how long is left.
        if request.path_info != KEEPALIVE_PATH:
            session_limits.session_touch(request)
        return self.get_response(request)


def _posted_from(request) -> str:
    """The page a form was posted from (same site only), else the URL it posted to."""
    referer = urlsplit(request.headers.get("Referer", ""))
    path = referer.path
    if referer.netloc == request.get_host() and path.startswith("/") and not path.startswith("//"):
        return path + (f"?{referer.query}" if referer.query else "")
    return request.get_full_path()


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


class ClearSiteDataOnSignOutMiddleware:
    """Signing out empties everything this site kept in the browser (the session page's
    offline copies and its queue of unsent changes, drafts, the service worker): a
    phone passed to someone else keeps nothing of the person who used it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.path_info == reverse("account_logout")
            and response.status_code < 400
        ):
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


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
