"""Self-checks: the facilitator's private two-minute check after a held session, their own
list with the "how I am doing" trend, and the one thing managers see of it: a debrief
request they mark handled."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role

from ..access import get_debrief_request_for_manager, get_session_for_self_check
from ..forms.self_checks import SelfCheckForm
from ..models import SelfCheck
from ..selectors.self_checks import doing_trend, self_check_list_for_author
from ..services.self_checks import debrief_mark_handled, self_check_save

FORM_PAGE = "facilitators/self_checks/form.html"


@login_required
@require_http_methods(["GET", "POST"])
def self_check(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The self-check of a held session, for its facilitators only; saving again changes
    it. An empty form is a valid one."""
    session = get_session_for_self_check(request.user, code)
    existing = SelfCheck.objects.filter(author=request.user, session=session).first()
    if request.method != "POST":
        form = SelfCheckForm(instance=existing)
        return render(request, FORM_PAGE, {"session": session, "form": form, "existing": existing})
    form = SelfCheckForm(request.POST, instance=existing)
    if form.is_valid():
        try:
            self_check_save(session=session, by=request.user, answers=form.answers())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for checking in with yourself."))
            return redirect("facilitators:self_check_list")
    return render(
        request, FORM_PAGE, {"session": session, "form": form, "existing": existing}, status=400
    )


@role_required(Role.FACILITATOR)
@require_GET
def self_check_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The facilitator's own self-checks and how they have been doing: theirs alone."""
    checks = self_check_list_for_author(user=request.user)
    return render(
        request,
        "facilitators/self_checks/list.html",
        {"checks": checks, "trend": doing_trend(checks)},
    )


@login_required
@require_POST
def debrief_handled(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager marks a debrief request handled; it leaves the manager's home."""
    debrief = get_debrief_request_for_manager(request.user, code)
    try:
        debrief_mark_handled(request=debrief, by=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Marked handled: %(name)s's debrief request.") % {"name": debrief.requested_by},
        )
    return redirect("home")
