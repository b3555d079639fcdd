"""Forms for trainings: a facilitator adds or edits one, a manager gives the reason for not
verifying one or corrects a verified one's expiry. They validate and normalise; the
services check the dates and the evidence file and write."""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sessions_app.forms.common import DateInput

from ..models import TrainingRecord, TrainingType
from ..services.trainings import REASON_REQUIRED


class TrainingRecordForm(forms.Form):
    training_type = forms.ModelChoiceField(
        label=_("Training"), queryset=TrainingType.objects.filter(active=True), empty_label=None
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    hours = forms.DecimalField(
        label=_("Hours"), required=False, min_value=0, max_value=999, decimal_places=1
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to use the training's usual validity period."),
    )
    evidence = forms.FileField(
        label=_("Certificate or other evidence (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, record: TrainingRecord | None = None, **kwargs: Any) -> None:
        if record is not None:
            kwargs.setdefault(
                "initial",
                {
                    "training_type": record.training_type_id,
                    "completed_on": record.completed_on,
                    "provider": record.provider,
                    "hours": record.hours,
                    "expires_on": record.expires_on,
                },
            )
        super().__init__(*args, **kwargs)
        limit = {"limit": filesizeformat(settings.TRAINING_EVIDENCE_MAX_BYTES)}
        self.fields["evidence"].help_text = _("PDF, JPEG or PNG, at most %(limit)s.") % limit
        if record is not None:
            # The record's own type stays a choice even if it was switched off since.
            self.fields["training_type"].queryset = TrainingType.objects.filter(  # type: ignore[attr-defined]
                Q(active=True) | Q(pk=record.training_type_id)
            )
            if record.evidence:
                self.fields["evidence"].label = _("Replace the evidence (optional)")
                self.fields["evidence"].help_text = (
                    _("PDF, JPEG or PNG, at most %(limit)s. Leave empty to keep the file you gave.")
                    % limit
                )


class TrainingRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not verified?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The facilitator reads this."),
        error_messages={"required": _(REASON_REQUIRED)},
    )


class TrainingExpiryForm(forms.Form):
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when it does not expire."),
    )
