"""What our Django admin pages share: one labelled input for a date and time.

Django admin edits a DateTimeField with AdminSplitDateTime, two inputs whose "Date:" and
"Time:" are plain text rather than labels (axe: "label", critical), and its widget
template cannot be overridden from our templates/. A single datetime-local input takes
the field's own <label for>, and the browser offers its date and time picker.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db import models


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        # Seconds kept (step 1), as the split widget keeps them: saving a form unchanged
        # must not round a stored time to the minute.
        super().__init__({"step": "1", **(attrs or {})}, format="%Y-%m-%dT%H:%M:%S")


class LabelledDateTimeAdmin:
    """Mix into every ModelAdmin (before Django's class): date-times get one labelled input."""

    formfield_overrides: "Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]" = {
        models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput}
    }
