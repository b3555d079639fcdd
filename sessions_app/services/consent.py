"""Writes for consent: capture, re-confirm for a session, withdraw.

Consents are append-only (a new fact is a new row; withdrawal sets withdrawn_at once).
Consent is never a condition of attending: nothing here touches attendance.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import save_with_history
from accounts.models import User

from ..models import Consent, ConsentForm, Participant, Recording, Session
from ..selectors.consent import (
    ConsentState,
    consent_list_for_participants,
    recording_ids_removed_by_withdrawal,
)
from .common import UNCHECKED, require_unchanged
from .recordings import recordings_mark_for_deletion

# Messages tests assert on, marked for translation; gettext at call time follows the
# request's language.
WITNESS_REQUIRED = gettext_noop("Verbal consent needs the name of the person who witnessed it.")
FORM_OF_ANOTHER_ORGANIZATION = gettext_noop("This consent form belongs to another organization.")
SESSION_OF_ANOTHER_ORGANIZATION = gettext_noop("This session belongs to another organization.")
NO_CURRENT_FORM = gettext_noop("No recording consent form is set up for this organization yet.")
NOTHING_TO_RECONFIRM = gettext_noop(
    "There is no active consent on the current form to confirm again."
)
ALREADY_WITHDRAWN = gettext_noop("This consent was already withdrawn.")
NOT_GRANTED = gettext_noop("This person did not agree, so there is nothing to withdraw.")
RECORDING_DELETION_REASON = "consent withdrawn"


def _latest_code(*, participant: Participant, kind: str) -> str:
    latest = (
        Consent.objects.filter(participant=participant, form__kind=kind)
        .order_by("-captured_at", "-pk")
        .values_list("code", flat=True)
        .first()
    )
    return str(latest) if latest else ""


@transaction.atomic
def consent_capture(
    *,
    participant: Participant,
    form: ConsentForm,
    granted: bool,
    method: str,
    captured_by: User,
    witness: str = "",
    session: Session | None = None,
    captured_at: datetime | None = None,
    known_latest: Any = UNCHECKED,
) -> Consent:
    """Record a participant's answer on one form version; it expires after the form's
    validity period. `known_latest` (the latest consent code the caller saw, or "")
    refuses a stale or doubled submission."""
    witness = witness.strip()
    if method == Consent.Method.VERBAL and not witness:
        raise ValidationError({"witness": _(WITNESS_REQUIRED)}, code="witness_required")
    if form.organization_id not in (None, participant.organization_id):
        raise ValidationError(_(FORM_OF_ANOTHER_ORGANIZATION), code="other_organization")
    if session is not None and session.group.organization_id != participant.organization_id:
        raise ValidationError(_(SESSION_OF_ANOTHER_ORGANIZATION), code="other_organization")
    # Lock the participant so two submissions of the same answer cannot both pass the check.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    require_unchanged(
        current=_latest_code(participant=participant, kind=form.kind), seen=known_latest
    )
    captured_at = captured_at or timezone.now()
    consent = Consent(
        participant=participant,
        form=form,
        session=session,
        granted=granted,
        method=method,
        witness=witness,
        captured_by=captured_by,
        captured_at=captured_at,
        expires_at=(
            captured_at + timedelta(days=form.valid_for_days) if form.valid_for_days else None
        ),
    )
    consent.full_clean()
    save_with_history(consent, by=captured_by)
    if not granted:
        # A "no" now outweighs an earlier "yes": it withdraws it, with all that follows.
        _withdraw_standing(participant_id=participant.pk, kind=form.kind, by=captured_by)
    return consent


def consent_capture_recording(
    *,
    participant: Participant,
    granted: bool,
    method: str,
    captured_by: User,
    witness: str = "",
    session: Session | None = None,
    known_latest: Any = UNCHECKED,
) -> Consent:
    """Capture recording consent on the current form version for the participant's language."""
    row = consent_list_for_participants(
        participants=[participant], organization_id=participant.organization_id
    )[0]
    if row.current_form is None:
        raise ValidationError(_(NO_CURRENT_FORM), code="no_form")
    return consent_capture(
        participant=participant,
        form=row.current_form,
        granted=granted,
        method=method,
        witness=witness,
        captured_by=captured_by,
        session=session,
        known_latest=known_latest,
    )


