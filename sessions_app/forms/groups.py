"""Forms for groups: create and edit (schedule, planned topic sequence), assign
facilitators, enroll people from the group's page, record that someone left. They
validate and normalise; services write. Messages that tests assert on are module
constants."""

import re
from datetime import date
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainTextField
from accounts.models import Organization, User
from accounts.time_zones import time_zone_choices
from curriculum.models import Topic

from ..models import (
    GROUP_CAPACITY_MAX,
    GROUP_CAPACITY_MIN,
    SESSION_MAX_MINUTES,
    TOO_FAR_AHEAD,
    Enrollment,
    FacilitatorAssignment,
    Group,
    Participant,
    capacity_range_error,
    latest_plannable_day,
)
from ..selectors.groups import facilitators_to_assign, participants_to_enroll
from ..services.groups import END_TOO_FAR_AHEAD, START_DATE_IN_PAST, UNKNOWN_TIME_ZONE
from .common import (
    DateInput,
    LanguageField,
    TimeInput,
    joined_on_field,
    late_join_field,
    model_choices,
)
from .participants import ParticipantForm

LINK_NEEDED = _("A virtual or hybrid group needs a meeting link.")
LOCATION_NEEDED = _("An in-person or hybrid group needs a location.")
END_BEFORE_START = _("The end date is before the start date.")
NO_WEEKDAY = _("Choose at least one weekday.")
TOPIC_NUMBER_INVALID = _(
    "“%(token)s” is not a topic number. Write topic numbers separated by commas, "
    "for example: 1, 2, 2, 5 (a range such as 1-25 works too)."
)
TOPIC_NUMBER_UNKNOWN = _("There is no topic %(number)s. The topics are numbered 1 to %(last)s.")
TOPIC_SEQUENCE_TOO_LONG = _("Plan at most %(max)s sessions' topics at a time.")

MAX_SEQUENCE = 200


# --- Topic sequence ----------------------------------------------------------------------


def parse_topic_numbers(text: str) -> list[int]:
    """'1, 2, 2, 5' or '1-25, 25' -> [1, 2, 2, 5] / [1, ..., 25, 25]. Raises ValidationError."""
    numbers: list[int] = []
    for token in (t for t in re.split(r"[\s,;]+", text.strip()) if t):
        match = re.fullmatch(r"(\d{1,3})(?:[-\u2013](\d{1,3}))?", token)
        if not match:
            raise forms.ValidationError(TOPIC_NUMBER_INVALID, params={"token": token[:20]})
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if last < first:
            raise forms.ValidationError(TOPIC_NUMBER_INVALID, params={"token": token})
        numbers.extend(range(first, last + 1))
        if len(numbers) > MAX_SEQUENCE:
            raise forms.ValidationError(TOPIC_SEQUENCE_TOO_LONG, params={"max": MAX_SEQUENCE})
    return numbers


def format_topic_numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


# --- Groups ------------------------------------------------------------------------------


