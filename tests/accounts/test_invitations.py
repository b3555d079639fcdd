from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User

# What a destructive action's confirmation page posts (templates/confirm.html).
CONFIRM = {"confirm": "1"}


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
        ),
        CONFIRM,
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


# --- Withdrawing asks first ----------------------------------------------------------------


def _revoke_url(org, invitation):
    return reverse(
        "accounts:invitation_revoke", kwargs={"org_code": org.code, "code": invitation.code}
    )


def _resend_url(org, invitation):
    return reverse(
        "accounts:invitation_resend", kwargs={"org_code": org.code, "code": invitation.code}
    )


def test_withdrawing_an_invitation_asks_first_and_the_link_still_works(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast)
    token = _token_from_mail()
    invitation = Invitation.objects.get()

    response = client.post(_revoke_url(cast.org, invitation))

    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    body = response.content.decode()
    assert "Withdraw the invitation to new.peer@riverside.test?" in body
    assert 'name="confirm" value="1"' in body
    staff = reverse("accounts:staff", kwargs={"org_code": cast.org.code})
    assert f'href="{staff}"' in body
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    client.logout()
    assert client.get(reverse("accounts:invitation_accept", args=[token])).status_code == 200


@pytest.mark.parametrize("data", [{}, CONFIRM], ids=["asking", "confirmed"])
@pytest.mark.parametrize(("actor", "status"), [("peer", 403), ("outsider_manager", 404)])
def test_only_the_organizations_manager_may_withdraw_an_invitation(
    client, cast, data, actor, status
):
    _invite(client, cast)
    invitation = Invitation.objects.get()
    client.force_login(getattr(cast, actor))
    assert client.post(_revoke_url(cast.org, invitation), data).status_code == status
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- No duplicate invitations; sending one again --------------------------------------------


def test_an_address_with_a_pending_invitation_is_not_invited_twice(client, cast):
    assert _invite(client, cast).status_code == 302
    pending = Invitation.objects.get()

    response = _invite(client, cast, email="  New.Peer@Riverside.test ", role=Role.MANAGER)

    assert response.status_code == 400
    body = response.content.decode()
    assert str(services.ALREADY_INVITED) in body
    assert "Send it again" in body
    assert _resend_url(cast.org, pending) in body
    assert list(Invitation.objects.all()) == [pending]


def test_a_withdrawn_or_expired_invitation_does_not_block_a_new_one(client, cast):
    _invite(client, cast)
    Invitation.objects.update(revoked_at=timezone.now())
    assert _invite(client, cast).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert _invite(client, cast).status_code == 302
    assert Invitation.objects.count() == 3


def test_the_same_address_may_be_invited_by_another_organization(client, cast):
    _invite(client, cast)
    client.force_login(cast.outsider_manager)
    response = client.post(
        reverse("accounts:invitation_create", kwargs={"org_code": cast.other_org.code}),
        {"email": "new.peer@riverside.test", "role": Role.FACILITATOR},
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 2


def test_the_staff_page_offers_to_send_each_pending_invitation_again(client, cast):
    _invite(client, cast)
    response = client.get(reverse("accounts:staff", kwargs={"org_code": cast.org.code}))
    assert _resend_url(cast.org, Invitation.objects.get()) in response.content.decode()


def test_sending_again_mails_a_fresh_link_and_the_old_one_stops_working(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, role=Role.REVIEWER)
    old_token = _token_from_mail()
    old = Invitation.objects.get()

    with (
        time_machine.travel(timezone.now() + timedelta(days=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.force_login(cast.manager)  # a new day, a new sign-in
        response = client.post(_resend_url(cast.org, old))
        sent_at = timezone.now()

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff", kwargs={"org_code": cast.org.code})
    assert len(mail.outbox) == 2 and mail.outbox[-1].to == ["new.peer@riverside.test"]
    new_token = _token_from_mail()
    assert new_token != old_token
    fresh = Invitation.objects.pending().get()
    assert fresh.pk != old.pk
    assert (fresh.email, fresh.role, fresh.invited_by) == (
        "new.peer@riverside.test",
        Role.REVIEWER,
        cast.manager,
    )
    assert fresh.token_hash == Invitation.hash_token(new_token)
    assert fresh.expires_at == sent_at + timedelta(days=settings.INVITATION_VALID_DAYS)
    client.logout()
    old_link = client.get(reverse("accounts:invitation_accept", args=[old_token]))
    assert old_link.status_code == 410
    assert client.get(reverse("accounts:invitation_accept", args=[new_token])).status_code == 200


def test_an_invitation_no_longer_pending_is_not_sent_again(
    client, cast, django_capture_on_commit_callbacks
):
    _invite(client, cast)
    invitation = Invitation.objects.get()
    Invitation.objects.update(accepted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_resend_url(cast.org, invitation), follow=True)
    assert str(services.NOT_PENDING) in response.content.decode()
    assert Invitation.objects.count() == 1
    assert not mail.outbox


@pytest.mark.parametrize(("actor", "status"), [("peer", 403), ("outsider_manager", 404)])
def test_only_the_organizations_manager_may_send_an_invitation_again(client, cast, actor, status):
    _invite(client, cast)
    invitation = Invitation.objects.get()
    client.force_login(getattr(cast, actor))
    assert client.post(_resend_url(cast.org, invitation)).status_code == status
    assert list(Invitation.objects.pending()) == [invitation]


def test_sending_again_refuses_get(client, cast):
    _invite(client, cast)
    assert client.get(_resend_url(cast.org, Invitation.objects.get())).status_code == 405
    assert Invitation.objects.count() == 1
