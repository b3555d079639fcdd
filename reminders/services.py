"""Writes for reminders: schedule and cancel rows, lease what is due, send one row.

The flow (invariant 5): a producer calls `reminder_schedule` inside its own transaction, so
the reminder exists exactly when the change that caused it does. Every minute
`reminders_dispatch` leases due rows (SELECT ... FOR UPDATE SKIP LOCKED) and, once that
commits, queues one `reminder_send` per row. `reminder_deliver` locks the row, sends it
with its idempotency key and marks it sent in the same transaction. A task that is lost
leaves its row leased until the lease runs out, and the next sweep leases it again.
"""

import logging
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import User
from facilitators.models import DebriefRequest, ReviewAssignment, TrainingRecord
from feedback.models import FeedbackLink
from sessions_app.models import Participant, Session

from .channels import NoRecipient, channel_send
from .content import reminder_render
from .models import Reminder, about_field_for
from .sms import PermanentSendError, SendError
from .tasks import reminder_send

logger = logging.getLogger(__name__)

# The outcomes reminder_deliver reports (and the management command counts).
SENT = "sent"
SKIPPED = "skipped"
RETRYING = "retrying"
DEAD = "dead"
CANCELLED = "cancelled"


# --- Scheduling -----------------------------------------------------------------------


def reminder_key(
    *,
    kind: str,
    channel: str,
    due_at: datetime,
    user: User | None = None,
    participant: Participant | None = None,
    about: models.Model | None = None,
) -> str:
    """The idempotency key: kind + recipient (and channel) + subject + due time, in ids
    only. Moving a session changes its reminders' keys; scheduling the same one twice
    does not."""
    if (user is None) == (participant is None):
        raise ValueError("A reminder has exactly one recipient: a user or a participant.")
    recipient = f"u{user.pk}" if user is not None else f"p{participant.pk}"  # type: ignore[union-attr]
    field = about_field_for(about)
    subject = f"{field}{about.pk}" if about is not None else "-"
    due = due_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{kind}:{recipient}.{channel}:{subject}:{due}"


def reminder_schedule(
    *,
    kind: str,
    channel: str,
    due_at: datetime,
    user: User | None = None,
    participant: Participant | None = None,
    about: models.Model | None = None,
    language: str | None = None,
) -> Reminder:
    """Write the reminder once (an upsert on its key); call it inside the transaction of
    the change that causes it. A cancelled row with the same key is revived; a sent or
    dead one is left as it is."""
    key = reminder_key(
        kind=kind, channel=channel, due_at=due_at, user=user, participant=participant, about=about
    )
    if participant is not None:
        organization_id = participant.organization_id
        language = language or participant.preferred_language
    else:
        organization_id = _organization_id_of(about)
        language = language or settings.LANGUAGE_CODE
    fields: dict[str, Any] = {
        "organization_id": organization_id,
        "kind": kind,
        "channel": channel,
        "user": user,
        "participant": participant,
        "language": language,
        "due_at": due_at,
    }
    field = about_field_for(about)
    if field is not None:
        fields[field] = about
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(idempotency_key=key).first()
        if reminder is None:
            reminder = Reminder(idempotency_key=key, **fields)
            reminder.full_clean()
            reminder.save()
        elif reminder.status == Reminder.Status.CANCELLED:
            reminder.status = Reminder.Status.PENDING
            reminder.attempts = 0
            reminder.last_error = ""
            reminder.language = language
            reminder.full_clean()
            reminder.save()
    return reminder


def _organization_id_of(about: models.Model | None) -> int:
    """The organization a staff reminder belongs to: its subject's."""
    if isinstance(about, Session):
        return about.group.organization_id
    if isinstance(about, FeedbackLink):
        return about.session.group.organization_id
    if isinstance(about, TrainingRecord):
        return about.profile.membership.organization_id
    if isinstance(about, ReviewAssignment | DebriefRequest):
        return about.organization_id
    raise ValueError("A staff reminder needs a subject to belong to an organization.")


def reminder_cancel_for(
    *,
    about: models.Model,
    kinds: Iterable[str] | None = None,
    participant: Participant | None = None,
    user: User | None = None,
) -> int:
    """Cancel every reminder about `about` not sent yet (optionally only some kinds or one
    recipient); return how many. A row being sent right now finishes first: the update
    waits for its lock and then no longer matches."""
    reminders = Reminder.objects.cancellable().about(about)
    if kinds is not None:
        reminders = reminders.filter(kind__in=list(kinds))
    if participant is not None:
        reminders = reminders.filter(participant=participant)
    if user is not None:
        reminders = reminders.filter(user=user)
    return reminders.update(
        status=Reminder.Status.CANCELLED, lease_until=None, retry_at=None, updated_at=timezone.now()
    )


