"""The results page's filters: a GET form that validates and normalises, never writes."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.selectors import FacilitationModel

from ..selectors.results import GroupChoice, ResultFilters, ResultItem

DATES_IN_WRONG_ORDER = _("The first date is after the last date. Both dates were left out.")
ISO_DATE = "%Y-%m-%d"


class ResultsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Sessions from"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    date_to = forms.DateField(
        label=_("Sessions up to"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    group = forms.ChoiceField(label=_("Group"), required=False)
    model = forms.ChoiceField(label=_("Facilitation model"), required=False)
    item = forms.ChoiceField(label=_("Question over time"), required=False)

    def __init__(
        self,
        *args: Any,
        groups: tuple[GroupChoice, ...],
        items: tuple[ResultItem, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._group_ids = {group.code: group.pk for group in groups}
        cast(forms.ChoiceField, self.fields["group"]).choices = [
            ("", _("All groups")),
            *((g.code, g.name) for g in groups),
        ]
        cast(forms.ChoiceField, self.fields["model"]).choices = [
            ("", _("All facilitation models")),
            *FacilitationModel.choices,
        ]
        cast(forms.ChoiceField, self.fields["item"]).choices = [
            (item.key, item.label) for item in items
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error(None, DATES_IN_WRONG_ORDER)
            data.pop("date_from", None)
            data.pop("date_to", None)
        return data

    def filters(self) -> ResultFilters:
        """The filters that are valid; an invalid one filters nothing (its error says so).
        Call after is_valid(), or on an unbound form for none at all."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return ResultFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            group_id=self._group_ids.get(data.get("group") or ""),
            model=data.get("model") or "",
            item=data.get("item") or "",
        )
