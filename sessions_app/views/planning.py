"""Changing the plan: a session's plan page (move, re-topic, cancel, who leads) and adding
a one-off session to a group.

Every session is reached through `access.get_session_for_user` (404 outside the user's
organizations, 403 off the session's team). Writes are POST-only; invalid input is
answered 400 with the page and its message, and nothing is saved.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.confirm import confirmation_page, confirmed
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest

from ..access import get_group_for_team, get_session_for_user
from ..forms.planning import (
    SessionAddForm,
    SessionCancelForm,
    SessionLeadersForm,
    SessionMoveForm,
    SessionRetopicForm,
    show_confirmation,
)
from ..models import Session
from ..selectors.planning import clinician_choices
from ..selectors.running import session_roster
from ..services import planning
from .common import session_item
from .running import session_detail_url


def _render_plan(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    local = timezone.localtime(session.starts_at, session.group.zone)
    roster = session_roster(session=session)
    forms: dict[str, Form] = {
        "move": SessionMoveForm(
            group=session.group,
            initial={
                "day": local.date(),
                "start_time": local.time(),
                "duration_minutes": session.duration_minutes,
            },
        ),
        "retopic": SessionRetopicForm(
            initial={"topic": session.topic_id, "second_topic": session.second_topic_id}
        ),
        "cancel": SessionCancelForm(),
        "leaders": SessionLeadersForm(
            roster_ids=[p.pk for p in roster],
            clinicians=clinician_choices(organization_id=session.group.organization_id),
            initial={
                "led_by_participant": session.led_by_participant_id,
                "clinician": session.clinician_id,
            },
        ),
    }
    forms.update(bound or {})
    for name, form in forms.items():
        # Four forms share field names on one page: each its own ids, so labels and the
        # error summary's links reach the right field.
        form.auto_id = f"id_{name}_%s"
    return render(
        request,
        "sessions_app/planning/plan.html",
        {"session": session, "forms": forms, "group_timezone": session.group.timezone},
        status=status,
    )


@login_required
@require_GET
def session_plan(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return _render_plan(request, session)


def _plan_refused(
    request: AuthenticatedHttpRequest,
    session: Session,
    name: str,
    form: Form,
    error: ValidationError,
) -> HttpResponse:
    if isinstance(error, planning.DoubleBooked):
        show_confirmation(form)
    add_service_errors(form, error)
    return _render_plan(request, session, bound={name: form}, status=400)


@login_required
@require_POST
def session_move(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    form = SessionMoveForm(request.POST, group=session.group)
    if not form.is_valid():
        return _render_plan(request, session, bound={"move": form}, status=400)
    try:
        planning.session_move(
            session=session,
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            by=request.user,
            confirm_double_booking=form.cleaned_data["confirm_double_booking"],
        )
    except ValidationError as error:
        return _plan_refused(request, session, "move", form, error)
    messages.success(request, _("Session moved."))
    return redirect(session_detail_url(session))


@login_required
@require_POST
def session_retopic(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    form = SessionRetopicForm(request.POST)
    if not form.is_valid():
        return _render_plan(request, session, bound={"retopic": form}, status=400)
    try:
        planning.session_retopic(
            session=session,
            topic=form.cleaned_data["topic"],
            second_topic=form.cleaned_data["second_topic"],
            by=request.user,
        )
    except ValidationError as error:
        return _plan_refused(request, session, "retopic", form, error)
    messages.success(request, _("Topic changed."))
    return redirect(session_detail_url(session))


@login_required
@require_POST
def session_cancel(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    form = SessionCancelForm(request.POST)
    if not form.is_valid():
        return _render_plan(request, session, bound={"cancel": form}, status=400)
    if not confirmed(request.POST):
        return _cancel_confirmation(request, session, reason=form.cleaned_data["reason"])
    try:
        planning.session_cancel(
            session=session, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        return _plan_refused(request, session, "cancel", form, error)
    messages.success(request, _("Session cancelled."))
    return redirect(session_detail_url(session))


def _cancel_confirmation(
    request: AuthenticatedHttpRequest, session: Session, *, reason: str
) -> HttpResponse:
    return confirmation_page(
        request,
        heading=_("Cancel this session?"),
        lead=_("This session of %(group)s will be cancelled:") % {"group": session.group.name},
        items=[session_item(session)],
        notes=[
            _(
                "It stays in the plan, marked cancelled, and your reason is kept with it: "
                "“%(reason)s”."
            )
            % {"reason": reason},
            _("A cancelled session can no longer be changed; add a one-off session instead."),
        ],
        hidden=[("reason", reason)],
        button=_("Cancel the session"),
        back=reverse("sessions_app:session_plan", kwargs={"code": session.code}),
    )


@login_required
@require_POST
def session_leaders(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    form = SessionLeadersForm(
        request.POST,
        roster_ids=[p.pk for p in session_roster(session=session)],
        clinicians=clinician_choices(organization_id=session.group.organization_id),
    )
    if not form.is_valid():
        return _render_plan(request, session, bound={"leaders": form}, status=400)
    try:
        planning.session_set_leaders(
            session=session,
            led_by_participant=form.cleaned_data["led_by_participant"],
            clinician=form.cleaned_data["clinician"],
            by=request.user,
            confirm_double_booking=form.cleaned_data["confirm_double_booking"],
        )
    except ValidationError as error:
        return _plan_refused(request, session, "leaders", form, error)
    messages.success(request, _("Who leads the session is saved."))
    return redirect(session_detail_url(session))


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request: AuthenticatedHttpRequest, group_code: UUID) -> HttpResponse:
    """A one-off session for a group, outside its schedule."""
    group = get_group_for_team(request.user, group_code)
    form = SessionAddForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = planning.session_add_one_off(
                group=group,
                starts_at=form.starts_at(),
                duration_minutes=data["duration_minutes"],
                topic=data["topic"],
                second_topic=data["second_topic"],
                by=request.user,
                confirm_double_booking=data["confirm_double_booking"],
            )
        except ValidationError as error:
            if isinstance(error, planning.DoubleBooked):
                show_confirmation(form)
            add_service_errors(form, error)
        else:
            messages.success(request, _("One-off session added."))
            return redirect(session_detail_url(session))
    return render(
        request,
        "sessions_app/planning/add.html",
        {"group": group, "form": form, "group_timezone": group.timezone},
        status=400 if request.method == "POST" else 200,
    )
