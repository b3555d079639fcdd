"""Reads for the managers' reminders page: each tab's rows and counts, and recipients
shown only as initials and a masked contact (never a name, address or number in full)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization

from .models import Reminder

UPCOMING = "upcoming"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"
TABS = (UPCOMING, SENT, FAILED, DEAD)

MASK = "\u2022\u2022\u2022"  # •••


def _tab_filter(tab: str) -> Q:
    if tab == UPCOMING:
        return Q(status__in=[Reminder.Status.PENDING, Reminder.Status.LEASED])
    if tab == SENT:
        return Q(status=Reminder.Status.SENT)
    if tab == FAILED:
        return Q(status=Reminder.Status.FAILED)
    return Q(status=Reminder.Status.DEAD)


def reminder_tab_counts(*, organization: Organization, now: datetime) -> dict[str, int]:
    """How many reminders each tab holds, in one query."""
    counts = Reminder.objects.filter(organization=organization).aggregate(
        **{tab: Count("pk", filter=_tab_filter(tab)) for tab in TABS}
    )
    return {tab: counts[tab] or 0 for tab in TABS}


def reminder_list(*, organization: Organization, tab: str, now: datetime) -> QuerySet[Reminder]:
    """One tab's reminders with what their rows show (a fixed number of queries): upcoming
    soonest first, the others latest first."""
    order = ["due_at", "pk"] if tab == UPCOMING else ["-updated_at", "-pk"]
    return (
        Reminder.objects.filter(organization=organization)
        .filter(_tab_filter(tab))
        .select_related(
            "user",
            "participant",
            "session__group",
            "feedback_link__session__group",
            "training_record__training_type",
            "review_assignment",
            "debrief",
        )
        .order_by(*order)
    )


def initials(name: str) -> str:
    """ "River Stone" -> "R. S."; a single word gives one initial."""
    letters = [part[0].upper() for part in name.replace(".", " ").split() if part]
    return " ".join(f"{letter}." for letter in letters[:3]) or MASK


def mask_email(address: str) -> str:
    """ "river.person@example.net" -> "r•••@e•••.net"."""
    local, _at, domain = address.partition("@")
    if not domain:
        return MASK
    host, _dot, top = domain.rpartition(".")
    return f"{local[:1]}{MASK}@{(host or top)[:1]}{MASK}" + (f".{top}" if host else "")


def mask_phone(number: str) -> str:
    """ "+15555550123" -> "•••• 0123" (the last four digits only)."""
    digits = [c for c in number if c.isdigit()]
    return f"{MASK}\u2022 {''.join(digits[-4:])}" if len(digits) >= 4 else MASK


@dataclass(frozen=True)
class ReminderRow:
    reminder: Reminder
    recipient: str
    contact: str
    about: str


def _about(reminder: Reminder) -> str:
    if reminder.session_id is not None:
        return reminder.session.group.name  # type: ignore[union-attr]
    if reminder.feedback_link_id is not None:
        return reminder.feedback_link.session.group.name  # type: ignore[union-attr]
    if reminder.training_record_id is not None:
        return reminder.training_record.training_type.name  # type: ignore[union-attr]
    if reminder.review_assignment_id is not None:
        return _("A review assignment")
    if reminder.debrief_id is not None:
        return _("A debrief request")
    return ""


def reminder_rows(reminders: list[Reminder]) -> list[ReminderRow]:
    """What a manager may see of each reminder's recipient: initials, and for a
    participant the masked contact the channel used."""
    rows = []
    for reminder in reminders:
        if reminder.participant is not None:
            participant = reminder.participant
            recipient = initials(participant.display_name)
            if reminder.channel == Reminder.Channel.EMAIL:
                contact = mask_email(participant.contact_email) if participant.contact_email else ""
            else:
                contact = mask_phone(participant.contact_phone) if participant.contact_phone else ""
        else:
            user = reminder.user
            recipient = initials(str(user.display_name or user.email.split("@")[0]))  # type: ignore[union-attr]
            contact = mask_email(user.email)  # type: ignore[union-attr]
        rows.append(
            ReminderRow(
                reminder=reminder, recipient=recipient, contact=contact, about=_about(reminder)
            )
        )
    return rows
