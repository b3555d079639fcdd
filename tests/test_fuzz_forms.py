"""Fuzzing every form with Hypothesis (issue 13, item 6).

Every Form and ModelForm class in the apps' forms modules is found by walking them; a
class the fuzzing does not build (BUILD) and that is not in NOT_BUILT with a reason fails
test_every_form_class_is_fuzzed. Each is built with the constructor arguments its views
give it (the permission matrix's world supplies the organization, group, session,
recording, rubric...), then bound to data drawn per field: a valid-looking value (a
choice it offers, a number in or just outside its range, a date, a time), a hostile one
(NUL, astral, right-to-left and combining characters, 100k strings, text where a number,
date, choice or code belongs), several values for one key, or nothing; plus keys the form
does not have. Files get small uploads with odd names.

- is_valid() never raises;
- when valid, the forms whose data a feature stores (SAVE) are saved through that
  feature's service, as their view does: the service may refuse (ValidationError) but
  nothing else, and every row written or changed passes its model's full_clean(). The
  other forms' saves are reached through their views by tests/test_fuzz_posts.py.

Each example runs in a savepoint rolled back after it. Budget: FORM_EXAMPLES per form
(tests/hypothesis_profiles.py).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.models import User
from audit.selectors import audit_people
from curriculum.models import TopicMaterial
from dashboards.forms.filters import MONTH_FORMAT, Choice, MonthField
from facilitators.models import RubricItem, RubricPart
from feedback.models import FeedbackItem
from feedback.selectors.results import GroupChoice, ResultItem
from tests.facilitators import policy as facilitators_policy
from tests.facilitators import review_policy, self_check_policy
from tests.feedback import participant_policy
from tests.fuzzing import Baseline, nasty_uploads, nasty_values
from tests.hypothesis_profiles import FORM_EXAMPLES
from tests.matrix import World
from tests.sessions_app import policy as sessions_app_policy
from tests.test_permission_matrix import built, world

__all__ = ["built", "world"]  # the matrix's fixtures, used here

# Every app of this project (not the installed packages): a new app's forms are fuzzed
# from its first commit.
APPS = tuple(
    config.name
    for config in django_apps.get_app_configs()
    if Path(config.path).is_relative_to(settings.BASE_DIR)
    and ".venv" not in Path(config.path).relative_to(settings.BASE_DIR).parts
)


def form_modules() -> list[Any]:
    """<app>/forms.py, or every module of <app>/forms/."""
    modules = []
    for app in APPS:
        try:
            package = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        modules.append(package)
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    return modules


def form_classes() -> dict[str, type[forms.BaseForm]]:
    found = {}
    for module in form_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


# Classes no view builds on their own, with the reason.
NOT_BUILT = {
    "sessions_app.forms.common.BootstrapFieldsMixin": "a mixin: styles the widgets",
    "sessions_app.forms.planning._StartsAtMixin": "the base of SessionMoveForm, SessionAddForm",
    "sessions_app.forms.running._VersionedForm": "the base of the session page's parts",
    "facilitators.forms.assignments._AssignForm": "the base of the two assignment forms",
    "facilitators.forms.reviews.RatingFieldsMixin": "the base of ReviewForm, CalibrationForm",
}

# --- Building each form as its view does ---------------------------------------------------


def _s(world: World) -> Any:
    return sessions_app_policy.mine(world, world.cast.org)


def _rubric_parts(world: World) -> list[RubricPart]:
    rubric_id = review_policy.mine(world, world.cast.org).open_assignment.rubric_id
    return list(RubricPart.objects.filter(rubric_id=rubric_id).order_by("order", "pk"))


def _feedback_items(world: World) -> list[FeedbackItem]:
    link = world.part(participant_policy.__name__, world.cast.org).link
    return list(FeedbackItem.objects.filter(instrument_id=link.instrument_id))


Kwargs = dict[str, Any]
BUILD: dict[str, Callable[[World], Kwargs]] = {
    "accounts.forms.InvitationForm": lambda w: {},
    "accounts.forms.AcceptInvitationForm": lambda w: {"email": "new.person@example.org"},
    "sessions_app.forms.consent.ConsentCaptureForm": lambda w: {"present": [_s(w).participant]},
    "sessions_app.forms.groups.GroupForm": lambda w: {
        "organizations": [w.cast.org, w.cast.other_org]
    },
    "sessions_app.forms.groups.AssignFacilitatorForm": lambda w: {"group": _s(w).run_group},
    "sessions_app.forms.groups.EnrollForm": lambda w: {
        "group": _s(w).run_group,
        "can_confirm": True,
    },
    "sessions_app.forms.groups.NewParticipantEnrollForm": lambda w: {
        "group": _s(w).run_group,
        "can_confirm": True,
    },
    "sessions_app.forms.groups.LeaveForm": lambda w: {"today": timezone.localdate()},
    "sessions_app.forms.participants.ParticipantForm": lambda w: {"participant": _s(w).participant},
    "sessions_app.forms.participants.ParticipantCreateForm": lambda w: {
        "organizations": [w.cast.org, w.cast.other_org]
    },
    "sessions_app.forms.participants.JoinGroupForm": lambda w: {"participant": _s(w).participant},
    "sessions_app.forms.participants.ArchiveParticipantForm": lambda w: {},
    "sessions_app.forms.own_data.OwnDataLanguageForm": lambda w: {},
    "audit.forms.EventFilterForm": lambda w: {"people": audit_people(organization=w.cast.org)},
    "sessions_app.forms.planning.SessionMoveForm": lambda w: {"group": _s(w).run_group},
    "sessions_app.forms.planning.SessionRetopicForm": lambda w: {},
    "sessions_app.forms.planning.SessionCancelForm": lambda w: {},
    "sessions_app.forms.planning.SessionLeadersForm": lambda w: {
        "roster_ids": [_s(w).participant.pk],
        "clinicians": User.objects.filter(pk=w.cast.clinician.pk),
    },
    "sessions_app.forms.planning.SessionAddForm": lambda w: {"group": _s(w).run_group},
    "sessions_app.forms.recordings.RecordingUploadForm": lambda w: {},
    "sessions_app.forms.running.AttendanceForm": lambda w: {
        "roster": [_s(w).participant],
        "prefix": "attendance",
    },
    "sessions_app.forms.running.SessionLogForm": lambda w: {
        "materials": TopicMaterial.objects.filter(organization=None)[:5],
        "prefix": "log",
    },
    "sessions_app.forms.running.AdaptationForm": lambda w: {"prefix": "adaptation"},
    "sessions_app.forms.running.NoteForm": lambda w: {"prefix": "note"},
    "sessions_app.forms.running.CommitmentsForm": lambda w: {
        "roster": [_s(w).participant],
        "prefix": "commitments",
    },
    "facilitators.forms.assignments.AssignRecordingForm": lambda w: {"recording": _s(w).recording},
    "facilitators.forms.assignments.AssignTrainingForm": lambda w: {
        "organization_id": w.cast.org.pk
    },
    "facilitators.forms.calibration.CalibrationForm": lambda w: {
        "items": list(
            RubricItem.objects.filter(part__in=_rubric_parts(w))
            .select_related("part")
            .order_by("part__order", "order", "pk")
        )
    },
    "facilitators.forms.certification.CertificationChangeForm": lambda w: {
        "choices": [("training_complete", "Training complete"), ("certified", "Certified")]
    },
    "facilitators.forms.profiles.ProfileSelfForm": lambda w: {},
    "facilitators.forms.profiles.ProfileManagerForm": lambda w: {},
    "facilitators.forms.reviews.ReviewForm": lambda w: {
        "rubric": review_policy.mine(w, w.cast.org).open_assignment.rubric,
        "parts": _rubric_parts(w),
    },
    "facilitators.forms.self_checks.SelfCheckForm": lambda w: {},
    "facilitators.forms.trainings.TrainingRecordForm": lambda w: {
        "record": facilitators_policy.mine(w, w.cast.org).record
    },
    "facilitators.forms.trainings.TrainingRejectForm": lambda w: {},
    "facilitators.forms.trainings.TrainingExpiryForm": lambda w: {},
    "feedback.forms.participant.FeedbackForm": lambda w: {
        "items": _feedback_items(w),
        "language": "en",
    },
    "feedback.forms.results.ResultsFilterForm": lambda w: {
        "groups": (GroupChoice(pk=_s(w).run_group.pk, code="g1", name="Group", timezone="UTC"),),
        "items": (ResultItem(key="overall", kind="rating", label="Overall", prompt="Overall"),),
    },
    "dashboards.forms.filters.DashboardFilterForm": lambda w: {
        "today": timezone.localdate(),
        "groups": [Choice(code="g1", pk=_s(w).run_group.pk, label="Group")],
        "facilitators": [Choice(code="f1", pk=w.cast.peer.pk, label="Peer")],
    },
}

# --- Saving a valid form through its feature's service ----------------------------------


def _save_group(form: Any, w: World) -> None:
    from sessions_app.services.groups import group_create

    group_create(
        organization=form.chosen_organization,
        values=form.group_values(),
        topic_ids=form.cleaned_data["topic_sequence"],
        by=w.cast.manager,
    )


def _save_participant_create(form: Any, w: World) -> None:
    from sessions_app.services import participant_create

    participant_create(
        organization=form.chosen_organization, values=form.participant_values(), by=w.cast.manager
    )


def _save_participant(form: Any, w: World) -> None:
    from sessions_app.services import participant_update

    participant_update(
        participant=_s(w).participant, values=form.participant_values(), by=w.cast.manager
    )


def _save_cancel(form: Any, w: World) -> None:
    from sessions_app.services.planning import session_cancel
    from tests.factories import SessionFactory

    session = SessionFactory(group=_s(w).run_group, starts_at=timezone.now() + timedelta(days=3))
    session_cancel(session=session, reason=form.cleaned_data["reason"], by=w.cast.manager)


def _save_feedback(form: Any, w: World) -> None:
    from feedback.services.responses import feedback_submit

    link = w.part(participant_policy.__name__, w.cast.org).link
    feedback_submit(link=link, nonce=form.cleaned_data["nonce"], answers=form.answers())


def _save_self_check(form: Any, w: World) -> None:
    from facilitators.services.self_checks import self_check_save

    session = self_check_policy.mine(w, w.cast.org).session
    self_check_save(session=session, by=w.cast.peer, answers=form.answers())


def _save_training(form: Any, w: World) -> None:
    from facilitators.services.trainings import training_record_add

    data = form.cleaned_data
    training_record_add(
        profile=facilitators_policy.mine(w, w.cast.org).profile,
        by=w.cast.peer,
        training_type=data["training_type"],
        completed_on=data["completed_on"],
        provider=data["provider"],
        hours=data["hours"],
        expires_on=data["expires_on"],
        evidence=data["evidence"] or None,
    )


SAVE: dict[str, Callable[[Any, World], None]] = {
    "sessions_app.forms.groups.GroupForm": _save_group,
    "sessions_app.forms.participants.ParticipantCreateForm": _save_participant_create,
    "sessions_app.forms.participants.ParticipantForm": _save_participant,
    "sessions_app.forms.planning.SessionCancelForm": _save_cancel,
    "feedback.forms.participant.FeedbackForm": _save_feedback,
    "facilitators.forms.self_checks.SelfCheckForm": _save_self_check,
    "facilitators.forms.trainings.TrainingRecordForm": _save_training,
}

# --- Data per field ----------------------------------------------------------------------


def _choice_values(field: forms.ChoiceField) -> list[str]:
    values: list[str] = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an option group
            values.extend(str(v) for v, _label in label)
        else:
            values.append(str(getattr(value, "value", value)))
    return values or [""]


def _model_values(field: forms.ModelChoiceField) -> list[str]:
    key = field.to_field_name or "pk"
    return [str(getattr(obj, key)) for obj in field.queryset[:20]] or [""]


def valid_looking(field: forms.Field) -> st.SearchStrategy[list[str]]:
    """What a browser would send for the field, or close to it."""
    one: st.SearchStrategy[str]
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(st.sampled_from(_model_values(field)), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        one = st.sampled_from(_model_values(field))
    elif isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from(_choice_values(field)), max_size=3)
    elif isinstance(field, forms.ChoiceField):
        one = st.sampled_from(_choice_values(field))
    elif isinstance(field, forms.BooleanField):
        one = st.sampled_from(["on", "", "1"])
    elif isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        low = field.min_value if field.min_value is not None else -5
        high = field.max_value if field.max_value is not None else 1000
        one = st.one_of(
            st.integers(int(low) - 1, int(high) + 1).map(str),
            st.decimals(Decimal(low) - 1, Decimal(high) + 1, places=2).map(str),
        )
    elif isinstance(field, MonthField):
        one = st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(lambda d: d.strftime(MONTH_FORMAT))
    elif isinstance(field, forms.DateField):
        today = timezone.localdate()
        one = st.dates(today - timedelta(days=400), today + timedelta(days=800)).map(
            lambda d: d.isoformat()
        )
    elif isinstance(field, forms.TimeField):
        one = st.times().map(lambda t: t.strftime("%H:%M"))
    elif isinstance(field, forms.EmailField):
        one = st.sampled_from(["kit@example.org", "a@b.c", "@", "kit@example.org\x00"])
    elif isinstance(field, forms.URLField):
        one = st.sampled_from(["https://meet.example.org/abc", "meet.example.org", "javascript:1"])
    else:
        one = st.text(max_size=field.max_length or 60)  # type: ignore[attr-defined]
    return one.map(lambda value: [value])


@st.composite
def form_data(draw: st.DrawFn, form: forms.BaseForm) -> tuple[QueryDict, dict[str, Any]]:
    data = QueryDict(mutable=True)
    files: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        how = draw(st.sampled_from(["valid", "valid", "nasty", "several", "missing"]), label=key)
        if isinstance(field, forms.FileField):
            if how != "missing":
                files[key] = draw(
                    st.one_of(
                        nasty_uploads(),
                        st.just(SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n%%EOF\n")),
                    )
                )
            continue
        if how == "valid":
            data.setlist(key, draw(valid_looking(field)))
        elif how == "nasty":
            data.setlist(key, [draw(nasty_values())])
        elif how == "several":
            data.setlist(key, draw(st.lists(nasty_values(), min_size=2, max_size=3)))
    for key in draw(st.lists(st.sampled_from(["id", "organization", "x\x00", "é"]), max_size=2)):
        if key not in data:
            data.setlist(key, [draw(nasty_values())])
    return data, files


# --- The tests -----------------------------------------------------------------------------

CLASSES = form_classes()


def test_every_form_class_is_fuzzed():
    assert len(CLASSES) > 30, "the walk found too few forms: is it looking in the right place?"
    uncovered = sorted(set(CLASSES) - BUILD.keys() - NOT_BUILT.keys())
    assert not uncovered, f"Add these forms to BUILD (or NOT_BUILT with a reason): {uncovered}"
    assert not (BUILD.keys() | NOT_BUILT.keys()) - CLASSES.keys(), "rows for forms gone"


_baselines: dict[str, Baseline] = {}


@hsettings(max_examples=FORM_EXAMPLES)
@given(data=st.data())
@pytest.mark.parametrize("name", sorted(BUILD))
def test_no_input_makes_a_form_raise_or_save_an_invalid_row(world, name, data):
    cls, kwargs = CLASSES[name], BUILD[name](world)
    baseline = _baselines.get(name)
    if baseline is None and name in SAVE:
        baseline = _baselines[name] = Baseline.take()
    with transaction.atomic():
        bound, files = data.draw(form_data(cls(**kwargs)), label="data")
        form = cls(bound, files, **kwargs)

        valid = form.is_valid()

        if valid and name in SAVE:
            with contextlib.suppress(ValidationError):  # the service refused: its job
                SAVE[name](form, world)
            assert baseline is not None
            problems = baseline.invalid_rows()
            assert not problems, f"{name} saved invalid rows: {problems}"
        transaction.set_rollback(True)
