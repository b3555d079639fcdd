import pytest
from django.urls import reverse

from sessions_app.services.consent import consent_capture
from tests.factories import ConsentFormFactory, ParticipantFactory, SessionFactory


@pytest.fixture
def consent(cast):
    participant = ParticipantFactory(organization=cast.org)
    return consent_capture(
        participant=participant,
        form=ConsentFormFactory(),
        granted=True,
        method="written",
        captured_by=cast.peer,
    )


def test_admin_shows_consents_but_cannot_change_or_delete_them(client, cast, consent):
    client.force_login(cast.admin)
    change = reverse("admin:sessions_app_consent_change", args=[consent.pk])
    assert client.get(change).status_code == 200  # view only
    response = client.post(change, {"granted": "", "method": "written"})
    assert response.status_code == 403
    delete = reverse("admin:sessions_app_consent_delete", args=[consent.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    consent.refresh_from_db()
    assert consent.granted


def test_admin_cannot_put_a_held_session_back_to_planned(client, cast):
    session = SessionFactory(group__organization=cast.org, status="held")
    client.force_login(cast.admin)
    change = reverse("admin:sessions_app_session_change", args=[session.pk])
    assert client.post(change, {"status": "planned"}).status_code == 403
    session.refresh_from_db()
    assert session.status == "held"
