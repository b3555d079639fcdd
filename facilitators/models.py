"""Facilitators: who they are (profiles), what they trained in (training types and
records), and their optional path to certification (a track and its events).

A profile belongs to one facilitator membership, so everything here is reached through
the organization's scoping (invariant 1): a person facilitating for two organizations has
two profiles, and each organization sees and verifies only its own records. What the
dashboards compare "as of a date" (training level) is read from dated rows here: the
day a training was completed and expires, and the time of each certification event;
never from today's state alone.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Membership
from accounts.scoping import OrganizationScopedQuerySet
from accounts.storage import private_storage

# --- Profiles ---------------------------------------------------------------------------


class FacilitatorProfileQuerySet(OrganizationScopedQuerySet):
    organization_path = "membership__organization"

    def active(self) -> "FacilitatorProfileQuerySet":
        return self.filter(active=True)


class FacilitatorProfile(models.Model):
    """One per facilitator membership. `lived_experience` is private: it is never shown on
    dashboards or to reviewers, and its changes are not copied into history."""

    class Kind(models.TextChoices):
        PEER = "peer", _("Peer facilitator")
        CLINICIAN = "clinician", _("Clinician")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="facilitator_profile",
        verbose_name=_("membership"),
    )
    kind = models.CharField(_("peer or clinician"), max_length=20, choices=Kind.choices)
    # Language codes the facilitator can run a group in.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    lived_experience = models.BooleanField(
        _("peer with lived experience"), null=True, blank=True, default=None
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FacilitatorProfileQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lived_experience"])

    class Meta:
        verbose_name = _("facilitator profile")
        verbose_name_plural = _("facilitator profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["peer", "clinician"]), name="profile_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return str(self.membership.user)


# --- Trainings --------------------------------------------------------------------------


class TrainingType(models.Model):
    """A kind of training, edited in admin. `counts_as_trained` marks the Seeking Safety
    training that makes a facilitator "trained"; `qualifies_rater` the fidelity rater
    training."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Leave empty when it does not expire."),
    )
    counts_as_trained = models.BooleanField(_("counts as Seeking Safety training"), default=False)
    qualifies_rater = models.BooleanField(_("fidelity rater training"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("training type")
        verbose_name_plural = _("training types")

    def __str__(self) -> str:
        return self.name


class TrainingRecordQuerySet(OrganizationScopedQuerySet):
    organization_path = "profile__membership__organization"

    def verified(self) -> "TrainingRecordQuerySet":
        return self.filter(status=TrainingRecord.Status.VERIFIED)

    def valid_on(self, day: date) -> "TrainingRecordQuerySet":
        """Completed by `day` and not expired on it (the dated facts, not today's)."""
        return self.filter(completed_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


def training_evidence_upload_to(instance: "TrainingRecord", filename: str) -> str:
    # A random name: nothing about the person in the path.
    return f"training-evidence/{uuid.uuid4().hex}"


class TrainingRecord(models.Model):
    """A training a facilitator completed. They add their own; a manager of the
    organization verifies it or rejects it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(
        FacilitatorProfile,
        on_delete=models.CASCADE,
        related_name="trainings",
        verbose_name=_("facilitator"),
    )
    training_type = models.ForeignKey(
        TrainingType, on_delete=models.PROTECT, related_name="records", verbose_name=_("training")
    )
    completed_on = models.DateField(_("completed on"))
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(999)],
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    evidence = models.FileField(
        _("evidence"),
        upload_to=training_evidence_upload_to,
        storage=private_storage,
        blank=True,
    )
    evidence_content_type = models.CharField(_("evidence file type"), max_length=100, blank=True)
    evidence_size_bytes = models.PositiveBigIntegerField(
        _("evidence file size (bytes)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = TrainingRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("completed_on")),
                name="training_expires_after_completed",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="training_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_type} ({self.completed_on})"


class TrainingEvidenceDownload(models.Model):
    """Every download of a training's evidence file: who and when."""

    record = models.ForeignKey(
        TrainingRecord,
        on_delete=models.CASCADE,
        related_name="downloads",
        verbose_name=_("training record"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("downloaded by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("evidence download")
        verbose_name_plural = _("evidence downloads")

    def __str__(self) -> str:
        return f"{self.user_id} downloaded {self.record_id}"


# --- Certification ----------------------------------------------------------------------


class CertificationState(models.TextChoices):
    NOT_PURSUING = "not_pursuing", _("Not pursuing certification")
    TRAINING_COMPLETE = "training_complete", _("Training complete")
    RECORDINGS_SUBMITTED = "recordings_submitted", _("Recordings submitted")
    IN_REVIEW = "in_review", _("In review")
    FEEDBACK_RECEIVED = "feedback_received", _("Feedback received")
    CERTIFIED = "certified", _("Certified")
    PAUSED = "paused", _("Paused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which a facilitator is on the way to certification (training level
# "in certification").
PURSUING_STATES = frozenset(
    {
        CertificationState.TRAINING_COMPLETE,
        CertificationState.RECORDINGS_SUBMITTED,
        CertificationState.IN_REVIEW,
        CertificationState.FEEDBACK_RECEIVED,
    }
)


class CertificationEventQuerySet(OrganizationScopedQuerySet):
    organization_path = "profile__membership__organization"


class CertificationEvent(models.Model):
    """One change of a facilitator's certification state: who, when, and a note. The
    track's state on any day is the last event's `to_state` up to that day; there is no
    state column to edit, so history cannot be rewritten by a later edit."""

    profile = models.ForeignKey(
        FacilitatorProfile,
        on_delete=models.CASCADE,
        related_name="certification_events",
        verbose_name=_("facilitator"),
    )
    from_state = models.CharField(_("from"), max_length=30, choices=CertificationState.choices)
    to_state = models.CharField(_("to"), max_length=30, choices=CertificationState.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = CertificationEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("certification event")
        verbose_name_plural = _("certification events")
        indexes = [models.Index(fields=["profile", "at"], name="cert_event_profile_at")]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"
