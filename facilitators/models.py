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
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Membership, Role
from accounts.scoping import OrganizationScopedQuerySet
from accounts.storage import private_storage
from sessions_app.models import Recording

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


# --- Rubrics and reviews ----------------------------------------------------------------
#
# Rubrics are data (admin-edited, versioned). A rubric version with any review is frozen:
# editing it means copying it as a new version (admin's "copy as new version"). Review
# assignments give one reviewer one subject (a recording, or a training type for peer
# review) with the rubric to use; the review is the reviewer's draft, then submitted once.

# Ratings run from 0 to 3 in half points.
RATING_MIN = Decimal("0")
RATING_MAX = Decimal("3")
RATING_STEP = Decimal("0.5")


def on_rating_grid(value: Decimal) -> bool:
    """Whether a (finite) rating is one of 0, 0.5, ... 3: the one grid every rating keeps."""
    return RATING_MIN <= value <= RATING_MAX and not value % RATING_STEP


RUBRIC_IN_USE = _(
    "This rubric version already has reviews, so it cannot be changed. "
    "Copy it as a new version and edit the copy."
)


class RubricQuerySet(models.QuerySet["Rubric"]):
    def active(self) -> "RubricQuerySet":
        return self.filter(active=True)

    def usable_in(self, organization_id: int) -> "RubricQuerySet":
        """Active rubrics shared by everyone or of this organization."""
        return self.active().filter(
            Q(organization__isnull=True) | Q(organization_id=organization_id)
        )


