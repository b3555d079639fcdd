"""reminders' part in retention and erasure, registered in RemindersConfig.ready: old
reminders that will never be sent again are deleted after REMINDER_RETENTION_DAYS, and an
erased participant's pending reminders are cancelled."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from retention import counts_by_organization
from sessions_app.models import Participant

from .models import Reminder

# Done with for good: sent, cancelled, or given up on after its retries ("dead"). A
# "failed" row is still due a retry, so retention never takes it (invariant 5).
FINISHED = (Reminder.Status.SENT, Reminder.Status.CANCELLED, Reminder.Status.DEAD)


def purge_reminders(now: datetime, *, dry_run: bool = False) -> dict[int | None, int]:
    cutoff = now - timedelta(days=settings.REMINDER_RETENTION_DAYS)
    due = Reminder.objects.filter(status__in=FINISHED).filter(
        Q(sent_at__lt=cutoff) | Q(sent_at=None, updated_at__lt=cutoff)
    )
    counts = counts_by_organization(due)
    if not dry_run:
        due.delete()
    return counts


def cancel_for_erased(participant: Participant, by: User) -> None:
    """An erased participant is sent nothing more."""
    Reminder.objects.filter(participant=participant).cancel()


def register() -> None:
    from retention import register as register_purger
    from sessions_app.services.erasure import register_erasure_step

    register_purger(
        "reminders",
        gettext_lazy("Old reminders"),
        purge_reminders,
        rule=lambda: (
            _("Reminders sent, cancelled or given up on are deleted after %(days)s days.")
            % {"days": settings.REMINDER_RETENTION_DAYS}
        ),
    )
    register_erasure_step(cancel_for_erased)
