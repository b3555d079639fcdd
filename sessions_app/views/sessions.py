"""The facilitator's day: "my sessions", the session page (run it from a phone), its
history, and the plan changes (move, re-topic, cancel, one-off, who leads).

Every session is reached through `access.get_session_for_user` (404 outside the user's
organizations, 403 off the session's team). Writes are POST-only; invalid input is
answered 400 with the page and its message, and nothing is saved.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.forms import add_service_errors
from accounts.models import Role

from .. import selectors_sessions as selectors
from ..access import get_group_for_team, get_session_for_user
from ..forms_sessions import (
    AdaptationForm,
    AttendanceForm,
    CommitmentsForm,
    NoteForm,
    SessionAddForm,
    SessionCancelForm,
    SessionLeadersForm,
    SessionLogForm,
    SessionMoveForm,
    SessionRetopicForm,
    show_confirmation,
)
from ..models import Session
from ..services import running
from ..services import sessions as planning

RECORDING_REMOVED_AFTER_ATTENDANCE = _lazy(
    "Someone now marked present has not agreed to be recorded, so this session's recording "
    "was removed."
)


def _detail_url(session: Session, section: str = "") -> str:
    url = reverse("sessions_app:session_detail", kwargs={"code": session.code})
    return f"{url}#{section}" if section else url


# --- My sessions ------------------------------------------------------------------------


@role_required(Role.FACILITATOR, Role.MANAGER)
@require_GET
def my_sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sessions_app/sessions/my_sessions.html",
        {"sessions": selectors.my_sessions(user=request.user)},
    )


# --- The session page -------------------------------------------------------------------


def _render_session_page(
    request: HttpRequest,
    session: Session,
    *,
    bound: dict[str, Form] | None = None,
    section_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session page; `bound` replaces a section's fresh form with the submitted one
    (to show its errors), `section_errors` puts a message on a section (stale forms)."""
    bound = bound or {}
    page = selectors.session_page(session=session, user=request.user)
    materials = selectors.session_materials(session=session, user=request.user)
    code_of = {p.pk: str(p.code) for p in page.roster}
    forms: dict[str, Form] = {
        "attendance": AttendanceForm(
            roster=page.roster,
            initial={
                "version": running.attendance_version(
                    page.attendance.values(), session.drop_in_count
                ),
                "drop_in_count": session.drop_in_count,
                **{
                    AttendanceForm.PREFIX + code_of[pid]: row.status
                    for pid, row in page.attendance.items()
                    if pid in code_of
                },
            },
        ),
        "log": SessionLogForm(
            materials=materials,
            initial={
                "version": running.log_version(page.log),
                "check_in_done": page.log.check_in_done if page.log else False,
                "quotation_reference": page.log.quotation_reference if page.log else "",
                "handouts_used": page.handout_ids,
                "check_out_done": page.log.check_out_done if page.log else False,
                "follow_up_needed": page.log.follow_up_needed if page.log else False,
                "actual_length_minutes": page.log.actual_length_minutes if page.log else None,
            },
        ),
        "adaptation": AdaptationForm(
            initial={"version": running.adaptations_version(page.adaptations)}
        ),
        "commitments": CommitmentsForm(
            roster=page.roster,
            initial={
                "version": running.commitments_version(page.commitments.values()),
                **{
                    CommitmentsForm.PREFIX + code_of[pid]: row.text
                    for pid, row in page.commitments.items()
                    if pid in code_of
                },
            },
        ),
        "note": NoteForm(
            initial={
                "version": running.note_version(page.note),
                "body": page.note.body if page.note else "",
            }
        ),
    }
    forms.update(bound)
    return render(
        request,
        "sessions_app/sessions/detail.html",
        {
            "session": session,
            "page": page,
            "forms": forms,
            "section_errors": section_errors or {},
            "group_timezone": session.group.timezone,
        },
        status=status,
    )


