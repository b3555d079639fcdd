"""Forms for recording consent: one participant's answer on the session's consent screen.
They validate and normalise; services write."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainTextField

from ..models import Consent, Participant
from ..services.consent import WITNESS_REQUIRED


class ConsentCaptureForm(forms.Form):
    """One participant's answer about being recorded, captured on the session's screen."""

    AGREES, DECLINES = "agrees", "declines"

    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(), to_field_name="code", widget=forms.HiddenInput
    )
    # The newest consent code the page showed for this participant ("" if none): a
    # stale or doubled submission is refused instead of saved twice.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Do they agree to this session being recorded?"),
        choices=[(AGREES, _("Yes, they agree")), (DECLINES, _("No, they do not agree"))],
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label=_("How was it given?"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    witness = PlainTextField(
        label=_("Witness (for verbal consent)"),
        max_length=120,
        required=False,
        help_text=_("Who heard them agree. A name or initials."),
    )

    def __init__(self, *args, present: list[Participant], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        participant = self.fields["participant"]
        assert isinstance(participant, forms.ModelChoiceField)
        participant.queryset = Participant.objects.filter(pk__in=[p.pk for p in present])

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("method") == Consent.Method.VERBAL and not data.get("witness", "").strip():
            self.add_error("witness", gettext(WITNESS_REQUIRED))
        return data
