"""Forms for changing the plan: move, re-topic, cancel, name who leads, add a one-off
session. They validate and normalise; services write."""

from datetime import date, datetime, time
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainTextField
from accounts.models import User

from ..models import (
    SESSION_MAX_MINUTES,
    TOO_FAR_AHEAD,
    Group,
    Participant,
    latest_plannable_day,
)
from ..selectors.planning import topic_choices

FIRST_TOPIC_FIRST = _("Choose the first topic before a second one.")

CONFIRM_LABEL = _("Schedule anyway: I know someone is double-booked")


def _confirm_field() -> forms.BooleanField:
    # Hidden until the service warns of a double booking; the view then shows it.
    return forms.BooleanField(required=False, label=CONFIRM_LABEL, widget=forms.HiddenInput)


def show_confirmation(form: forms.Form) -> None:
    """Turn the hidden confirmation into a checkbox after a double-booking warning."""
    field = form.fields["confirm_double_booking"]
    field.widget = forms.CheckboxInput()


class _StartsAtMixin(forms.Form):
    """A date and a start time, read in the group's time zone."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=15, max_value=SESSION_MAX_MINUTES, required=False
    )

    group: Group

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        # As far ahead as a group's dates may go (PLAN_AHEAD_DAYS), from today where it meets.
        if day > latest_plannable_day(self.group.today()):
            raise forms.ValidationError(TOO_FAR_AHEAD, code="too_far_ahead")
        return day

    def starts_at(self) -> datetime:
        day: date = self.cleaned_data["day"]
        start: time = self.cleaned_data["start_time"]
        return datetime.combine(day, start, tzinfo=self.group.zone)


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
    reason = PlainTextField(
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
