"""What the forms of several sessions_app features share: date and time widgets, the
language select, and the enrollment fields (a group's page and a participant's page both
enroll people)."""

import re
import unicodedata
from functools import partial
from typing import Any, cast

from django import forms
from django.conf import settings
from django.conf.global_settings import LANGUAGES as DJANGO_LANGUAGES
from django.utils.functional import Promise
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

# Languages programs serve that Django's list lacks: code -> (name, name in the language).
MORE_LANGUAGES: dict[str, tuple[Promise, str]] = {
    "ht": (_("Haitian Creole"), "Kreyòl ayisyen"),
    "tl": (_("Tagalog"), "Tagalog"),
}
KNOWN_LANGUAGES = frozenset(code for code, _name in DJANGO_LANGUAGES) | MORE_LANGUAGES.keys()
LANGUAGE_UNKNOWN = _("Choose a language from the list.")


def _names(code: str) -> tuple[str, str] | None:
    """(name in the current language, name in the language itself), or None if unknown."""
    if code in MORE_LANGUAGES:
        name, local = MORE_LANGUAGES[code]
        return str(name), local
    try:
        info = get_language_info(code)
    except KeyError:
        return None
    # Django writes some in lower case ("español"), and some with combining accents.
    local = unicodedata.normalize("NFC", info["name_local"])
    return str(info["name_translated"]), local[:1].upper() + local[1:]


def language_name(code: str) -> str:
    """A language's name in that language ("Español"); the code itself when unknown."""
    names = _names(code)
    return names[1] if names else code


def _label(code: str, *, local_first: bool) -> str:
    names = _names(code)
    if names is None:
        return code
    translated, local = names
    if translated.casefold() == local.casefold():
        return local
    return f"{local} ({translated})" if local_first else f"{translated} ({local})"


def program_languages() -> list[str]:
    """The languages this deployment's groups meet in (settings.PROGRAM_LANGUAGES)."""
    return [code for code in dict.fromkeys(settings.PROGRAM_LANGUAGES) if code in KNOWN_LANGUAGES]


def _sort_key(label: str) -> str:
    # "Árabe" sorts with the A's, as a Spanish reader expects.
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_choices(*, keep: str = "") -> list[tuple[Any, Any]]:
    """The program's languages first, each by its own name ("Español (Spanish)"), then
    every other language. A saved code that is not known comes first, so saving the form
    again keeps it."""
    program = program_languages()
    # The long list is read by staff looking for a name they know: in their language and
    # alphabetical, so the select's type-to-find works ("Ger" finds "German (Deutsch)").
    others = sorted(
        ((code, _label(code, local_first=False)) for code in KNOWN_LANGUAGES - set(program)),
        key=lambda choice: _sort_key(choice[1]),
    )
    choices: list[tuple[Any, Any]] = [
        (_("Languages of this program"), [(c, _label(c, local_first=True)) for c in program]),
        (_("Other languages"), others),
    ]
    if keep and keep not in KNOWN_LANGUAGES:
        choices.insert(0, (keep, keep))
    return choices


def _first_program_language() -> str:
    return next(iter(program_languages()), settings.LANGUAGE_CODE)


class LanguageField(forms.ChoiceField):
    """A language select. Its choices are built each time they are read, so the names
    follow the page's language; `keep` adds a saved code the list no longer has."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("initial", _first_program_language)
        kwargs.setdefault("error_messages", {"invalid_choice": LANGUAGE_UNKNOWN})
        super().__init__(choices=language_choices, **kwargs)

    def keep(self, code: str) -> None:
        self.choices = partial(language_choices, keep=code)


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


# --- Bootstrap fields without crispy-forms ------------------------------------------------

# The class each kind of widget takes in Bootstrap 5 (what crispy-forms would add when it
# renders; templates/includes/field.html renders these forms with Django's own widgets).
WIDGET_CLASSES = {
    "checkbox": "form-check-input",
    "checkboxselectmultiple": "form-check-input",
    "radioselect": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
}


class BootstrapFieldsMixin(forms.BaseForm):
    """Gives every widget its Bootstrap class, and `is-invalid` once its field has an
    error, for forms rendered field by field with templates/includes/field.html."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Class the widgets (again, for fields a form adds after __init__)."""
        styled: set[str] = self.__dict__.setdefault("_styled_fields", set())
        for name, field in self.fields.items():
            widget = field.widget
            if widget.is_hidden or name in styled:
                continue
            styled.add(name)
            # BoundField.widget_type's name for it, without making a BoundField.
            kind = re.sub(r"widget$|input$", "", widget.__class__.__name__.lower())
            css = WIDGET_CLASSES.get(kind, "form-control")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
