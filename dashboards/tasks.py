"""Celery tasks for the dashboards: thin wrappers that call a service."""

from celery import shared_task


@shared_task(ignore_result=True)
def rollups_refresh_due() -> int:
    """Rebuild every organization's rollups (the beat runs it every ROLLUP_REFRESH_MINUTES);
    returns how many sessions they hold."""
    from .services import rollups_refresh_all

    return sum(rollups_refresh_all().values())
