"""Forms for participants (program managers' pages): a chosen name or initials,
optional contact details for reminders, joining a group, archiving. They validate and
normalise; services write. Messages that tests assert on are module constants."""

import re
from typing import Any, cast

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainTextField
from accounts.models import Organization

from ..models import Enrollment, Group, Participant
from ..selectors.participants import groups_to_join
from ..services.participants import reminder_contact_errors
from .common import LanguageField, joined_on_field, model_choices

PHONE_INVALID = _("Write a phone number with digits only, spaces or dashes, and + for abroad.")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ().\-]{4,30}$")


# --- Participants --------------------------------------------------------------------------


class ParticipantForm(forms.Form):
    display_name = PlainTextField(
        label=_("Chosen name or initials"),
        max_length=60,
        help_text=_(
            "Whatever the person wants to be called; initials are fine. Never a legal name."
        ),
    )
    preferred_language = LanguageField(label=_("Preferred language"))
    contact_email = forms.EmailField(
        label=_("Email for reminders (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone for reminders (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        help_text=_("Only if they want reminders. Stored encrypted; shown only to managers."),
    )
    remind_by_email = forms.BooleanField(label=_("Send reminders by email"), required=False)
    remind_by_sms = forms.BooleanField(label=_("Send reminders by text message"), required=False)

    def __init__(self, *args: Any, participant: Participant | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if participant is not None:
            field = self.fields["preferred_language"]
            cast(LanguageField, field).keep(participant.preferred_language)

    @classmethod
    def initial_for(cls, participant: Participant) -> dict[str, Any]:
        return {name: getattr(participant, name) for name in ParticipantForm.base_fields}

    def clean_contact_phone(self) -> str:
        """Stored in international form (+15550104477), which SMS providers need; a
        number without a country code is read as PHONE_DEFAULT_REGION's."""
        phone = self.cleaned_data.get("contact_phone", "").strip()
        if not phone:
            return ""
        if not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(PHONE_INVALID)
        try:
            number = phonenumbers.parse(phone, settings.PHONE_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            raise forms.ValidationError(PHONE_INVALID) from None
        if not phonenumbers.is_possible_number(number):
            raise forms.ValidationError(PHONE_INVALID)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # A contact detail that failed its own check already says what is wrong with it.
        errors = reminder_contact_errors(
            by_email=bool(cleaned.get("remind_by_email")) and "contact_email" not in self.errors,
            by_sms=bool(cleaned.get("remind_by_sms")) and "contact_phone" not in self.errors,
            email=cleaned.get("contact_email", ""),
            phone=cleaned.get("contact_phone", ""),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned

    def participant_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ParticipantForm.base_fields}


class ParticipantCreateForm(ParticipantForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        if len(organizations) == 1:
            del self.fields["organization"]
            self.chosen_organization: Organization | None = organizations[0]
        else:
            model_choices(self, "organization").queryset = Organization.objects.filter(
                pk__in=[o.pk for o in organizations]
            )
            self.chosen_organization = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("organization"):
            self.chosen_organization = cleaned["organization"]
        return cleaned


class JoinGroupForm(forms.Form):
    """Enroll a participant in a group (from the participant's page; managers only)."""

    prefix = "join"

    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.none(),
        to_field_name="code",
        empty_label=_("Choose…"),
    )

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any):
        super().__init__(*args, **kwargs)
        model_choices(self, "group").queryset = groups_to_join(participant=participant)
        self.fields["joined_on"] = joined_on_field()
        self.fields["confirm_late_join"] = forms.BooleanField(
            label=_("If the group is closed and has started: enroll them anyway"),
            required=False,
        )


class ArchiveParticipantForm(forms.Form):
    left_reason = forms.ChoiceField(
        label=_("Reason, for the groups they are in now"),
        choices=Enrollment.LeftReason.choices,
        initial=Enrollment.LeftReason.CHOSE_TO_LEAVE,
    )
