"""Forms for facilitator profiles: the manager's (every field) and the facilitator's own
(languages, lived experience). They validate and normalise; the service writes."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.forms.common import KNOWN_LANGUAGES, LANGUAGE_UNKNOWN, language_choices

from ..models import FacilitatorProfile

# The lived-experience answer, optional: "" is "not said".
LIVED_YES, LIVED_NO, LIVED_NOT_SAID = "yes", "no", ""
LIVED_CHOICES = [
    (LIVED_NOT_SAID, _("Prefer not to say")),
    (LIVED_YES, _("Yes")),
    (LIVED_NO, _("No")),
]
_TO_VALUE = {LIVED_YES: True, LIVED_NO: False, LIVED_NOT_SAID: None}
_TO_CHOICE = {value: choice for choice, value in _TO_VALUE.items()}


class LanguagesField(forms.MultipleChoiceField):
    """The languages a facilitator runs groups in: the program's first, by their own
    names (sessions_app's language list); saved codes the list lacks are kept."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": LANGUAGE_UNKNOWN})
        super().__init__(choices=language_choices, **kwargs)

    def valid_value(self, value: str) -> bool:
        return value in KNOWN_LANGUAGES or super().valid_value(value)


class ProfileSelfForm(forms.Form):
    languages = LanguagesField(
        label=_("Languages you can run a group in"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
    )
    lived_experience = forms.ChoiceField(
        label=_("Do you bring lived experience as a peer?"),
        choices=LIVED_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Optional and private: only you and your program managers see this answer. It "
            "is never shown on dashboards, lists or to reviewers."
        ),
    )

    @staticmethod
    def initial_for(profile: FacilitatorProfile) -> dict[str, Any]:
        return {
            "kind": profile.kind,
            "languages": list(profile.languages),
            "lived_experience": _TO_CHOICE[profile.lived_experience],
            "active": profile.active,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "languages": list(dict.fromkeys(data["languages"])),
            "lived_experience": _TO_VALUE[data["lived_experience"]],
        }
        for name in ("kind", "active"):
            if name in data:
                values[name] = data[name]
        return values


class ProfileManagerForm(ProfileSelfForm):
    kind = forms.ChoiceField(label=_("Peer or clinician"), choices=FacilitatorProfile.Kind.choices)
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Clear this when the person no longer facilitates here; their record stays."),
    )
    field_order = ["kind", "languages", "lived_experience", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["languages"].label = _("Languages they can run a group in")
        self.fields["lived_experience"].label = _("Peer with lived experience?")
        self.fields["lived_experience"].help_text = _(
            "Optional and private: only the facilitator and program managers see this "
            "answer. It is never shown on dashboards, lists or to reviewers."
        )
