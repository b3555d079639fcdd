"""Erasing a participant: what identifies them goes, de-identified attendance stays.

The chosen name becomes a generated code, contact details and reminder choices are
cleared, commitments deleted, consents withdrawn through the consent service (so reviewer
access ends and files are scheduled), every recording they are on is deleted, and the old
name is scrubbed from history. Attendance rows stay, so counts stay. Higher apps hold data
about participants too (reminders): they register a step here in their AppConfig.ready,
since sessions_app never imports them.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import save_with_history
from accounts.models import User

from ..models import (
    Commitment,
    Consent,
    Enrollment,
    Participant,
    ParticipantErasure,
    Recording,
)
from ..selectors.consent import recording_ids_removed_by_withdrawal
from .consent import consent_withdraw
from .recordings import recordings_mark_for_deletion

ALREADY_ERASED = gettext_noop("This person was already erased.")
ERASED_PREFIX = "Erased-"
RECORDING_DELETION_REASON = "participant erased"
# No look-alike letters or digits (0/O, 1/I/L), so a code read aloud is the code written.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

ErasureStep = Callable[[Participant, User], None]
_STEPS: list[ErasureStep] = []


def register_erasure_step(step: ErasureStep) -> None:
    """A higher app's part of an erasure (e.g. reminders cancels the person's pending
    reminders), run inside the erasure's transaction."""
    if step not in _STEPS:
        _STEPS.append(step)


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a participant would destroy: the confirmation page says it."""

    commitments: int
    standing_consents: int
    recordings: int
    has_contact: bool


def _recording_ids(participant: Participant) -> list[int]:
    """Every recording the person is on that still has a file or row to delete."""
    on_file = Recording.objects.filter(participants=participant, deleted_at=None).values_list(
        "pk", flat=True
    )
    return sorted({*on_file, *recording_ids_removed_by_withdrawal(participant_id=participant.pk)})


def participant_erasure_plan(*, participant: Participant) -> ErasurePlan:
    """Counts of what participant_erase would destroy, read before asking to confirm."""
    return ErasurePlan(
        commitments=Commitment.objects.filter(participant=participant).count(),
        standing_consents=Consent.objects.standing().filter(participant=participant).count(),
        recordings=len(_recording_ids(participant)),
        has_contact=bool(participant.contact_email or participant.contact_phone),
    )


def _new_name(participant: Participant) -> str:
    taken = set(
        Participant.objects.filter(organization_id=participant.organization_id).values_list(
            "display_name", flat=True
        )
    )
    while True:
        name = ERASED_PREFIX + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(4))
        if name not in taken:
            return name


def _scrub_history(participant: Participant) -> None:
    """Historical rows held the old names (and commitments their words): overwrite the
    names with the code, delete the commitments' history, and the admin log's label."""
    Participant.history.model.objects.filter(id=participant.pk).update(  # type: ignore[attr-defined]
        display_name=participant.display_name
    )
    Commitment.history.model.objects.filter(participant_id=participant.pk).delete()  # type: ignore[attr-defined]
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(participant.pk),
    ).update(object_repr=participant.display_name)


@transaction.atomic
def participant_erase(*, participant: Participant, by: User) -> ParticipantErasure:
    """Erase what identifies a participant (see the module docstring); refused twice.
    Returns the record that it happened, which names neither the person nor the code."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        raise ValidationError(_(ALREADY_ERASED), code="already_erased")
    now = timezone.now()

    # Consents first, through the withdrawal service: reviewer access ends at once.
    for kind in (
        Consent.objects.standing()
        .filter(participant=participant, granted=True)
        .values_list("form__kind", flat=True)
        .distinct()
    ):
        consent = (
            Consent.objects.standing().filter(participant=participant, form__kind=kind).first()
        )
        if consent is not None:
            consent_withdraw(consent=consent, by=by)
    # Then every recording they are on, whether or not withdrawal already marked it: the
    # files go right after commit (recordings_mark_for_deletion queues the purge).
    recording_ids = _recording_ids(participant)
    recordings = list(
        Recording.objects.select_for_update().filter(pk__in=recording_ids).order_by("pk")
    )
    recordings_mark_for_deletion(
        recordings=[r for r in recordings if r.marked_for_deletion_at is None],
        reason=RECORDING_DELETION_REASON,
        by=by,
    )
    for recording in recordings:
        recording.participants.remove(participant)

    for commitment in Commitment.objects.filter(participant=participant):
        commitment.delete()
    for step in _STEPS:
        step(participant, by)

    for enrollment in (
        Enrollment.objects.current().filter(participant=participant).select_related("group")
    ):
        enrollment.left_on = max(enrollment.group.today(), enrollment.joined_on)
        enrollment.left_reason = Enrollment.LeftReason.OTHER
        save_with_history(enrollment, by=by, update_fields=["left_on", "left_reason"])

    participant.display_name = _new_name(participant)
    participant.contact_email = ""
    participant.contact_phone = ""
    participant.remind_by_email = False
    participant.remind_by_sms = False
    participant.archived_at = participant.archived_at or now
    participant.erased_at = now
    participant._change_reason = "erased"  # type: ignore[attr-defined]
    save_with_history(participant, by=by)
    _scrub_history(participant)

    return ParticipantErasure.objects.create(
        organization_id=participant.organization_id,
        erased_by=by,
        erased_at=now,
        recordings_deleted=len(recordings),
    )