def consent_reconfirm(
    *,
    participant: Participant,
    session: Session,
    method: str,
    captured_by: User,
    witness: str = "",
    known_latest: Any = UNCHECKED,
) -> Consent:
    """Confirm recording consent again for one session: a new row on the current version,
    linked to the session, only while the participant holds an active one."""
    row = consent_list_for_participants(
        participants=[participant], organization_id=participant.organization_id
    )[0]
    if row.active is None:
        raise ValidationError(_(NOTHING_TO_RECONFIRM), code="nothing_to_reconfirm")
    return consent_capture(
        participant=participant,
        form=row.active.form,
        granted=True,
        method=method,
        witness=witness,
        captured_by=captured_by,
        session=session,
        known_latest=known_latest,
    )


def consent_record_answer(
    *,
    participant: Participant,
    session: Session,
    agrees: bool,
    method: str,
    captured_by: User,
    witness: str = "",
    known_latest: Any = UNCHECKED,
) -> Consent:
    """A present participant's answer on the session's consent screen: a "yes" from someone
    who already holds active consent confirms it again for this session; any other answer
    is captured on the current form version (a "no" withdraws an earlier "yes")."""
    row = consent_list_for_participants(
        participants=[participant], organization_id=participant.organization_id
    )[0]
    if agrees and row.state == ConsentState.ACTIVE:
        return consent_reconfirm(
            participant=participant,
            session=session,
            method=method,
            witness=witness,
            captured_by=captured_by,
            known_latest=known_latest,
        )
    return consent_capture_recording(
        participant=participant,
        granted=agrees,
        method=method,
        witness=witness,
        captured_by=captured_by,
        session=session,
        known_latest=known_latest,
    )


def _withdraw_standing(*, participant_id: int, kind: str, by: User) -> list[Recording]:
    """Withdraw every still-standing consent of `kind` for the participant (so no older one
    keeps counting). For recording consent, in the same transaction, mark for deletion
    every recording the participant is on (or was marked present at): access ends on the
    next request. Returns the recordings marked."""
    now = timezone.now()
    standing = (
        Consent.objects.select_for_update()
        .standing()
        .filter(participant_id=participant_id, form__kind=kind)
    )
    for row in standing:
        row.withdrawn_at = now
        row.withdrawn_by = by
        save_with_history(row, by=by, update_fields=["withdrawn_at", "withdrawn_by"])
    if kind != ConsentForm.Kind.RECORDING:
        return []
    on_file_ids = recording_ids_removed_by_withdrawal(participant_id=participant_id)
    # Lock by primary key: PostgreSQL allows no FOR UPDATE together with DISTINCT.
    on_file = Recording.objects.select_for_update().filter(pk__in=list(on_file_ids)).order_by("pk")
    return recordings_mark_for_deletion(
        recordings=list(on_file), reason=RECORDING_DELETION_REASON, by=by
    )


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User) -> list[Recording]:
    """Withdraw a participant's consent of this kind; withdrawing recording consent removes
    every recording they are on (see _withdraw_standing). Returns the recordings marked."""
    # Lock first: an upload checking this consent waits for us, then sees the withdrawal.
    locked = Consent.objects.select_for_update().select_related("form").get(pk=consent.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError(_(ALREADY_WITHDRAWN), code="already_withdrawn")
    if not locked.granted:
        raise ValidationError(_(NOT_GRANTED), code="not_granted")
    recordings = _withdraw_standing(
        participant_id=locked.participant_id, kind=locked.form.kind, by=by
    )
    consent.withdrawn_at, consent.withdrawn_by = timezone.now(), by
    return recordings