class Rubric(models.Model):
    """One version of a rubric. Frozen once any review uses it."""

    class Kind(models.TextChoices):
        FIDELITY = "fidelity", _("Fidelity")
        PEER_REVIEW = "peer_review", _("Peer review")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rubrics",
        verbose_name=_("organization"),
        help_text=_("Leave empty to share the rubric with every organization."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RubricQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name", "-version"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["fidelity", "peer_review"]), name="rubric_kind_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="rubric_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    @property
    def is_fidelity(self) -> bool:
        return self.kind == self.Kind.FIDELITY

    def is_in_use(self) -> bool:
        return self.pk is not None and Review.objects.filter(assignment__rubric_id=self.pk).exists()

    def clean(self) -> None:
        self._refuse_if_frozen()

    def _refuse_if_frozen(self) -> None:
        """A used version may only be switched off or on (`active`); anything else is a
        new version."""
        if not self.is_in_use():
            return
        stored = Rubric.objects.get(pk=self.pk)
        fields = [f.attname for f in self._meta.concrete_fields if f.name != "active"]
        if any(getattr(stored, name) != getattr(self, name) for name in fields):
            raise ValidationError(RUBRIC_IN_USE, code="rubric_in_use")


def _refuse_if_rubric_used(rubric_id: int | None) -> None:
    if rubric_id and Review.objects.filter(assignment__rubric_id=rubric_id).exists():
        raise ValidationError(RUBRIC_IN_USE, code="rubric_in_use")


class RubricPart(models.Model):
    """A part of a rubric (Format, Content, Process for fidelity)."""

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="parts", verbose_name=_("rubric")
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["rubric", "order", "pk"]
        verbose_name = _("rubric part")
        verbose_name_plural = _("rubric parts")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        _refuse_if_rubric_used(self.rubric_id)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        _refuse_if_rubric_used(self.rubric_id)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _refuse_if_rubric_used(self.rubric_id)
        return super().delete(*args, **kwargs)


class RubricItem(models.Model):
    """One question of a part. A fidelity item may take a helpfulness rating beside its
    adherence rating."""

    part = models.ForeignKey(
        RubricPart, on_delete=models.CASCADE, related_name="items", verbose_name=_("part")
    )
    text = models.CharField(_("text"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    takes_helpfulness = models.BooleanField(_("also rated for helpfulness"), default=False)

    class Meta:
        ordering = ["part__order", "part_id", "order", "pk"]
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs) -> None:
        _refuse_if_rubric_used(self._rubric_id())
        super().save(*args, **kwargs)

    def _rubric_id(self) -> int | None:
        if not self.part_id:
            return None
        return RubricPart.objects.filter(pk=self.part_id).values_list("rubric_id", flat=True)[0]

    def clean(self) -> None:
        _refuse_if_rubric_used(self._rubric_id())

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _refuse_if_rubric_used(self._rubric_id())
        return super().delete(*args, **kwargs)


class ReviewAssignmentQuerySet(OrganizationScopedQuerySet):
    def open(self) -> "ReviewAssignmentQuerySet":
        return self.filter(status=ReviewAssignment.Status.OPEN)

    def assigned_to(self, user: object) -> "ReviewAssignmentQuerySet":
        """The user's assignments, in organizations where they hold a reviewer membership
        (a reviewer membership reaches nothing but what is assigned)."""
        return self.for_user(user, roles=[Role.REVIEWER]).filter(reviewer=user)


class ReviewAssignment(models.Model):
    """One reviewer, one subject (a recording, or a training type for peer review), one
    rubric. Open until the review is submitted or a manager withdraws it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("organization"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("rubric")
    )
    recording = models.ForeignKey(
        "sessions_app.Recording",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_assignments",
        verbose_name=_("recording"),
    )
    training_type = models.ForeignKey(
        TrainingType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_assignments",
        verbose_name=_("training"),
    )
    segment_start_seconds = models.PositiveIntegerField(
        _("segment starts at (seconds)"), null=True, blank=True
    )
    segment_end_seconds = models.PositiveIntegerField(
        _("segment ends at (seconds)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(recording__isnull=False) & Q(training_type__isnull=True))
                | (Q(recording__isnull=True) & Q(training_type__isnull=False)),
                name="assignment_one_subject",
            ),
            models.CheckConstraint(
                condition=(
                    Q(segment_start_seconds__isnull=True) & Q(segment_end_seconds__isnull=True)
                )
                | (
                    Q(segment_start_seconds__isnull=False)
                    & Q(segment_end_seconds__gt=models.F("segment_start_seconds"))
                ),
                name="assignment_segment_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (Q(status__in=["submitted", "withdrawn"]) & Q(closed_at__isnull=False)),
                name="assignment_closed_when_not_open",
            ),
            models.UniqueConstraint(
                fields=["reviewer", "recording", "rubric"],
                condition=Q(status="open"),
                name="assignment_one_open_per_recording_rubric",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric} -> {self.reviewer_id}"

    @property
    def has_segment(self) -> bool:
        return self.segment_start_seconds is not None


class Review(models.Model):
    """The reviewer's work on one assignment: a draft saved any number of times, then
    submitted once (read-only from then on)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Recommendation(models.TextChoices):
        KEEP_GOING = "keep_going", _("Keep going as you are")
        ON_THE_WAY = "on_the_way", _("On the way: work on the points above")
        MORE_SUPPORT = "more_support", _("More support before the next review")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    assignment = models.OneToOneField(
        ReviewAssignment,
        on_delete=models.PROTECT,
        related_name="review",
        verbose_name=_("assignment"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    overall_strengths = models.TextField(_("strengths overall"), blank=True)
    overall_to_work_on = models.TextField(_("things to work on overall"), blank=True)
    overall_recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.code}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


def _rating_field(label: Any) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )


def _on_the_grid(field: str) -> Q:
    # 0, 0.5, ... 3: twice the value is a whole number.
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__in": [Decimal(n) / 2 for n in range(0, 7)]}
    )


class ItemRating(models.Model):
    """One item's ratings in a review, or "can't rate" with a reason."""

    class CantRateReason(models.TextChoices):
        INAUDIBLE = "inaudible", _("Inaudible")
        TOO_SHORT = "too_short", _("Too short to judge")
        NOT_APPLICABLE = "not_applicable", _("Does not apply to this session")
        OTHER = "other", _("Other reason")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("review")
    )
    item = models.ForeignKey(
        RubricItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    adherence = _rating_field(_("adherence"))
    helpfulness = _rating_field(_("helpfulness"))
    cant_rate = models.BooleanField(_("can't rate"), default=False)
    cant_rate_reason = models.CharField(
        _("why it can't be rated"), max_length=20, choices=CantRateReason.choices, blank=True
    )
    strengths = models.TextField(_("strengths"), blank=True)
    to_work_on = models.TextField(_("things to work on"), blank=True)

    class Meta:
        ordering = ["item__part__order", "item__order", "pk"]
        verbose_name = _("item rating")
        verbose_name_plural = _("item ratings")
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="rating_one_per_item"),
            models.CheckConstraint(
                condition=_on_the_grid("adherence") & _on_the_grid("helpfulness"),
                name="rating_on_half_point_grid",
            ),
            models.CheckConstraint(
                condition=Q(cant_rate=False) | Q(adherence__isnull=True, helpfulness__isnull=True),
                name="rating_cant_rate_has_no_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.adherence}/{self.helpfulness}"


# --- Self-checks ------------------------------------------------------------------------


class SelfCheckQuerySet(OrganizationScopedQuerySet):
    def by(self, user: object) -> "SelfCheckQuerySet":
        """The user's own self-checks: nobody else ever reads one."""
        return self.filter(author=user)


class SelfCheck(models.Model):
    """A facilitator's private two-minute check after a session (the model's attention to
    the facilitator's own process). Every answer is optional; only its author reads it.
    Asking for a debrief opens a `DebriefRequest`, which is all a manager ever sees. Not
    copied into history and not in admin: the answers are the author's alone."""

    class Followed(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("Not really")

    class Doing(models.IntegerChoices):
        STRUGGLING = 0, _("0 · Struggling")
        GETTING_BY = 1, _("1 · Getting by")
        OKAY = 2, _("2 · Okay")
        WELL = 3, _("3 · Doing well")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="self_checks",
        verbose_name=_("organization"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="self_checks",
        verbose_name=_("author"),
    )
    session = models.ForeignKey(
        "sessions_app.Session",
        on_delete=models.CASCADE,
        related_name="self_checks",
        verbose_name=_("session"),
    )
    check_in = models.CharField(
        _("check-in followed"), max_length=10, choices=Followed.choices, blank=True
    )
    quotation = models.CharField(
        _("quotation followed"), max_length=10, choices=Followed.choices, blank=True
    )
    topic = models.CharField(
        _("topic followed"), max_length=10, choices=Followed.choices, blank=True
    )
    check_out = models.CharField(
        _("check-out followed"), max_length=10, choices=Followed.choices, blank=True
    )
    doing = models.PositiveSmallIntegerField(
        _("how I am doing"), choices=Doing.choices, null=True, blank=True
    )
    wants_debrief = models.BooleanField(_("wants a debrief"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SelfCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("self-check")
        verbose_name_plural = _("self-checks")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "session"], name="self_check_one_per_session"
            ),
            models.CheckConstraint(
                condition=Q(doing__isnull=True) | Q(doing__gte=0, doing__lte=3),
                name="self_check_doing_0_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"Self-check {self.code}"


class DebriefRequestQuerySet(OrganizationScopedQuerySet):
    def open(self) -> "DebriefRequestQuerySet":
        return self.filter(handled_at__isnull=True)


class DebriefRequest(models.Model):
    """ "<name> asked for a debrief", and nothing else: what a facilitator's self-check tells
    the organization's managers, until one of them marks it handled."""

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="debrief_requests",
        verbose_name=_("organization"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="debrief_requests",
        verbose_name=_("asked by"),
    )
    # The self-check that asked; a manager never reads it through this link.
    self_check = models.OneToOneField(
        SelfCheck,
        on_delete=models.CASCADE,
        related_name="debrief_request",
        verbose_name=_("self-check"),
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    objects = DebriefRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("debrief request")
        verbose_name_plural = _("debrief requests")

    def __str__(self) -> str:
        return f"Debrief request {self.code}"


# --- Rater calibration -------------------------------------------------------------------

CALIBRATION_NEEDS_CALIBRATION_PURPOSE = _(
    "Choose a recording uploaded for rater calibration (its purpose is “Rater calibration”)."
)
CALIBRATION_NEEDS_FIDELITY = _("Calibration uses a fidelity rubric.")
GOLD_ITEM_OTHER_RUBRIC = _("This item belongs to another rubric.")
GOLD_OFF_GRID = _("Ratings run from 0 to 3 in half points (0, 0.5, 1 … 3).")
GOLD_NO_HELPFULNESS = _("This item is not rated for helpfulness.")


class CalibrationRecordingQuerySet(OrganizationScopedQuerySet):
    organization_path = "recording__session__group__organization"

    def active(self) -> "CalibrationRecordingQuerySet":
        return self.filter(
            active=True, recording__marked_for_deletion_at=None, recording__deleted_at=None
        )

    def available_to(self, user: Any) -> "CalibrationRecordingQuerySet":
        """Active calibration recordings of the organizations where the user holds a
        reviewer membership (recording access grants need membership there)."""
        return self.active().for_user(user, roles=[Role.REVIEWER])


class CalibrationRecording(models.Model):
    """A recording a platform admin keeps to train fidelity raters, with gold-standard
    ratings of one fidelity rubric. While active, sessions_app keeps its file past review
    and retention (`Recording.kept_for_calibration`)."""

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    recording = models.OneToOneField(
        "sessions_app.Recording",
        on_delete=models.PROTECT,
        related_name="calibration",
        limit_choices_to={"purpose": "calibration"},
        verbose_name=_("recording"),
    )
    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.PROTECT,
        related_name="calibrations",
        limit_choices_to={"kind": "fidelity"},
        verbose_name=_("rubric"),
    )
    title = models.CharField(_("title"), max_length=200)
    active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("While in use, reviewers can rate it and its file is kept."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CalibrationRecordingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calibration recording")
        verbose_name_plural = _("calibration recordings")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.recording_id:
            purpose = (
                Recording.objects.filter(pk=self.recording_id)
                .values_list("purpose", flat=True)
                .first()
            )
            if purpose != Recording.Purpose.CALIBRATION:
                errors["recording"] = CALIBRATION_NEEDS_CALIBRATION_PURPOSE
        if (
            self.rubric_id
            and not Rubric.objects.filter(pk=self.rubric_id, kind=Rubric.Kind.FIDELITY).exists()
        ):
            errors["rubric"] = CALIBRATION_NEEDS_FIDELITY
        if errors:
            raise ValidationError(errors)


class GoldRating(models.Model):
    """The expert's rating of one item of a calibration recording."""

    calibration = models.ForeignKey(
        CalibrationRecording,
        on_delete=models.CASCADE,
        related_name="gold",
        verbose_name=_("calibration recording"),
    )
    item = models.ForeignKey(
        RubricItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    adherence = _rating_field(_("adherence"))
    helpfulness = _rating_field(_("helpfulness"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["item__part__order", "item__order", "pk"]
        verbose_name = _("gold-standard rating")
        verbose_name_plural = _("gold-standard ratings")
        constraints = [
            models.UniqueConstraint(fields=["calibration", "item"], name="gold_one_per_item"),
            models.CheckConstraint(
                condition=_on_the_grid("adherence") & _on_the_grid("helpfulness"),
                name="gold_on_half_point_grid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.adherence}/{self.helpfulness}"

    def clean(self) -> None:
        """The same grid as a review's ratings (0 to 3 in half points), on an item of the
        calibration's rubric; helpfulness only where the item takes it."""
        errors: dict[str, Any] = {}
        for name in ("adherence", "helpfulness"):
            value = getattr(self, name)
            if value is not None and not on_rating_grid(value):
                errors[name] = GOLD_OFF_GRID
        item = RubricItem.objects.filter(pk=self.item_id).first() if self.item_id else None
        if item is not None and self.calibration_id:
            if not RubricItem.objects.filter(
                pk=item.pk, part__rubric__calibrations=self.calibration_id
            ).exists():
                errors["item"] = GOLD_ITEM_OTHER_RUBRIC
            if self.helpfulness is not None and not item.takes_helpfulness:
                errors.setdefault("helpfulness", GOLD_NO_HELPFULNESS)
        if errors:
            raise ValidationError(errors)


class CalibrationAttemptQuerySet(models.QuerySet["CalibrationAttempt"]):
    def submitted(self) -> "CalibrationAttemptQuerySet":
        return self.filter(submitted_at__isnull=False)

    def passed(self) -> "CalibrationAttemptQuerySet":
        return self.submitted().filter(passed=True)


class CalibrationAttempt(models.Model):
    """One reviewer's rating of one calibration recording, compared with gold when
    submitted. Two passed attempts on two different recordings make a calibrated rater."""

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="calibration_attempts",
        verbose_name=_("reviewer"),
    )
    calibration = models.ForeignKey(
        CalibrationRecording,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("calibration recording"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    agreement = models.DecimalField(
        _("agreement"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), default=False)

    objects = CalibrationAttemptQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("calibration attempt")
        verbose_name_plural = _("calibration attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "calibration"],
                condition=Q(submitted_at__isnull=True),
                name="calibration_one_open_attempt",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True, agreement__isnull=True, passed=False)
                | Q(submitted_at__isnull=False, agreement__isnull=False),
                name="calibration_attempt_scored_when_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} on {self.calibration_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class CalibrationRating(models.Model):
    """One item's ratings in a calibration attempt, or "can't rate" with a reason."""

    attempt = models.ForeignKey(
        CalibrationAttempt,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("calibration attempt"),
    )
    item = models.ForeignKey(
        RubricItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    adherence = _rating_field(_("adherence"))
    helpfulness = _rating_field(_("helpfulness"))
    cant_rate = models.BooleanField(_("can't rate"), default=False)
    cant_rate_reason = models.CharField(
        _("why it can't be rated"),
        max_length=20,
        choices=ItemRating.CantRateReason.choices,
        blank=True,
    )
    agrees = models.BooleanField(_("within tolerance of gold"), default=False)

    class Meta:
        ordering = ["item__part__order", "item__order", "pk"]
        verbose_name = _("calibration rating")
        verbose_name_plural = _("calibration ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "item"], name="calibration_rating_one_per_item"
            ),
            models.CheckConstraint(
                condition=_on_the_grid("adherence") & _on_the_grid("helpfulness"),
                name="calibration_rating_on_half_point_grid",
            ),
            models.CheckConstraint(
                condition=Q(cant_rate=False) | Q(adherence__isnull=True, helpfulness__isnull=True),
                name="calibration_rating_cant_rate_has_no_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.adherence}/{self.helpfulness}"
