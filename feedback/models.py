"""Anonymous participant feedback: instruments (data, edited in admin), one link per
session, and responses that cannot point back to a person (invariant 2).

A response holds the session, the instrument version, the day it was sent (no time of
day) and its answers; nothing else. No model here has django-simple-history: a history row
stamps the time of each write, which would be the time a participant answered. Primary
keys of responses and answers are random UUIDs, so no order of arrival can be read from
them; pages never order by them either.
"""

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from accounts.scoping import OrganizationScopedQuerySet
from sessions_app.models import Session

RATING_POINTS = 4  # a rating is 0, 1, 2 or 3, with words on every point

INSTRUMENT_IN_USE = _("This version has responses and cannot be changed. Copy it as a new version.")
SCALE_NEEDS_FOUR_LABELS = _("Give one label per line for each point, 0 to 3: four lines.")
SCALE_ONLY_FOR_RATINGS = _("Only a rating item has a scale.")


# --- Instruments ------------------------------------------------------------------------


class FeedbackInstrumentQuerySet(models.QuerySet["FeedbackInstrument"]):
    def usable_in(self, organization_id: int) -> "FeedbackInstrumentQuerySet":
        """Active instruments shared with everyone or owned by this organization."""
        return self.filter(Q(organization=None) | Q(organization_id=organization_id), active=True)


