"""The participants' feedback form, built from the instrument's questions in one language.
Every field is optional unless the instrument says otherwise; the service checks again."""

import secrets
from typing import Any

from django import forms

from curriculum.participant_text import TEXT

from ..models import RATING_POINTS, FeedbackItem
from ..services.responses import TEXT_MAX_LENGTH


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


class FeedbackForm(forms.Form):
    # One per page load, kept in the page (never a cookie): a second submit of the same
    # page counts once.
    nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, items: list[FeedbackItem], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item-{item.pk}"] = self._field(item, language)

    @staticmethod
    def _field(item: FeedbackItem, language: str) -> forms.Field:
        label = item.prompt(language)
        if item.kind == FeedbackItem.Kind.TEXT:
            return forms.CharField(
                label=label,
                required=item.required,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )
        if item.kind == FeedbackItem.Kind.YES_NO:
            choices: list[tuple[str, Any]] = [("yes", TEXT["form.yes"]), ("no", TEXT["form.no"])]
        else:
            words = item.scale(language)
            choices = [
                (str(point), f"{point}: {words[point]}" if point < len(words) else str(point))
                for point in range(RATING_POINTS)
            ]
        return forms.ChoiceField(
            label=label,
            required=item.required,
            choices=choices,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        )

    def answers(self) -> dict[int, Any]:
        return {item.pk: self.cleaned_data.get(f"item-{item.pk}") for item in self.items}
