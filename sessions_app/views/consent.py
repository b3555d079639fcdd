"""Recording consent: the consent screen of a session, capturing each present person's
answer, and withdrawal (which removes every recording the person is on, invariant 4)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.confirm import confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest
from audit.services import Action, record_access

from ..access import get_consent_for_withdrawal, get_session_for_user
from ..forms.consent import ConsentCaptureForm
from ..models import Consent, Session
from ..selectors.consent import (
    ConsentState,
    ParticipantConsent,
    consent_list_for_session,
    recording_list_removed_by_withdrawal,
)
from ..services.consent import consent_record_answer, consent_withdraw
from .common import recording_item, refused, safe_next


def _consent_screen(
    request: AuthenticatedHttpRequest,
    session: Session,
    *,
    bound: ConsentCaptureForm | None = None,
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
        "sessions_app/consent/screen.html",
        {
            "session": session,
            "entries": entries,
            "consent_forms": list(forms_shown.values()),
            "lacking": lacking,
            "ready": session.is_held and not lacking and not session.drop_in_count,
            # The answer refused, for the page's error summary.
            "bound": bound,
            "States": ConsentState,
        },
        status=status,
    )


@login_required
@require_GET
def consent_screen(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    record_access(
        request, Action.CONSENTS_VIEWED, organization=session.group.organization, obj=session
    )
    return _consent_screen(request, session)


@login_required
@require_POST
def consent_capture(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Capture a present participant's recording consent, or confirm it again for this
    session when they already hold one. Never changes attendance."""
    session = get_session_for_user(request.user, code)
    rows = consent_list_for_session(session=session)
    form = ConsentCaptureForm(
        request.POST,
        present=[row.participant for row in rows],
        auto_id="id_bound_%s",
    )
    if form.is_valid():
        data = form.cleaned_data
        participant = data["participant"]
        row = next(r for r in rows if r.participant.pk == participant.pk)
        # A "no" after a "yes" withdraws it and deletes recordings: ask first, as for a
        # withdrawal.
        if data["decision"] == form.DECLINES and row.standing and not confirmed(request.POST):
            return _decline_confirmation(request, session, row, form)
        try:
            consent_record_answer(
                participant=participant,
                session=session,
                agrees=data["decision"] == form.AGREES,
                method=data["method"],
                witness=data["witness"],
                captured_by=request.user,
                known_latest=data["seen"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved for %(name)s.") % {"name": participant.display_name})
            return redirect("sessions_app:consent_screen", code=session.code)
    return _consent_screen(request, session, bound=form, status=400)


@login_required
@require_POST
def consent_withdraw_view(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Withdraw a participant's consent; for recording consent, every recording they are
    in is hidden at once and scheduled for deletion. The first POST shows what would be
    removed; only the confirmed one withdraws."""
    consent = get_consent_for_withdrawal(request.user, code)
    if not confirmed(request.POST):
        return _withdraw_confirmation(request, consent)
    try:
        recordings = consent_withdraw(consent=consent, by=request.user)
    except ValidationError as error:
        return refused(request, error, back=safe_next(request))
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
    return redirect(safe_next(request) or reverse("home"))


def _decline_confirmation(
    request: AuthenticatedHttpRequest,
    session: Session,
    row: ParticipantConsent,
    form: ConsentCaptureForm,
) -> HttpResponse:
    """The "no" of someone who had agreed: what it withdraws, before it does."""
    assert row.standing is not None
    recordings = recording_list_removed_by_withdrawal(consent=row.standing)
    name = row.participant.display_name
    screen = reverse("sessions_app:consent_screen", kwargs={"code": session.code})
    data = form.cleaned_data
    return confirmation_page(
        request,
        heading=_("Record that %(name)s does not agree?") % {"name": name},
        lead=(
            ngettext(
                "%(name)s had agreed. Their “no” withdraws that, and %(count)s recording "
                "they are in will be deleted:",
                "%(name)s had agreed. Their “no” withdraws that, and %(count)s recordings "
                "they are in will be deleted:",
                len(recordings),
            )
            % {"count": len(recordings), "name": name}
            if recordings
            else _(
                "%(name)s had agreed. Their “no” withdraws that; no recording of them is on file."
            )
            % {"name": name}
        ),
        items=[recording_item(recording) for recording in recordings],
        notes=[
            _("Sessions %(name)s is present at cannot be recorded until they agree again.")
            % {"name": name}
        ],
        hidden=[
            ("participant", str(row.participant.code)),
            ("seen", data["seen"]),
            ("decision", data["decision"]),
            ("method", data["method"]),
            ("witness", data["witness"]),
        ],
        button=(
            _("Record the “no” and delete the recordings") if recordings else _("Record the “no”")
        ),
        back=screen,
    )


def _withdraw_confirmation(request: AuthenticatedHttpRequest, consent: Consent) -> HttpResponse:
    recordings = recording_list_removed_by_withdrawal(consent=consent)
    name = consent.participant.display_name
    back = safe_next(request)
    if recordings:
        lead = ngettext(
            "%(count)s recording %(name)s is in will be deleted:",
            "%(count)s recordings %(name)s is in will be deleted:",
            len(recordings),
        ) % {"count": len(recordings), "name": name}
        notes = [
            _(
                "Reviewers and the team lose access at once: nobody can play or download "
                "these recordings from now on, and the files are then deleted. This cannot "
                "be undone."
            )
        ]
    elif consent.form.kind == consent.form.Kind.RECORDING:
        lead = _("No recording of %(name)s is on file, so no recording is deleted.") % {
            "name": name
        }
        notes = []
    else:
        lead = _("This consent covers no recordings, so no recording is deleted.")
        notes = []
    notes.append(
        _("Sessions %(name)s is present at cannot be recorded until they agree again.")
        % {"name": name}
        if consent.form.kind == consent.form.Kind.RECORDING
        else _("The withdrawal is kept on record with who made it.")
    )
    return confirmation_page(
        request,
        heading=_("Withdraw the consent of %(name)s?") % {"name": name},
        lead=lead,
        items=[recording_item(recording) for recording in recordings],
        notes=notes,
        hidden=[("next", back)] if back else [],
        button=(
            _("Withdraw consent and delete the recordings") if recordings else _("Withdraw consent")
        ),
        back=back or reverse("home"),
    )
