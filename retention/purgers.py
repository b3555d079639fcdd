"""Purgers of the apps below retention (accounts): expired invitations."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Invitation

from .registry import register


def _invitation_rule() -> str:
    return _("Invitations nobody accepted are deleted %(days)s days after they expired.") % {
        "days": settings.INVITATION_RETENTION_DAYS
    }


def purge_invitations(now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
    """Invitations never accepted, expired more than INVITATION_RETENTION_DAYS ago."""
    cutoff = now - timedelta(days=settings.INVITATION_RETENTION_DAYS)
    due = Invitation.objects.filter(accepted_at=None, expires_at__lt=cutoff)
    counts: dict[int | None, int] = {
        row["organization_id"]: row["n"]
        for row in due.values("organization_id").annotate(n=Count("pk")).order_by()
    }
    if not dry_run:
        due.delete()
    return counts


def register_accounts_purgers() -> None:
    register(
        "invitations",
        gettext_lazy("Expired invitations"),
        purge_invitations,
        rule=_invitation_rule,
    )