class FeedbackInstrument(models.Model):
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("New feedback links use an active version.")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback_instruments",
        verbose_name=_("organization"),
        help_text=_("Leave empty to share the instrument with every organization."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FeedbackInstrumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("feedback instrument")
        verbose_name_plural = _("feedback instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "version"],
                name="feedback_instrument_unique_version",
            ),
            # Shared instruments have no organization, and NULLs are never equal in SQL.
            models.UniqueConstraint(
                fields=["name", "version"],
                condition=Q(organization=None),
                name="feedback_instrument_unique_shared_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Answers are read against the questions as they were asked: never rewrite those.
        # Retiring a version (active off) stays possible.
        if self.in_use:
            saved = FeedbackInstrument.objects.get(pk=self.pk)
            if (saved.name, saved.version, saved.organization_id) != (
                self.name,
                self.version,
                self.organization_id,
            ):
                raise ValidationError(INSTRUMENT_IN_USE)
        super().save(*args, **kwargs)

    @property
    def in_use(self) -> bool:
        return self.pk is not None and FeedbackResponse.objects.filter(instrument=self).exists()


class FeedbackItem(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating on a labelled scale (0 to 3)")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    instrument = models.ForeignKey(
        FeedbackInstrument,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("instrument"),
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("A short name for reports, the same across versions (e.g. session_helpful)."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(
        _("required"),
        default=False,
        help_text=_("Leave off: participants may skip any question."),
    )
    prompt_en = models.CharField(_("question (English)"), max_length=300)
    prompt_es = models.CharField(_("question (Spanish)"), max_length=300)
    scale_en = models.TextField(
        _("scale (English)"),
        blank=True,
        help_text=_("Ratings only: four lines, the words for 0, 1, 2 and 3."),
    )
    scale_es = models.TextField(
        _("scale (Spanish)"),
        blank=True,
        help_text=_("Ratings only: four lines, the words for 0, 1, 2 and 3."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "order", "pk"]
        verbose_name = _("feedback question")
        verbose_name_plural = _("feedback questions")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="feedback_item_unique_key")
        ]

    def __str__(self) -> str:
        return self.prompt_en

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            self.instrument_id
            and FeedbackResponse.objects.filter(instrument_id=self.instrument_id).exists()
        ):
            raise ValidationError(INSTRUMENT_IN_USE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if FeedbackResponse.objects.filter(instrument_id=self.instrument_id).exists():
            raise ValidationError(INSTRUMENT_IN_USE)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for name in ("scale_en", "scale_es"):
            lines = [line for line in getattr(self, name).splitlines() if line.strip()]
            if self.kind == self.Kind.RATING and len(lines) != RATING_POINTS:
                errors[name] = SCALE_NEEDS_FOUR_LABELS
            elif self.kind != self.Kind.RATING and lines:
                errors[name] = SCALE_ONLY_FOR_RATINGS
        if errors:
            raise ValidationError(errors)

    def prompt(self, language: str) -> str:
        return self.prompt_es if language == "es" else self.prompt_en

    def scale(self, language: str) -> list[str]:
        text = self.scale_es if language == "es" else self.scale_en
        return [line.strip() for line in text.splitlines() if line.strip()]


# --- Links ------------------------------------------------------------------------------


def new_token() -> str:
    # 24 URL-safe characters: 144 random bits.
    return secrets.token_urlsafe(18)


class FeedbackLinkQuerySet(OrganizationScopedQuerySet):
    organization_path = "session__group__organization"


class FeedbackLink(models.Model):
    """The one link of a session (never one per person). It is open from the session's
    start until FEEDBACK_LINK_DAYS after its end, unless closed early or the session was
    cancelled; those times are read from the session, so moving it moves the window."""

    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        related_name="feedback_link",
        verbose_name=_("session"),
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_token, editable=False
    )
    instrument = models.ForeignKey(
        FeedbackInstrument,
        on_delete=models.PROTECT,
        related_name="links",
        verbose_name=_("instrument"),
    )
    # The cap is checked under a row lock on the link, with this count beside it.
    response_count = models.PositiveIntegerField(_("responses received"), default=0)
    closed_early_at = models.DateTimeField(_("closed early at"), null=True, blank=True)
    closed_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed early by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FeedbackLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback link")
        verbose_name_plural = _("feedback links")

    def __str__(self) -> str:
        return str(_("Feedback link of %(session)s")) % {"session": self.session}


class UsedNonce(models.Model):
    """A form nonce already spent on a link: a double-tapped submit counts once. It is
    not linked to the response it produced."""

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(
        FeedbackLink, on_delete=models.CASCADE, related_name="+", verbose_name=_("link")
    )
    nonce = models.CharField(_("nonce"), max_length=64)

    class Meta:
        verbose_name = _("used form nonce")
        verbose_name_plural = _("used form nonces")
        constraints = [
            models.UniqueConstraint(fields=["link", "nonce"], name="feedback_nonce_once")
        ]

    def __str__(self) -> str:
        return self.nonce


# --- Responses --------------------------------------------------------------------------


class FeedbackResponseQuerySet(OrganizationScopedQuerySet):
    organization_path = "session__group__organization"


class FeedbackResponse(models.Model):
    """One participant's answers: the session, the instrument version and the day only."""

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="feedback_responses",
        verbose_name=_("session"),
    )
    instrument = models.ForeignKey(
        FeedbackInstrument,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("instrument"),
    )
    submitted_on = models.DateField(_("submitted on"))

    objects = FeedbackResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback response")
        verbose_name_plural = _("feedback responses")
        indexes = [models.Index(fields=["session"])]

    def __str__(self) -> str:
        return str(_("Feedback on %(day)s")) % {"day": self.submitted_on}


class FeedbackAnswerQuerySet(OrganizationScopedQuerySet):
    organization_path = "response__session__group__organization"

    def shown(self) -> "FeedbackAnswerQuerySet":
        """Answers a manager has not hidden for identifying someone."""
        return self.filter(hidden=False)


class FeedbackAnswer(models.Model):
    """One answered question. A rating is 0-3 and yes/no is 1/0 in `number`; free text in
    `text`. A skipped question has no row."""

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        FeedbackResponse,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("response"),
    )
    item = models.ForeignKey(
        FeedbackItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    hidden = models.BooleanField(
        _("hidden"),
        default=False,
        help_text=_("Hidden by a manager because it could identify someone; never exported."),
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )

    objects = FeedbackAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="feedback_answer_once"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__lte=RATING_POINTS - 1),
                name="feedback_answer_number_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.item)
