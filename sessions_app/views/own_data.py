""" "What we hold about this person": a printable page and a download, for managers, in
the language the person reads (English or Spanish)."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from audit.services import Action, record_access

from ..access import get_participant_for_manager
from ..forms.own_data import OwnDataLanguageForm
from ..selectors.own_data import participant_own_data

DOWNLOAD_FORMATS = {"txt": "text/plain", "html": "text/html"}


def _language(request: AuthenticatedHttpRequest, default: str) -> tuple[OwnDataLanguageForm, str]:
    form = OwnDataLanguageForm(request.GET if "lang" in request.GET else None)
    return form, form.language(default)


@require_GET
@login_required
def participant_own_data_view(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    form, language = _language(request, participant.preferred_language)
    if not form.is_bound:
        form = OwnDataLanguageForm(initial={"lang": language})
    # It shows the decrypted contact details: a read the access log keeps.
    record_access(
        request,
        Action.PARTICIPANT_VIEWED,
        organization=participant.organization_id,
        obj=participant,
        label="What we hold",
    )
    held = participant_own_data(participant=participant)
    with translation.override(language):
        body = render_to_string(
            "sessions_app/own_data/_held.html", {"held": held, "language": language}
        )
    return render(
        request,
        "sessions_app/own_data/page.html",
        {"participant": participant, "form": form, "body": body, "language": language},
    )


@require_GET
@login_required
def participant_own_data_download(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    participant = get_participant_for_manager(request.user, code)
    _form, language = _language(request, participant.preferred_language)
    kind = request.GET.get("format", "txt")
    if kind not in DOWNLOAD_FORMATS:
        kind = "txt"
    record_access(
        request,
        Action.EXPORT_DOWNLOADED,
        organization=participant.organization_id,
        obj=participant,
        label="What we hold",
    )
    held = participant_own_data(participant=participant)
    with translation.override(language):
        content = render_to_string(
            f"sessions_app/own_data/download.{kind}",
            {"held": held, "language": language},
        )
    response = HttpResponse(content, content_type=f"{DOWNLOAD_FORMATS[kind]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="what-we-hold.{kind}"'
    response["Cache-Control"] = "no-store"
    return response
