"""Celery task for retention: a thin wrapper around the service."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def retention_purge_due() -> int:
    """Purge every registered kind past its retention; returns the PurgeRun's id."""
    from .services import retention_purge

    result = retention_purge()
    return result.run.pk if result.run else 0
