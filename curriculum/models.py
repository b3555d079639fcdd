import uuid
from typing import cast

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from accounts.scoping import scope_to_user
from accounts.storage import private_storage


class ContentArea(models.Model):
    class Key(models.TextChoices):
        COGNITIVE = "cognitive", _("Cognitive")
        BEHAVIORAL = "behavioral", _("Behavioral")
        INTERPERSONAL = "interpersonal", _("Interpersonal")
        COMBINATION = "combination", _("Combination")

    key = models.CharField(_("key"), max_length=20, choices=Key.choices, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("content area")
        verbose_name_plural = _("content areas")

    def __str__(self) -> str:
        return self.name


class TopicQuerySet(models.QuerySet["Topic"]):
    def active(self) -> "TopicQuerySet":
        return self.filter(is_active=True)


class Topic(models.Model):
    order = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    content_area = models.ForeignKey(
        ContentArea,
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("content area"),
    )
    includes_case_management = models.BooleanField(_("includes case management"), default=False)
    summary = models.TextField(_("plain-language summary"), blank=True)
    summary_es = models.TextField(
        _("plain-language summary (Spanish)"),
        blank=True,
        help_text=_("Participants read it after sending feedback in Spanish."),
    )
    goals = models.TextField(_("goals"), blank=True, help_text=_("One goal per line."))
    is_active = models.BooleanField(_("offered"), default=True)

    history = HistoricalRecords()
    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    def summary_in(self, language: str) -> tuple[str, str]:
        """The summary participants read in `language`, and the language it is really in
        (English when there is no Spanish)."""
        if language == "es" and self.summary_es:
            return self.summary_es, "es"
        return self.summary, "en"

    @property
    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class TopicMaterialQuerySet(models.QuerySet["TopicMaterial"]):
    def visible_to(self, user) -> "TopicMaterialQuerySet":
        """Shared materials plus those of the user's own organizations."""
        return cast(TopicMaterialQuerySet, scope_to_user(self, user, include_shared=True))


class TopicMaterial(models.Model):
    class Kind(models.TextChoices):
        REFERENCE = "reference", _("Reference to licensed material (title and page only)")
        HANDOUT = "handout", _("Handout written by the organization")
        SUMMARY = "summary", _("Plain-language summary")
        ADAPTATION = "adaptation", _("Adaptation note for survivors of trafficking")
        TRANSLATION = "translation", _("Translation")

    class Audience(models.TextChoices):
        FACILITATORS = "facilitators", _("Facilitators")
        PARTICIPANTS = "participants", _("Participants")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="materials", verbose_name=_("topic")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    page_reference = models.CharField(
        _("page"), max_length=40, blank=True, help_text=_("For references: the page number only.")
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.FACILITATORS
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_("Text the organization wrote itself. Never paste text from the book."),
    )
    file = models.FileField(_("file"), upload_to="materials/", blank=True, storage=private_storage)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topic_materials",
        verbose_name=_("organization"),
        help_text=_("Blank: shared with every organization."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = TopicMaterialQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "order", "title"]
        verbose_name = _("topic material")
        verbose_name_plural = _("topic materials")
        constraints = [
            # References point at licensed text; they must never carry text of their own.
            models.CheckConstraint(
                condition=~models.Q(kind="reference") | models.Q(body=""),
                name="material_reference_has_no_body",
            ),
        ]

    def __str__(self) -> str:
        return self.title
