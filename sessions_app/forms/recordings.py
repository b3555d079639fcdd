"""Forms for recordings: the upload. It validates and normalises; the service checks
invariant 4 and writes."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..models import Recording


class RecordingUploadForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Recording.Purpose.choices)
    file = forms.FileField(
        label=_("Audio or video file"),
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*,video/*"}),
    )
    # The newest recording code the page showed ("" if none): refuses a doubled upload.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Audio or video only, at most %(limit)s.") % {
            "limit": filesizeformat(settings.RECORDING_MAX_BYTES)
        }
