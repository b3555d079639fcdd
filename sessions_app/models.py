"""Groups, participants, sessions, attendance, consent and recordings.

Participants are a chosen name or initials only (invariant 6). Every change to
participants, enrollments, attendance, consents and recordings is kept in history
with who and when (invariant 7, django-simple-history).
"""

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_model_fields.fields import EncryptedCharField, EncryptedEmailField
from simple_history.models import HistoricalRecords

from accounts.models import Organization, Role, User
from accounts.scoping import OrganizationScopedQuerySet, memberships_of
from accounts.storage import private_storage
from curriculum.models import Topic, TopicMaterial


def _code() -> models.UUIDField:
    return models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)


# --- Groups ---------------------------------------------------------------------------

# How many people a group (not one-on-one) holds: the form, the model and the database
# constraint all read these.
GROUP_CAPACITY_MIN = 2
GROUP_CAPACITY_MAX = 50
# No session or group meeting is planned longer than this.
SESSION_MAX_MINUTES = 480
# Nothing is planned further ahead than this, neither a session nor a group's start or end
# date: a typo (year 9999) gets a message, not an error or centuries of empty schedule.
PLAN_AHEAD_DAYS = 2 * 366
TOO_FAR_AHEAD = _("Choose a date within the next two years.")
CAPACITY_RANGE = _("A group holds between %(min)s and %(max)s people.")


def latest_plannable_day(today: date) -> date:
    """The last day a session, or a group's start or end, may be planned for."""
    return today + timedelta(days=PLAN_AHEAD_DAYS)


def capacity_range_error() -> ValidationError:
    return ValidationError(
        CAPACITY_RANGE,
        code="capacity_range",
        params={"min": GROUP_CAPACITY_MIN, "max": GROUP_CAPACITY_MAX},
    )


class GroupQuerySet(OrganizationScopedQuerySet):
    def active(self) -> "GroupQuerySet":
        return self.filter(archived_at=None)

    def facilitated_by(self, user: User) -> "GroupQuerySet":
        """Groups `user` is assigned to as a facilitator (any role)."""
        return self.filter(
            Exists(FacilitatorAssignment.objects.filter(group_id=OuterRef("pk"), user=user))
        )


class Group(models.Model):
    class Format(models.TextChoices):
        GROUP = "group", _("Group")
        ONE_ON_ONE = "one_on_one", _("One-on-one")

    class Admission(models.TextChoices):
        OPEN = "open", _("Open (rolling: people can join any time)")
        CLOSED = "closed", _("Closed (same people from start to end)")

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIRTUAL = "virtual", _("Virtual")
        HYBRID = "hybrid", _("Hybrid")

    code = _code()
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="groups",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.GROUP
    )
    admission = models.CharField(
        _("admission"), max_length=10, choices=Admission.choices, default=Admission.OPEN
    )
    modality = models.CharField(
        _("where it meets"), max_length=10, choices=Modality.choices, default=Modality.IN_PERSON
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    meeting_link = models.URLField(_("meeting link"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    # Weekday numbers, Monday = 0 (Python's date.weekday()).
    weekdays = models.JSONField(_("weekdays"), default=list)
    start_time = models.TimeField(_("start time"))
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"),
        default=90,
        validators=[MinValueValidator(15), MaxValueValidator(SESSION_MAX_MINUTES)],
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(GROUP_CAPACITY_MAX)],
    )
    topics: "models.ManyToManyField[Topic, GroupTopic]" = models.ManyToManyField(
        Topic, through="GroupTopic", related_name="+", verbose_name=_("topics")
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(format="group")
                    & Q(capacity__gte=GROUP_CAPACITY_MIN)
                    & Q(capacity__lte=GROUP_CAPACITY_MAX)
                )
                | (Q(format="one_on_one") & Q(capacity=1)),
                name="group_capacity_fits_format",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="group_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The time zone the group meets in: its sessions' dates and "today" follow it."""
        return ZoneInfo(self.timezone)

    def today(self, *, now: datetime | None = None) -> date:
        """Today's date where the group meets."""
        return timezone.localtime(now or timezone.now(), self.zone).date()

    def clean(self) -> None:
        if self.format == self.Format.GROUP and not (
            GROUP_CAPACITY_MIN <= (self.capacity or 0) <= GROUP_CAPACITY_MAX
        ):
            raise ValidationError({"capacity": capacity_range_error()})
        if self.format == self.Format.ONE_ON_ONE and self.capacity != 1:
            raise ValidationError({"capacity": _("A one-on-one group holds exactly 1 person.")})
        if not self.weekdays or any(
            not isinstance(d, int) or not 0 <= d <= 6 for d in self.weekdays
        ):
            raise ValidationError({"weekdays": _("Choose at least one weekday.")})
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})


