"""Forms for planning and running sessions. They validate and normalise; services write."""

from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from curriculum.models import TopicMaterial

from .models import Adaptation, Attendance, Group, Participant
from .selectors_sessions import topic_choices

NOT_ON_ROSTER = _(
    "Someone in this form is not enrolled in the group on the session's date. "
    "Reload the page and try again."
)
FIRST_TOPIC_FIRST = _("Choose the first topic before a second one.")

CONFIRM_LABEL = _("Schedule anyway: I know someone is double-booked")


def _confirm_field() -> forms.BooleanField:
    # Hidden until the service warns of a double booking; the view then shows it.
    return forms.BooleanField(required=False, label=CONFIRM_LABEL, widget=forms.HiddenInput)


def show_confirmation(form: forms.Form) -> None:
    """Turn the hidden confirmation into a checkbox after a double-booking warning."""
    field = form.fields["confirm_double_booking"]
    field.widget = forms.CheckboxInput()


# Sessions are planned at most this far ahead: a typo (year 9999) gets a message, not an error.
PLAN_AHEAD_DAYS = 2 * 366
TOO_FAR_AHEAD = _("Choose a date within the next two years.")


class _VersionedForm(forms.Form):
    """Carries the version of what it was built from (stale double submits are refused)."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)


class _StartsAtMixin(forms.Form):
    """A date and a start time, read in the group's time zone."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=15, max_value=480, required=False
    )

    group: Group

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
            raise forms.ValidationError(TOO_FAR_AHEAD, code="too_far_ahead")
        return day

    def starts_at(self) -> datetime:
        day: date = self.cleaned_data["day"]
        start: time = self.cleaned_data["start_time"]
        return datetime.combine(day, start, tzinfo=ZoneInfo(self.group.timezone))


# --- Planning ---------------------------------------------------------------------------


class SessionMoveForm(_StartsAtMixin):
    confirm_double_booking = _confirm_field()

    def __init__(self, *args: Any, group: Group, **kwargs: Any):
        self.group = group
        super().__init__(*args, **kwargs)


class SessionRetopicForm(forms.Form):
    topic = forms.ModelChoiceField(queryset=topic_choices(), label=_("Topic"))
    second_topic = forms.ModelChoiceField(
        queryset=topic_choices(),
        label=_("Second topic (optional)"),
        required=False,
        help_text=_("A session covers one topic, sometimes two."),
    )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=200,
        help_text=_("For the team and the records, e.g. “facilitator ill” or “public holiday”."),
    )


class SessionLeadersForm(forms.Form):
    led_by_participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        required=False,
        label=_("Led by a participant (rotation)"),
        empty_label=_("No: staff lead this session"),
    )
    clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Clinician co-facilitator"),
        empty_label=_("None"),
    )
    confirm_double_booking = _confirm_field()

    def __init__(self, *args: Any, roster_ids: list[int], clinicians: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        leader = cast(forms.ModelChoiceField, self.fields["led_by_participant"])
        leader.queryset = Participant.objects.filter(pk__in=roster_ids).order_by("display_name")
        cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = clinicians


class SessionAddForm(_StartsAtMixin):
    topic = forms.ModelChoiceField(
        queryset=topic_choices(), label=_("Topic"), required=False, empty_label=_("Decide later")
    )
    second_topic = forms.ModelChoiceField(
        queryset=topic_choices(), label=_("Second topic (optional)"), required=False
    )
    confirm_double_booking = _confirm_field()

    def __init__(self, *args: Any, group: Group, **kwargs: Any):
        self.group = group
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].initial = group.duration_minutes
        self.fields["start_time"].initial = group.start_time

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("second_topic") and not cleaned.get("topic"):
            self.add_error("second_topic", FIRST_TOPIC_FIRST)
        return cleaned


# --- Running ----------------------------------------------------------------------------


class AttendanceForm(_VersionedForm):
    """One choice per person on the roster (present, absent, excused) and the drop-ins."""

    drop_in_count = forms.IntegerField(
        label=_("Unregistered drop-ins"),
        min_value=0,
        max_value=50,
        initial=0,
        help_text=_("People who came without being enrolled: a count, no names."),
    )

    PREFIX = "status_"

    def __init__(self, *args: Any, roster: list[Participant], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.roster = roster
        for participant in roster:
            self.fields[self.PREFIX + str(participant.code)] = forms.ChoiceField(
                label=participant.display_name,
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def rows(self) -> list[tuple[Participant, forms.BoundField]]:
        return [(p, self[self.PREFIX + str(p.code)]) for p in self.roster]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        known = {self.PREFIX + str(p.code) for p in self.roster}
        if any(key.startswith(self.PREFIX) and key not in known for key in self.data):
            raise forms.ValidationError(NOT_ON_ROSTER, code="not_on_roster")
        cleaned["marks"] = {
            p.pk: cleaned[self.PREFIX + str(p.code)]
            for p in self.roster
            if cleaned.get(self.PREFIX + str(p.code))
        }
        return cleaned


class HandoutChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TopicMaterial) -> str:
        page = _(" (page %(page)s)") % {"page": obj.page_reference} if obj.page_reference else ""
        return f"{obj.title}{page}"


class SessionLogForm(_VersionedForm):
    check_in_done = forms.BooleanField(label=_("Check-in done"), required=False)
    quotation_reference = forms.CharField(
        label=_("Quotation used"),
        max_length=200,
        required=False,
        help_text=_("A reference (who said it, or a title and page), never the text itself."),
    )
    handouts_used = HandoutChoiceField(
        queryset=TopicMaterial.objects.none(),
        label=_("Handouts used"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    check_out_done = forms.BooleanField(label=_("Check-out done"), required=False)
    follow_up_needed = forms.BooleanField(
        label=_("Follow-up needed"),
        required=False,
        help_text=_("A flag only. Never write details here; follow up outside the group."),
    )
    actual_length_minutes = forms.IntegerField(
        label=_("Actual length in minutes"), min_value=1, max_value=480, required=False
    )

    def __init__(self, *args: Any, materials: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(HandoutChoiceField, self.fields["handouts_used"]).queryset = materials


class AdaptationForm(_VersionedForm):
    category = forms.ChoiceField(
        label=_("What kind of change"), choices=Adaptation.Category.choices
    )
    what = forms.CharField(label=_("What was changed"), max_length=300)
    why = forms.CharField(label=_("Why"), max_length=300)


class NoteForm(_VersionedForm):
    body = forms.CharField(
        label=_("Note to self"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only you can read this: how the session went for you, what to take care of. "
            "Leave it empty to remove it. Nothing about what participants said."
        ),
    )


class CommitmentsForm(_VersionedForm):
    """Each person's commitment before next time, in their own words (optional)."""

    PREFIX = "commitment_"

    def __init__(self, *args: Any, roster: list[Participant], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.roster = roster
        for participant in roster:
            self.fields[self.PREFIX + str(participant.code)] = forms.CharField(
                label=participant.display_name, max_length=300, required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        known = {self.PREFIX + str(p.code) for p in self.roster}
        if any(key.startswith(self.PREFIX) and key not in known for key in self.data):
            raise forms.ValidationError(NOT_ON_ROSTER, code="not_on_roster")
        cleaned["texts"] = {
            p.pk: cleaned.get(self.PREFIX + str(p.code), "")
            for p in self.roster
            if self.PREFIX + str(p.code) in self.data
        }
        return cleaned