def reminder_retry(*, reminder: Reminder) -> bool:
    """Give a dead reminder a fresh set of attempts (a manager's retry button)."""
    count = (
        Reminder.objects.dead()
        .filter(pk=reminder.pk)
        .update(
            status=Reminder.Status.PENDING,
            attempts=0,
            due_at=timezone.now(),
            retry_at=None,
            updated_at=timezone.now(),
        )
    )
    return count == 1


# --- Dispatching ----------------------------------------------------------------------


def _queue(ids: list[int]) -> None:
    for position, reminder_id in enumerate(ids):
        try:
            reminder_send.delay(reminder_id)
        except BrokerError:
            # Redis is away: these rows stay leased, and the sweep after their lease
            # runs out queues them again. Nothing is lost.
            logger.warning(
                "Broker unreachable; %d leased reminders wait for their lease to end.",
                len(ids) - position,
            )
            return


def reminders_dispatch(
    *, now: datetime | None = None, batch: int | None = None, queue: bool = True
) -> list[int]:
    """Lease up to `batch` due rows no other sweep holds and, after commit, queue one
    send task per row (or, with `queue=False`, return them for the caller to send)."""
    now = now or timezone.now()
    batch = batch or settings.REMINDER_DISPATCH_BATCH
    with transaction.atomic():
        ids = list(
            Reminder.objects.due(now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(
                status=Reminder.Status.LEASED,
                lease_until=now + timedelta(seconds=settings.REMINDER_LEASE_SECONDS),
                updated_at=now,
            )
            if queue:
                transaction.on_commit(lambda: _queue(ids))
    return ids


def reminders_dispatch_all(*, now: datetime | None = None) -> int:
    """One sweep: dispatch batches until nothing is due (or the sweep's cap); return how
    many rows were leased."""
    total = 0
    for _ in range(settings.REMINDER_DISPATCH_MAX_BATCHES):
        ids = reminders_dispatch(now=now)
        total += len(ids)
        if len(ids) < settings.REMINDER_DISPATCH_BATCH:
            break
    return total


# --- Sending --------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, then between half
    and all of it, so rows that failed together do not all come back together."""
    base = settings.REMINDER_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    capped = min(base, settings.REMINDER_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * (0.5 + random.random() / 2))


def _safe_error(exc: Exception) -> str:
    # Our own errors carry a reason written without contact details; anything else is
    # named by its class only, since its message may quote the address or number.
    if isinstance(exc, SendError):
        return f"{type(exc).__name__}: {exc.reason}"[:200]
    return type(exc).__name__[:200]


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one leased reminder at most once: lock it (skipping it if another task holds
    it), return unless it is still leased, send with its idempotency key and record the
    outcome in the same transaction."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder_id, status=Reminder.Status.LEASED)
            .first()
        )
        if reminder is None:
            return SKIPPED
        now = timezone.now()
        reminder.lease_until = None
        update_fields = [
            "status",
            "lease_until",
            "retry_at",
            "attempts",
            "last_error",
            "updated_at",
        ]
        try:
            rendered = reminder_render(reminder)
            message_id = channel_send(reminder, rendered)
        except NoRecipient as exc:
            reminder.status = Reminder.Status.CANCELLED
            reminder.last_error = _safe_error(exc)
            outcome = CANCELLED
        except PermanentSendError as exc:
            reminder.attempts += 1
            reminder.status = Reminder.Status.DEAD
            reminder.last_error = _safe_error(exc)
            outcome = DEAD
        except Exception as exc:
            reminder.attempts += 1
            reminder.last_error = _safe_error(exc)
            if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                reminder.status = Reminder.Status.DEAD
                reminder.retry_at = None
                outcome = DEAD
            else:
                reminder.status = Reminder.Status.FAILED
                reminder.retry_at = now + retry_delay(reminder.attempts)
                outcome = RETRYING
            logger.warning(
                "Reminder %s failed (attempt %d): %s",
                reminder.pk,
                reminder.attempts,
                reminder.last_error,
            )
        else:
            reminder.attempts += 1
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = now
            reminder.retry_at = None
            reminder.last_error = ""
            reminder.provider_message_id = message_id[:200]
            update_fields += ["sent_at", "provider_message_id"]
            outcome = SENT
        reminder.save(update_fields=update_fields)
    return outcome


def reminders_send_due(*, batch: int | None = None) -> dict[str, int]:
    """Dispatch and send everything due in this process, without Celery (the management
    command: embedded mode and cron). Returns the count of each outcome."""
    counts: dict[str, int] = {}
    while ids := reminders_dispatch(batch=batch, queue=False):
        for reminder_id in ids:
            outcome = reminder_deliver(reminder_id=reminder_id)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
