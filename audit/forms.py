"""The audit page's filters: person, object, action and any date range."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import AccessEvent
from .selectors import EventFilters

DATES_REVERSED = _("The start date must be on or before the end date.")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.email)


class EventFilterForm(forms.Form):
    actor = PersonChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    object_text = forms.CharField(
        label=_("Object (code or text)"), required=False, max_length=100, strip=True
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    from_date = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    to_date = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = people  # type: ignore[attr-defined]
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            ("", _("Any action")),
            *AccessEvent.Action.choices,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from_date"), cleaned.get("to_date")
        if start and end and start > end:
            self.add_error("to_date", DATES_REVERSED)
        return cleaned

    def filters(self) -> EventFilters:
        """The filters the form holds (valid or not: a field with an error is left out)."""
        data = getattr(self, "cleaned_data", {})
        return EventFilters(
            actor=data.get("actor"),
            object_text=data.get("object_text") or "",
            action=data.get("action") or "",
            from_date=data.get("from_date"),
            to_date=data.get("to_date") if "to_date" not in self.errors else None,
        )
