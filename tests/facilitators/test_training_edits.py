"""Editing trainings: the facilitator edits their own while it awaits verification or was
rejected (then it awaits verification again), never a verified one; a manager corrects a
verified one's expiry date, kept in history; the rows link to both."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facilitators.models import TrainingRecord
from facilitators.services.trainings import (
    COMPLETED_IN_FUTURE,
    ONLY_UNVERIFIED_EDITED,
    ONLY_VERIFIED_EXPIRY,
    training_record_add,
    training_record_edit,
)
from tests.facilitators.policy import pdf
from tests.factories import TrainingRecordFactory, profile_of, training_type

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC), tick=False)


def url(name, **kwargs):
    return reverse(f"facilitators:{name}", kwargs=kwargs)


def record_of(cast, status="pending", **fields):
    if status == "rejected":
        fields.setdefault("rejection_reason", "The certificate names someone else.")
        fields.setdefault("verified_by", cast.manager)
    return TrainingRecordFactory(profile=profile_of(cast.peer), status=status, **fields)


def edit(client, record, **data):
    payload = {
        "training_type": training_type("group-dynamics").pk,
        "completed_on": "2026-02-01",
        "provider": "Regional center",
        "hours": "6",
        **data,
    }
    return client.post(url("training_edit", code=record.code), payload)


def test_the_edit_page_shows_the_record_in_its_form(client, cast):
    record = record_of(cast, provider="First center")
    client.force_login(cast.peer)
    response = client.get(url("training_edit", code=record.code))
    assert response.status_code == 200
    assert 'value="First center"' in response.content.decode()


def test_the_facilitator_edits_a_training_awaiting_verification(client, cast):
    record = record_of(cast)
    client.force_login(cast.peer)
    assert edit(client, record).status_code == 302
    record.refresh_from_db()
    assert (record.training_type.slug, record.completed_on, record.provider) == (
        "group-dynamics",
        datetime.date(2026, 2, 1),
        "Regional center",
    )
    assert record.status == TrainingRecord.Status.PENDING
    assert record.history.first().history_user == cast.peer


def test_editing_a_rejected_training_sends_it_back_for_verification(client, cast):
    record = record_of(cast, status="rejected")
    client.force_login(cast.peer)
    assert edit(client, record).status_code == 302
    record.refresh_from_db()
    assert (record.status, record.rejection_reason, record.verified_by) == ("pending", "", None)


def test_a_blank_expiry_is_computed_from_the_type_again(client, cast):
    record = record_of(cast)
    client.force_login(cast.peer)
    edit(client, record, training_type=training_type().pk, expires_on="")
    record.refresh_from_db()
    assert record.expires_on == datetime.date(2029, 2, 1)  # 36 months after completion


def test_a_verified_training_is_read_only_to_its_facilitator(client, cast):
    record = record_of(cast, status="verified", provider="Kept")
    client.force_login(cast.peer)
    page = client.get(url("training_edit", code=record.code))
    assert page.status_code == 400
    response = edit(client, record)
    assert response.status_code == 400
    assert ONLY_UNVERIFIED_EDITED in response.content.decode()
    record.refresh_from_db()
    assert (record.provider, record.status) == ("Kept", "verified")


def test_an_edit_racing_a_verification_is_refused(cast):
    record = record_of(cast)
    TrainingRecord.objects.filter(pk=record.pk).update(status="verified")
    with pytest.raises(ValidationError):
        training_record_edit(
            record=record, training_type=training_type(), completed_on=TODAY, by=cast.peer
        )
    assert TrainingRecord.objects.get(pk=record.pk).status == "verified"


def test_bad_dates_are_refused_in_the_summary_and_nothing_is_saved(client, cast):
    record = record_of(cast, provider="Kept")
    client.force_login(cast.peer)
    response = edit(client, record, completed_on="2026-03-11")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body and COMPLETED_IN_FUTURE in body
    record.refresh_from_db()
    assert record.provider == "Kept"


def test_a_new_evidence_file_replaces_the_old_one(
    client, cast, private_storage, django_capture_on_commit_callbacks
):
    record = training_record_add(
        profile=profile_of(cast.peer),
        training_type=training_type(),
        completed_on=TODAY,
        evidence=SimpleUploadedFile("old.pdf", pdf(" old"), "application/pdf"),
        by=cast.peer,
    )
    old = record.evidence.name
    client.force_login(cast.peer)
    new_file = SimpleUploadedFile("new.pdf", pdf(" new"), "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(client, record, evidence=new_file).status_code == 302
    record.refresh_from_db()
    assert record.evidence.name != old and not private_storage.exists(old)
    with private_storage.open(record.evidence.name) as handle:
        assert handle.read() == pdf(" new")


def test_an_edit_without_a_file_keeps_the_evidence(client, cast, private_storage):
    record = training_record_add(
        profile=profile_of(cast.peer),
        training_type=training_type(),
        completed_on=TODAY,
        evidence=SimpleUploadedFile("old.pdf", pdf(" old"), "application/pdf"),
        by=cast.peer,
    )
    client.force_login(cast.peer)
    assert edit(client, record).status_code == 302
    record.refresh_from_db()
    assert record.evidence and private_storage.exists(record.evidence.name)


@pytest.mark.parametrize(
    ("actor", "status"), [("manager", 403), ("clinician", 403), ("outsider", 404)]
)
def test_only_the_facilitator_edits_their_training(client, cast, actor, status):
    record = record_of(cast, provider="Kept")
    client.force_login(getattr(cast, actor))
    assert edit(client, record).status_code == status
    record.refresh_from_db()
    assert record.provider == "Kept"


def correct(client, record, expires_on):
    return client.post(url("training_expiry_edit", code=record.code), {"expires_on": expires_on})


def test_a_manager_corrects_a_verified_trainings_expiry_with_history(client, cast):
    record = record_of(cast, status="verified", completed_on=datetime.date(2025, 6, 1))
    client.force_login(cast.manager)
    assert client.get(url("training_expiry_edit", code=record.code)).status_code == 200
    response = correct(client, record, "2027-06-01")
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.expires_on, record.status) == (datetime.date(2027, 6, 1), "verified")
    latest = record.history.first()
    assert (latest.history_user, latest.expires_on) == (cast.manager, datetime.date(2027, 6, 1))


def test_a_manager_may_say_a_verified_training_does_not_expire(client, cast):
    record = record_of(cast, status="verified")
    client.force_login(cast.manager)
    assert correct(client, record, "").status_code == 302
    record.refresh_from_db()
    assert record.expires_on is None


def test_an_expiry_before_completion_is_refused_and_nothing_changes(client, cast):
    record = record_of(cast, status="verified", completed_on=datetime.date(2025, 6, 1))
    before = record.expires_on
    client.force_login(cast.manager)
    response = correct(client, record, "2025-05-01")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body
    assert "cannot be before the completion date" in body
    record.refresh_from_db()
    assert record.expires_on == before


def test_the_expiry_of_an_unverified_training_is_not_corrected(client, cast):
    record = record_of(cast)
    before = record.expires_on
    client.force_login(cast.manager)
    response = correct(client, record, "2030-01-01")
    assert response.status_code == 400
    assert ONLY_VERIFIED_EXPIRY in response.content.decode().replace("&#x27;", "'")
    record.refresh_from_db()
    assert record.expires_on == before


@pytest.mark.parametrize(("actor", "status"), [("peer", 403), ("outsider_manager", 404)])
def test_only_a_manager_of_the_organization_corrects_the_expiry(client, cast, actor, status):
    record = record_of(cast, status="verified")
    before = record.expires_on
    client.force_login(getattr(cast, actor))
    assert correct(client, record, "2030-01-01").status_code == status
    record.refresh_from_db()
    assert record.expires_on == before


def test_the_rows_link_to_editing_and_correcting(client, cast):
    pending = record_of(cast)
    verified = record_of(cast, status="verified")
    profile = profile_of(cast.peer)
    edit_pending = url("training_edit", code=pending.code)
    edit_verified = url("training_edit", code=verified.code)
    correct_verified = url("training_expiry_edit", code=verified.code)
    client.force_login(cast.peer)
    for page in (url("my_trainings"), url("facilitator_detail", code=profile.code)):
        body = client.get(page).content.decode()
        assert edit_pending in body and edit_verified not in body
        assert correct_verified not in body
    client.force_login(cast.manager)
    body = client.get(url("facilitator_detail", code=profile.code)).content.decode()
    assert correct_verified in body
    assert url("training_expiry_edit", code=pending.code) not in body
    assert edit_pending not in body