@login_required
@require_GET
def session_detail(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return _render_session_page(request, session)


def _refused(
    request: HttpRequest, session: Session, section: str, form: Form, error: ValidationError
) -> HttpResponse:
    """400. A stale form gets a fresh page and a message; a field error stays on its field;
    any other refusal is shown on the section, with the person's input kept."""
    if isinstance(error, running.Stale):
        return _render_session_page(
            request, session, section_errors={section: error.messages[0]}, status=400
        )
    if hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return _render_session_page(request, session, bound={section: form}, status=400)
    return _render_session_page(
        request,
        session,
        bound={section: form},
        section_errors={section: " ".join(error.messages)},
        status=400,
    )


@login_required
@require_POST
def session_attendance(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = AttendanceForm(request.POST, roster=selectors.session_roster(session=session))
    if not form.is_valid():
        return _render_session_page(request, session, bound={"attendance": form}, status=400)
    try:
        removed = running.attendance_record(
            session=session,
            marks=form.cleaned_data["marks"],
            drop_in_count=form.cleaned_data["drop_in_count"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, session, "attendance", form, error)
    messages.success(request, _("Attendance saved."))
    if removed:
        messages.warning(request, RECORDING_REMOVED_AFTER_ATTENDANCE)
    return redirect(_detail_url(session, "log"))


@login_required
@require_POST
def session_log(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = SessionLogForm(
        request.POST, materials=selectors.session_materials(session=session, user=request.user)
    )
    if not form.is_valid():
        return _render_session_page(request, session, bound={"log": form}, status=400)
    data = form.cleaned_data
    try:
        running.session_log_save(
            session=session,
            check_in_done=data["check_in_done"],
            quotation_reference=data["quotation_reference"],
            handouts=data["handouts_used"],
            check_out_done=data["check_out_done"],
            follow_up_needed=data["follow_up_needed"],
            actual_length_minutes=data["actual_length_minutes"],
            by=request.user,
            expected_version=data["version"],
        )
    except ValidationError as error:
        return _refused(request, session, "log", form, error)
    messages.success(request, _("Session log saved."))
    return redirect(_detail_url(session, "log"))


@login_required
@require_POST
def session_adaptation_add(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = AdaptationForm(request.POST)
    if not form.is_valid():
        return _render_session_page(request, session, bound={"adaptation": form}, status=400)
    try:
        running.adaptation_add(
            session=session,
            category=form.cleaned_data["category"],
            what=form.cleaned_data["what"],
            why=form.cleaned_data["why"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, session, "adaptation", form, error)
    messages.success(request, _("Adaptation noted."))
    return redirect(_detail_url(session, "adaptations"))


@login_required
@require_POST
def session_adaptation_remove(request: HttpRequest, code: Any, adaptation_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    adaptation = session.adaptations.filter(pk=adaptation_id).first()
    if adaptation is None:
        # A second tap on "remove", or another facilitator was first: nothing left to do.
        messages.info(request, _("That adaptation was already removed."))
    else:
        running.adaptation_remove(adaptation=adaptation, by=request.user)
        messages.success(request, _("Adaptation removed."))
    return redirect(_detail_url(session, "adaptations"))


@login_required
@require_POST
def session_commitments(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = CommitmentsForm(request.POST, roster=selectors.session_roster(session=session))
    if not form.is_valid():
        return _render_session_page(request, session, bound={"commitments": form}, status=400)
    try:
        running.commitments_save(
            session=session,
            texts=form.cleaned_data["texts"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, session, "commitments", form, error)
    messages.success(request, _("Commitments saved."))
    return redirect(_detail_url(session, "commitments"))


@login_required
@require_POST
def session_note(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_session_page(request, session, bound={"note": form}, status=400)
    try:
        running.note_save(
            session=session,
            author=request.user,
            body=form.cleaned_data["body"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, session, "note", form, error)
    messages.success(request, _("Your note is saved. Only you can read it."))
    return redirect(_detail_url(session, "note"))


@login_required
@require_POST
def session_mark_held(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    try:
        running.session_mark_held(session=session, by=request.user)
    except ValidationError as error:
        return _render_session_page(
            request, session, section_errors={"held": error.messages[0]}, status=400
        )
    messages.success(request, _("Session marked held. Later changes are kept in its history."))
    return redirect(_detail_url(session))


@login_required
@require_GET
def session_history(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return render(
        request,
        "sessions_app/sessions/history.html",
        {"session": session, "entries": selectors.session_history(session=session)},
    )


# --- Plan changes -----------------------------------------------------------------------


def _render_plan(
    request: HttpRequest,
    session: Session,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    local = timezone.localtime(session.starts_at, ZoneInfo(session.group.timezone))
    roster = selectors.session_roster(session=session)
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
            clinicians=selectors.clinician_choices(organization_id=session.group.organization_id),
            initial={
                "led_by_participant": session.led_by_participant_id,
                "clinician": session.clinician_id,
            },
        ),
    }
    forms.update(bound or {})
    return render(
        request,
        "sessions_app/sessions/plan.html",
        {"session": session, "forms": forms, "group_timezone": session.group.timezone},
        status=status,
    )


@login_required
@require_GET
def session_plan(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return _render_plan(request, session)


def _plan_refused(
    request: HttpRequest, session: Session, name: str, form: Form, error: ValidationError
) -> HttpResponse:
    if isinstance(error, planning.DoubleBooked):
        show_confirmation(form)
    add_service_errors(form, error)
    return _render_plan(request, session, bound={name: form}, status=400)


@login_required
@require_POST
def session_move(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
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
    return redirect(_detail_url(session))


@login_required
@require_POST
def session_retopic(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
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
    return redirect(_detail_url(session))


@login_required
@require_POST
def session_cancel(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = SessionCancelForm(request.POST)
    if not form.is_valid():
        return _render_plan(request, session, bound={"cancel": form}, status=400)
    try:
        planning.session_cancel(
            session=session, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        return _plan_refused(request, session, "cancel", form, error)
    messages.success(request, _("Session cancelled."))
    return redirect(_detail_url(session))


@login_required
@require_POST
def session_leaders(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    form = SessionLeadersForm(
        request.POST,
        roster_ids=[p.pk for p in selectors.session_roster(session=session)],
        clinicians=selectors.clinician_choices(organization_id=session.group.organization_id),
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
    return redirect(_detail_url(session))


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, group_code: Any) -> HttpResponse:
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
            return redirect(_detail_url(session))
    return render(
        request,
        "sessions_app/sessions/add.html",
        {"group": group, "form": form, "group_timezone": group.timezone},
        status=400 if request.method == "POST" else 200,
    )
