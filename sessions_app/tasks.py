"""Celery tasks for sessions_app: thin wrappers that call a service."""

from celery import shared_task

from .services.recordings import recording_purge


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def purge_recordings() -> int:
    """Delete recording files that were reviewed, withdrawn or kept past retention."""
    return recording_purge()
