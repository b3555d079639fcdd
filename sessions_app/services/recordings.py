"""Writes for recordings: upload (invariant 4), access grants, review, purge.

Higher apps (the facilitators app's review assignments) call `recording_grant_access`,
`recording_revoke_access` and `recording_mark_reviewed`; sessions_app never imports them.
"""

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.history import save_with_history
from accounts.models import User
from accounts.scoping import memberships_of

from ..models import (
    Consent,
    Recording,
    RecordingAccessGrant,
    RecordingAccessLog,
    RecordingRefusal,
    Session,
)
from ..selectors.consent import ConsentState, consent_list_for_session
from ..selectors.recordings import recording_latest_code, recording_list_due_for_purge
from ..tasks import purge_recordings
from .common import UNCHECKED, require_unchanged

logger = logging.getLogger(__name__)

# Messages tests assert on, marked for translation; gettext at call time follows the
# request's language.
NOT_AUDIO_OR_VIDEO = gettext_noop(
    "This file is not audio or video. Upload an audio or video recording."
)
TOO_LARGE = gettext_noop("This file is %(size)s; recordings can be at most %(limit)s.")
EMPTY_FILE = gettext_noop("This file is empty.")
SESSION_NOT_HELD = gettext_noop("A recording can be added only once the session is marked held.")
LACKS_CONSENT = gettext_noop(
    "Not everyone present has agreed to be recorded on the current consent form: "
    "%(names)s. Nothing was saved."
)
DROP_INS_PRESENT = gettext_noop(
    "Unregistered drop-ins were present, and they could not give recording consent. "
    "Nothing was saved."
)
GRANTEE_NOT_A_MEMBER = gettext_noop(
    "Access can only be given to a member of the recording's organization."
)
LACKS_CALIBRATION_CONSENT = gettext_noop(
    "A rater calibration recording is kept past normal retention to train reviewers, and "
    "the consent form these people agreed to does not cover that: %(names)s. Nothing was "
    "saved."
)
NOT_FOR_CALIBRATION = gettext_noop(
    "Only a recording uploaded for rater calibration can be kept for calibration."
)
NOT_AVAILABLE = gettext_noop("This recording is marked for deletion or deleted.")
ALREADY_REVIEWED = gettext_noop("This recording was already marked reviewed.")
REASON_REVIEWED = "reviewed"
REASON_PRESENT_WITHOUT_CONSENT = "someone present had not consented"
REASON_RETENTION = "retention period ended"

_SNIFF_BYTES = 8192  # filetype reads at most this many bytes


def recording_sniff_type(file: UploadedFile) -> str:
    """The file's MIME type by content (magic bytes), not by its name; audio/video only."""
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or not kind.mime.startswith(("audio/", "video/")):
        raise ValidationError({"file": _(NOT_AUDIO_OR_VIDEO)}, code="not_audio_or_video")
    return kind.mime


def recording_check_file(file: UploadedFile) -> str:
    """Size within RECORDING_MAX_BYTES, and audio or video by content; returns the type."""
    if not file.size:
        raise ValidationError({"file": _(EMPTY_FILE)}, code="empty")
    if file.size > settings.RECORDING_MAX_BYTES:
        raise ValidationError(
            {
                "file": _(TOO_LARGE)
                % {
                    "size": filesizeformat(file.size),
                    "limit": filesizeformat(settings.RECORDING_MAX_BYTES),
                }
            },
            code="too_large",
        )
    return recording_sniff_type(file)


def recording_check_consent(*, session: Session) -> list[int]:
    """Invariant 4: the session is held, had no drop-ins, and everyone marked present holds
    an active recording consent on the current form version. Returns those consents' ids;
    raises naming (by chosen name) everyone who lacks one."""
    if session.status != Session.Status.HELD:
        raise ValidationError(_(SESSION_NOT_HELD), code="not_held")
    if session.drop_in_count:
        raise ValidationError(_(DROP_INS_PRESENT), code="drop_ins")
    rows = consent_list_for_session(session=session)
    lacking = [r.participant.display_name for r in rows if r.state != ConsentState.ACTIVE]
    if lacking:
        raise ValidationError(
            _(LACKS_CONSENT) % {"names": ", ".join(lacking)}, code="lacks_consent"
        )
    return [r.active.pk for r in rows if r.active is not None]


def recording_check_calibration_consent(*, consent_ids: list[int]) -> None:
    """A calibration recording needs everyone's consent on a form that covers calibration
    (`ConsentForm.covers_calibration`): keeping it past retention was agreed to."""
    lacking = (
        Consent.objects.filter(pk__in=consent_ids, form__covers_calibration=False)
        .order_by("participant__display_name")
        .values_list("participant__display_name", flat=True)
    )
    names = list(lacking)
    if names:
        raise ValidationError(
            _(LACKS_CALIBRATION_CONSENT) % {"names": ", ".join(names)},
            code="lacks_calibration_consent",
        )


