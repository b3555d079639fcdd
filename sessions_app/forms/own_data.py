"""The language choice of the "What we hold about this person" page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OwnDataLanguageForm(forms.Form):
    """Which of the site's languages the page and its download are written in."""

    lang = forms.ChoiceField(
        label=_("Language of the page"),
        choices=settings.LANGUAGES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def language(self, default: str) -> str:
        if self.is_valid():
            return str(self.cleaned_data["lang"])
        codes = {code for code, _name in settings.LANGUAGES}
        return default if default in codes else settings.LANGUAGE_CODE
