"""The calibration attempt form: every item of the calibration recording's rubric with its
ratings (0 to 3 in half points) or "can't rate" with a reason, as in the review form but
without comments (only the numbers are compared with gold). It validates; the service
saves."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from ..models import ItemRating, RubricItem
from ..services.reviews import RatingInput, rating_check
from .reviews import _rating_widget


@dataclass
class CalibrationItemFields:
    item: RubricItem
    adherence: BoundField
    helpfulness: BoundField | None
    cant_rate: BoundField
    cant_rate_reason: BoundField


@dataclass
class CalibrationPart:
    name: str
    items: list[CalibrationItemFields]


class CalibrationForm(forms.Form):
    def __init__(self, *args: Any, items: list[RubricItem], **kwargs: Any):
        self.items = items
        super().__init__(*args, **kwargs)
        for item in items:
            prefix = f"item-{item.pk}-"
            self.fields[prefix + "adherence"] = forms.CharField(
                label=_("Adherence (how much was done)"), required=False, widget=_rating_widget()
            )
            if item.takes_helpfulness:
                self.fields[prefix + "helpfulness"] = forms.CharField(
                    label=_("Helpfulness (how well)"), required=False, widget=_rating_widget()
                )
            self.fields[prefix + "cant_rate"] = forms.BooleanField(
                label=_("Can't rate"), required=False
            )
            self.fields[prefix + "cant_rate_reason"] = forms.ChoiceField(
                label=_("Why not"),
                required=False,
                choices=[("", "—"), *ItemRating.CantRateReason.choices],
            )
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if name.endswith("cant_rate")
                else "form-select"
                if name.endswith("reason")
                else "form-control"
            )
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def sections(self) -> list[CalibrationPart]:
        """The bound fields part by part (items come ordered by part), as the page shows."""
        out: list[CalibrationPart] = []
        for item in self.items:
            prefix = f"item-{item.pk}-"
            row = CalibrationItemFields(
                item=item,
                adherence=self[prefix + "adherence"],
                helpfulness=self[prefix + "helpfulness"] if item.takes_helpfulness else None,
                cant_rate=self[prefix + "cant_rate"],
                cant_rate_reason=self[prefix + "cant_rate_reason"],
            )
            if not out or out[-1].name != item.part.name:
                out.append(CalibrationPart(name=item.part.name, items=[]))
            out[-1].items.append(row)
        return out

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for key in list(self.fields):
            if key.endswith(("-adherence", "-helpfulness")) and key not in self.errors:
                try:
                    data[key] = rating_check(data.get(key))
                except ValidationError as error:
                    self.add_error(key, error)
        return data

    def ratings(self) -> dict[int, RatingInput]:
        data = self.cleaned_data
        return {
            item.pk: RatingInput(
                adherence=data.get(f"item-{item.pk}-adherence"),
                helpfulness=data.get(f"item-{item.pk}-helpfulness"),
                cant_rate=bool(data.get(f"item-{item.pk}-cant_rate")),
                cant_rate_reason=data.get(f"item-{item.pk}-cant_rate_reason", ""),
            )
            for item in self.items
        }

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal on the item it names ("item-<pk>": that item's first rating)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            name: str | None = f"{key}-adherence"
            if name not in self.fields:
                name = None
            for one in errors:
                self.add_error(name, one)
