"""What our Django admin pages share: one labelled input for a date and time, text kept
with the line breaks it was stored with, and time zones chosen from a grouped list
rather than typed.

Django admin edits a DateTimeField with AdminSplitDateTime, two inputs whose "Date:" and
"Time:" are plain text rather than labels (axe: "label", critical), and its widget
template cannot be overridden from our templates/. A single datetime-local input takes
the field's own <label for>, and the browser offers its date and time picker.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.admin import widgets
from django.db import models

from .time_zones import time_zone_choices


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        # Seconds kept (step 1), as the split widget keeps them: saving a form unchanged
        # must not round a stored time to the minute.
        super().__init__({"step": "1", **(attrs or {})}, format="%Y-%m-%dT%H:%M:%S")


class TextWithLineFeeds(forms.CharField):
    """Browsers send a textarea's line breaks as \\r\\n; the data migrations and the app's
    forms store \\n. Saving a text unchanged must not change it, nor put a change of it
    in the object's history."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class LabelledDateTimeAdmin:
    """Mix into every ModelAdmin (before Django's class): date-times get one labelled
    input, and long texts keep their line breaks as stored."""

    formfield_overrides: "Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]" = {
        models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput},
        models.TextField: {"form_class": TextWithLineFeeds, "widget": widgets.AdminTextareaWidget},
    }


def time_zone_select(form: Any, *, name: str, home_zone: str, saved: str) -> Any:
    """Make admin's free-text time zone a select grouped like the app's own forms: the
    country of `home_zone` first, then each region; a saved zone no longer listed is kept."""
    field = form.base_fields.get(name)
    if field is not None:
        form.base_fields[name] = forms.ChoiceField(
            label=field.label,
            help_text=field.help_text,
            required=field.required,
            initial=saved or home_zone or "UTC",
            choices=time_zone_choices(home_zones=[home_zone] if home_zone else [], keep=[saved]),
        )
    return form