class GroupTopic(models.Model):
    """One step of a group's planned topic sequence (any subset, any order, repeats allowed)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="topic_sequence", verbose_name=_("group")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="+", verbose_name=_("topic")
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("planned topic")
        verbose_name_plural = _("planned topics")
        constraints = [
            models.UniqueConstraint(fields=["group", "position"], name="grouptopic_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.topic_id}"


class FacilitatorAssignmentQuerySet(models.QuerySet["FacilitatorAssignment"]):
    def as_peer(self) -> "FacilitatorAssignmentQuerySet":
        """Assignments in a peer role (lead peer or peer co-facilitator)."""
        return self.filter(role__in=FacilitatorAssignment.PEER_ROLES)

    def as_clinician(self) -> "FacilitatorAssignmentQuerySet":
        return self.filter(role=FacilitatorAssignment.Role.CLINICIAN_CO)

    def of_the_other_kind_than(self, role: str) -> "FacilitatorAssignmentQuerySet":
        """Assignments that a person taking `role` may not also hold: the clinician role
        against a peer role, and the reverse (FacilitatorAssignment explains why)."""
        return self.as_clinician() if role in FacilitatorAssignment.PEER_ROLES else self.as_peer()


class FacilitatorAssignment(models.Model):
    """A facilitator's role in one group.

    A group has at most one lead peer facilitator (a database constraint). And in one
    organization a person facilitates either as a peer or as a clinician, as the
    architecture has it ("facilitator: peer or clinician, per organization"): the program
    compares peer-led with clinician co-facilitated groups, and one person on both sides
    would blur which each group was. Nothing records yet who is a peer and who a clinician
    (facilitator profiles will); until then the roles a person holds in the organization's
    active groups are that record, and `facilitator_assign` refuses a role of the other
    kind. When profiles land they become the evidence and the rule reads the same.
    """

    class Role(models.TextChoices):
        LEAD_PEER = "lead_peer", _("Lead peer facilitator")
        PEER_CO = "peer_co", _("Peer co-facilitator")
        CLINICIAN_CO = "clinician_co", _("Clinician co-facilitator")

    PEER_ROLES = frozenset({Role.LEAD_PEER, Role.PEER_CO})

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="facilitator_assignments",
        verbose_name=_("facilitator"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FacilitatorAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facilitator assignment")
        verbose_name_plural = _("facilitator assignments")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="assignment_unique_group_user"),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="lead_peer"),
                name="assignment_one_lead_peer_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# --- Participants ---------------------------------------------------------------------


class ParticipantQuerySet(OrganizationScopedQuerySet):
    def active(self) -> "ParticipantQuerySet":
        return self.filter(archived_at=None)


class Participant(models.Model):
    """A chosen name or initials. No legal name, birth date or address, by design."""

    code = _code()
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("organization"),
    )
    display_name = models.CharField(
        _("chosen name or initials"),
        max_length=60,
        help_text=_("Whatever the person wants to be called. Initials are fine."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")
    # Encrypted at rest with FIELD_ENCRYPTION_KEY (MultiFernet: newest key first).
    contact_email = EncryptedEmailField(_("email for reminders"), blank=True)
    contact_phone = EncryptedCharField(_("phone for reminders"), max_length=32, blank=True)
    # Opted in per channel: a person may want texts but no email, or the other way round.
    remind_by_email = models.BooleanField(_("reminders by email"), default=False)
    remind_by_sms = models.BooleanField(_("reminders by text message"), default=False)
    created_on = models.DateField(_("created on"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # Set by participant_erase: the chosen name is now a code and nothing else is held.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()
    # Contact details stay out of history: fewer copies of what identifies a person.
    history = HistoricalRecords(excluded_fields=["contact_email", "contact_phone"])

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.display_name


class EnrollmentQuerySet(OrganizationScopedQuerySet):
    organization_path = "group__organization"

    def current(self) -> "EnrollmentQuerySet":
        return self.filter(left_on=None)

    def former(self) -> "EnrollmentQuerySet":
        return self.filter(left_on__isnull=False)

    def on(self, day: date) -> "EnrollmentQuerySet":
        """Enrollments that cover `day`: joined on or before it, not left by then."""
        return self.filter(joined_on__lte=day).filter(Q(left_on=None) | Q(left_on__gt=day))


class Enrollment(models.Model):
    class LeftReason(models.TextChoices):
        COMPLETED = "completed", _("Completed the group")
        CHOSE_TO_LEAVE = "chose_to_leave", _("Chose to leave")
        MOVED = "moved", _("Moved or could not attend")
        REFERRED = "referred", _("Referred to other services")
        OTHER = "other", _("Other")

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("group")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("participant"),
    )
    joined_on = models.DateField(_("joined on"), default=date.today)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=LeftReason.choices, blank=True
    )

    objects = EnrollmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["participant__display_name"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "participant"],
                condition=Q(left_on__isnull=True),
                name="enrollment_one_current_per_group",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="enrollment_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.group}"

    def covers(self, day: date) -> bool:
        """EnrollmentQuerySet.on's rule for one row: joined by `day`, not left by then."""
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class ParticipantErasure(models.Model):
    """That a participant was erased, by whom and when, and how many recordings went with
    them. Deliberately no link to the participant, nor the code that replaced their name."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="participant_erasures",
        verbose_name=_("organization"),
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    recordings_deleted = models.PositiveIntegerField(_("recordings deleted"), default=0)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("participant erasure")
        verbose_name_plural = _("participant erasures")

    def __str__(self) -> str:
        return f"Erasure {self.pk} ({self.erased_at:%Y-%m-%d})"


# --- Sessions -------------------------------------------------------------------------


class SessionQuerySet(OrganizationScopedQuerySet):
    organization_path = "group__organization"

    def planned(self) -> "SessionQuerySet":
        return self.filter(status=Session.Status.PLANNED)

    def upcoming(self) -> "SessionQuerySet":
        """Planned and not yet started."""
        return self.planned().filter(starts_at__gte=timezone.now())

    def not_cancelled(self) -> "SessionQuerySet":
        return self.exclude(status=Session.Status.CANCELLED)

    def facilitated_by_any(self, user_ids: Iterable[int]) -> "SessionQuerySet":
        """Sessions one of `user_ids` facilitates: assigned to the session's group, or the
        session's clinician co-facilitator. The one definition of "who facilitates"."""
        user_ids = list(user_ids)
        assigned = FacilitatorAssignment.objects.filter(
            group_id=OuterRef("group_id"), user_id__in=user_ids
        )
        return self.filter(Exists(assigned) | Q(clinician_id__in=user_ids))

    def facilitated_by(self, user: User) -> "SessionQuerySet":
        return self.facilitated_by_any([user.pk])

    def locked(self) -> "SessionQuerySet":
        """Lock the session row (not its group) so two people changing one session take
        turns; read it fresh with its group."""
        return self.select_for_update(of=("self",)).select_related("group")


