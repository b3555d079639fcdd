"""Writes for reminders: schedule one row, lease what is due, send.

The flow (invariant 5): every minute the producing sweep (producers.py) writes the rows
that should exist and cancels those no longer wanted; `reminder_schedule` writes a single
row the same way (an upsert on its key). Every minute
`reminders_dispatch` leases due rows (SELECT ... FOR UPDATE SKIP LOCKED) and, once that
commits, queues one `reminder_send` per row. `reminders_deliver_batch` locks the leased
rows, sends each with its idempotency key and records every outcome in the same
transaction (`reminder_deliver`, the task's, is a batch of one; the management command
sends whole batches). A task that is lost leaves its row leased until the lease runs out,
and the next sweep leases it again, counting the lost attempt: a row that keeps killing
its worker is dead after REMINDER_MAX_ATTEMPTS.
"""

import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import User
from facilitators.models import DebriefRequest, ReviewAssignment, TrainingRecord
from feedback.models import FeedbackLink
from sessions_app.models import Participant, Session

from .channels import NoRecipient, channel_send
from .content import reminder_render
from .models import Reminder, about_field_for
from .producers import make_key
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
    return make_key(kind=kind, channel=channel, due_at=due_at, recipient=recipient, subject=subject)


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

# What the sweep writes on a row whose lease ran out: the send that held it never finished
# (its task was lost, or its worker died, perhaps because of this very row). It counts as
# an attempt, so a row that keeps killing its worker ends dead instead of leased forever.
LEASE_EXPIRED = "LeaseExpired: the worker stopped before finishing"
# Written (and committed) just before such a row is sent again on its own: if the worker
# dies once more, the next sweep keeps this, and the row is tried after the others.
LEASE_EXPIRED_SENDING = "LeaseExpired: the worker stopped while sending it"


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


def _lease(*, now: datetime, batch: int) -> tuple[list[int], list[int]]:
    """Lease up to `batch` due rows no other sweep holds; return (leased, given up on).

    A row whose lease ran out is counted as an attempt; when that was its last attempt
    it is dead instead of leased again. One SELECT and one UPDATE, whatever the batch."""
    rows = list(
        Reminder.objects.due(now)
        .order_by("due_at", "pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", "status", "attempts")[:batch]
    )
    if not rows:
        return [], []
    last = settings.REMINDER_MAX_ATTEMPTS
    leased: list[int] = []
    given_up: list[int] = []
    for pk, status, attempts in rows:
        lost = status == Reminder.Status.LEASED
        (given_up if lost and attempts + 1 >= last else leased).append(pk)
    # Every CASE reads the row as it was before this UPDATE.
    lost = Q(status=Reminder.Status.LEASED)
    give_up = lost & Q(attempts__gte=last - 1)
    Reminder.objects.filter(pk__in=[row[0] for row in rows]).update(
        status=Case(
            When(give_up, then=Value(Reminder.Status.DEAD)),
            default=Value(Reminder.Status.LEASED),
            output_field=models.CharField(),
        ),
        lease_until=Case(
            When(give_up, then=Value(None)),
            default=Value(now + timedelta(seconds=settings.REMINDER_LEASE_SECONDS)),
            output_field=models.DateTimeField(),
        ),
        retry_at=Case(
            When(give_up, then=Value(None)),
            default=F("retry_at"),
            output_field=models.DateTimeField(),
        ),
        attempts=Case(
            When(lost, then=F("attempts") + 1),
            default=F("attempts"),
            output_field=models.PositiveSmallIntegerField(),
        ),
        last_error=Case(
            When(lost & ~Q(last_error=LEASE_EXPIRED_SENDING), then=Value(LEASE_EXPIRED)),
            default=F("last_error"),
            output_field=models.CharField(),
        ),
        updated_at=now,
    )
    if given_up:
        logger.warning(
            "%d reminders lost their lease %d times; given up on: %s",
            len(given_up),
            last,
            given_up,
        )
    return leased, given_up


