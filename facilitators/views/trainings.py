"""Trainings: a facilitator's own trainings and the forms to add one and to edit an
unverified one; a manager verifies or rejects (with a reason, after confirming) and
corrects a verified one's expiry; the facilitator deletes an unverified one (after
confirming); the evidence file downloads for the facilitator and their managers only,
every download logged."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.confirm import confirm_item, confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from sessions_app.views.common import refused

from ..access import (
    get_profile_for_owner,
    get_training_for_evidence,
    get_training_for_manager,
    get_training_for_owner,
)
from ..forms.trainings import TrainingExpiryForm, TrainingRecordForm, TrainingRejectForm
from ..models import FacilitatorProfile, TrainingRecord
from ..selectors.trainings import training_lists_for_owner
from ..services.trainings import (
    training_check_deletable,
    training_check_editable,
    training_check_expiry_correctable,
    training_evidence_log_download,
    training_record_add,
    training_record_correct_expiry,
    training_record_delete,
    training_record_edit,
    training_record_reject,
    training_record_verify,
)

EVIDENCE_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _detail(record: TrainingRecord) -> str:
    return reverse("facilitators:facilitator_detail", kwargs={"code": record.profile.code})


def _describe(record: TrainingRecord) -> str:
    return _("%(training)s, completed %(date)s") % {
        "training": record.training_type.name,
        "date": record.completed_on.isoformat(),
    }


@role_required(Role.FACILITATOR)
@require_GET
def my_trainings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The facilitator's own trainings, per organization they facilitate for."""
    profiles = training_lists_for_owner(user=request.user)
    return render(request, "facilitators/trainings/mine.html", {"profiles": profiles})


def _form_page(
    request: AuthenticatedHttpRequest,
    profile: FacilitatorProfile,
    form: TrainingRecordForm,
    *,
    record: TrainingRecord | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "facilitators/trainings/form.html",
        {"profile": profile, "form": form, "record": record},
        status=status,
    )


def _record_fields(data: dict) -> dict:
    return {
        "training_type": data["training_type"],
        "completed_on": data["completed_on"],
        "provider": data["provider"],
        "hours": data["hours"],
        "expires_on": data["expires_on"],
        "evidence": data["evidence"] or None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A facilitator adds a training of their own; it awaits a manager's verification."""
    profile = get_profile_for_owner(request.user, code)
    if request.method == "GET":
        return _form_page(request, profile, TrainingRecordForm())
    form = TrainingRecordForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            training_record_add(
                profile=profile, by=request.user, **_record_fields(form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Training added. A program manager will verify it."))
            return redirect("facilitators:my_trainings")
    return _form_page(request, profile, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The facilitator corrects their training while it awaits verification or was
    rejected (then it awaits verification again); a verified one is refused (400)."""
    record = get_training_for_owner(request.user, code)
    back = reverse("facilitators:my_trainings")
    try:
        training_check_editable(record)
    except ValidationError as error:
        return refused(request, error, back=back)
    if request.method == "GET":
        return _form_page(request, record.profile, TrainingRecordForm(record=record), record=record)
    form = TrainingRecordForm(request.POST, request.FILES, record=record)
    if form.is_valid():
        try:
            training_record_edit(
                record=record, by=request.user, **_record_fields(form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Training changed. A program manager will verify it."))
            return redirect(back)
    return _form_page(request, record.profile, form, record=record, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def training_expiry_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager corrects a verified training's expiry date (kept in history)."""
    record = get_training_for_manager(request.user, code)
    try:
        training_check_expiry_correctable(record)
    except ValidationError as error:
        return refused(request, error, back=_detail(record))
    form = TrainingExpiryForm(request.POST or None, initial={"expires_on": record.expires_on})
    if request.method == "POST" and form.is_valid():
        try:
            training_record_correct_expiry(
                record=record, expires_on=form.cleaned_data["expires_on"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Expiry date corrected."))
            return redirect(_detail(record))
    return render(
        request,
        "facilitators/trainings/expiry.html",
        {"record": record, "form": form, "back": _detail(record)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def training_verify(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager verifies a training."""
    record = get_training_for_manager(request.user, code)
    try:
        training_record_verify(record=record, by=request.user)
    except ValidationError as error:
        return refused(request, error, back=_detail(record))
    messages.success(request, _("Training verified."))
    return redirect(_detail(record))


@login_required
@require_POST
def training_reject(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A manager does not verify a training, saying why. The first POST asks; only the
    confirmed one rejects."""
    record = get_training_for_manager(request.user, code)
    form = TrainingRejectForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "facilitators/trainings/reject.html",
            {"record": record, "form": form, "back": _detail(record)},
            status=400,
        )
    reason = form.cleaned_data["reason"]
    if not confirmed(request.POST):
        return confirmation_page(
            request,
            heading=_("Mark this training as not verified?"),
            lead=_("The facilitator sees that it was not verified, and your reason:"),
            items=[confirm_item(_describe(record)), confirm_item(reason)],
            notes=[_("They can add the training again with better evidence.")],
            hidden=[("reason", reason)],
            button=_("Do not verify"),
            back=_detail(record),
        )
    try:
        training_record_reject(record=record, reason=reason, by=request.user)
    except ValidationError as error:
        return refused(request, error, back=_detail(record))
    messages.success(request, _("Training marked as not verified."))
    return redirect(_detail(record))


@login_required
@require_POST
def training_delete(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The facilitator deletes a training of theirs that is not verified. The first POST
    asks; only the confirmed one deletes."""
    record = get_training_for_owner(request.user, code)
    back = reverse("facilitators:my_trainings")
    try:
        training_check_deletable(record)
    except ValidationError as error:
        return refused(request, error, back=back)
    if not confirmed(request.POST):
        return confirmation_page(
            request,
            heading=_("Delete this training?"),
            items=[confirm_item(_describe(record))],
            notes=[_("Its evidence file is deleted too. This cannot be undone.")],
            button=_("Delete the training"),
            back=back,
        )
    training_record_delete(record=record, by=request.user)
    messages.success(request, _("Training deleted."))
    return redirect(back)


@login_required
@require_GET
@never_cache
def training_evidence(request: AuthenticatedHttpRequest, code: UUID) -> FileResponse:
    """The evidence file, as an attachment, for the facilitator and their managers; every
    download is logged."""
    record = get_training_for_evidence(request.user, code)
    if not record.evidence:
        raise Http404
    try:
        handle = record.evidence.storage.open(record.evidence.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    training_evidence_log_download(record=record, user=request.user)
    extension = EVIDENCE_EXTENSIONS.get(record.evidence_content_type, "")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"training-{record.code}{extension}",
        content_type=record.evidence_content_type or "application/octet-stream",
    )
