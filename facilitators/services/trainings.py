"""Writes for training records: a facilitator adds their own (dates checked, expiry
defaulting from the type, evidence sniffed and size-limited like recordings), edits or
deletes it until it is verified (an edited rejected one awaits verification again), a
manager verifies or rejects it with a reason and may correct a verified one's expiry, and
every evidence download is logged."""

import calendar
from datetime import date
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import delete_with_history, save_with_history
from accounts.models import User

from ..models import FacilitatorProfile, TrainingEvidenceDownload, TrainingRecord, TrainingType

# Messages tests assert on, marked for translation; gettext at call time follows the
# request's language.
COMPLETED_IN_FUTURE = gettext_noop("The completion date cannot be in the future.")
EXPIRES_BEFORE_COMPLETED = gettext_noop(
    "The expiry date cannot be before the completion date (%(completed)s)."
)
NOT_EVIDENCE_TYPE = gettext_noop(
    "This file is not a PDF, JPEG or PNG. Upload the certificate as one of those."
)
EVIDENCE_TOO_LARGE = gettext_noop("This file is %(size)s; evidence can be at most %(limit)s.")
EVIDENCE_EMPTY = gettext_noop("This file is empty.")
REASON_REQUIRED = gettext_noop("Say why it is not verified: the facilitator reads the reason.")
ALREADY_DECIDED = gettext_noop("This training was already verified or rejected.")
ONLY_UNVERIFIED_DELETED = gettext_noop("A verified training cannot be deleted.")
ONLY_UNVERIFIED_EDITED = gettext_noop(
    "A verified training cannot be changed. Ask a program manager if its expiry date is wrong."
)
ONLY_VERIFIED_EXPIRY = gettext_noop(
    "Only a verified training's expiry date is corrected here; verify or reject it first."
)

EVIDENCE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
_SNIFF_BYTES = 8192  # filetype reads at most this many bytes


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def training_default_expiry(*, training_type: TrainingType, completed_on: date) -> date | None:
    """The day a training of this type expires, from its validity period (None: never)."""
    if not training_type.validity_months:
        return None
    return add_months(completed_on, training_type.validity_months)


def evidence_check_file(file: UploadedFile) -> str:
    """Size within TRAINING_EVIDENCE_MAX_BYTES, and PDF, JPEG or PNG by content (magic
    bytes, not the name); returns the type."""
    if not file.size:
        raise ValidationError({"evidence": _(EVIDENCE_EMPTY)}, code="empty")
    limit = settings.TRAINING_EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            {
                "evidence": _(EVIDENCE_TOO_LARGE)
                % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)}
            },
            code="too_large",
        )
    file.seek(0)
    kind = filetype.guess(file.read(_SNIFF_BYTES))
    file.seek(0)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError({"evidence": _(NOT_EVIDENCE_TYPE)}, code="not_evidence_type")
    return kind.mime


def training_check_dates(*, completed_on: date, expires_on: date | None, today: date) -> None:
    """Completed by `today` (the organization's date), and not expiring before that."""
    errors: dict[str, str] = {}
    if completed_on > today:
        errors["completed_on"] = _(COMPLETED_IN_FUTURE)
    if expires_on is not None and expires_on < completed_on:
        errors["expires_on"] = _(EXPIRES_BEFORE_COMPLETED) % {"completed": completed_on.isoformat()}
    if errors:
        raise ValidationError(errors, code="dates")


@transaction.atomic
def training_record_add(
    *,
    profile: FacilitatorProfile,
    training_type: TrainingType,
    completed_on: date,
    by: User,
    provider: str = "",
    hours: Decimal | None = None,
    expires_on: date | None = None,
    evidence: UploadedFile | None = None,
) -> TrainingRecord:
    """A facilitator's own training, awaiting verification. A blank expiry is computed
    from the type's validity period; dates are checked in the organization's time zone."""
    if expires_on is None:
        expires_on = training_default_expiry(training_type=training_type, completed_on=completed_on)
    training_check_dates(
        completed_on=completed_on,
        expires_on=expires_on,
        today=profile.membership.organization.today(),
    )
    record = TrainingRecord(
        profile=profile,
        training_type=training_type,
        completed_on=completed_on,
        provider=provider,
        hours=hours,
        expires_on=expires_on,
        created_by=by,
    )
    _store_valid(record, evidence=evidence, by=by)
    return record


def _store_valid(record: TrainingRecord, *, evidence: UploadedFile | None, by: User) -> None:
    """Check the record and the new evidence file, then save both; the file is stored
    only once everything else is valid, so a refused form leaves no file behind."""
    content_type = evidence_check_file(evidence) if evidence is not None else ""
    record.full_clean(exclude=["evidence"])
    if evidence is not None:
        record.evidence_content_type = content_type
        record.evidence_size_bytes = evidence.size
        record.evidence.save("evidence", evidence, save=False)
    save_with_history(record, by=by)