def reminders_dispatch(
    *, now: datetime | None = None, batch: int | None = None, queue: bool = True
) -> list[int]:
    """Lease up to `batch` due rows no other sweep holds and, after commit, queue one
    send task per row (or, with `queue=False`, return them for the caller to send)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids, _given_up = _lease(now=now, batch=batch or settings.REMINDER_DISPATCH_BATCH)
        if ids and queue:
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

# Everything the channel and reminder_render read, joined into the batch's one SELECT.
_SEND_RELATED = (
    "organization",
    "user",
    "participant",
    "session__group",
    "session__topic",
    "feedback_link__session__group",
    "training_record__training_type",
    "review_assignment",
    "debrief__requested_by",
)
# What a send changes on its row, written back for the whole batch in one UPDATE.
_OUTCOME_FIELDS = [
    "status",
    "retry_at",
    "attempts",
    "last_error",
    "sent_at",
    "provider_message_id",
]


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


def _attempt(reminder: Reminder, now: datetime) -> str:
    """Render and send one locked, leased row; set its outcome on it (not saved)."""
    reminder.lease_until = None
    reminder.updated_at = now
    try:
        rendered = reminder_render(reminder, channel=reminder.channel)
        message_id = channel_send(reminder, rendered)
    except NoRecipient as exc:
        reminder.status = Reminder.Status.CANCELLED
        reminder.last_error = _safe_error(exc)
        return CANCELLED
    except PermanentSendError as exc:
        reminder.attempts += 1
        reminder.status = Reminder.Status.DEAD
        reminder.last_error = _safe_error(exc)
        return DEAD
    except Exception as exc:
        reminder.attempts += 1
        reminder.last_error = _safe_error(exc)
        logger.warning(
            "Reminder %s failed (attempt %d): %s",
            reminder.pk,
            reminder.attempts,
            reminder.last_error,
        )
        if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            reminder.status = Reminder.Status.DEAD
            reminder.retry_at = None
            return DEAD
        reminder.status = Reminder.Status.FAILED
        reminder.retry_at = now + retry_delay(reminder.attempts)
        return RETRYING
    reminder.attempts += 1
    reminder.status = Reminder.Status.SENT
    reminder.sent_at = now
    reminder.retry_at = None
    reminder.last_error = ""
    reminder.provider_message_id = message_id[:200]
    return SENT


def _column(name: str) -> str:
    field = Reminder._meta.get_field(name)
    assert isinstance(field, models.Field)
    return connection.ops.quote_name(str(field.column))


def _record_outcomes(reminders: list[Reminder], now: datetime) -> None:
    """Write each row's outcome (its lease ended): one UPDATE for the whole batch."""
    if connection.vendor != "postgresql":
        Reminder.objects.bulk_update(reminders, [*_OUTCOME_FIELDS, "lease_until", "updated_at"])
        return
    # bulk_update builds a CASE of one WHEN per row for every field, which costs more
    # than the sends themselves; an UPDATE joined to a VALUES list is the same single
    # statement at a fraction of the cost.
    meta = Reminder._meta
    quote = connection.ops.quote_name
    columns = [_column(name) for name in _OUTCOME_FIELDS]
    casts = {"retry_at": "::timestamptz", "sent_at": "::timestamptz", "attempts": "::smallint"}
    row = "(%s::bigint, " + ", ".join(f"%s{casts.get(name, '')}" for name in _OUTCOME_FIELDS) + ")"
    assignments = ", ".join(f"{column} = v.{column}" for column in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments}, "
        f"{_column('lease_until')} = NULL, {_column('updated_at')} = %s "
        f"FROM (VALUES {', '.join([row] * len(reminders))}) AS v(id, {', '.join(columns)}) "
        f"WHERE {quote(meta.db_table)}.{quote(meta.pk.column)} = v.id"
    )
    params: list[Any] = [now]
    for reminder in reminders:
        params.append(reminder.pk)
        params.extend(
            str(value) if name == "status" else value
            for name in _OUTCOME_FIELDS
            for value in [getattr(reminder, name)]
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def reminders_deliver_batch(*, ids: Sequence[int]) -> dict[int, str]:
    """Send each of these reminders at most once; return each id's outcome.

    One transaction: lock the rows that are still leased (SELECT ... FOR UPDATE, with
    everything rendering reads; waiting, not skipping: a sweep leasing other rows may hold
    one of these for a moment, since PostgreSQL keeps the lock on a row it looked at and
    passed over, and a second send of the same row must wait to see it sent), send each
    with its idempotency key, and record every outcome in one UPDATE before commit. A row
    that is no longer leased (sent, cancelled, another sender's) is skipped.

    Rows back from a lease that ran out are suspects (the worker may have died on one of
    them): they are sent one per transaction after the rest, so a row that kills the
    process costs only itself its attempts, not its whole batch."""
    outcomes = dict.fromkeys(ids, SKIPPED)
    if not outcomes:
        return outcomes
    suspects: list[Reminder] = []
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(of=("self",))
            .select_related(*_SEND_RELATED)
            .filter(pk__in=outcomes, status=Reminder.Status.LEASED)
            .order_by("due_at", "pk")
        )
        if len(outcomes) > 1:
            suspects = [r for r in reminders if r.last_error.startswith("LeaseExpired")]
            reminders = [r for r in reminders if not r.last_error.startswith("LeaseExpired")]
        now = timezone.now()
        for reminder in reminders:
            outcomes[reminder.pk] = _attempt(reminder, now)
        if reminders:
            _record_outcomes(reminders, now)
    # Those already sent alone once go last: the likeliest to be the one that kills.
    suspects.sort(key=lambda r: r.last_error == LEASE_EXPIRED_SENDING)
    for suspect in suspects:
        Reminder.objects.filter(pk=suspect.pk, status=Reminder.Status.LEASED).update(
            last_error=LEASE_EXPIRED_SENDING
        )
        outcomes.update(reminders_deliver_batch(ids=[suspect.pk]))
    return outcomes


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one leased reminder at most once (a batch of one); return its outcome."""
    return reminders_deliver_batch(ids=[reminder_id])[reminder_id]


def reminders_send_due(*, batch: int | None = None) -> dict[str, int]:
    """Lease and send everything due in this process, a batch at a time, without Celery
    (the management command: embedded mode and cron). Returns the count of each outcome."""
    counts: dict[str, int] = {}
    batch = batch or settings.REMINDER_DISPATCH_BATCH
    while True:
        with transaction.atomic():
            ids, given_up = _lease(now=timezone.now(), batch=batch)
        if given_up:
            counts[DEAD] = counts.get(DEAD, 0) + len(given_up)
        if not ids and not given_up:
            return counts
        for outcome in reminders_deliver_batch(ids=ids).values():
            counts[outcome] = counts.get(outcome, 0) + 1
