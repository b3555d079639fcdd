"""AccessEvent: one row per sensitive read (who looked at what, when), append-only.

It names the object by its type and code, never by a participant's name, and keeps the
actor's e-mail in `actor_label` so the row still says who acted after the account goes.
On PostgreSQL two triggers refuse any UPDATE (except the one a removed account causes,
setting `actor` to NULL) and any DELETE; `services.access_events_purge` is the only
sanctioned delete. Migration 0002 also revokes UPDATE, DELETE and TRUNCATE from PUBLIC.
"""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

# The names the purge ignores (services.access_events_purge) and the tests refer to.
NO_UPDATE_TRIGGER = "access_event_no_update"
NO_DELETE_TRIGGER = "access_event_no_delete"


class _ChangeOtherThanActorRemoved(pgtrigger.Condition):
    """Any change, except the one ON DELETE SET NULL makes when an account is removed:
    `actor` set to NULL with every other column unchanged."""

    sql = "resolved per model"

    def resolve(self, model: Any) -> str:
        others = pgtrigger.AnyChange(exclude=["actor"]).resolve(model)
        return f"(({others}) OR NEW.actor_id IS NOT NULL)"


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def of_organization(self, organization: Organization) -> "AccessEventQuerySet":
        return self.filter(organization=organization)


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        PARTICIPANT_LIST_VIEWED = "participant_list_viewed", _("Participant list viewed")
        PARTICIPANT_VIEWED = "participant_viewed", _("Participant viewed")
        ATTENDANCE_VIEWED = "attendance_viewed", _("Attendance viewed")
        CONSENTS_VIEWED = "consents_viewed", _("Consents viewed")
        RECORDING_VIEWED = "recording_viewed", _("Recording viewed")
        RECORDING_DOWNLOADED = "recording_downloaded", _("Recording downloaded")
        EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
        FEEDBACK_TEXT_VIEWED = "feedback_text_viewed", _("Feedback free text viewed")
        ADMIN_VIEWED = "admin_viewed", _("Viewed in administration")

    # Blank for a platform-wide read (an administration list of every organization).
    # PROTECT: an organization with an audit trail is not deleted behind its back.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_code = models.CharField(_("object code"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [
            models.Index(fields=["organization", "-occurred_at"], name="access_event_org_time"),
        ]
        triggers = [
            pgtrigger.Protect(
                name=NO_UPDATE_TRIGGER,
                operation=pgtrigger.Update,
                condition=_ChangeOtherThanActorRemoved(),
            ),
            pgtrigger.Protect(name=NO_DELETE_TRIGGER, operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_code}"
