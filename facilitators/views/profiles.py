"""Facilitator profiles: the manager's list per organization, a facilitator's page (their
profile, trainings, groups and certification track) and the profile's edit form."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import page_number
from sessions_app.forms.common import language_name

from ..access import get_profile_for_viewer
from ..forms.profiles import ProfileManagerForm, ProfileSelfForm
from ..forms.trainings import TrainingRejectForm
from ..selectors.profiles import profile_assignments, profile_list_for_organization, profile_rows
from ..selectors.trainings import training_list_for_profile
from ..services.profiles import profile_update

FACILITATORS_PER_PAGE = 25


@login_required
@require_GET
def facilitator_list(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """An organization's facilitators for its managers: kind, active, training status and
    the groups each facilitates (never the lived-experience answer)."""
    organization = get_managed_organization_or_404(request.user, org_code)
    page = Paginator(
        profile_list_for_organization(organization=organization), FACILITATORS_PER_PAGE
    ).get_page(page_number(request))
    return render(
        request,
        "facilitators/profiles/list.html",
        {
            "organization": organization,
            "page_obj": page,
            "rows": profile_rows(list(page.object_list), organization=organization),
        },
    )


@login_required
@require_GET
def facilitator_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A facilitator's page, for them and their managers."""
    profile, manages = get_profile_for_viewer(request.user, code)
    return render(
        request,
        "facilitators/profiles/detail.html",
        {
            "profile": profile,
            "can_manage": manages,
            "is_self": profile.membership.user_id == request.user.pk,
            "languages": [language_name(code) for code in profile.languages],
            "trainings": training_list_for_profile(profile=profile),
            "assignments": profile_assignments(profile=profile),
            "reject_form": TrainingRejectForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager edits every field; the facilitator their languages and lived experience."""
    profile, manages = get_profile_for_viewer(request.user, code)
    form_class = ProfileManagerForm if manages else ProfileSelfForm
    if request.method == "GET":
        form = form_class(initial=form_class.initial_for(profile))
        status = 200
    else:
        form = form_class(request.POST)
        if form.is_valid():
            profile_update(
                profile=profile, values=form.values(), by=request.user, as_manager=manages
            )
            messages.success(request, _("Profile saved."))
            return redirect("facilitators:facilitator_detail", code=profile.code)
        status = 400
    return render(
        request,
        "facilitators/profiles/edit.html",
        {"profile": profile, "form": form, "can_manage": manages},
        status=status,
    )
