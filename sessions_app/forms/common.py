"""What the forms of several sessions_app features share: date and time widgets, the
language list, and the enrollment fields (a group's page and a participant's page both
enroll people)."""

from typing import cast

from django import forms
from django.conf.global_settings import LANGUAGES as ALL_LANGUAGES
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = sorted(ALL_LANGUAGES, key=lambda item: str(item[1]))


def language_name(code: str) -> str:
    """A language's name from its code (the code itself when unknown)."""
    return str(dict(LANGUAGE_CHOICES).get(code, code))


def model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's model choice field, typed, to set its queryset per request."""
    return cast(forms.ModelChoiceField, form.fields[name])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def joined_on_field() -> forms.DateField:
    return forms.DateField(
        label=_("Joins on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today. They are on every session from this day on."),
    )


def late_join_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("This closed group has started: enroll them anyway (a manager's exception)"),
        required=False,
    )
