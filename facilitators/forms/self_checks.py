"""The self-check form: every answer optional, so an empty form is a valid one."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import SelfCheck

NOT_SAID = ("", _("Rather not say"))


class SelfCheckForm(forms.ModelForm):
    class Meta:
        model = SelfCheck
        fields = ["check_in", "quotation", "topic", "check_out", "doing", "wants_debrief"]
        labels = {
            "check_in": _("Check-in"),
            "quotation": _("Quotation"),
            "topic": _("Topic"),
            "check_out": _("Check-out"),
            "doing": _("How are you doing right now?"),
            "wants_debrief": _("I would like a debrief with my program manager"),
        }
        help_texts = {
            "doing": _("Only you see this, and how it changes over time."),
            "wants_debrief": _(
                "Your manager is told only that you asked for a debrief: none of your answers."
            ),
        }
        widgets = {
            "check_in": forms.RadioSelect,
            "quotation": forms.RadioSelect,
            "topic": forms.RadioSelect,
            "check_out": forms.RadioSelect,
            "doing": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("check_in", "quotation", "topic", "check_out"):
            field = self.fields[name]
            field.required = False
            field.choices = [NOT_SAID, *SelfCheck.Followed.choices]  # type: ignore[attr-defined]
        doing = self.fields["doing"]
        doing.required = False
        doing.choices = [NOT_SAID, *SelfCheck.Doing.choices]  # type: ignore[attr-defined]

    def answers(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["doing"] = None if data.get("doing") in (None, "") else int(data["doing"])
        return data
