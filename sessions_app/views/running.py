"""The facilitator's day: "my sessions", the session page (run it from a phone) and its
history.

Every session is reached through `access.get_session_for_user` (404 outside the user's
organizations, 403 off the session's team). The session page saves as one form, POST
only; invalid input is answered 400 with the page, what was typed and its messages, and
nothing is saved.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from audit.services import Action, record_access

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
from .offline import offline_settings

RECORDING_REMOVED_AFTER_ATTENDANCE = gettext_lazy(
    "Someone now marked present has not agreed to be recorded, so this session's recording "
    "was removed."
)


def session_detail_url(session: Session, section: str = "", *, sent: UUID | None = None) -> str:
    url = reverse("sessions_app:session_detail", kwargs={"code": session.code})
    if sent is not None:
        url = f"{url}?sent={sent}"
    return f"{url}#{section}" if section else url


def _offline_key(value: str) -> UUID | None:
    """The idempotency key of a change the page queued offline (see
    static/js/session-offline.js); anything else is no key."""
    try:
        return UUID(value)
    except ValueError:
        return None


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

# The page is one form: every Save button sends every part, so nothing typed in one part
# is lost by saving another. `save` names the part whose button was tapped, to come back
# to it; a part's fields carry its prefix.
RETURN_TO = frozenset({"check-in", "quotation", "topic", "check-out", "after", "note", "held"})


def _session_forms(
    session: Session, page: selectors.SessionPage, data: QueryDict | None = None
) -> dict[str, Form]:
    """The session page's parts, fresh from what is saved (each carrying its version);
    with `data`, the parts it contains are bound to it and the others stay fresh."""
    code_of = {p.pk: str(p.code) for p in page.roster}
    log = page.log

    def sent(prefix: str) -> QueryDict | None:
        return data if data is not None and f"{prefix}-version" in data else None

    adaptation = AdaptationForm(data, prefix="adaptation")
    return {
        "attendance": AttendanceForm(
            sent("attendance"),
            prefix="attendance",
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
            sent("log"),
            prefix="log",
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
        "adaptation": (
            adaptation if adaptation.is_filled_in() else AdaptationForm(prefix="adaptation")
        ),
        "commitments": CommitmentsForm(
            sent("commitments"),
            prefix="commitments",
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
            sent("note"),
            prefix="note",
            initial={
                "version": running.note_version(page.note),
                "body": page.note.body if page.note else "",
            },
        ),
    }


def _render_session_page(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    forms: dict[str, Form] | None = None,
    section_errors: dict[str, str] | None = None,
    status: int = 200,
    offline_key: UUID | None = None,
) -> HttpResponse:
    """The session page; `forms` (after a refused save) shows what the person sent, with
    its errors, and `section_errors` puts a message on a part. `offline_key` names the
    queued change this answers, so the phone can forget it."""
    page = selectors.session_page(session=session, user=request.user)
    return render(
        request,
        "sessions_app/running/detail.html",
        {
            "session": session,
            "page": page,
            "forms": forms or _session_forms(session, page),
            "section_errors": section_errors or {},
            "unsaved": status == 400,
            "group_timezone": session.group.timezone,
            "offline_key": offline_key,
            "offline": offline_settings(),
        },
        status=status,
    )


@login_required
@require_GET
def session_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    record_access(
        request, Action.ATTENDANCE_VIEWED, organization=session.group.organization, obj=session
    )
    return _render_session_page(
        request, session, offline_key=_offline_key(request.GET.get("sent", ""))
    )


def _changes(request: AuthenticatedHttpRequest, forms: dict[str, Form]) -> running.SessionChanges:
    """What the valid, sent parts ask for."""
    sent = {part: form.cleaned_data for part, form in forms.items() if form.is_bound}
    changes: dict[str, Any] = {}
    if attendance := sent.get("attendance"):
        changes["attendance"] = running.AttendanceChange(
            marks=attendance["marks"],
            drop_in_count=attendance["drop_in_count"],
            expected_version=attendance["version"],
        )
    if log := sent.get("log"):
        changes["log"] = running.LogChange(
            check_in_done=log["check_in_done"],
            quotation_reference=log["quotation_reference"],
            handouts=list(log["handouts_used"]),
            check_out_done=log["check_out_done"],
            follow_up_needed=log["follow_up_needed"],
            actual_length_minutes=log["actual_length_minutes"],
            expected_version=log["version"],
        )
    if adaptation := sent.get("adaptation"):
        changes["adaptation"] = running.AdaptationChange(
            category=adaptation["category"], what=adaptation["what"], why=adaptation["why"]
        )
    if commitments := sent.get("commitments"):
        changes["commitments"] = running.CommitmentsChange(
            texts=commitments["texts"], expected_version=commitments["version"]
        )
    if note := sent.get("note"):
        changes["note"] = running.NoteChange(body=note["body"], expected_version=note["version"])
    remove = request.POST.get("remove_adaptation", "")
    return running.SessionChanges(
        **changes,
        remove_adaptation_id=int(remove) if remove.isdecimal() else None,
        mark_held="mark_held" in request.POST,
    )


def _refused(
    request: AuthenticatedHttpRequest,
    session: Session,
    forms: dict[str, Form],
    refused: running.SessionNotSaved,
    offline_key: UUID | None,
) -> HttpResponse:
    """400, nothing saved. A stale part shows what is saved now, with a message; a field
    error stays on its field; any other refusal is shown on its part. Everything else the
    person sent stays on the page, to send again."""
    fresh = _session_forms(session, selectors.session_page(session=session, user=request.user))
    section_errors: dict[str, str] = {}
    for part, error in refused.refusals.items():
        if isinstance(error, Stale):
            forms[part] = fresh[part]
            section_errors[part] = error.messages[0]
        elif hasattr(error, "error_dict") and part in forms:
            add_service_errors(forms[part], error)
        else:
            section_errors[part] = " ".join(error.messages)
    return _render_session_page(
        request,
        session,
        forms=forms,
        section_errors=section_errors,
        status=400,
        offline_key=offline_key,
    )


@login_required
@require_POST
def session_save(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Save the session page: every part it sent, or nothing."""
    session = get_session_for_user(request.user, code)
    offline_key = _offline_key(request.POST.get("offline_key", ""))
    page = selectors.session_page(session=session, user=request.user)
    forms = _session_forms(session, page, data=request.POST)
    if not all([form.is_valid() for form in forms.values() if form.is_bound]):
        return _render_session_page(
            request, session, forms=forms, status=400, offline_key=offline_key
        )
    try:
        saved = running.session_save(
            session=session,
            by=request.user,
            changes=_changes(request, forms),
            offline_key=offline_key,
        )
    except running.SessionNotSaved as refused:
        return _refused(request, session, forms, refused, offline_key)
    if saved.already_sent:
        messages.info(request, _("These changes were sent from this phone before."))
        return redirect(session_detail_url(session, sent=offline_key))
    if offline_key is not None:
        messages.success(request, _("The changes saved on this phone were sent and saved."))
    if saved.held:
        messages.success(
            request, _("Session saved and marked held. Later changes are kept in its history.")
        )
    else:
        messages.success(request, _("Session saved."))
    if saved.adaptation_already_removed:
        messages.info(request, _("That adaptation was already removed."))
    if saved.recordings_removed:
        messages.warning(request, RECORDING_REMOVED_AFTER_ATTENDANCE)
    back_to = request.POST.get("save", "")
    if "remove_adaptation" in request.POST:
        back_to = "after"
    elif saved.held:
        back_to = "held"
    return redirect(
        session_detail_url(session, back_to if back_to in RETURN_TO else "", sent=offline_key)
    )


@login_required
@require_GET
def session_history(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return render(
        request,
        "sessions_app/running/history.html",
        {"session": session, "entries": selectors.session_history(session=session)},
    )
