from collections.abc import Callable
from functools import cache
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services, session_limits
from .access import get_managed_organization_or_404, membership_list_for
from .confirm import confirmation_page, confirmed
from .forms import AcceptInvitationForm, InvitationForm
from .http import AuthenticatedHttpRequest
from .middleware import user_has_mfa, user_must_use_mfa
from .models import Invitation, Organization, User
from .querystring import page_number

ORGANIZATIONS_PER_PAGE = 25


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role lands where its work is: a platform admin on the organizations, a manager
    on each organization's next steps (templates/includes/home_manager.html asks
    sessions_app), facilitators and reviewers on their sessions and reviews."""
    organizations = None
    if request.user.is_staff:
        organizations = Paginator(
            selectors.organization_list_for_platform_admin(), ORGANIZATIONS_PER_PAGE
        ).get_page(page_number(request))
    return render(
        request,
        "accounts/home.html",
        {"memberships": membership_list_for(request.user), "organizations": organizations},
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer with the site's icon
    (a 404 would render a page, and set a cookie, on a participant's phone)."""
    response = HttpResponse(_favicon_svg(), content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=86400"
    return response


@cache
def _favicon_svg() -> bytes:
    path = finders.find("favicon.svg")
    assert isinstance(path, str), "static/favicon.svg is missing"
    with open(path, "rb") as icon:
        return icon.read()


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """The installable app's manifest. Its name and icon are neutral on purpose: a phone's
    home screen must not tell anyone what the app is for."""
    response = JsonResponse(
        {
            "name": _("Group planner"),
            "short_name": _("Planner"),
            "description": _("Plan and run group sessions."),
            "lang": get_language(),
            "start_url": reverse("home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#2f5d62",
            "icons": [
                {
                    "src": static(f"icons/app-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ]
            + [{"src": static("icons/app.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database's state, and Redis's when configured."""
    checks: dict[str, str] = {}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@login_required
@require_GET
def staff(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    organization = get_managed_organization_or_404(request.user, org_code)
    return _staff_page(request, organization, form=InvitationForm())


def _staff_page(
    request: AuthenticatedHttpRequest,
    organization: Organization,
    *,
    form: InvitationForm,
    already_invited: Invitation | None = None,
    status: int = 200,
) -> HttpResponse:
    members = Paginator(selectors.membership_list_for_organization(organization=organization), 50)
    return render(
        request,
        "accounts/staff.html",
        {
            "organization": organization,
            "members": members.get_page(page_number(request)),
            "invitations": selectors.invitation_list_pending(organization=organization),
            "form": form,
            "already_invited": already_invited,
        },
        status=status,
    )


def _invitation_url(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(
        reverse("accounts:invitation_accept", args=[token])
    )


def _get_invitation(organization: Organization, code: UUID) -> Invitation:
    try:
        return Invitation.objects.get(organization=organization, code=code)
    except Invitation.DoesNotExist as error:
        raise Http404 from error


@login_required
@require_POST
def invitation_create(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    organization = get_managed_organization_or_404(request.user, org_code)
    form = InvitationForm(request.POST)
    already_invited = None
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                build_url=_invitation_url(request),
            )
        except ValidationError as error:
            if error.code == "already_invited":
                already_invited = selectors.invitation_pending_for_email(
                    organization=organization, email=form.cleaned_data["email"]
                )
            form.add_error("email", error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:staff", org_code=organization.code)
    return _staff_page(
        request, organization, form=form, already_invited=already_invited, status=400
    )


@login_required
@require_POST
def invitation_resend(
    request: AuthenticatedHttpRequest, org_code: UUID, code: UUID
) -> HttpResponse:
    """Send a pending invitation again with a fresh link; the old link stops working."""
    organization = get_managed_organization_or_404(request.user, org_code)
    invitation = _get_invitation(organization, code)
    try:
        fresh, _token = services.invitation_resend(
            invitation=invitation, by=request.user, build_url=_invitation_url(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Invitation sent again to %(email)s with a new link; the old link no longer works.")
            % {"email": fresh.email},
        )
    return redirect("accounts:staff", org_code=organization.code)


@login_required
@require_POST
def invitation_revoke(
    request: AuthenticatedHttpRequest, org_code: UUID, code: UUID
) -> HttpResponse:
    organization = get_managed_organization_or_404(request.user, org_code)
    invitation = _get_invitation(organization, code)
    if not confirmed(request.POST):
        return confirmation_page(
            request,
            heading=_("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
            lead=_(
                "The link sent to %(email)s stops working at once, and they will not "
                "join %(organization)s as %(role)s with it."
            )
            % {
                "email": invitation.email,
                "organization": organization.name,
                "role": invitation.get_role_display(),
            },
            notes=[_("You can invite them again later.")],
            button=_("Withdraw the invitation"),
            back=reverse("accounts:staff", kwargs={"org_code": organization.code}),
        )
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:staff", org_code=organization.code)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None:
        raise Http404
    try:
        services.invitation_check(invitation)
    except ValidationError as error:
        return _invitation_unusable(request, error, status=410)

    # Signed in: accept as that account. Otherwise: create an account from the form.
    signed_in = request.user if isinstance(request.user, User) else None
    form = None if signed_in else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = services.invitation_accept(
                token=token,
                user=signed_in,
                display_name=form.cleaned_data["display_name"] if form else "",
                password=form.cleaned_data["password1"] if form else None,
            )
        except ValidationError as error:
            return _invitation_unusable(request, error, status=409)
        if form is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome to %(org)s.") % {"org": invitation.organization.name},
        )
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


def _invitation_unusable(
    request: HttpRequest, error: ValidationError, *, status: int
) -> HttpResponse:
    return render(
        request, "accounts/invitation_unusable.html", {"reason": error.messages[0]}, status=status
    )


@login_required
@require_GET
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own account: who they are where, their language, and the
    way to their password and two-step sign-in."""
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": membership_list_for(request.user),
            "has_mfa": user_has_mfa(request.user),
            "must_use_mfa": user_must_use_mfa(request.user),
            "languages": [
                (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
            ],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """How long this sign-in has left (GET), after counting the call as activity (POST:
    the page sends it while someone types without submitting). 401 when signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    if request.method == "POST":
        session_limits.session_touch(request, force=True)
    remaining = session_limits.session_remaining(request)
    return JsonResponse(
        {
            "signed_in": True,
            "seconds_left": max(0, int(remaining.seconds)),
            "reason": remaining.reason,
        }
    )


@login_required
@require_POST
def sign_out_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    """End every other session of the signed-in person; this one goes on."""
    if not confirmed(request.POST):
        return confirmation_page(
            request,
            heading=_("Sign out everywhere else?"),
            lead=_(
                "Every other browser and phone where you are signed in is signed out at "
                "once. This browser stays signed in."
            ),
            notes=[
                _(
                    "Do this if you signed in on a shared or lost computer or phone. "
                    "Anything typed there and not saved is lost."
                )
            ],
            button=_("Sign out every other browser and phone"),
            back=reverse("accounts:profile"),
        )
    services.user_sign_out_everywhere(user=request.user)
    # This session's hash is written again for the new epoch (and its key changes).
    update_session_auth_hash(request, request.user)
    messages.success(request, _("Every other browser and phone is now signed out."))
    return redirect("accounts:profile")