class Session(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    code = _code()
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("group")
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("planned length in minutes"),
        validators=[MinValueValidator(15), MaxValueValidator(SESSION_MAX_MINUTES)],
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("topic"),
    )
    second_topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("second topic"),
    )
    # Position in the group's planned sequence this session took its topic from.
    sequence_position = models.PositiveSmallIntegerField(
        _("position in the topic sequence"), null=True, blank=True
    )
    # The schedule slot (group-local date) a generated session fills, kept when it is moved.
    slot_date = models.DateField(_("scheduled date"), null=True, blank=True)
    is_one_off = models.BooleanField(_("one-off session"), default=False)
    # Moved, re-topiced or given leaders by hand: regenerating the plan keeps it.
    customised = models.BooleanField(_("changed by hand"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    led_by_participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("led by a participant"),
        help_text=_("Rotation: a participant leads this session."),
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clinician co-facilitator"),
        help_text=_("A clinician co-facilitates this session."),
    )
    drop_in_count = models.PositiveSmallIntegerField(_("unregistered drop-ins"), default=0)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked held by"),
    )

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["group", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="session_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(second_topic__isnull=True) | Q(topic__isnull=False),
                name="session_second_topic_needs_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} - {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def local_date(self) -> date:
        """The session's date where its group meets (rosters and "today" follow it)."""
        return timezone.localtime(self.starts_at, self.group.zone).date()

    def is_facilitated_by(self, user: User) -> bool:
        """Whether `user` facilitates this session (see SessionQuerySet.facilitated_by)."""
        return Session.objects.filter(pk=self.pk).facilitated_by(user).exists()

    def team_user_ids(self) -> set[int]:
        """Who facilitates this session: the same rule as SessionQuerySet.facilitated_by_any,
        read the other way (from the session to its people)."""
        ids = set(
            FacilitatorAssignment.objects.filter(group_id=self.group_id).values_list(
                "user_id", flat=True
            )
        )
        if self.clinician_id:
            ids.add(self.clinician_id)
        return ids


class SessionFacilitator(models.Model):
    """Who ran a held session, as the team stood that day: each of the group's assigned
    facilitators in their role, and the session's clinician. Written once, when the
    session is marked held, so later changes to the group's assignments do not rewrite
    who ran it. A participant who led the session stays on `Session.led_by_participant`."""

    class Role(models.TextChoices):
        LEAD_PEER = "lead_peer", _("Lead peer facilitator")
        PEER_CO = "peer_co", _("Peer co-facilitator")
        CLINICIAN_CO = "clinician_co", _("Clinician co-facilitator")
        SESSION_CLINICIAN = "session_clinician", _("Clinician of the session")

    # The roles that make a session "peer with clinician co-facilitating".
    CLINICIAN_ROLES = frozenset({Role.CLINICIAN_CO, Role.SESSION_CLINICIAN})

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="facilitators", verbose_name=_("session")
    )
    # PROTECT: who ran a session is history; a person who ran sessions is deactivated,
    # not deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("who ran a session")
        verbose_name_plural = _("who ran sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "role"], name="session_facilitator_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["lead_peer", "peer_co", "clinician_co", "session_clinician"]),
                name="session_facilitator_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role}) @ {self.session_id}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="attendance_unique_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.session_id}: {self.status}"


