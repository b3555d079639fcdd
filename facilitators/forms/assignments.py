"""Forms for review assignments: a recording or a training type, a reviewer of the
organization, the rubric, an optional segment. They validate; the service writes."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from sessions_app.models import Recording

from ..models import Rubric, TrainingType
from ..selectors.assignments import reviewers_of, rubrics_for, training_types_for_review
from ..services.assignments import review_check_reviewer, review_check_segment

SEGMENT_HALF = gettext_lazy("Give both the start and the end of the segment, or neither.")


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return str(obj)


class _AssignForm(forms.Form):
    reviewer = ReviewerChoiceField(
        label=gettext_lazy("Reviewer"), queryset=User.objects.none(), empty_label=None
    )
    rubric = forms.ModelChoiceField(
        label=pgettext_lazy("form field", "Rubric"),
        queryset=Rubric.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, organization_id: int, kind: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers_of(organization_id=organization_id)  # type: ignore[attr-defined]
        self.fields["rubric"].queryset = rubrics_for(organization_id=organization_id, kind=kind)  # type: ignore[attr-defined]


class AssignRecordingForm(_AssignForm):
    segment_start = forms.IntegerField(
        label=gettext_lazy("Segment starts at (seconds, optional)"), required=False, min_value=0
    )
    segment_end = forms.IntegerField(
        label=gettext_lazy("Segment ends at (seconds, optional)"), required=False, min_value=1
    )

    def __init__(self, *args: Any, recording: Recording, **kwargs: Any):
        self.recording = recording
        super().__init__(*args, organization_id=recording.session.group.organization_id, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The service's own checks, so the form says what the service would refuse.
        reviewer, rubric = data.get("reviewer"), data.get("rubric")
        if reviewer is not None and rubric is not None:
            try:
                review_check_reviewer(reviewer=reviewer, rubric=rubric, recording=self.recording)
            except ValidationError as error:
                self.add_error(None, error)
        start, end = data.get("segment_start"), data.get("segment_end")
        if (start is None) != (end is None):
            self.add_error("segment_end", SEGMENT_HALF)
        elif start is not None and end is not None:
            try:
                review_check_segment((start, end))
            except ValidationError as error:
                self.add_error(None, error)
        return data

    @property
    def segment(self) -> tuple[int, int] | None:
        start, end = self.cleaned_data.get("segment_start"), self.cleaned_data.get("segment_end")
        return (start, end) if start is not None and end is not None else None


class AssignTrainingForm(_AssignForm):
    training_type = forms.ModelChoiceField(
        label=gettext_lazy("Training"), queryset=TrainingType.objects.none(), empty_label=None
    )
    field_order = ["training_type", "reviewer", "rubric"]

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any):
        super().__init__(
            *args, organization_id=organization_id, kind=Rubric.Kind.PEER_REVIEW, **kwargs
        )
        self.fields["training_type"].queryset = training_types_for_review()  # type: ignore[attr-defined]