def recordings_mark_for_deletion(
    *, recordings: Iterable[Recording], reason: str, by: User
) -> list[Recording]:
    """Mark recordings for deletion: access ends on the next request, and the files are
    purged right after commit (the nightly purge would catch them too)."""
    now = timezone.now()
    marked = []
    for recording in recordings:
        recording.marked_for_deletion_at = now
        recording.deletion_reason = reason
        save_with_history(
            recording, by=by, update_fields=["marked_for_deletion_at", "deletion_reason"]
        )
        marked.append(recording)
    if marked:
        # robust: with the broker down the marking still stands and the nightly purge
        # deletes the files; the person withdrawing must not see an error.
        transaction.on_commit(purge_recordings.delay, robust=True)
    return marked


def recordings_recheck_consent(*, session: Session, by: User) -> list[Recording]:
    """Invariant 4 after the fact: when attendance changes so that someone present (or a
    drop-in) has no active recording consent, the session's recordings are marked for
    deletion. Returns those marked."""
    recordings = Recording.objects.select_for_update().filter(session=session).available()
    if not recordings.exists():
        return []
    try:
        recording_check_consent(session=session)
    except ValidationError:
        return recordings_mark_for_deletion(
            recordings=recordings.order_by("pk"), reason=REASON_PRESENT_WITHOUT_CONSENT, by=by
        )
    return []


def _sha256(file: UploadedFile) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _recheck_consent_locked(*, session: Session) -> list[int]:
    """Invariant 4 again, with the session locked by the caller and the consents relied on
    locked here: a withdrawal waits for us and then marks this recording, or we see it
    (and any expiry since the first check). Returns the consents' ids."""
    consent_ids = recording_check_consent(session=session)
    still_active = Consent.objects.select_for_update().filter(pk__in=consent_ids).active()
    if len(still_active.values_list("pk", flat=True)) != len(consent_ids):
        recording_check_consent(session=session)  # raises, naming who
    return consent_ids


def _store(
    *,
    session: Session,
    file: UploadedFile,
    purpose: str,
    content_type: str,
    sha256: str,
    uploaded_by: User,
    consent_ids: list[int],
    stored: list[str],
) -> Recording:
    """Save the file under a random name (noted in `stored`, so a refusal can delete it)
    and the row with who is on it."""
    recording = Recording(
        session=session,
        purpose=purpose,
        content_type=content_type,
        size_bytes=file.size or 0,
        sha256=sha256,
        uploaded_by=uploaded_by,
    )
    # upload_to gives a random name; nothing about the session is in the path.
    recording.file.save("recording", file, save=False)
    stored.append(recording.file.name)
    recording.full_clean()
    save_with_history(recording, by=uploaded_by)
    recording.participants.set(
        Consent.objects.filter(pk__in=consent_ids).values_list("participant_id", flat=True)
    )
    return recording


def recording_upload(
    *,
    session: Session,
    file: UploadedFile,
    purpose: str,
    uploaded_by: User,
    known_latest: Any = UNCHECKED,
) -> Recording:
    """Store a recording of a held session in private storage under a random name, with its
    SHA-256 and sniffed type, only if invariant 4 holds. On any refusal nothing is stored:
    no row and no file. `known_latest` (the newest recording code the caller saw, or "")
    refuses a stale or doubled submission. A refusal for consent is noted
    (`RecordingRefusal`: the session, the day and the reason, never who)."""
    try:
        return _upload(
            session=session,
            file=file,
            purpose=purpose,
            uploaded_by=uploaded_by,
            known_latest=known_latest,
        )
    except ValidationError as error:
        # Outside the upload's transaction, so the note outlives its rollback.
        reason = getattr(error, "code", None)
        if reason in RecordingRefusal.Reason.values:
            RecordingRefusal.objects.create(
                session=session,
                refused_on=session.group.today(),
                reason=reason,
            )
        raise


def _upload(
    *,
    session: Session,
    file: UploadedFile,
    purpose: str,
    uploaded_by: User,
    known_latest: Any,
) -> Recording:
    content_type = recording_check_file(file)
    # Fail fast, before reading the whole file.
    first_ids = recording_check_consent(session=session)
    if purpose == Recording.Purpose.CALIBRATION:
        recording_check_calibration_consent(consent_ids=first_ids)
    sha256 = _sha256(file)
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Lock the session: drop-ins, status and double submits hold still until we commit.
            Session.objects.select_for_update().filter(pk=session.pk).first()
            session.refresh_from_db(fields=["status", "drop_in_count"])
            require_unchanged(current=recording_latest_code(session=session), seen=known_latest)
            consent_ids = _recheck_consent_locked(session=session)
            if purpose == Recording.Purpose.CALIBRATION:
                recording_check_calibration_consent(consent_ids=consent_ids)
            return _store(
                session=session,
                file=file,
                purpose=purpose,
                content_type=content_type,
                sha256=sha256,
                uploaded_by=uploaded_by,
                consent_ids=consent_ids,
                stored=stored,
            )
    except BaseException:
        for name in stored:
            Recording._meta.get_field("file").storage.delete(name)  # type: ignore[attr-defined]
        raise


