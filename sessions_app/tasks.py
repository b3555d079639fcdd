"""Celery tasks for sessions_app: thin wrappers that call a service. Each imports its
service inside the task body, and services import tasks at the top (no import cycle)."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def purge_recordings() -> int:
    """Delete recording files that were reviewed, withdrawn or kept past retention."""
    from .services.recordings import recording_purge

    return recording_purge()
