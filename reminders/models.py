"""The reminder outbox (invariant 5).

A reminder is a row first, with a unique idempotency key; a periodic sweep leases due
rows and a task sends each one. Redis and the worker only carry the nudge to send: if
they lose it, the lease expires and the next sweep sends the row again.

A row names no contact detail: a participant's encrypted email or phone is read from the
participant only when the message is sent.
"""

from datetime import datetime
from itertools import combinations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.scoping import OrganizationScopedQuerySet
from facilitators.models import DebriefRequest, ReviewAssignment, TrainingRecord
from feedback.models import FeedbackLink
from sessions_app.models import Participant, Session

# What a reminder can be about: one nullable foreign key each (real constraints and
# deliberate on_delete, which a content type and object id could not give). At most one
# is set.
ABOUT_FIELDS = ("session", "training_record", "review_assignment", "feedback_link", "debrief")


class ReminderQuerySet(OrganizationScopedQuerySet):
    def pending(self) -> "ReminderQuerySet":
        return self.filter(status=Reminder.Status.PENDING)

    def upcoming(self, now: datetime) -> "ReminderQuerySet":
        return self.pending().filter(due_at__gt=now)

    def due(self, now: datetime) -> "ReminderQuerySet":
        """Rows a sweep may lease now: pending and due, failed and past their retry time,
        or leased with a lease that ran out (the task was lost or its worker died)."""
        return self.filter(
            Q(status=Reminder.Status.PENDING, due_at__lte=now)
            | Q(status=Reminder.Status.FAILED, retry_at__lte=now)
            | Q(status=Reminder.Status.LEASED, lease_until__lte=now)
        )

    def cancellable(self) -> "ReminderQuerySet":
        """Not sent yet and not given up on."""
        return self.filter(status__in=Reminder.UNSENT)

    def cancel(self) -> int:
        """Cancel those of these reminders not sent yet; return how many. A row being sent
        right now finishes first: the update waits for its lock and then no longer
        matches."""
        return self.cancellable().update(
            status=Reminder.Status.CANCELLED,
            lease_until=None,
            retry_at=None,
            updated_at=timezone.now(),
        )

    def sent(self) -> "ReminderQuerySet":
        return self.filter(status=Reminder.Status.SENT)

    def dead(self) -> "ReminderQuerySet":
        return self.filter(status=Reminder.Status.DEAD)

    def about(self, obj: models.Model) -> "ReminderQuerySet":
        field = about_field_for(obj)
        assert field is not None, "a subject is needed"
        return self.filter(**{field: obj})


class Reminder(models.Model):
    class Kind(models.TextChoices):
        SESSION_FACILITATOR = "session_facilitator", _("Session coming up (facilitator)")
        SESSION_PARTICIPANT = "session_participant", _("Session coming up (participant)")
        SESSION_CANCELLED = "session_cancelled", _("Session cancelled (participant)")
        FEEDBACK_LINK = "feedback_link", _("Feedback link after a session (participant)")
        TRAINING_EXPIRING = "training_expiring", _("Training expires in 30 days")
        TRAINING_EXPIRED = "training_expired", _("Training expired")
        REVIEW_WAITING = "review_waiting", _("Review waiting more than 7 days")
        DEBRIEF_REQUESTED = "debrief_requested", _("Debrief requested")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        LEASED = "leased", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Could not be sent")
        CANCELLED = "cancelled", _("Cancelled")

    # Not sent yet and not given up on: what may still be cancelled.
    UNSENT = frozenset({Status.PENDING, Status.LEASED, Status.FAILED})

    # Kinds that go to participants: their words stay neutral on a shared phone.
    PARTICIPANT_KINDS = frozenset(
        {Kind.SESSION_PARTICIPANT, Kind.SESSION_CANCELLED, Kind.FEEDBACK_LINK}
    )

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Exactly one recipient: a staff member, or a participant (no account).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("staff recipient"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("participant recipient"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    training_record = models.ForeignKey(
        TrainingRecord,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("training record"),
    )
    review_assignment = models.ForeignKey(
        ReviewAssignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review assignment"),
    )
    feedback_link = models.ForeignKey(
        FeedbackLink,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("feedback link"),
    )
    debrief = models.ForeignKey(
        DebriefRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("debrief request"),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    retry_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # An error class and a reason we wrote ourselves, never a provider's message (which
    # may repeat the address or number).
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            # The sweep's three ways in (see ReminderQuerySet.due).
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="reminder_pending_due"
            ),
            models.Index(
                fields=["retry_at"], condition=Q(status="failed"), name="reminder_failed_retry"
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="leased"), name="reminder_leased_until"
            ),
            models.Index(fields=["organization", "status", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(participant__isnull=True))
                | (Q(user__isnull=True) & Q(participant__isnull=False)),
                name="reminder_one_recipient",
            ),
            # Staff have no phone number here: staff reminders are emails.
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(channel="email"),
                name="reminder_staff_by_email",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms"]), name="reminder_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "leased", "sent", "failed", "dead", "cancelled"]
                ),
                name="reminder_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="reminder_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="leased") | Q(lease_until__isnull=False),
                name="reminder_leased_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(retry_at__isnull=False),
                name="reminder_failed_has_retry",
            ),
            models.CheckConstraint(
                condition=~Q(
                    *[
                        Q(**{f"{a}__isnull": False}) & Q(**{f"{b}__isnull": False})
                        for a, b in combinations(ABOUT_FIELDS, 2)
                    ],
                    _connector=Q.OR,
                ),
                name="reminder_about_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} ({self.get_status_display()}, {self.due_at:%Y-%m-%d %H:%M})"
        )

    @property
    def about(self) -> models.Model | None:
        for name in ABOUT_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    @property
    def recipient(self) -> models.Model:
        return self.user if self.user_id is not None else self.participant  # type: ignore[return-value]

    @property
    def for_participant(self) -> bool:
        return self.participant_id is not None


_ABOUT_MODELS: dict[type[models.Model], str] = {
    Session: "session",
    TrainingRecord: "training_record",
    ReviewAssignment: "review_assignment",
    FeedbackLink: "feedback_link",
    DebriefRequest: "debrief",
}


def about_field_for(obj: models.Model | None) -> str | None:
    """The Reminder field that holds `obj` (None for no subject)."""
    if obj is None:
        return None
    try:
        return _ABOUT_MODELS[type(obj)]
    except KeyError:
        raise TypeError(f"A reminder cannot be about a {type(obj).__name__}.") from None
