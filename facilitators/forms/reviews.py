"""The review form: every item of the rubric with its ratings (0 to 3 in half points) or
"can't rate" with a reason, strengths and things to work on per item and overall, and
the overall recommendation. It validates and normalises; the services save."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from ..models import ItemRating, Review, Rubric, RubricItem, RubricPart
from ..services.reviews import RatingInput, rating_check

# What each action button sends as `action`.
SAVE_DRAFT, SUBMIT = "save", "submit"


def _rating_widget() -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"step": "0.5", "min": "0", "max": "3", "inputmode": "decimal", "class": "rating"}
    )


@dataclass
class ItemFields:
    item: RubricItem
    adherence: BoundField
    helpfulness: BoundField | None
    cant_rate: BoundField
    cant_rate_reason: BoundField
    strengths: BoundField
    to_work_on: BoundField


@dataclass
class PartFields:
    part: RubricPart
    items: list[ItemFields]


class RatingFieldsMixin(forms.Form):
    """The rating fields of one rubric item (`item-<pk>-adherence`, `-helpfulness` where the
    item takes it, `-cant_rate`, `-cant_rate_reason`), their checks on the half-point grid
    and a service's refusal put on the item it names: what the review and the calibration
    forms share."""

    def add_rating_fields(self, item: RubricItem, *, rating_label: Any) -> None:
        prefix = f"item-{item.pk}-"
        self.fields[prefix + "adherence"] = forms.CharField(
            label=rating_label, required=False, widget=_rating_widget()
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

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else "form-select"
                if isinstance(widget, forms.Select)
                else "form-control"
            )
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def clean_ratings(self) -> None:
        """Each rating given is on the grid (`rating_check`), normalised to a Decimal."""
        data = self.cleaned_data
        for key in list(self.fields):
            if key.endswith(("-adherence", "-helpfulness")) and key not in self.errors:
                try:
                    data[key] = rating_check(data.get(key))
                except ValidationError as error:
                    self.add_error(key, error)

    def rating_input(self, item: RubricItem) -> RatingInput:
        data, prefix = self.cleaned_data, f"item-{item.pk}-"
        return RatingInput(
            adherence=data.get(prefix + "adherence"),
            helpfulness=data.get(prefix + "helpfulness"),
            cant_rate=bool(data.get(prefix + "cant_rate")),
            cant_rate_reason=data.get(prefix + "cant_rate_reason", ""),
        )

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's refusal on the fields it names ("item-<pk>" means that item's
        first rating)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            field: str | None = f"{key}-adherence" if key.startswith("item-") else key
            if field not in self.fields:
                field = None
            for one in errors:
                self.add_error(field, one)


class ReviewForm(RatingFieldsMixin):
    overall_strengths = forms.CharField(
        label=_("Strengths overall"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    overall_to_work_on = forms.CharField(
        label=_("Things to work on overall"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    overall_recommendation = forms.ChoiceField(
        label=_("Overall recommendation"),
        required=False,
        choices=[("", _("Choose one")), *Review.Recommendation.choices],
    )

    def __init__(
        self,
        *args: Any,
        rubric: Rubric,
        parts: list[RubricPart],
        review: Review | None = None,
        **kwargs: Any,
    ):
        self.rubric, self.parts = rubric, parts
        if review is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(review)
        super().__init__(*args, **kwargs)
        fidelity = rubric.kind == Rubric.Kind.FIDELITY
        rating_label = _("Adherence (how much was done)") if fidelity else _("Rating (0 to 3)")
        for item in self.items():
            prefix = f"item-{item.pk}-"
            self.add_rating_fields(item, rating_label=rating_label)
            self.fields[prefix + "strengths"] = forms.CharField(
                label=_("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[prefix + "to_work_on"] = forms.CharField(
                label=_("Things to work on"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.style_widgets()

    def items(self) -> list[RubricItem]:
        return [item for part in self.parts for item in part.items.all()]

    @staticmethod
    def initial_from(review: Review) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "overall_strengths": review.overall_strengths,
            "overall_to_work_on": review.overall_to_work_on,
            "overall_recommendation": review.overall_recommendation,
        }
        for rating in review.ratings.all():
            prefix = f"item-{rating.item_id}-"
            initial.update(
                {
                    prefix + "adherence": ""
                    if rating.adherence is None
                    else rating.adherence.normalize(),
                    prefix + "helpfulness": ""
                    if rating.helpfulness is None
                    else rating.helpfulness.normalize(),
                    prefix + "cant_rate": rating.cant_rate,
                    prefix + "cant_rate_reason": rating.cant_rate_reason,
                    prefix + "strengths": rating.strengths,
                    prefix + "to_work_on": rating.to_work_on,
                }
            )
        return initial

    def sections(self) -> list[PartFields]:
        """The bound fields part by part, item by item, as the page lays them out."""
        out = []
        for part in self.parts:
            rows = []
            for item in part.items.all():
                prefix = f"item-{item.pk}-"
                rows.append(
                    ItemFields(
                        item=item,
                        adherence=self[prefix + "adherence"],
                        helpfulness=self[prefix + "helpfulness"]
                        if item.takes_helpfulness
                        else None,
                        cant_rate=self[prefix + "cant_rate"],
                        cant_rate_reason=self[prefix + "cant_rate_reason"],
                        strengths=self[prefix + "strengths"],
                        to_work_on=self[prefix + "to_work_on"],
                    )
                )
            out.append(PartFields(part=part, items=rows))
        return out

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.clean_ratings()
        return self.cleaned_data

    def ratings(self) -> dict[int, RatingInput]:
        data = self.cleaned_data
        out: dict[int, RatingInput] = {}
        for item in self.items():
            prefix = f"item-{item.pk}-"
            out[item.pk] = RatingInput(
                **self.rating_input(item),
                strengths=data.get(prefix + "strengths", ""),
                to_work_on=data.get(prefix + "to_work_on", ""),
            )
        return out

    def overall(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("overall_strengths", "overall_to_work_on", "overall_recommendation")
        }
