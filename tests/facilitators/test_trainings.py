"""Trainings: a facilitator adds their own (dates checked, expiry from the type, evidence
sniffed), a manager verifies or rejects with a reason after confirming, the facilitator
deletes an unverified one after confirming, evidence downloads are theirs and their
managers' only and every one is logged, expiry badges at the 30-day edge."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from facilitators.models import FacilitatorProfile, TrainingEvidenceDownload, TrainingRecord
from facilitators.services.trainings import (
    COMPLETED_IN_FUTURE,
    NOT_EVIDENCE_TYPE,
    REASON_REQUIRED,
    add_months,
    training_record_add,
)
from tests.facilitators.policy import pdf
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    TrainingRecordFactory,
    profile_of,
    training_type,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC), tick=False)


def url(name, **kwargs):
    return reverse(f"facilitators:{name}", kwargs=kwargs)


def add(client, profile, **data):
    payload = {"training_type": training_type().pk, "completed_on": "2026-01-15", **data}
    return client.post(url("training_add", code=profile.code), payload)


def test_a_facilitator_adds_a_training_and_its_expiry_comes_from_the_type(client, cast):
    profile = profile_of(cast.peer)
    client.force_login(cast.peer)
    response = add(client, profile, provider="Center", hours="7.5")
    assert response.status_code == 302
    record = TrainingRecord.objects.get(profile=profile)
    assert record.status == TrainingRecord.Status.PENDING
    assert record.expires_on == datetime.date(2029, 1, 15)  # 36 months
    assert record.created_by == cast.peer


def test_an_expiry_given_is_kept(client, cast):
    client.force_login(cast.peer)
    add(client, profile_of(cast.peer), expires_on="2026-06-01")
    assert TrainingRecord.objects.get().expires_on == datetime.date(2026, 6, 1)


def test_a_completion_in_the_future_is_refused_with_a_message(client, cast):
    client.force_login(cast.peer)
    response = add(client, profile_of(cast.peer), completed_on="2026-03-11")
    assert response.status_code == 400
    assert COMPLETED_IN_FUTURE in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_an_expiry_before_completion_is_refused(client, cast):
    client.force_login(cast.peer)
    response = add(client, profile_of(cast.peer), expires_on="2026-01-01")
    assert response.status_code == 400
    assert "cannot be before the completion date" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_months_are_added_to_the_last_day_of_short_months():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 3, 15), -24) == datetime.date(2024, 3, 15)


def test_a_pdf_is_accepted_as_evidence(client, cast, private_storage):
    client.force_login(cast.peer)
    evidence = SimpleUploadedFile("c.pdf", pdf(), "application/pdf")
    assert add(client, profile_of(cast.peer), evidence=evidence).status_code == 302
    record = TrainingRecord.objects.get()
    assert record.evidence_content_type == "application/pdf"
    assert private_storage.exists(record.evidence.name)


def test_evidence_that_is_not_a_pdf_or_image_is_refused_whatever_its_name(client, cast):
    client.force_login(cast.peer)
    evidence = SimpleUploadedFile("c.pdf", b"just text, not a pdf", "application/pdf")
    response = add(client, profile_of(cast.peer), evidence=evidence)
    assert response.status_code == 400
    assert NOT_EVIDENCE_TYPE in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_evidence_over_the_size_limit_is_refused(client, cast, settings):
    settings.TRAINING_EVIDENCE_MAX_BYTES = 20
    client.force_login(cast.peer)
    evidence = SimpleUploadedFile("c.pdf", pdf("x" * 30), "application/pdf")
    response = add(client, profile_of(cast.peer), evidence=evidence)
    assert response.status_code == 400
    assert "evidence can be at most" in response.content.decode()


def test_a_manager_cannot_add_a_training_for_a_facilitator(client, cast):
    client.force_login(cast.manager)
    assert add(client, profile_of(cast.peer)).status_code == 403
    assert not TrainingRecord.objects.exists()


def pending(cast, **fields):
    return TrainingRecordFactory(profile=profile_of(cast.peer), status="pending", **fields)


def test_a_manager_verifies(client, cast):
    record = pending(cast)
    client.force_login(cast.manager)
    assert client.post(url("training_verify", code=record.code)).status_code == 302
    record.refresh_from_db()
    assert (record.status, record.verified_by) == ("verified", cast.manager)


def test_the_facilitator_cannot_verify_their_own(client, cast):
    record = pending(cast)
    client.force_login(cast.peer)
    assert client.post(url("training_verify", code=record.code)).status_code == 403
    record.refresh_from_db()
    assert record.status == "pending"


def test_reject_requires_a_reason(client, cast):
    record = pending(cast)
    client.force_login(cast.manager)
    response = client.post(
        url("training_reject", code=record.code), {"reason": "  ", "confirm": "1"}
    )
    assert response.status_code == 400
    assert REASON_REQUIRED in response.content.decode()
    record.refresh_from_db()
    assert record.status == "pending"


def test_reject_without_confirmation_asks_and_changes_nothing(client, cast):
    record = pending(cast)
    client.force_login(cast.manager)
    response = client.post(url("training_reject", code=record.code), {"reason": "Wrong name"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="confirm" value="1"' in body and "Wrong name" in body
    record.refresh_from_db()
    assert record.status == "pending"


def test_a_confirmed_reject_keeps_the_reason_for_the_facilitator(client, cast):
    record = pending(cast)
    client.force_login(cast.manager)
    client.post(url("training_reject", code=record.code), {"reason": "Wrong name", "confirm": "1"})
    record.refresh_from_db()
    assert (record.status, record.rejection_reason) == ("rejected", "Wrong name")
    client.force_login(cast.peer)
    assert "Wrong name" in client.get(url("my_trainings")).content.decode()


def test_delete_without_confirmation_changes_nothing(client, cast):
    record = pending(cast)
    client.force_login(cast.peer)
    assert client.post(url("training_delete", code=record.code)).status_code == 200
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_the_facilitator_deletes_an_unverified_training_and_its_file(
    client, cast, private_storage, django_capture_on_commit_callbacks
):
    profile = profile_of(cast.peer)
    record = training_record_add(
        profile=profile,
        training_type=training_type(),
        completed_on=TODAY,
        evidence=SimpleUploadedFile("c.pdf", pdf(), "application/pdf"),
        by=cast.peer,
    )
    name = record.evidence.name
    client.force_login(cast.peer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("training_delete", code=record.code), {"confirm": "1"})
    assert response.status_code == 302
    assert not TrainingRecord.objects.filter(pk=record.pk).exists()
    assert not private_storage.exists(name)


def test_a_verified_training_is_not_deleted(client, cast):
    record = TrainingRecordFactory(profile=profile_of(cast.peer))
    client.force_login(cast.peer)
    response = client.post(url("training_delete", code=record.code), {"confirm": "1"})
    assert response.status_code == 400
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_another_facilitator_cannot_delete_or_see_someones_training(client, cast):
    record = pending(cast)
    client.force_login(cast.clinician)
    assert (
        client.post(url("training_delete", code=record.code), {"confirm": "1"}).status_code == 403
    )
    assert client.get(url("training_evidence", code=record.code)).status_code == 403
    client.force_login(cast.outsider)
    assert (
        client.post(url("training_delete", code=record.code), {"confirm": "1"}).status_code == 404
    )
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


@pytest.fixture
def with_evidence(cast):
    return training_record_add(
        profile=profile_of(cast.peer),
        training_type=training_type(),
        completed_on=TODAY,
        evidence=SimpleUploadedFile("c.pdf", pdf(" secret"), "application/pdf"),
        by=cast.peer,
    )


@pytest.mark.parametrize("actor", ["peer", "manager"])
def test_evidence_downloads_as_an_uncached_attachment_and_is_logged(
    client, cast, with_evidence, actor
):
    user = getattr(cast, actor)
    client.force_login(user)
    response = client.get(url("training_evidence", code=with_evidence.code))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf(" secret")
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    assert list(TrainingEvidenceDownload.objects.values_list("user", flat=True)) == [user.pk]


@pytest.mark.parametrize(
    ("actor", "status"),
    [("reviewer", 403), ("clinician", 403), ("outsider", 404), ("outsider_manager", 404)],
)
def test_evidence_is_refused_to_others_and_nothing_is_logged(
    client, cast, with_evidence, actor, status
):
    client.force_login(getattr(cast, actor))
    assert client.get(url("training_evidence", code=with_evidence.code)).status_code == status
    assert not TrainingEvidenceDownload.objects.exists()


@pytest.mark.parametrize(
    ("days", "badge"),
    [
        (-1, "Expired"),
        (0, "Expires within 30 days"),
        (30, "Expires within 30 days"),
        (31, None),
    ],
)
def test_expiry_badges_at_the_30_day_edge(client, cast, days, badge):
    TrainingRecordFactory(
        profile=profile_of(cast.peer),
        completed_on=TODAY - datetime.timedelta(days=400),
        expires_on=TODAY + datetime.timedelta(days=days),
    )
    profile = profile_of(cast.peer)
    for user, page in (
        (cast.peer, url("my_trainings")),
        (cast.manager, url("facilitator_detail", code=profile.code)),
    ):
        client.force_login(user)
        body = client.get(page).content.decode()
        for shown in ("Expired<", "Expires within 30 days<"):
            assert (shown.rstrip("<") == badge) == (shown in body), (user, shown)


def test_the_list_status_follows_the_seeking_safety_training(client, cast):
    TrainingRecordFactory(
        profile=profile_of(cast.peer),
        completed_on=TODAY - datetime.timedelta(days=400),
        expires_on=TODAY + datetime.timedelta(days=30),
    )
    TrainingRecordFactory(profile=profile_of(cast.clinician), status="pending", completed_on=TODAY)
    client.force_login(cast.manager)
    body = client.get(url("facilitator_list", org_code=cast.org.code)).content.decode()
    assert "Training expires within 30 days" in body
    assert "Awaiting verification" in body


def test_my_trainings_is_linked_from_the_menu_and_home(client, cast):
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert body.count(f'href="{url("my_trainings")}"') >= 2


def test_dates_use_the_organizations_time_zone(client, cast):
    # 15:00 UTC on March 10 is already March 11 in Auckland.
    cast.org.timezone = "Pacific/Auckland"
    cast.org.save()
    client.force_login(cast.peer)
    assert add(client, profile_of(cast.peer), completed_on="2026-03-11").status_code == 302
    assert timezone.localdate() == TODAY


# Signing in and the role check, then the profiles and all their trainings in one query
# each, however many organizations the facilitator works for (one per profile before).
MY_TRAININGS_QUERY_BUDGET = 5


@pytest.mark.parametrize("organizations", [1, 4])
def test_my_trainings_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, organizations
):
    for _ in range(organizations - 1):
        MembershipFactory(user=cast.peer, organization=OrganizationFactory())
    for profile in FacilitatorProfile.objects.filter(membership__user=cast.peer):
        TrainingRecordFactory(profile=profile)
        TrainingRecordFactory(profile=profile, status="pending")
        TrainingRecordFactory(profile=profile, training_type=training_type("group-dynamics"))
    client.force_login(cast.peer)
    with django_assert_max_num_queries(MY_TRAININGS_QUERY_BUDGET):
        response = client.get(url("my_trainings"))
    assert len(response.context["profiles"]) == organizations
    assert all(len(records) == 3 for _, records in response.context["profiles"])
