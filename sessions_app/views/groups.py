"""Group pages: the list, create/edit/archive, facilitators, and enrolling people.

Managers run every group of their organization; a group's facilitators see it and enroll
people in it; everyone else in the organization gets 403, outsiders 404.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import organizations_managed_by, role_required
from accounts.confirm import confirmation_page, confirmed
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.querystring import page_number, query_param

from ..access import get_group_for_manager, get_group_for_team, user_manages
from ..forms.common import language_name
from ..forms.groups import (
    AssignFacilitatorForm,
    EnrollForm,
    GroupForm,
    LeaveForm,
    NewParticipantEnrollForm,
)
from ..models import FacilitatorAssignment, Group
from ..selectors import groups as selectors
from ..services import groups as group_services
from ..services import participants as participant_services
from .common import session_item

GROUPS_PER_PAGE = 25
# How many of the sessions an archive would remove its confirmation lists by date.
ARCHIVE_SESSIONS_LISTED = 10
SHOW_CHOICES = frozenset({"archived"})


@role_required(Role.MANAGER, Role.FACILITATOR)
@require_GET
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    archived = query_param(request, "show", choices=SHOW_CHOICES) == "archived"
    groups = Paginator(
        selectors.group_list_for_user(user=request.user, archived=archived), GROUPS_PER_PAGE
    ).get_page(page_number(request))
    managed = organizations_managed_by(request.user).exists()
    return render(
        request,
        "sessions_app/groups/list.html",
        {
            "groups": groups,
            "several_organizations": len({g.organization_id for g in groups}) > 1,
            "archived": archived,
            "can_create": managed,
            "query": "show=archived" if archived else "",
        },
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def group_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organizations = list(organizations_managed_by(request.user))
    form = GroupForm(request.POST or None, organizations=organizations)
    if request.method == "POST":
        if form.is_valid():
            assert form.chosen_organization is not None  # set once the form is valid
            try:
                group = group_services.group_create(
                    organization=form.chosen_organization,
                    values=form.group_values(),
                    topic_ids=form.cleaned_data["topic_sequence"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Group created, with %(n)s sessions planned.")
                    % {"n": group.sessions.count()},
                )
                return redirect("sessions_app:group_detail", code=group.code)
        return _form_page(request, form, group=None, status=400)
    return _form_page(request, form, group=None)


@require_GET
@login_required
def group_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_team(request.user, code)
    return _detail_page(request, group)


@require_http_methods(["GET", "POST"])
@login_required
def group_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_manager(request.user, code)
    if request.method == "GET":
        return _form_page(
            request, GroupForm(initial=GroupForm.initial_for(group), group=group), group=group
        )
    form = GroupForm(request.POST, group=group)
    if form.is_valid():
        try:
            group_services.group_update(
                group=group,
                values=form.group_values(),
                topic_ids=form.cleaned_data["topic_sequence"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Group saved."))
            return redirect("sessions_app:group_detail", code=group.code)
    return _form_page(request, form, group=group, status=400)


@require_POST
@login_required
def group_archive(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_manager(request.user, code)
    if not confirmed(request.POST):
        return _archive_confirmation(request, group)
    dropped = group_services.group_archive(group=group, by=request.user)
    messages.success(
        request,
        _("Group archived; %(n)s planned sessions were removed. Its history is kept.")
        % {"n": dropped},
    )
    return redirect("sessions_app:group_detail", code=group.code)


@require_POST
@login_required
def group_restore(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_manager(request.user, code)
    group_services.group_restore(group=group, by=request.user)
    messages.success(request, _("Group restored and its sessions planned again."))
    return redirect("sessions_app:group_detail", code=group.code)


@require_POST
@login_required
def group_facilitator_assign(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_manager(request.user, code)
    form = AssignFacilitatorForm(request.POST, group=group)
    if form.is_valid():
        try:
            assignment, created = group_services.facilitator_assign(
                group=group,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = (
                _("%(name)s now facilitates this group as %(role)s.")
                if created
                else _("%(name)s's role is now %(role)s.")
            )
            messages.success(
                request,
                message % {"name": assignment.user, "role": assignment.get_role_display()},
            )
            return redirect("sessions_app:group_detail", code=group.code)
    return _detail_page(request, group, assign_form=form, status=400)


@require_POST
@login_required
def group_facilitator_unassign(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_manager(request.user, code)
    pk = _int_or_none(request.POST.get("assignment"))
    assignment = (
        None if pk is None else group.assignments.select_related("user").filter(pk=pk).first()
    )
    if assignment is None:
        # A stale page or a second click: it is already gone.
        messages.info(request, _("That facilitator is no longer assigned to this group."))
    elif not confirmed(request.POST):
        return _unassign_confirmation(request, group, assignment)
    else:
        group_services.facilitator_unassign(assignment=assignment, by=request.user)
        messages.success(
            request, _("%(name)s no longer facilitates this group.") % {"name": assignment.user}
        )
    return redirect("sessions_app:group_detail", code=group.code)


@require_POST
@login_required
def group_enroll(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_team(request.user, code)
    can_confirm = user_manages(request.user, group.organization_id)
    form = EnrollForm(request.POST, group=group, can_confirm=can_confirm)
    if form.is_valid():
        try:
            enrollment = participant_services.enrollment_create(
                group=group,
                participant=form.cleaned_data["participant"],
                joined_on=form.cleaned_data["joined_on"],
                allow_closed_group_late_join=bool(form.cleaned_data.get("confirm_late_join")),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is now in the group.") % {"name": enrollment.participant}
            )
            return redirect("sessions_app:group_detail", code=group.code)
    return _detail_page(request, group, enroll_form=form, status=400)


@require_POST
@login_required
def group_enroll_new(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_team(request.user, code)
    can_confirm = user_manages(request.user, group.organization_id)
    form = NewParticipantEnrollForm(request.POST, group=group, can_confirm=can_confirm)
    if form.is_valid():
        try:
            enrollment = participant_services.participant_create_and_enroll(
                group=group,
                values=form.participant_values(),
                joined_on=form.cleaned_data["joined_on"],
                allow_closed_group_late_join=bool(form.cleaned_data.get("confirm_late_join")),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was added and is now in the group.") % {"name": enrollment.participant},
            )
            return redirect("sessions_app:group_detail", code=group.code)
    return _detail_page(request, group, new_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def group_enrollment_end(
    request: AuthenticatedHttpRequest, code: UUID, participant_code: UUID
) -> HttpResponse:
    group = get_group_for_team(request.user, code)
    enrollment = get_object_or_404(
        group.enrollments.current().select_related("participant"),
        participant__code=participant_code,
    )
    today = group.today()
    form = LeaveForm(request.POST or None, today=today)
    if request.method == "POST":
        if form.is_valid():
            try:
                participant_services.enrollment_end(
                    enrollment=enrollment,
                    left_on=form.cleaned_data["left_on"],
                    left_reason=form.cleaned_data["left_reason"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s has left the group; earlier sessions keep them.")
                    % {"name": enrollment.participant},
                )
                return redirect("sessions_app:group_detail", code=group.code)
        status = 400
    else:
        status = 200
    return render(
        request,
        "sessions_app/groups/leave.html",
        {"group": group, "enrollment": enrollment, "form": form},
        status=status,
    )


# --- Page helpers ----------------------------------------------------------------------


def _archive_confirmation(request: AuthenticatedHttpRequest, group: Group) -> HttpResponse:
    sessions = list(selectors.group_sessions_removed_by_archive(group=group))
    listed = sessions[:ARCHIVE_SESSIONS_LISTED]
    if sessions:
        lead = ngettext(
            "%(count)s planned session will be removed:",
            "%(count)s planned sessions will be removed:",
            len(sessions),
        ) % {"count": len(sessions)}
    else:
        lead = _("No planned session will be removed.")
    return confirmation_page(
        request,
        heading=_("Archive %(group)s?") % {"group": group.name},
        lead=lead,
        items=[session_item(session) for session in listed],
        more=len(sessions) - len(listed),
        notes=[
            _(
                "Held and cancelled sessions, attendance and enrollments are kept. The "
                "group takes no new people until it is restored; restoring plans its "
                "sessions again."
            )
        ],
        button=_("Archive the group"),
        back=reverse("sessions_app:group_detail", kwargs={"code": group.code}),
    )


def _unassign_confirmation(
    request: AuthenticatedHttpRequest, group: Group, assignment: FacilitatorAssignment
) -> HttpResponse:
    name = assignment.user.display_name or assignment.user.email
    return confirmation_page(
        request,
        heading=_("Remove %(name)s from %(group)s?") % {"name": name, "group": group.name},
        lead=_("%(name)s (%(role)s) will no longer facilitate %(group)s.")
        % {"name": name, "role": assignment.get_role_display(), "group": group.name},
        notes=[_("The change is kept in the group's history. You can assign them again later.")],
        hidden=[("assignment", assignment.pk)],
        button=_("Remove %(name)s") % {"name": name},
        back=reverse("sessions_app:group_detail", kwargs={"code": group.code}),
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _form_page(
    request: AuthenticatedHttpRequest, form: GroupForm, *, group: Group | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "sessions_app/groups/form.html",
        {"form": form, "group": group, "topics": selectors.active_topics()},
        status=status,
    )


def _detail_page(
    request: AuthenticatedHttpRequest,
    group: Group,
    *,
    enroll_form: EnrollForm | None = None,
    new_form: NewParticipantEnrollForm | None = None,
    assign_form: AssignFacilitatorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = user_manages(request.user, group.organization_id)
    active = group.archived_at is None
    roster = list(selectors.group_roster(group=group))
    context: dict[str, Any] = {
        "group": group,
        "can_manage": can_manage,
        "assignments": list(selectors.group_assignments(group=group)),
        "topic_sequence": list(selectors.group_topic_sequence(group=group)),
        "roster": roster,
        "former": selectors.group_former_members(group=group),
        "upcoming": selectors.group_upcoming_sessions(group=group),
    }
    if active:
        context["enroll_form"] = enroll_form or EnrollForm(group=group, can_confirm=can_manage)
        context["new_form"] = new_form or NewParticipantEnrollForm(
            group=group, can_confirm=can_manage
        )
        if can_manage:
            context["assign_form"] = assign_form or AssignFacilitatorForm(group=group)
    context["places_left"] = max(group.capacity - len(roster), 0)
    context["language_name"] = language_name(group.language)
    context["weekday_names"] = [WEEKDAYS[day] for day in sorted(group.weekdays)]
    return render(request, "sessions_app/groups/detail.html", context, status=status)
