"""The form that changes a certification track: only the changes the viewer may make."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CertificationEvent

CHOOSE_A_CHANGE = _("Choose one of the changes offered.")


class CertificationChangeForm(forms.Form):
    to_state = forms.ChoiceField(
        label=_("Change"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOOSE_A_CHANGE, "required": CHOOSE_A_CHANGE},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=CertificationEvent._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the change on the timeline."),
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = choices  # type: ignore[attr-defined]