class SessionLog(models.Model):
    """What was done, in the program's terms. Never what anyone said."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="log", verbose_name=_("session")
    )
    check_in_done = models.BooleanField(_("check-in done"), default=False)
    quotation_reference = models.CharField(
        _("quotation used (a reference, not the text)"), max_length=200, blank=True
    )
    handouts_used = models.ManyToManyField(
        TopicMaterial, blank=True, related_name="+", verbose_name=_("handouts used")
    )
    check_out_done = models.BooleanField(_("check-out done"), default=False)
    follow_up_needed = models.BooleanField(
        _("follow-up needed"), default=False, help_text=_("A flag only. Never write details here.")
    )
    actual_length_minutes = models.PositiveSmallIntegerField(
        _("actual length in minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(SESSION_MAX_MINUTES)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[handouts_used])

    class Meta:
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")

    def __str__(self) -> str:
        return f"Log of session {self.session_id}"


class Adaptation(models.Model):
    class Category(models.TextChoices):
        TIME = "time", _("Time")
        ORDER = "order", _("Order")
        CONTENT = "content", _("Content")
        LANGUAGE = "language", _("Language")
        ACTIVITY = "activity", _("Activity")
        OTHER = "other", _("Other")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="adaptations", verbose_name=_("session")
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    what = models.CharField(_("what was changed"), max_length=300)
    why = models.CharField(_("why"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adaptation")
        verbose_name_plural = _("adaptations")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.what}"


class FacilitatorNote(models.Model):
    """A note to self: only its author can read it (the facilitator's own processes)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="notes", verbose_name=_("session")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note to self"), max_length=2000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("facilitator's note")
        verbose_name_plural = _("facilitators' notes")
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="note_one_per_author")
        ]

    def __str__(self) -> str:
        return f"Note by {self.author_id} on session {self.session_id}"