def _locked(record: TrainingRecord) -> TrainingRecord:
    """The record's row locked, so a facilitator's edit and a manager's decision take
    turns (a manager never verifies what an edit changed under them)."""
    return TrainingRecord.objects.select_for_update().get(pk=record.pk)


def training_check_editable(record: TrainingRecord) -> None:
    """The facilitator changes their record while it awaits verification or was rejected;
    a verified one is theirs to read only."""
    if record.status == TrainingRecord.Status.VERIFIED:
        raise ValidationError(_(ONLY_UNVERIFIED_EDITED), code="verified")


def training_check_deletable(record: TrainingRecord) -> None:
    """The facilitator deletes their record until it is verified."""
    if record.status == TrainingRecord.Status.VERIFIED:
        raise ValidationError(_(ONLY_UNVERIFIED_DELETED), code="verified")


@transaction.atomic
def training_record_edit(
    *,
    record: TrainingRecord,
    training_type: TrainingType,
    completed_on: date,
    by: User,
    provider: str = "",
    hours: Decimal | None = None,
    expires_on: date | None = None,
    evidence: UploadedFile | None = None,
) -> TrainingRecord:
    """The facilitator corrects their unverified record, checked as when added (a blank
    expiry comes from the type; a new evidence file replaces the old, deleted after
    commit). A rejected record awaits verification again, its rejection cleared."""
    training_check_editable(_locked(record))
    if expires_on is None:
        expires_on = training_default_expiry(training_type=training_type, completed_on=completed_on)
    training_check_dates(
        completed_on=completed_on,
        expires_on=expires_on,
        today=record.profile.membership.organization.today(),
    )
    old_name, storage = record.evidence.name, record.evidence.storage
    record.training_type = training_type
    record.completed_on = completed_on
    record.provider = provider
    record.hours = hours
    record.expires_on = expires_on
    record.status = TrainingRecord.Status.PENDING
    record.rejection_reason = ""
    record.verified_by = None
    record.verified_at = None
    _store_valid(record, evidence=evidence, by=by)
    if evidence is not None and old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return record


def training_check_expiry_correctable(record: TrainingRecord) -> None:
    """A manager corrects the expiry of a verified record (an unverified one they verify
    or reject, and its facilitator edits)."""
    if record.status != TrainingRecord.Status.VERIFIED:
        raise ValidationError(_(ONLY_VERIFIED_EXPIRY), code="not_verified")


@transaction.atomic
def training_record_correct_expiry(
    *, record: TrainingRecord, expires_on: date | None, by: User
) -> TrainingRecord:
    """A manager corrects a verified record's expiry (empty: it does not expire); the
    change is kept in history with who made it."""
    training_check_expiry_correctable(_locked(record))
    training_check_dates(
        completed_on=record.completed_on,
        expires_on=expires_on,
        today=record.profile.membership.organization.today(),
    )
    record.expires_on = expires_on
    save_with_history(record, by=by, update_fields=["expires_on"])
    return record


def _require_pending(record: TrainingRecord) -> None:
    if _locked(record).status != TrainingRecord.Status.PENDING:
        raise ValidationError(_(ALREADY_DECIDED), code="already_decided")


@transaction.atomic
def training_record_verify(*, record: TrainingRecord, by: User) -> TrainingRecord:
    """A manager confirms the training happened."""
    _require_pending(record)
    record.status = TrainingRecord.Status.VERIFIED
    record.verified_by = by
    record.verified_at = timezone.now()
    record.rejection_reason = ""
    save_with_history(
        record, by=by, update_fields=["status", "verified_by", "verified_at", "rejection_reason"]
    )
    return record


@transaction.atomic
def training_record_reject(*, record: TrainingRecord, reason: str, by: User) -> TrainingRecord:
    """A manager does not verify the training, saying why (required)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _(REASON_REQUIRED)}, code="reason_required")
    _require_pending(record)
    record.status = TrainingRecord.Status.REJECTED
    record.rejection_reason = reason[:300]
    record.verified_by = by
    record.verified_at = timezone.now()
    save_with_history(
        record, by=by, update_fields=["status", "verified_by", "verified_at", "rejection_reason"]
    )
    return record


def training_record_delete(*, record: TrainingRecord, by: User) -> None:
    """The facilitator deletes an unverified record; its evidence file goes after commit."""
    training_check_deletable(record)
    name, storage = record.evidence.name, record.evidence.storage
    delete_with_history(record, by=by)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def training_evidence_log_download(*, record: TrainingRecord, user: User) -> None:
    """Every download of a training's evidence, with who and when."""
    TrainingEvidenceDownload.objects.create(record=record, user=user)
