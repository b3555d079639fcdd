"""Facilitator profiles: one per facilitator membership, the manager's list, the
facilitator's page and the profile's edit form (lived experience stays private)."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from facilitators.models import FacilitatorProfile
from sessions_app.models import FacilitatorAssignment
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    MembershipFactory,
    TrainingRecordFactory,
    UserFactory,
    member,
    profile_of,
    training_type,
)

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"facilitators:{name}", kwargs=kwargs)


def test_a_facilitator_membership_gets_one_profile(cast):
    user = member(cast.org, Role.FACILITATOR)
    membership = Membership.objects.get(user=user)
    membership.save()  # saved again: still one
    assert FacilitatorProfile.objects.filter(membership=membership).count() == 1
    assert profile_of(user).kind == FacilitatorProfile.Kind.PEER


def test_managers_and_reviewers_get_no_profile(cast):
    assert not FacilitatorProfile.objects.filter(membership__user=cast.manager).exists()
    assert not FacilitatorProfile.objects.filter(membership__user=cast.reviewer).exists()


def test_a_reviewer_who_becomes_a_facilitator_gets_a_profile(cast):
    membership = Membership.objects.get(user=cast.reviewer)
    membership.role = Role.FACILITATOR
    membership.save()
    assert profile_of(cast.reviewer).membership == membership


def test_kind_defaults_to_clinician_for_a_clinician_co_facilitator(cast):
    user = UserFactory()
    FacilitatorAssignmentFactory(
        group=GroupFactory(organization=cast.org),
        user=user,
        role=FacilitatorAssignment.Role.CLINICIAN_CO,
    )
    MembershipFactory(user=user, organization=cast.org, role=Role.FACILITATOR)
    assert profile_of(user).kind == FacilitatorProfile.Kind.CLINICIAN


def test_the_backfill_migration_makes_missing_profiles(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "facilitators.migrations.0003_backfill_facilitator_profiles"
    )
    profile_of(cast.peer).delete()
    FacilitatorAssignmentFactory(
        group=GroupFactory(organization=cast.org),
        user=cast.peer,
        role=FacilitatorAssignment.Role.CLINICIAN_CO,
    )
    migration.backfill(apps, None)
    assert profile_of(cast.peer).kind == FacilitatorProfile.Kind.CLINICIAN
    assert FacilitatorProfile.objects.filter(membership__user=cast.clinician).count() == 1


def test_the_list_shows_kind_status_and_groups(client, cast):
    group = GroupFactory(organization=cast.org, name="Thursday circle")
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    TrainingRecordFactory(profile=profile_of(cast.peer))
    client.force_login(cast.manager)
    body = client.get(url("facilitator_list", org_code=cast.org.code)).content.decode()
    assert "Thursday circle" in body
    assert "Peer facilitator" in body
    assert "Trained" in body
    assert "Not trained yet" in body  # the clinician


def test_lived_experience_never_shows_on_the_list_or_the_page(client, cast):
    profile = profile_of(cast.peer)
    profile.lived_experience = True
    profile.save()
    client.force_login(cast.manager)
    for page in (
        url("facilitator_list", org_code=cast.org.code),
        url("facilitator_detail", code=profile.code),
    ):
        body = client.get(page).content.decode()
        assert "lived experience" not in body.lower()
        assert "lived_experience" not in body


def test_the_manager_edits_every_field(client, cast):
    profile = profile_of(cast.peer)
    client.force_login(cast.manager)
    response = client.post(
        url("facilitator_edit", code=profile.code),
        {"kind": "clinician", "languages": ["es", "en"], "lived_experience": "no"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.kind == "clinician"
    assert profile.languages == ["es", "en"]
    assert profile.lived_experience is False
    assert profile.active is False  # the box was left clear


def test_the_edit_form_shows_the_answer_to_the_manager(client, cast):
    profile = profile_of(cast.peer)
    client.force_login(cast.manager)
    body = client.get(url("facilitator_edit", code=profile.code)).content.decode()
    assert "Peer with lived experience?" in body


def test_a_facilitator_edits_only_languages_and_lived_experience(client, cast):
    profile = profile_of(cast.peer)
    client.force_login(cast.peer)
    response = client.post(
        url("facilitator_edit", code=profile.code),
        {"kind": "clinician", "languages": ["es"], "lived_experience": "yes", "active": ""},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.kind, profile.active) == ("peer", True)
    assert (profile.languages, profile.lived_experience) == (["es"], True)


def test_an_unknown_language_is_refused_and_nothing_saved(client, cast):
    profile = profile_of(cast.peer)
    client.force_login(cast.peer)
    response = client.post(url("facilitator_edit", code=profile.code), {"languages": ["xx-zz"]})
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.languages == []


def test_another_facilitator_gets_403_and_an_outsider_404(client, cast):
    profile = profile_of(cast.peer)
    client.force_login(cast.clinician)
    assert client.get(url("facilitator_detail", code=profile.code)).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url("facilitator_detail", code=profile.code)).status_code == 404
    client.force_login(cast.reviewer)
    assert client.get(url("facilitator_detail", code=profile.code)).status_code == 403


def test_the_page_includes_the_certification_track(client, cast):
    client.force_login(cast.peer)
    body = client.get(url("facilitator_detail", code=profile_of(cast.peer).code)).content.decode()
    assert "You are not pursuing certification. Certification is optional" in body


# Four for the request (web session, user, memberships, MFA), two for the organization and
# the role, then count, page, trainings, groups.
FACILITATOR_LIST_QUERY_BUDGET = 10


@pytest.mark.parametrize("facilitators", [1, 15])
def test_the_list_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, facilitators
):
    for _ in range(facilitators):
        user = member(cast.org, Role.FACILITATOR)
        group = GroupFactory(organization=cast.org)
        FacilitatorAssignmentFactory(group=group, user=user)
        TrainingRecordFactory(profile=profile_of(user))
        TrainingRecordFactory(
            profile=profile_of(user), training_type=training_type("group-dynamics")
        )
    client.force_login(cast.manager)
    with django_assert_max_num_queries(FACILITATOR_LIST_QUERY_BUDGET):
        response = client.get(url("facilitator_list", org_code=cast.org.code))
    assert len(response.context["rows"]) == facilitators + 2  # with peer and clinician
