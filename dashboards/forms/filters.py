"""The dashboards' filters: a GET form that validates and normalises, never writes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.querystring import query_param
from sessions_app.selectors import FacilitationModel

from ..selectors.filters import DashboardFilters, month_start, months_before

MONTH_FORMAT = "%Y-%m"
MONTHS_IN_WRONG_ORDER = _("The first month is after the last month. Both were left out.")
# The GET parameters the form reads (and that dashboard links and exports carry over).
FILTER_NAMES = ("from_month", "to_month", "group", "facilitator", "model")
# The default window: this month and the eleven before it.
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Choice:
    """A group or a facilitator offered in the filters: its public code (in the URL),
    its private id (in the query) and what the list shows."""

    code: str
    pk: int
    label: str


class MonthField(forms.DateField):
    """A calendar month typed as YYYY-MM (an <input type="month">), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[MONTH_FORMAT], **kwargs)

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return None if day is None else month_start(day)


def _default_window(today: date) -> tuple[date, date]:
    last = month_start(today)
    return months_before(last, DEFAULT_MONTHS - 1), last


class DashboardFilterForm(forms.Form):
    # GET names are short and stable: they appear in bookmarked and exported URLs.
    prefix = None
    from_month = MonthField(label=_("From month"), required=False)
    to_month = MonthField(label=_("To month"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False)
    model = forms.ChoiceField(label=_("Facilitation model"), required=False)

    def __init__(
        self,
        *args: Any,
        today: date,
        groups: Sequence[Choice] = (),
        facilitators: Sequence[Choice] = (),
        period_only: bool = False,
        **kwargs: Any,
    ) -> None:
        """`period_only`: the months alone (the evaluation report and the platform pages,
        which cover the whole program)."""
        super().__init__(*args, **kwargs)
        self._today = today
        self._groups = {choice.code: choice.pk for choice in groups}
        self._facilitators = {choice.code: choice.pk for choice in facilitators}
        cast(forms.ChoiceField, self.fields["group"]).choices = [
            ("", _("All groups")),
            *((choice.code, choice.label) for choice in groups),
        ]
        cast(forms.ChoiceField, self.fields["facilitator"]).choices = [
            ("", _("All facilitators")),
            *((choice.code, choice.label) for choice in facilitators),
        ]
        cast(forms.ChoiceField, self.fields["model"]).choices = [
            ("", _("All facilitation models")),
            *FacilitationModel.choices,
        ]
        if period_only:
            for name in ("group", "facilitator", "model"):
                del self.fields[name]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
        first, last = _default_window(today)
        self.fields["from_month"].initial = first
        self.fields["to_month"].initial = last

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from_month"), data.get("to_month")
        if first and last and first > last:
            self.add_error(None, MONTHS_IN_WRONG_ORDER)
            data.pop("from_month", None)
            data.pop("to_month", None)
        return data

    def query(self) -> str:
        """The valid filters as a query string (for pagination and export links)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        values = {}
        for name in FILTER_NAMES:
            value = data.get(name)
            if value:
                values[name] = value.strftime(MONTH_FORMAT) if isinstance(value, date) else value
        return urlencode(values)

    def filters(self) -> DashboardFilters:
        """The filters that are valid; an invalid one falls back to its default (its error
        says so). Call after is_valid(), or on an unbound form for the defaults."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        first, last = _default_window(self._today)
        return DashboardFilters(
            first_month=data.get("from_month") or first,
            last_month=data.get("to_month") or last,
            group_id=self._groups.get(data.get("group") or ""),
            facilitator_id=self._facilitators.get(data.get("facilitator") or ""),
            model=data.get("model") or "",
        )


def filter_form_for(request: HttpRequest, **kwargs: Any) -> tuple[DashboardFilterForm, bool]:
    """The filter form bound to the request's GET parameters (cleaned like any query
    parameter), or unbound when none is given, and whether it is valid (an unbound one
    is: it gives the defaults). `kwargs` go to DashboardFilterForm."""
    bound = any(name in request.GET for name in FILTER_NAMES)
    form = DashboardFilterForm(
        {name: query_param(request, name) for name in FILTER_NAMES} if bound else None,
        **kwargs,
    )
    return form, (form.is_valid() if bound else True)
