"""Forms for running a session: attendance, the log, adaptations, commitments and the
note to self. They are parts of one form on the session page, told apart by their
prefix; each (but the new adaptation) carries the `version` of what it was built from, so
a stale submission is refused. They validate and normalise; services write."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainTextField
from curriculum.models import TopicMaterial

from ..models import SESSION_MAX_MINUTES, Adaptation, Attendance, Participant
from ..services.running import NOT_ON_ROSTER
from .common import BootstrapFieldsMixin


def _refuse_names_off_the_roster(form: "AttendanceForm | CommitmentsForm") -> None:
    """A row for someone not on the roster (enrolled since the page was opened elsewhere, or
    a forged name) is refused rather than ignored."""
    known = {form.add_prefix(form.PREFIX + str(p.code)) for p in form.roster}
    row_prefix = form.add_prefix(form.PREFIX)
    if any(key.startswith(row_prefix) and key not in known for key in form.data):
        raise forms.ValidationError(NOT_ON_ROSTER, code="not_on_roster")


class _VersionedForm(BootstrapFieldsMixin, forms.Form):
    """Carries the version of what it was built from (stale double submits are refused)."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AttendanceForm(_VersionedForm):
    """One choice per person on the roster (present, absent, excused) and the drop-ins."""

    drop_in_count = forms.IntegerField(
        label=_("Unregistered drop-ins"),
        min_value=0,
        max_value=50,
        initial=0,
        help_text=_("People who came without being enrolled: a count, no names."),
    )

    PREFIX = "status_"

    def __init__(self, *args: Any, roster: list[Participant], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.roster = roster
        for participant in roster:
            self.fields[self.PREFIX + str(participant.code)] = forms.ChoiceField(
                label=participant.display_name,
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect,
            )
        self.style_widgets()

    def rows(self) -> list[tuple[Participant, forms.BoundField]]:
        return [(p, self[self.PREFIX + str(p.code)]) for p in self.roster]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _refuse_names_off_the_roster(self)
        cleaned["marks"] = {
            p.pk: cleaned[self.PREFIX + str(p.code)]
            for p in self.roster
            if cleaned.get(self.PREFIX + str(p.code))
        }
        return cleaned


class HandoutChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TopicMaterial) -> str:
        page = _(" (page %(page)s)") % {"page": obj.page_reference} if obj.page_reference else ""
        return f"{obj.title}{page}"


class SessionLogForm(_VersionedForm):
    check_in_done = forms.BooleanField(label=_("Check-in done"), required=False)
    quotation_reference = PlainTextField(
        label=_("Quotation used"),
        max_length=200,
        required=False,
        help_text=_("A reference (who said it, or a title and page), never the text itself."),
    )
    handouts_used = HandoutChoiceField(
        queryset=TopicMaterial.objects.none(),
        label=_("Handouts used"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    check_out_done = forms.BooleanField(label=_("Check-out done"), required=False)
    follow_up_needed = forms.BooleanField(
        label=_("Follow-up needed"),
        required=False,
        help_text=_("A flag only. Never write details here; follow up outside the group."),
    )
    actual_length_minutes = forms.IntegerField(
        label=_("Actual length in minutes"),
        min_value=1,
        max_value=SESSION_MAX_MINUTES,
        required=False,
    )

    def __init__(self, *args: Any, materials: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = cast(HandoutChoiceField, self.fields["handouts_used"])
        field.queryset = materials  # what a submission is checked against
        # The choices shown, read once: a model field's choices would query on each use.
        field.choices = [(m.pk, field.label_from_instance(m)) for m in materials]


class AdaptationForm(BootstrapFieldsMixin, forms.Form):
    """A new adaptation; sent only when one of its fields is filled in."""

    category = forms.ChoiceField(
        label=_("What kind of change"),
        choices=[("", _("Choose one")), *Adaptation.Category.choices],
    )
    what = PlainTextField(label=_("What was changed"), max_length=300)
    why = PlainTextField(label=_("Why"), max_length=300)

    def is_filled_in(self) -> bool:
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields)


class NoteForm(_VersionedForm):
    body = PlainTextField(
        multiline=True,
        label=_("Note to self"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only you can read this: how the session went for you, what to take care of. "
            "Leave it empty to remove it. Nothing about what participants said."
        ),
    )


class CommitmentsForm(_VersionedForm):
    """Each person's commitment before next time, in their own words (optional)."""

    PREFIX = "commitment_"

    def __init__(self, *args: Any, roster: list[Participant], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.roster = roster
        for participant in roster:
            self.fields[self.PREFIX + str(participant.code)] = PlainTextField(
                label=participant.display_name, max_length=300, required=False
            )
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _refuse_names_off_the_roster(self)
        cleaned["texts"] = {
            p.pk: cleaned.get(self.PREFIX + str(p.code), "")
            for p in self.roster
            if self.add_prefix(self.PREFIX + str(p.code)) in self.data
        }
        return cleaned
