"""Recordings: a session's recordings page with the upload (invariant 4 is checked in the
service), play and download (each logged), and marking one reviewed.

Every recording is reached through `access`, which applies the one access rule
(`Recording.objects.accessible_to`).
"""

import mimetypes
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from audit.services import Action, record_access

from ..access import (
    get_recording_for_manager,
    get_recording_for_user,
    get_session_for_recordings,
    get_session_for_user,
    user_manages,
)
from ..forms.recordings import RecordingUploadForm
from ..models import RecordingAccessLog, Session
from ..selectors.recordings import recording_latest_code, recording_list_for_session
from ..services.recordings import recording_log_access, recording_mark_reviewed, recording_upload
from .common import refused


def _recording_list(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    on_team: bool,
    form: RecordingUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session's recordings the access rule lets the user play. The team (facilitators,
    managers) also gets the upload form; anyone else gets in only through a grant."""
    recordings = recording_list_for_session(session=session, user=request.user)
    if on_team and form is None:
        form = RecordingUploadForm(initial={"seen": recording_latest_code(session=session)})
    return render(
        request,
        "sessions_app/recordings/list.html",
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
def recording_list(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session, on_team = get_session_for_recordings(request.user, code)
    return _recording_list(request, session, on_team=on_team)


@login_required
@require_POST
def recording_upload_view(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Upload a recording of a held session; refused, with nothing stored, unless everyone
    present consented (invariant 4, checked in the service)."""
    session = get_session_for_user(request.user, code)
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
    return _recording_list(request, session, on_team=True, form=form, status=400)


def _stream(request: AuthenticatedHttpRequest, code: UUID, *, action: str) -> FileResponse:
    recording = get_recording_for_user(request.user, code)
    try:
        handle = recording.file.storage.open(recording.file.name, "rb")
    except (FileNotFoundError, ValueError):  # the file is gone; the row says why
        raise Http404 from None
    recording_log_access(recording=recording, user=request.user, action=action)
    # Both trails: RecordingAccessLog (invariant 7, per recording) and the organization's
    # searchable access log.
    record_access(
        request,
        Action.RECORDING_DOWNLOADED
        if action == RecordingAccessLog.Action.DOWNLOAD
        else Action.RECORDING_VIEWED,
        organization=recording.session.group.organization_id,
        obj=recording,
    )
    extension = mimetypes.guess_extension(recording.content_type) or ""
    response = FileResponse(
        handle,
        as_attachment=action == RecordingAccessLog.Action.DOWNLOAD,
        filename=f"recording-{recording.code}{extension}",
        content_type=recording.content_type,
    )
    return response


@login_required
@require_GET
def recording_play(request: AuthenticatedHttpRequest, code: UUID) -> FileResponse:
    """Stream a recording inline for playing; every request is logged."""
    return _stream(request, code, action=RecordingAccessLog.Action.VIEW)


@login_required
@require_GET
def recording_download(request: AuthenticatedHttpRequest, code: UUID) -> FileResponse:
    """Stream a recording as an attachment; every request is logged."""
    return _stream(request, code, action=RecordingAccessLog.Action.DOWNLOAD)


@login_required
@require_POST
def recording_mark_reviewed_view(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager marks a recording reviewed: its file goes at the next purge."""
    recording = get_recording_for_manager(request.user, code)
    back = reverse("sessions_app:recording_list", kwargs={"code": recording.session.code})
    try:
        recording_mark_reviewed(recording=recording, by=request.user)
    except ValidationError as error:
        return refused(request, error, back=back)
    messages.success(request, _("Marked reviewed. The file will be deleted at the next purge."))
    return redirect(back)
