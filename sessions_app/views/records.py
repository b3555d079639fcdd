"""Recording consent and recordings: the consent screen, uploads, play and download.

Every recording is reached through `access.get_recording_for_user`, which applies the one
access rule (`access.recording_list_accessible_to`).
"""

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..access import (
    get_consent_for_withdrawal,
    get_recording_for_manager,
    get_recording_for_user,
    get_session_for_user,
    get_session_in_organization,
    recording_list_accessible_to,
    user_is_on_session_team,
    user_manages,
)
from ..forms_records import ConsentCaptureForm, RecordingUploadForm
from ..models import Recording, RecordingAccessLog, Session
from ..selectors_records import ConsentState, ParticipantConsent, consent_list_for_session
from ..services.consent import consent_capture_recording, consent_reconfirm, consent_withdraw
from ..services.recordings import (
    recording_log_access,
    recording_mark_reviewed,
    recording_upload,
)

# --- Consent screen ---------------------------------------------------------------------


def _consent_screen(
    request: HttpRequest,
    session: Session,
    *,
    bound: ConsentCaptureForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = consent_list_for_session(session=session)
    present = [row.participant for row in rows]
    entries: list[tuple[ParticipantConsent, ConsentCaptureForm]] = []
    for row in rows:
        if bound is not None and bound.data.get("participant") == str(row.participant.code):
            # Show what is stored now, so a deliberate second try is judged against it.
            bound.data = {**bound.data, "seen": row.latest_code}
            form = bound
        else:
            form = ConsentCaptureForm(
                present=present,
                initial={"participant": row.participant.code, "seen": row.latest_code},
                auto_id=f"id_{row.participant.code.hex[:8]}_%s",
            )
        entries.append((row, form))
    forms_shown = {row.current_form.pk: row.current_form for row in rows if row.current_form}
    lacking = [row.participant for row in rows if row.state != ConsentState.ACTIVE]
    return render(
        request,
        "sessions_app/records/consent.html",
        {
            "session": session,
            "entries": entries,
            "consent_forms": list(forms_shown.values()),
            "lacking": lacking,
            "ready": session.is_held and not lacking and not session.drop_in_count,
            "error": error,
            "States": ConsentState,
        },
        status=status,
    )


@login_required
@require_GET
def consent_screen(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_for_user(request.user, code, write=True)
    return _consent_screen(request, session)


@login_required
@require_POST
def consent_capture(request: HttpRequest, code: Any) -> HttpResponse:
    """Capture a present participant's recording consent, or confirm it again for this
    session when they already hold one. Never changes attendance."""
    session = get_session_for_user(request.user, code, write=True)
    rows = consent_list_for_session(session=session)
    form = ConsentCaptureForm(
        request.POST,
        present=[row.participant for row in rows],
        auto_id="id_bound_%s",
    )
    if form.is_valid():
        participant = form.cleaned_data["participant"]
        row = next(r for r in rows if r.participant.pk == participant.pk)
        data = form.cleaned_data
        try:
            if row.state == ConsentState.ACTIVE and data["decision"] == form.AGREES:
                consent_reconfirm(
                    participant=participant,
                    session=session,
                    method=data["method"],
                    witness=data["witness"],
                    captured_by=request.user,
                    known_latest=data["seen"],
                )
            else:
                consent_capture_recording(
                    participant=participant,
                    granted=data["decision"] == form.AGREES,
                    method=data["method"],
                    witness=data["witness"],
                    captured_by=request.user,
                    session=session,
                    known_latest=data["seen"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved for %(name)s.") % {"name": participant.display_name})
            return redirect("sessions_app:consent_screen", code=session.code)
    message = " ".join(str(e) for e in form.non_field_errors())
    return _consent_screen(
        request,
        session,
        bound=form,
        error=message or _("Check the answer and try again."),
        status=400,
    )


def _refused(request: HttpRequest, error: ValidationError, *, back: str | None) -> HttpResponse:
    return render(
        request,
        "sessions_app/records/refused.html",
        {"error": " ".join(error.messages), "back": back},
        status=400,
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, code: Any) -> HttpResponse:
    """Withdraw a participant's consent; for recording consent, every recording they are
    in is hidden at once and scheduled for deletion."""
    consent = get_consent_for_withdrawal(request.user, code)
    try:
        recordings = consent_withdraw(consent=consent, by=request.user)
    except ValidationError as error:
        return _refused(request, error, back=_safe_next(request))
    if recordings:
        messages.success(
            request,
            _(
                "Consent withdrawn. %(count)s recording(s) this person is in can no longer be "
                "played and will be deleted."
            )
            % {"count": len(recordings)},
        )
    else:
        messages.success(request, _("Consent withdrawn."))
    return redirect(_safe_next(request) or reverse("home"))


# --- Recordings -------------------------------------------------------------------------


def _recording_list(
    request: HttpRequest,
    session: Session,
    *,
    form: RecordingUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session's recordings the access rule lets the user play. The team (facilitators,
    managers) also gets the upload form; anyone else gets in only through a grant."""
    on_team = user_is_on_session_team(request.user, session)
    recordings = list(
        recording_list_accessible_to(request.user)
        .filter(session=session)
        .order_by("-uploaded_at", "-pk")
    )
    if not on_team and not recordings:
        raise PermissionDenied
    if on_team and form is None:
        newest = (
            Recording.objects.filter(session=session)
            .order_by("-uploaded_at", "-pk")
            .values_list("code", flat=True)
            .first()
        )
        form = RecordingUploadForm(initial={"seen": str(newest) if newest else ""})
    return render(
        request,
        "sessions_app/records/recordings.html",
        {
            "session": session,
            "recordings": recordings,
            "form": form if on_team else None,
            "on_team": on_team,
            "is_manager": on_team and user_manages(request.user, session.group.organization_id),
        },
        status=status,
    )


@login_required
@require_GET
def recording_list(request: HttpRequest, code: Any) -> HttpResponse:
    session = get_session_in_organization(request.user, code)
    return _recording_list(request, session)


@login_required
@require_POST
def recording_upload_view(request: HttpRequest, code: Any) -> HttpResponse:
    """Upload a recording of a held session; refused, with nothing stored, unless everyone
    present consented (invariant 4, checked in the service)."""
    session = get_session_for_user(request.user, code, write=True)
    form = RecordingUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            recording_upload(
                session=session,
                file=form.cleaned_data["file"],
                purpose=form.cleaned_data["purpose"],
                uploaded_by=request.user,
                known_latest=form.cleaned_data["seen"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Recording saved."))
            return redirect("sessions_app:recording_list", code=session.code)
    return _recording_list(request, session, form=form, status=400)


def _stream(request: HttpRequest, code: Any, *, action: str) -> FileResponse:
    recording = get_recording_for_user(request.user, code)
    try:
        handle = recording.file.storage.open(recording.file.name, "rb")
    except (FileNotFoundError, ValueError):  # the file is gone; the row says why
        raise Http404 from None
    recording_log_access(recording=recording, user=request.user, action=action)
    extension = mimetypes.guess_extension(recording.content_type) or ""
    response = FileResponse(
        handle,
        as_attachment=action == RecordingAccessLog.Action.DOWNLOAD,
        filename=f"recording-{recording.code}{extension}",
        content_type=recording.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def recording_play(request: HttpRequest, code: Any) -> FileResponse:
    """Stream a recording inline for playing; every request is logged."""
    return _stream(request, code, action=RecordingAccessLog.Action.VIEW)


@login_required
@require_GET
def recording_download(request: HttpRequest, code: Any) -> FileResponse:
    """Stream a recording as an attachment; every request is logged."""
    return _stream(request, code, action=RecordingAccessLog.Action.DOWNLOAD)


@login_required
@require_POST
def recording_mark_reviewed_view(request: HttpRequest, code: Any) -> HttpResponse:
    """A manager marks a recording reviewed: its file goes at the next purge."""
    recording = get_recording_for_manager(request.user, code)
    back = reverse("sessions_app:recording_list", kwargs={"code": recording.session.code})
    try:
        recording_mark_reviewed(recording=recording, by=request.user)
    except ValidationError as error:
        return _refused(request, error, back=back)
    messages.success(request, _("Marked reviewed. The file will be deleted at the next purge."))
    return redirect(back)
