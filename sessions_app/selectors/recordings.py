"""Reads for recordings. Who may play one is decided in one place,
`Recording.objects.accessible_to(user)`; everything here builds on it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User

from ..models import Recording, Session


def recording_list_accessible_to(user: User) -> QuerySet[Recording]:
    """Recordings the user may play or download (the one access rule)."""
    return Recording.objects.accessible_to(user)


def recording_list_for_session(*, session: Session, user: User) -> list[Recording]:
    """The session's recordings the user may play, newest first."""
    return list(
        Recording.objects.accessible_to(user)
        .filter(session=session)
        .order_by("-uploaded_at", "-pk")
    )


def recording_latest_code(*, session: Session) -> str:
    """The code of the session's newest recording, any state ("" if none): what an upload
    form was built from, so a doubled upload is refused."""
    code = (
        Recording.objects.filter(session=session)
        .order_by("-uploaded_at", "-pk")
        .values_list("code", flat=True)
        .first()
    )
    return str(code) if code else ""


def recording_list_due_for_purge(*, now: datetime | None = None) -> QuerySet[Recording]:
    """Not yet deleted, and marked for deletion, or (unless kept for rater calibration)
    reviewed or past RECORDING_RETENTION_DAYS. Marked for deletion (a consent withdrawn)
    always wins: calibration keeps nobody's recording against their will."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RECORDING_RETENTION_DAYS)
    return Recording.objects.filter(deleted_at=None).filter(
        Q(marked_for_deletion_at__isnull=False)
        | (
            Q(kept_for_calibration=False)
            & (Q(reviewed_at__isnull=False) | Q(uploaded_at__lt=cutoff))
        )
    )