class OfflineChange(models.Model):
    """A receipt for a change the session page queued on a phone while offline and sent
    later: its idempotency key, so a change sent twice (a retry after a lost answer) is
    applied once. Holds nothing of what was changed; purged after OFFLINE_RECEIPT_DAYS."""

    key = models.UUIDField(_("idempotency key"), unique=True, editable=False)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change sent from offline")
        verbose_name_plural = _("changes sent from offline")

    def __str__(self) -> str:
        return f"Offline change {self.key} on session {self.session_id}"


class Commitment(models.Model):
    """A participant's commitment in their own words, shown again at the next check-in."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("session")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("participant"),
    )
    text = models.CharField(_("commitment, in their own words"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="commitment_one_per_session"
            )
        ]

    def __str__(self) -> str:
        return self.text


# --- Consent --------------------------------------------------------------------------


class ConsentFormQuerySet(models.QuerySet["ConsentForm"]):
    def for_organization(self, organization_id: int) -> "ConsentFormQuerySet":
        """The organization's own forms, plus shared ones (no organization)."""
        return self.filter(Q(organization_id=organization_id) | Q(organization=None))


class ConsentForm(models.Model):
    class Kind(models.TextChoices):
        RECORDING = "recording", _("Recording")
        PARTICIPATION = "participation", _("Participation")
        INFORMATION_SHARING = "information_sharing", _("Information sharing")

    code = _code()
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_forms",
        verbose_name=_("organization"),
        help_text=_("Blank: offered to every organization."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=300)
    # Consent to a calibration recording is consent to more: the file is kept past normal
    # retention while it trains reviewers. A form says so, and only such a form covers it.
    covers_calibration = models.BooleanField(
        _("covers rater calibration"),
        default=False,
        help_text=_(
            "The form's purpose includes rater calibration: the recording may be kept past "
            "normal retention, while in use, to train reviewers of the organization."
        ),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10, default="en")
    text = models.TextField(_("text (written by the organization)"))
    valid_for_days = models.PositiveSmallIntegerField(
        _("expires after (days)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ConsentFormQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("consent form")
        verbose_name_plural = _("consent forms")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "language", "version"],
                name="consentform_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.language})"

    def save(self, *args, **kwargs) -> None:
        # A version someone has signed is a record of what they agreed to: never rewrite it.
        if self.pk and Consent.objects.filter(form_id=self.pk).exists():
            raise ValidationError(
                _("This version has been used and cannot be changed. Create a new version.")
            )
        super().save(*args, **kwargs)


# A standing consent is a "yes" not withdrawn (it may have expired): what withdrawal ends.
CONSENT_STANDING = Q(granted=True, withdrawn_at=None)


def consent_active_condition(now: datetime | None = None) -> Q:
    """The one definition of an active consent: standing and not expired."""
    now = now or timezone.now()
    return CONSENT_STANDING & (Q(expires_at=None) | Q(expires_at__gt=now))


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self) -> "ConsentQuerySet":
        return self.filter(consent_active_condition())

    def standing(self) -> "ConsentQuerySet":
        return self.filter(CONSENT_STANDING)

    def with_state(self) -> "ConsentQuerySet":
        """Annotate `is_active` and `is_standing` from the same definitions, for reads that
        need every row (the consent screen)."""
        return self.annotate(
            is_active=models.ExpressionWrapper(
                consent_active_condition(), output_field=models.BooleanField()
            ),
            is_standing=models.ExpressionWrapper(
                CONSENT_STANDING, output_field=models.BooleanField()
            ),
        )


