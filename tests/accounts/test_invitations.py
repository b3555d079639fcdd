from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User


def _invite(client, cast, email="new.peer@riverside.test", role=Role.FACILITATOR):
    client.force_login(cast.manager)
    return client.post(
        reverse("accounts:invitation_create", kwargs={"org_code": cast.org.code}),
        {"email": email, "role": role},
    )


def _token_from_mail() -> str:
    body = mail.outbox[-1].body
    link = next(line for line in body.splitlines() if "/invitations/" in line)
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_manager_invites_and_the_invitee_joins_with_the_role(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, cast)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new.peer@riverside.test"]
    token = _token_from_mail()
    invitation = Invitation.objects.get(email="new.peer@riverside.test")
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in invitation.token_hash  # only the hash is stored

    client.logout()
    url = reverse("accounts:invitation_accept", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "display_name": "Sam",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.peer@riverside.test")
    assert Membership.objects.get(user=user).role == Role.FACILITATOR
    assert Membership.objects.get(user=user).organization == cast.org
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("home")).context["user"] == user


def test_reused_link_gets_a_clear_page(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast)
    token = _token_from_mail()
    client.logout()
    url = reverse("accounts:invitation_accept", args=[token])
    payload = {
        "display_name": "Sam",
        "password1": "a-long-pass-phrase",
        "password2": "a-long-pass-phrase",
    }
    assert client.post(url, payload).status_code == 302
    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert services.INVITATION_USED in response.content.decode()
    response = client.post(url, payload)
    assert response.status_code == 410
    assert User.objects.filter(email="new.peer@riverside.test").count() == 1


def test_expired_link_gets_a_clear_page_and_creates_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast)
    token = _token_from_mail()
    client.logout()
    url = reverse("accounts:invitation_accept", args=[token])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.post(
            url,
            {
                "display_name": "Sam",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
    assert response.status_code == 410
    assert services.INVITATION_EXPIRED in response.content.decode()
    assert not User.objects.filter(email="new.peer@riverside.test").exists()


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("accounts:invitation_accept", args=["nope"])).status_code == 404


def test_manager_cannot_invite_into_another_organization(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("accounts:invitation_create", kwargs={"org_code": cast.other_org.code}),
        {"email": "x@example.org", "role": Role.MANAGER},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_facilitator_cannot_invite(client, cast):
    client.force_login(cast.peer)
    response = client.post(
        reverse("accounts:invitation_create", kwargs={"org_code": cast.org.code}),
        {"email": "x@example.org", "role": Role.MANAGER},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invitation_create_refuses_get(client, cast):
    client.force_login(cast.manager)
    url = reverse("accounts:invitation_create", kwargs={"org_code": cast.org.code})
    assert client.get(url).status_code == 405


def test_invalid_email_shows_the_error_and_saves_nothing(client, cast):
    response = _invite(client, cast, email="not-an-email")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused(client, cast):
    response = _invite(client, cast, email=cast.peer.email)
    assert response.status_code == 400
    assert services.ALREADY_MEMBER in response.content.decode()


def test_signed_in_user_with_another_email_cannot_take_the_invitation(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, role=Role.MANAGER)
    token = _token_from_mail()
    client.force_login(cast.outsider)
    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 409
    assert services.INVITATION_WRONG_ACCOUNT in response.content.decode()
    assert not Membership.objects.filter(user=cast.outsider, organization=cast.org).exists()
    assert Invitation.objects.get().accepted_at is None


def test_existing_user_signed_in_joins_a_second_organization(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, email=cast.outsider.email)
    token = _token_from_mail()
    client.force_login(cast.outsider)
    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 302
    assert Membership.objects.filter(user=cast.outsider, organization=cast.org).exists()


def test_withdrawn_invitation_cannot_be_used(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast)
    token = _token_from_mail()
    invitation = Invitation.objects.get()
    response = client.post(
        reverse(
            "accounts:invitation_revoke",
            kwargs={"org_code": cast.org.code, "code": invitation.code},
        )
    )
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert services.INVITATION_REVOKED in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"password1": "short", "password2": "short"},
        {"password1": "a-long-pass-phrase", "password2": "different-pass-phrase"},
    ],
)
def test_weak_or_mismatched_password_is_refused(
    client, cast, bad, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast)
    token = _token_from_mail()
    client.logout()
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]), {"display_name": "Sam", **bad}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="new.peer@riverside.test").exists()
    assert Invitation.objects.get().accepted_at is None