def recording_log_access(*, recording: Recording, user: User, action: str) -> RecordingAccessLog:
    """Every view or download of a recording leaves a row: who, when, which (invariant 7)."""
    return RecordingAccessLog.objects.create(recording=recording, user=user, action=action)


@transaction.atomic
def recording_grant_access(
    *, recording: Recording, user: User, granted_by: User
) -> RecordingAccessGrant:
    """Give one user (e.g. an assigned reviewer) access to one recording. The user must be a
    member of the recording's organization (tenant isolation holds for reviewers too);
    granting twice returns the standing grant."""
    organization_id = recording.session.group.organization_id
    if not memberships_of(user).filter(organization_id=organization_id).exists():
        raise ValidationError(_(GRANTEE_NOT_A_MEMBER), code="not_a_member")
    if recording.marked_for_deletion_at or recording.deleted_at:
        raise ValidationError(_(NOT_AVAILABLE), code="not_available")
    standing = (
        RecordingAccessGrant.objects.select_for_update()
        .active()
        .filter(recording=recording, user=user)
        .first()
    )
    if standing is not None:
        return standing
    grant = RecordingAccessGrant(recording=recording, user=user, granted_by=granted_by)
    save_with_history(grant, by=granted_by)
    return grant


@transaction.atomic
def recording_revoke_access(*, recording: Recording, user: User, revoked_by: User) -> int:
    """End a user's access to a recording (e.g. a review assignment withdrawn); returns how
    many grants ended (0 when there was none: revoking twice is harmless)."""
    grants = list(
        RecordingAccessGrant.objects.select_for_update()
        .active()
        .filter(recording=recording, user=user)
    )
    now = timezone.now()
    for grant in grants:
        grant.revoked_at = now
        save_with_history(grant, by=revoked_by, update_fields=["revoked_at"])
    return len(grants)


@transaction.atomic
def recording_mark_reviewed(*, recording: Recording, by: User) -> Recording:
    """The review is done: nobody may play it any more and its file is purged (invariant 4),
    unless it is kept for rater calibration: then it stays until released."""
    locked = Recording.objects.select_for_update().get(pk=recording.pk)
    if locked.deleted_at is not None:
        raise ValidationError(_(NOT_AVAILABLE), code="not_available")
    if locked.reviewed_at is not None:
        raise ValidationError(_(ALREADY_REVIEWED), code="already_reviewed")
    locked.reviewed_at = timezone.now()
    save_with_history(locked, by=by, update_fields=["reviewed_at"])
    if not locked.kept_for_calibration:
        recordings_mark_for_deletion(recordings=[locked], reason=REASON_REVIEWED, by=by)
    recording.reviewed_at = locked.reviewed_at
    recording.marked_for_deletion_at = locked.marked_for_deletion_at
    return locked


@transaction.atomic
def recording_keep_for_calibration(*, recording: Recording, keep: bool, by: User) -> Recording:
    """Keep a calibration recording past review and retention while it trains raters
    (`keep`), or release it to normal retention (purged by the next run if its time is
    up). Only a recording uploaded for calibration, and still available, can be kept."""
    locked = Recording.objects.select_for_update().get(pk=recording.pk)
    if keep:
        if locked.purpose != Recording.Purpose.CALIBRATION:
            raise ValidationError(_(NOT_FOR_CALIBRATION), code="not_for_calibration")
        if locked.marked_for_deletion_at or locked.deleted_at:
            raise ValidationError(_(NOT_AVAILABLE), code="not_available")
    if locked.kept_for_calibration != keep:
        locked.kept_for_calibration = keep
        save_with_history(locked, by=by, update_fields=["kept_for_calibration"])
    recording.kept_for_calibration = keep
    return locked


def recording_purge(*, now: datetime | None = None) -> int:
    """Delete the stored file of every recording due for purge and set deleted_at (the
    history keeps that it happened). Safe to run twice or in parallel: each row is claimed
    with SELECT ... FOR UPDATE SKIP LOCKED and re-checked. Returns how many it purged."""
    now = now or timezone.now()
    purged = 0
    for pk in list(recording_list_due_for_purge(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            recording = (
                recording_list_due_for_purge(now=now)
                .select_for_update(skip_locked=True)
                .filter(pk=pk)
                .first()
            )
            if recording is None:  # another run has it, or did it already
                continue
            if recording.file.name:
                # Deleting a missing file is a no-op, so a crash before commit is retried.
                recording.file.storage.delete(recording.file.name)
            if not recording.deletion_reason:
                recording.deletion_reason = (
                    REASON_REVIEWED if recording.reviewed_at else REASON_RETENTION
                )
            recording.deleted_at = now
            recording.file.name = ""
            recording._change_reason = "purged"  # type: ignore[attr-defined]
            recording.save(update_fields=["deleted_at", "deletion_reason", "file"])
            purged += 1
    if purged:
        logger.info("Purged %s recording file(s).", purged)
    return purged
