"""The certification track: its page, and the one POST that changes it."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest

from ..access import get_profile_for_certification
from ..forms.certification import CertificationChangeForm
from ..selectors.certification import certification_track
from ..services.certification import certification_change

TRACK_PAGE = "facilitators/certification/track.html"


def _safe_next(request: HttpRequest) -> str | None:
    """The POSTed `next` when it points back into this site (the facilitator page that
    includes the track), else None."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_GET
def certification_detail(request: AuthenticatedHttpRequest, profile_code: UUID) -> HttpResponse:
    """The track on its own page: its facilitator and the organization's managers."""
    profile = get_profile_for_certification(request.user, profile_code)
    return render(request, TRACK_PAGE, {"profile": profile})


@login_required
@require_POST
def certification_change_view(
    request: AuthenticatedHttpRequest, profile_code: UUID
) -> HttpResponse:
    """Change the track: the form offers only what the viewer may do; the service keeps
    the rules and records the event."""
    profile = get_profile_for_certification(request.user, profile_code)
    track = certification_track(profile=profile, viewer=request.user)
    form = CertificationChangeForm(request.POST, choices=track.choices)
    back = _safe_next(request) or reverse(
        "facilitators:certification_detail", kwargs={"profile_code": profile.code}
    )
    if form.is_valid():
        try:
            certification_change(
                profile=profile,
                to_state=form.cleaned_data["to_state"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The certification track was updated."))
            return redirect(back)
    context = {
        "profile": profile,
        "certification_track": track,
        "certification_form": form,
        "certification_next": back,
    }
    return render(request, TRACK_PAGE, context, status=400)