class GroupForm(forms.Form):
    # The order of the page (templates/sessions_app/groups/form.html), which the error
    # summary follows.
    field_order = [
        "organization",
        "name",
        "format",
        "admission",
        "capacity",
        "language",
        "modality",
        "location",
        "meeting_link",
        "weekdays",
        "start_time",
        "duration_minutes",
        "timezone",
        "start_date",
        "end_date",
        "topic_sequence",
    ]

    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), to_field_name="code"
    )
    name = PlainTextField(label=_("Name"), max_length=120)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=Group.Format.choices,
        initial=Group.Format.GROUP,
        widget=forms.RadioSelect,
    )
    admission = forms.ChoiceField(
        label=_("Who can join"),
        choices=Group.Admission.choices,
        initial=Group.Admission.OPEN,
        widget=forms.RadioSelect,
    )
    modality = forms.ChoiceField(
        label=_("Where it meets"),
        choices=Group.Modality.choices,
        initial=Group.Modality.IN_PERSON,
        widget=forms.RadioSelect,
    )
    location = PlainTextField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("For in-person and hybrid groups: a place participants will recognise."),
    )
    meeting_link = forms.URLField(
        label=_("Meeting link"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("For virtual and hybrid groups."),
    )
    language = LanguageField(label=_("Language"))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Meets on"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_WEEKDAY},
    )
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    timezone = forms.ChoiceField(
        label=_("Time zone"), error_messages={"invalid_choice": UNKNOWN_TIME_ZONE}
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=15, max_value=SESSION_MAX_MINUTES, initial=90
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for an open-ended group."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        initial=12,
        widget=forms.NumberInput(attrs={"min": 1, "max": GROUP_CAPACITY_MAX}),
    )
    topic_sequence = forms.CharField(
        label=_("Planned topic sequence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Topic numbers in the order the sessions will cover them, separated by commas. "
            "Any topics, any order, repeats allowed; a range such as 1-25 works too. "
            "Leave empty to choose each session's topic as you go."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organizations: list[Organization] | None = None,
        group: Group | None = None,
        **kwargs: Any,
    ):
        self.group = group
        super().__init__(*args, **kwargs)
        self.fields["capacity"].help_text = gettext(
            "%(min)s to %(max)s people for a group; a one-on-one group is always 1."
        ) % {"min": GROUP_CAPACITY_MIN, "max": GROUP_CAPACITY_MAX}
        if group is not None or not organizations or len(organizations) == 1:
            del self.fields["organization"]
        else:
            model_choices(self, "organization").queryset = Organization.objects.filter(
                pk__in=[o.pk for o in organizations]
            )
        self.chosen_organization: Organization | None = (
            group.organization if group else (organizations[0] if organizations else None)
        )
        # The zones of the organization's country first (of each one offered); a saved
        # zone the list leaves out stays choosable.
        offered = [group.organization] if group else (organizations or [])
        saved = [group.timezone] if group else [o.timezone for o in offered]
        cast(forms.ChoiceField, self.fields["timezone"]).choices = time_zone_choices(
            home_zones=[o.timezone for o in offered], keep=saved
        )
        if group is not None:
            cast(LanguageField, self.fields["language"]).keep(group.language)
        if group is None and self.chosen_organization is not None:
            self.fields["timezone"].initial = self.chosen_organization.timezone
            self.fields["topic_sequence"].initial = format_topic_numbers(
                list(Topic.objects.active().order_by("order").values_list("order", flat=True))
            )

    @classmethod
    def initial_for(cls, group: Group) -> dict[str, Any]:
        fields = [
            name for name in cls.base_fields if name not in {"organization", "topic_sequence"}
        ]
        initial = {name: getattr(group, name) for name in fields}
        initial["topic_sequence"] = format_topic_numbers(
            list(group.topic_sequence.order_by("position").values_list("topic__order", flat=True))
        )
        return initial

    def clean_topic_sequence(self) -> list[int]:
        numbers = parse_topic_numbers(self.cleaned_data.get("topic_sequence") or "")
        ids_by_number = dict(Topic.objects.active().values_list("order", "pk"))
        for number in numbers:
            if number not in ids_by_number:
                raise forms.ValidationError(
                    TOPIC_NUMBER_UNKNOWN,
                    params={"number": number, "last": max(ids_by_number, default=0)},
                )
        return [ids_by_number[n] for n in numbers]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "organization" in self.fields and cleaned.get("organization"):
            self.chosen_organization = cleaned["organization"]
        if cleaned.get("format") == Group.Format.ONE_ON_ONE:
            cleaned["capacity"] = 1
        elif "capacity" not in self.errors and not (
            GROUP_CAPACITY_MIN <= (cleaned.get("capacity") or 0) <= GROUP_CAPACITY_MAX
        ):
            self.add_error("capacity", capacity_range_error())
        modality = cleaned.get("modality")
        if modality in (Group.Modality.VIRTUAL, Group.Modality.HYBRID) and not cleaned.get(
            "meeting_link"
        ):
            self.add_error("meeting_link", LINK_NEEDED)
        if (
            modality in (Group.Modality.IN_PERSON, Group.Modality.HYBRID)
            and not cleaned.get("location", "").strip()
        ):
            self.add_error("location", LOCATION_NEEDED)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", END_BEFORE_START)
        zone = cleaned.get("timezone")
        today = timezone.localdate(timezone=ZoneInfo(zone)) if zone else timezone.localdate()
        # A date kept as it was is not judged again (the services say the same).
        start_moved = self.group is None or start != self.group.start_date
        end_moved = self.group is None or end != self.group.end_date
        if start and zone and start_moved and start < today:
            self.add_error("start_date", START_DATE_IN_PAST)
        latest = latest_plannable_day(today)
        if start and start_moved and start > latest:
            self.add_error("start_date", TOO_FAR_AHEAD)
        if end and end_moved and end > latest and "end_date" not in self.errors:
            self.add_error("end_date", END_TOO_FAR_AHEAD)
        return cleaned

    def group_values(self) -> dict[str, Any]:
        """The cleaned values the services take (without organization and topics)."""
        values = {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in {"organization", "topic_sequence"}
        }
        values["location"] = values["location"].strip()
        return values


class FacilitatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or obj.email


class AssignFacilitatorForm(forms.Form):
    prefix = "assign"

    user = FacilitatorChoiceField(
        label=_("Facilitator"),
        queryset=User.objects.none(),
        empty_label=_("Choose…"),
    )
    role = forms.ChoiceField(
        label=_("Role in this group"),
        choices=FacilitatorAssignment.Role.choices,
        initial=FacilitatorAssignment.Role.LEAD_PEER,
        help_text=_(
            "A group has one lead peer facilitator. In this organization a person "
            "facilitates either as a peer (lead or co-facilitator) or as a clinician, "
            "not both."
        ),
    )

    def __init__(self, *args: Any, group: Group, **kwargs: Any):
        super().__init__(*args, **kwargs)
        model_choices(self, "user").queryset = facilitators_to_assign(group=group)


# --- Enrollment from the group's page -------------------------------------------------------


class EnrollForm(forms.Form):
    """Enroll an existing participant in a group (from the group's page)."""

    prefix = "enroll"

    participant = forms.ModelChoiceField(
        label=_("Participant"),
        queryset=Participant.objects.none(),
        to_field_name="code",
        empty_label=_("Choose…"),
    )

    def __init__(self, *args: Any, group: Group, can_confirm: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        model_choices(self, "participant").queryset = participants_to_enroll(group=group)
        self.fields["joined_on"] = joined_on_field()
        if can_confirm and group.admission == Group.Admission.CLOSED:
            self.fields["confirm_late_join"] = late_join_field()


class NewParticipantEnrollForm(ParticipantForm):
    """Add someone new to the organization and enroll them in this group in one step."""

    prefix = "new"

    def __init__(self, *args: Any, group: Group, can_confirm: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["joined_on"] = joined_on_field()
        if can_confirm and group.admission == Group.Admission.CLOSED:
            self.fields["confirm_late_join"] = late_join_field()


class LeaveForm(forms.Form):
    left_on = forms.DateField(
        label=_("Leaves on"),
        widget=DateInput(),
        help_text=_(
            "The first day they are no longer in the group. They stay on the sessions before it."
        ),
    )
    left_reason = forms.ChoiceField(
        label=_("Reason"), choices=Enrollment.LeftReason.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["left_on"].initial = today
