"""Celery tasks for reminders: thin wrappers that call a service. Each imports its service
inside the task body, and services import tasks at the top (no import cycle).

Both are safe to run twice: the sweep leases rows with SKIP LOCKED, and the send locks its
row and returns when it is no longer leased. Retries of a failed send are the outbox's
(the row's `retry_at`), not Celery's: a countdown task in Redis is lost when Redis
restarts empty, a row is not. Celery retries only what never reached the row: the
database itself being away.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def reminder_send(reminder_id: int) -> str:
    """Send one leased reminder (a no-op when it is not leased any more)."""
    from .services import reminder_deliver

    return reminder_deliver(reminder_id=reminder_id)


@shared_task(acks_late=True, ignore_result=True)
def reminders_dispatch_due() -> int:
    """Lease what is due, in batches, and queue one send per row (beat, every minute)."""
    from .services import reminders_dispatch_all

    return reminders_dispatch_all()


@shared_task(acks_late=True, ignore_result=True)
def reminders_produce_due() -> int:
    """Write the reminders that should exist and cancel those no longer wanted (beat,
    every minute, ahead of the sending sweep)."""
    from .producers import reminders_produce

    return reminders_produce().created
