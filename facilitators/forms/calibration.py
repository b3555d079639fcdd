"""The calibration attempt form: every item of the calibration recording's rubric with its
ratings (0 to 3 in half points) or "can't rate" with a reason, as in the review form but
without comments (only the numbers are compared with gold). It validates; the service
saves."""

from dataclasses import dataclass
from typing import Any

from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from ..models import RubricItem
from ..services.reviews import RatingInput
from .reviews import RatingFieldsMixin


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


class CalibrationForm(RatingFieldsMixin):
    def __init__(self, *args: Any, items: list[RubricItem], **kwargs: Any):
        self.items = items
        super().__init__(*args, **kwargs)
        for item in items:
            self.add_rating_fields(item, rating_label=_("Adherence (how much was done)"))
        self.style_widgets()

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
        self.clean_ratings()
        return self.cleaned_data

    def ratings(self) -> dict[int, RatingInput]:
        return {item.pk: self.rating_input(item) for item in self.items}
