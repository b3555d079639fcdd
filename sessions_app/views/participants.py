"""Participant pages, for program managers: the organization's participants, their chosen
name, encrypted contact details, and the groups they are in.

(A group's facilitators add and enroll people from the group's page instead.)
"""

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import organizations_managed_by, role_required
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.querystring import page_number, query_param
from audit.services import Action, record_access

from ..access import get_participant_for_manager
from ..forms.common import language_name
from ..forms.participants import (
    ArchiveParticipantForm,
    JoinGroupForm,
    ParticipantCreateForm,
    ParticipantForm,
)
from ..models import Participant
from ..selectors import participants as selectors
from ..services import participants as services
from .common import refused

PARTICIPANTS_PER_PAGE = 50
SHOW_CHOICES = frozenset({"archived"})


@role_required(Role.MANAGER)
@require_GET
def participant_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = query_param(request, "q", max_length=60)
    archived = query_param(request, "show", choices=SHOW_CHOICES) == "archived"
    participants = Paginator(
        selectors.participant_list_for_user(user=request.user, query=query, archived=archived),
        PARTICIPANTS_PER_PAGE,
    ).get_page(page_number(request))
    managed = list(organizations_managed_by(request.user))
    # The search text may be a name: the event records the page, never the query.
    record_access(request, Action.PARTICIPANT_LIST_VIEWED, organization=managed)
    params = [("q", query)] if query else []
    if archived:
        params.append(("show", "archived"))
    return render(
        request,
        "sessions_app/participants/list.html",
        {
            "participants": participants,
            "q": query,
            "archived": archived,
            "query": urlencode(params),
            "several_organizations": len(managed) > 1,
        },
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def participant_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organizations = list(organizations_managed_by(request.user))
    form = ParticipantCreateForm(request.POST or None, organizations=organizations)
    if request.method == "POST":
        if form.is_valid():
            assert form.chosen_organization is not None  # set once the form is valid
            try:
                participant = services.participant_create(
                    organization=form.chosen_organization,
                    values=form.participant_values(),
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s was added. Enroll them in a group below.") % {"name": participant},
                )
                return redirect("sessions_app:participant_detail", code=participant.code)
        return _form_page(request, form, participant=None, status=400)
    return _form_page(request, form, participant=None)


@require_GET
@login_required
def participant_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    record_access(
        request,
        Action.PARTICIPANT_VIEWED,
        organization=participant.organization_id,
        obj=participant,
    )
    return _detail_page(request, participant)


@require_http_methods(["GET", "POST"])
@login_required
def participant_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    if request.method == "GET":
        form = ParticipantForm(
            initial=ParticipantForm.initial_for(participant), participant=participant
        )
        return _form_page(request, form, participant=participant)
    form = ParticipantForm(request.POST, participant=participant)
    if form.is_valid():
        try:
            services.participant_update(
                participant=participant, values=form.participant_values(), by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("sessions_app:participant_detail", code=participant.code)
    return _form_page(request, form, participant=participant, status=400)


@require_POST
@login_required
def participant_archive(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    form = ArchiveParticipantForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, participant, archive_form=form, status=400)
    ended = services.participant_archive(
        participant=participant, left_reason=form.cleaned_data["left_reason"], by=request.user
    )
    messages.success(
        request,
        _("%(name)s is archived and has left %(n)s groups. Their history is kept.")
        % {"name": participant, "n": ended},
    )
    return redirect("sessions_app:participant_detail", code=participant.code)


@require_POST
@login_required
def participant_restore(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    try:
        services.participant_restore(participant=participant, by=request.user)
    except ValidationError as error:
        back = reverse("sessions_app:participant_detail", kwargs={"code": participant.code})
        return refused(request, error, back=back)
    messages.success(request, _("%(name)s is active again.") % {"name": participant})
    return redirect("sessions_app:participant_detail", code=participant.code)


@require_POST
@login_required
def participant_enroll(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    form = JoinGroupForm(request.POST, participant=participant)
    if form.is_valid():
        try:
            enrollment = services.enrollment_create(
                group=form.cleaned_data["group"],
                participant=participant,
                joined_on=form.cleaned_data["joined_on"],
                allow_closed_group_late_join=form.cleaned_data["confirm_late_join"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now in %(group)s.")
                % {"name": participant, "group": enrollment.group},
            )
            return redirect("sessions_app:participant_detail", code=participant.code)
    return _detail_page(request, participant, join_form=form, status=400)


# --- Page helpers ----------------------------------------------------------------------


def _form_page(
    request: AuthenticatedHttpRequest,
    form: ParticipantForm,
    *,
    participant: Participant | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "sessions_app/participants/form.html",
        {"form": form, "participant": participant},
        status=status,
    )


def _detail_page(
    request: AuthenticatedHttpRequest,
    participant: Participant,
    *,
    join_form: JoinGroupForm | None = None,
    archive_form: ArchiveParticipantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    enrollments = list(selectors.participant_enrollments(participant=participant))
    context = {
        "participant": participant,
        "enrollments": enrollments,
        "is_enrolled": any(e.left_on is None for e in enrollments),
        "language_name": language_name(participant.preferred_language),
    }
    if participant.archived_at is None:
        context["join_form"] = join_form or JoinGroupForm(participant=participant)
        context["archive_form"] = archive_form or ArchiveParticipantForm()
    return render(request, "sessions_app/participants/detail.html", context, status=status)
