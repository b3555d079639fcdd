"""Review assignments, for managers: assign a recording (from a session's recordings
page) or a training type (peer review), list an organization's assignments, withdraw
one (confirmed first)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import get_managed_organization_or_404
from accounts.confirm import confirm_item, confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest

from ..access import get_assignment_for_manager, get_recording_for_assigning
from ..forms.assignments import AssignRecordingForm, AssignTrainingForm
from ..selectors.assignments import review_assignment_list_for_organization
from ..services.assignments import review_assign, review_withdraw


def _to_list(organization_code: UUID) -> HttpResponse:
    return redirect("facilitators:review_assignment_list", org_code=organization_code)


@login_required
@require_http_methods(["GET", "POST"])
def review_assign_recording(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager assigns a recording to a reviewer of the organization, with a rubric."""
    recording = get_recording_for_assigning(request.user, code)
    organization = recording.session.group.organization
    form = AssignRecordingForm(request.POST or None, recording=recording)
    if request.method == "POST" and form.is_valid():
        try:
            review_assign(
                recording=recording,
                reviewer=form.cleaned_data["reviewer"],
                rubric=form.cleaned_data["rubric"],
                by=request.user,
                segment=form.segment,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Assigned. The reviewer can now play the recording."))
            return _to_list(organization.code)
    return render(
        request,
        "facilitators/assignments/assign.html",
        {"form": form, "recording": recording, "organization": organization},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_assign_training(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """A manager asks a reviewer for a peer review of a training (no recording)."""
    organization = get_managed_organization_or_404(request.user, org_code)
    form = AssignTrainingForm(request.POST or None, organization_id=organization.pk)
    if request.method == "POST" and form.is_valid():
        try:
            review_assign(
                training_type=form.cleaned_data["training_type"],
                organization=organization,
                reviewer=form.cleaned_data["reviewer"],
                rubric=form.cleaned_data["rubric"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Assigned for peer review."))
            return _to_list(organization.code)
    return render(
        request,
        "facilitators/assignments/assign.html",
        {"form": form, "organization": organization},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def review_assignment_list(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """An organization's review assignments, for its managers."""
    organization = get_managed_organization_or_404(request.user, org_code)
    return render(
        request,
        "facilitators/assignments/list.html",
        {
            "organization": organization,
            "assignments": review_assignment_list_for_organization(organization=organization),
        },
    )


@login_required
@require_POST
def review_assignment_withdraw(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Withdraw an open assignment (confirmed first): the reviewer's access ends at once."""
    assignment = get_assignment_for_manager(request.user, code)
    back = reverse(
        "facilitators:review_assignment_list", kwargs={"org_code": assignment.organization.code}
    )
    if not confirmed(request.POST):
        subject = (
            assignment.training_type.name
            if assignment.training_type
            else assignment.recording.session.group.name  # type: ignore[union-attr]
        )
        return confirmation_page(
            request,
            heading=_("Withdraw this review assignment?"),
            button=_("Withdraw it"),
            back=back,
            items=[confirm_item(f"{subject} · {assignment.rubric} · {assignment.reviewer}")],
            notes=[
                _("The reviewer loses access to the recording at once. A draft review is kept.")
            ],
        )
    try:
        review_withdraw(assignment=assignment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("Assignment withdrawn."))
    return redirect(back)
