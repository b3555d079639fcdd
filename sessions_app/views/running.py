"""The facilitator's day: "my sessions", the session page (run it from a phone) and its
history.

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role

from ..access import get_session_for_user
from ..forms.running import (
    AdaptationForm,
    AttendanceForm,
    CommitmentsForm,
    NoteForm,
    SessionLogForm,
)
from ..models import Session
from ..selectors import running as selectors
from ..services import running
from ..services.common import Stale

RECORDING_REMOVED_AFTER_ATTENDANCE = _lazy(
    "Someone now marked present has not agreed to be recorded, so this session's recording "
    "was removed."
)


def session_detail_url(session: Session, section: str = "") -> str:
    url = reverse("sessions_app:session_detail", kwargs={"code": session.code})
    return f"{url}#{section}" if section else url


# --- My sessions ------------------------------------------------------------------------


@role_required(Role.FACILITATOR, Role.MANAGER)
@require_GET
def my_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "sessions_app/running/my_sessions.html",
        {"sessions": selectors.my_sessions(user=request.user)},
    )


# --- The session page -------------------------------------------------------------------


def _session_forms(session: Session, page: selectors.SessionPage) -> dict[str, Form]:
    """The session page's forms, fresh from what is saved, each carrying its version."""
    code_of = {p.pk: str(p.code) for p in page.roster}
    log = page.log
    return {
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
            materials=selectors.session_materials(session=session),
            initial={
                "version": running.log_version(log),
                "check_in_done": log.check_in_done if log else False,
                "quotation_reference": log.quotation_reference if log else "",
                "handouts_used": page.handout_ids,
                "check_out_done": log.check_out_done if log else False,
                "follow_up_needed": log.follow_up_needed if log else False,
                "actual_length_minutes": log.actual_length_minutes if log else None,
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


def _render_session_page(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    bound: dict[str, Form] | None = None,
    section_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session page; `bound` replaces a section's fresh form with the submitted one
    (to show its errors), `section_errors` puts a message on a section (stale forms)."""
    page = selectors.session_page(session=session, user=request.user)
    forms = {**_session_forms(session, page), **(bound or {})}
    return render(
        request,
        "sessions_app/running/detail.html",
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
def session_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return _render_session_page(request, session)


def _refused(
    request: AuthenticatedHttpRequest,
    session: Session,
    section: str,
    form: Form,
    error: ValidationError,
) -> HttpResponse:
    """400. A stale form gets a fresh page and a message; a field error stays on its field;
    any other refusal is shown on the section, with the person's input kept."""
    if isinstance(error, Stale):
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
def session_attendance(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
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
    return redirect(session_detail_url(session, "log"))


@login_required
@require_POST
def session_log(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    form = SessionLogForm(request.POST, materials=selectors.session_materials(session=session))
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
    return redirect(session_detail_url(session, "log"))


@login_required
@require_POST
def session_adaptation_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
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
    return redirect(session_detail_url(session, "adaptations"))


@login_required
@require_POST
def session_adaptation_remove(
    request: AuthenticatedHttpRequest, code: UUID, adaptation_id: int
) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    adaptation = session.adaptations.filter(pk=adaptation_id).first()
    if adaptation is None:
        # A second tap on "remove", or another facilitator was first: nothing left to do.
        messages.info(request, _("That adaptation was already removed."))
    else:
        running.adaptation_remove(adaptation=adaptation, by=request.user)
        messages.success(request, _("Adaptation removed."))
    return redirect(session_detail_url(session, "adaptations"))


@login_required
@require_POST
def session_commitments(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
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
    return redirect(session_detail_url(session, "commitments"))


@login_required
@require_POST
def session_note(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
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
    return redirect(session_detail_url(session, "note"))


@login_required
@require_POST
def session_mark_held(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    try:
        running.session_mark_held(session=session, by=request.user)
    except ValidationError as error:
        return _render_session_page(
            request, session, section_errors={"held": error.messages[0]}, status=400
        )
    messages.success(request, _("Session marked held. Later changes are kept in its history."))
    return redirect(session_detail_url(session))


@login_required
@require_GET
def session_history(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return render(
        request,
        "sessions_app/running/history.html",
        {"session": session, "entries": selectors.session_history(session=session)},
    )
