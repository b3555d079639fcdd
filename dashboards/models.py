"""Rollups: what the dashboards count, one row per session, rebuilt from the other apps'
tables by `dashboards.services.rollups` (a Celery beat task and `manage.py
refresh_rollups`). Pages read these instead of recomputing each session's facilitation
model and training level on every request, so a dashboard costs the same few queries on
five years of a national program as on a month of one group.

Nothing here is a source of truth: every row can be rebuilt at any time, and a session
deleted upstream takes its rows with it (CASCADE)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from curriculum.models import Topic
from sessions_app.models import Group, Session


class SessionFact(models.Model):
    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fact",
        verbose_name=_("session"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    local_date = models.DateField(_("date where the group meets"))
    month = models.DateField(_("month (its first day)"))
    status = models.CharField(_("status"), max_length=10)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )
    facilitation_model = models.CharField(_("facilitation model"), max_length=30)
    training_level = models.CharField(_("training level of the peer who led it"), max_length=30)
    enrolled = models.PositiveIntegerField(_("enrolled that day"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    drop_ins = models.PositiveIntegerField(_("unregistered drop-ins"), default=0)
    parts_done = models.PositiveSmallIntegerField(_("session parts done"), default=0)
    adaptations = models.PositiveSmallIntegerField(_("adaptations noted"), default=0)
    recorded = models.BooleanField(_("recorded"), default=False)
    responses = models.PositiveIntegerField(_("feedback responses"), default=0)
    # Submitted fidelity reviews of the session's recordings: how many, the sum of their
    # overall adherence means (a mean over reviews is this over that), how many pass.
    fidelity_reviews = models.PositiveSmallIntegerField(_("fidelity reviews"), default=0)
    fidelity_total = models.DecimalField(
        _("sum of the reviews' adherence means"), max_digits=8, decimal_places=2, default=0
    )
    fidelity_passing = models.PositiveSmallIntegerField(_("passing fidelity reviews"), default=0)

    class Meta:
        verbose_name = _("session rollup")
        verbose_name_plural = _("session rollups")
        indexes = [
            # Every dashboard filters by organization and a month range, then optionally by
            # group or facilitation model.
            models.Index(fields=["organization", "month"], name="fact_org_month"),
            models.Index(fields=["organization", "group", "month"], name="fact_org_group_month"),
            models.Index(
                fields=["organization", "facilitation_model", "month"], name="fact_org_model_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.local_date}"


class SessionFactMember(models.Model):
    """Who was on a session's team, for the facilitator filter (held sessions from their
    snapshot, the others from their group's assignments)."""

    fact = models.ForeignKey(
        SessionFact, on_delete=models.CASCADE, related_name="members", verbose_name=_("session")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("facilitator")
    )

    class Meta:
        verbose_name = _("session team rollup")
        verbose_name_plural = _("session team rollups")
        constraints = [
            models.UniqueConstraint(fields=["fact", "user"], name="fact_member_once"),
        ]
        indexes = [models.Index(fields=["user", "fact"], name="fact_member_user")]

    def __str__(self) -> str:
        return f"{self.fact_id} {self.user_id}"


class FeedbackFact(models.Model):
    """A session's shown rating and yes/no answers to one question: how many, and their
    sum. Never shown as is: the dashboards pool these and suppress the result."""

    fact = models.ForeignKey(
        SessionFact, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("session")
    )
    item_key = models.CharField(_("question"), max_length=50)
    answers = models.PositiveIntegerField(_("answers"))
    total = models.PositiveIntegerField(_("sum of the answers"))

    class Meta:
        verbose_name = _("feedback rollup")
        verbose_name_plural = _("feedback rollups")
        constraints = [
            models.UniqueConstraint(fields=["fact", "item_key"], name="feedback_fact_once"),
        ]

    def __str__(self) -> str:
        return f"{self.fact_id} {self.item_key}"


class RollupRefresh(models.Model):
    """When an organization's rollups were last rebuilt: the pages say how fresh they are."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    refreshed_at = models.DateTimeField(_("refreshed at"))
    sessions = models.PositiveIntegerField(_("sessions"))
    seconds = models.FloatField(_("seconds taken"))

    class Meta:
        verbose_name = _("rollup refresh")
        verbose_name_plural = _("rollup refreshes")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.refreshed_at}"


class ExportLog(models.Model):
    """One row per export, written before its first byte is sent: who took what, with
    which filters, and when (issue 12). The filters hold codes and months only, never a
    name or anything typed by a person."""

    class Kind(models.TextChoices):
        SESSIONS = "sessions", _("De-identified dataset: sessions")
        PARTICIPANTS = "participants", _("De-identified dataset: participants")
        CODEBOOK = "codebook", _("Codebook")
        TABLE = "table", _("A dashboard table")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    # Kept when the account goes: the log says an export happened even then.
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    kind = models.CharField(_("what was exported"), max_length=20, choices=Kind.choices)
    # Which dashboard table, for Kind.TABLE (its name in the code, not a label).
    table = models.SlugField(_("dashboard table"), max_length=60, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # Rows sent, filled in when the download has been read to its end; empty when it was
    # interrupted (or is still going).
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="export_log_org_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["sessions", "participants", "codebook", "table"]),
                name="export_log_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.created_at}"