class Consent(models.Model):
    """Append-only: withdrawal sets withdrawn_at once; a new consent is a new row."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written")
        VERBAL = "verbal", _("Verbal, with a witness")
        ELECTRONIC = "electronic", _("Electronic")

    code = _code()
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("participant"),
    )
    form = models.ForeignKey(
        ConsentForm,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("consent form"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("session"),
    )
    granted = models.BooleanField(_("agreed"), default=True)
    method = models.CharField(_("how it was given"), max_length=12, choices=Method.choices)
    witness = models.CharField(_("witness"), max_length=120, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    captured_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-captured_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="verbal") | ~Q(witness=""), name="consent_verbal_has_witness"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="consent_withdrawal_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} for participant {self.participant_id}"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Consents are never deleted; withdraw instead."))


# --- Recordings -----------------------------------------------------------------------


def recording_upload_to(instance: "Recording", filename: str) -> str:
    # A random name: nothing about the session or participants in the path.
    return f"recordings/{uuid.uuid4().hex}"


class RecordingQuerySet(OrganizationScopedQuerySet):
    organization_path = "session__group__organization"

    def available(self) -> "RecordingQuerySet":
        return self.filter(marked_for_deletion_at=None, deleted_at=None)

    def accessible_to(self, user: Any) -> "RecordingQuerySet":
        """The one recording access rule: available (not marked for deletion, not deleted),
        in one of the user's organizations, and the user facilitates the session, manages
        the organization, or holds an active grant to that recording."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        managed = memberships_of(user, roles=[Role.MANAGER]).values("organization_id")
        granted = RecordingAccessGrant.objects.active().filter(
            recording_id=OuterRef("pk"), user=user
        )
        return (
            self.available()
            .for_user(user)
            .filter(
                Q(session__group__organization__in=managed)
                | Q(session__in=Session.objects.facilitated_by(user))
                | Exists(granted)
            )
        )


class Recording(models.Model):
    class Purpose(models.TextChoices):
        CERTIFICATION = "certification", _("Certification")
        PEER_REVIEW = "peer_review", _("Peer review")
        SUPERVISION = "supervision", _("Supervision")
        CALIBRATION = "calibration", _("Rater calibration")

    code = _code()
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="recordings", verbose_name=_("session")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    file = models.FileField(
        _("file"), upload_to=recording_upload_to, storage=private_storage, blank=True
    )
    content_type = models.CharField(_("file type"), max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Who is on the file: everyone marked present at upload. Withdrawal by any of them
    # removes the recording even if attendance is corrected later.
    participants = models.ManyToManyField(
        Participant, related_name="recordings", blank=True, verbose_name=_("participants")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    marked_for_deletion_at = models.DateTimeField(
        _("marked for deletion at"), null=True, blank=True
    )
    deletion_reason = models.CharField(_("reason for deletion"), max_length=100, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # Set (through sessions_app.services) while a calibration recording trains raters: it
    # is then kept past review and retention. Consent withdrawal still removes it.
    kept_for_calibration = models.BooleanField(_("kept for rater calibration"), default=False)

    objects = RecordingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"Recording {self.code}"


class RecordingRefusal(models.Model):
    """An upload refused because someone present had not consented (invariant 4): the
    session, the day (where its group meets) and which consent was missing, never who.
    Written by `recording_upload`, so the dashboards can count uploads refused for consent;
    nothing was stored of the refused file."""

    class Reason(models.TextChoices):
        LACKS_CONSENT = "lacks_consent", _("Someone present had not consented")
        DROP_INS = "drop_ins", _("Unregistered drop-ins were present")
        LACKS_CALIBRATION_CONSENT = (
            "lacks_calibration_consent",
            _("The consent given does not cover rater calibration"),
        )

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="recording_refusals",
        verbose_name=_("session"),
    )
    refused_on = models.DateField(_("refused on"))
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)

    class Meta:
        ordering = ["-refused_on", "-pk"]
        verbose_name = _("refused recording upload")
        verbose_name_plural = _("refused recording uploads")

    def __str__(self) -> str:
        return f"{self.session_id} {self.refused_on} {self.reason}"


class RecordingAccessGrantQuerySet(models.QuerySet["RecordingAccessGrant"]):
    def active(self) -> "RecordingAccessGrantQuerySet":
        return self.filter(revoked_at=None)


class RecordingAccessGrant(models.Model):
    """Access to one recording for someone outside the session's team (e.g. a reviewer).
    Created only through sessions_app.services, which higher apps call."""

    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, related_name="grants", verbose_name=_("recording")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recording_grants",
        verbose_name=_("user"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RecordingAccessGrantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recording access grant")
        verbose_name_plural = _("recording access grants")
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "user"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_active_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> recording {self.recording_id}"


class RecordingAccessLog(models.Model):
    """Every view or download of a recording: who, when, which (invariant 7)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        DOWNLOAD = "download", _("Downloaded")

    recording = models.ForeignKey(
        Recording,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("recording"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("recording access record")
        verbose_name_plural = _("recording access records")

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.recording_id} at {self.at}"
