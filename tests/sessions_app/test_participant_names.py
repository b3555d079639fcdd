"""Names a facilitator can tell apart: a participant's chosen name that looks like another
active participant's of the organization is refused with a clear message, nothing saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions_app.models import Participant
from sessions_app.services import participants as participant_services
from tests.factories import ParticipantFactory

LOOK_ALIKES = ["Hana", "hana", "Ha\u200bna", "\u202eanaH", "\u041d\u0430n\u0430"]


@pytest.fixture
def hana(cast):
    return ParticipantFactory(organization=cast.org, display_name="Hana")


@pytest.mark.parametrize("name", LOOK_ALIKES, ids=ascii)
def test_a_name_that_looks_like_an_active_participants_is_refused(client, cast, hana, name):
    client.force_login(cast.manager)
    response = client.post(
        reverse("sessions_app:participant_create"),
        {"display_name": name, "preferred_language": "en"},
    )
    assert response.status_code == 400
    assert "would look the same on the attendance and consent screens" in (
        " ".join(response.context["form"].errors["display_name"])
    )
    assert list(Participant.objects.values_list("display_name", flat=True)) == ["Hana"]


def test_a_distinguishing_initial_is_accepted_and_stored_normalised(client, cast, hana):
    client.force_login(cast.manager)
    response = client.post(
        reverse("sessions_app:participant_create"),
        {"display_name": " Hana\u200b  B. ", "preferred_language": "en"},
    )
    assert response.status_code == 302
    assert Participant.objects.filter(display_name="Hana B.").exists()


def test_the_same_name_in_another_organization_or_archived_is_no_clash(cast, hana):
    ParticipantFactory(organization=cast.other_org, display_name="Hana")
    participant_services.participant_archive(participant=hana, left_reason="moved", by=cast.manager)
    created = participant_services.participant_create(
        organization=cast.org, values={"display_name": "Hana"}, by=cast.manager
    )
    assert created.display_name == "Hana"


def test_renaming_someone_to_a_look_alike_is_refused(cast, hana):
    other = ParticipantFactory(organization=cast.org, display_name="Jo")
    with pytest.raises(ValidationError) as error:
        participant_services.participant_update(
            participant=other, values={"display_name": "H\u0430na"}, by=cast.manager
        )
    assert "display_name" in error.value.error_dict
    other.refresh_from_db()
    assert other.display_name == "Jo"


def test_restoring_someone_whose_name_now_looks_taken_is_refused_with_a_page(client, cast, hana):
    participant_services.participant_archive(participant=hana, left_reason="moved", by=cast.manager)
    ParticipantFactory(organization=cast.org, display_name="HANA")
    client.force_login(cast.manager)
    response = client.post(reverse("sessions_app:participant_restore", kwargs={"code": hana.code}))
    assert response.status_code == 400
    assert "would look the same" in response.content.decode()
    hana.refresh_from_db()
    assert hana.archived_at is not None


def test_the_admin_report_lists_names_stored_before_the_check(client, cast):
    # Rows written around the service, as old data was.
    Participant.objects.create(organization=cast.org, display_name="Hana")
    Participant.objects.create(organization=cast.org, display_name="Ha\u200bna")
    Participant.objects.create(organization=cast.org, display_name="Jo")
    client.force_login(cast.admin)
    response = client.get(reverse("admin:sessions_app_participant_name_clashes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ha\\u200bna" in page
    assert "Jo</a>" not in page
    assert response.context["clashes"][0][0] == cast.org
