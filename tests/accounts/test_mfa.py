import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import member

MFA_SETUP = "/accounts/2fa/totp/activate"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER])
def test_manager_and_reviewer_without_mfa_are_sent_to_set_it_up(client, cast, role):
    user = member(cast.org, role, mfa=False)
    client.force_login(user)
    for url in [reverse("home"), reverse("curriculum:topic_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(MFA_SETUP)


def test_setup_pages_stay_reachable_before_mfa(client, cast):
    client.force_login(member(cast.org, Role.MANAGER, mfa=False))
    # allauth may first ask to re-enter the password; either way the page renders.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [] or response.redirect_chain[-1][0].startswith("/accounts/")
    assert client.get(reverse("healthz")).status_code == 200


def test_the_language_can_be_switched_before_mfa_is_set_up(client, cast):
    # The set-up page shows the language switch: it must work for the person setting up.
    client.force_login(member(cast.org, Role.MANAGER, mfa=False))
    response = client.post(reverse("set_language"), {"language": "es", "next": MFA_SETUP})
    assert response.status_code == 302
    assert response["Location"] == MFA_SETUP
    assert client.cookies["django_language"].value == "es"


def test_staff_user_without_mfa_cannot_reach_admin(client, cast):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True, with_mfa=False)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(MFA_SETUP)


def test_staff_user_with_mfa_reaches_admin(client, cast):
    client.force_login(cast.admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    login = client.get(response["Location"], follow=True)
    assert login.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_facilitator_needs_no_mfa(client, cast):
    client.force_login(cast.peer)
    assert client.get(reverse("home")).status_code == 200


def test_demo_exemption_waives_mfa_only_for_listed_emails(client, cast, settings):
    user = member(cast.org, Role.MANAGER, mfa=False, email="demo.manager@example.org")
    settings.MFA_EXEMPT_EMAILS = ["demo.manager@example.org"]
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    client.force_login(member(cast.org, Role.MANAGER, mfa=False))
    assert client.get(reverse("home")).status_code == 302


def test_password_login_for_manager_asks_for_the_second_factor(client, cast):
    from tests.factories import TEST_PASSWORD

    response = client.post(
        reverse("account_login"), {"login": cast.manager.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in until the code is given.
    assert "_auth_user_id" not in client.session


def test_open_signup_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode() or response.status_code in (403, 404)
    client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    from accounts.models import User

    assert not User.objects.filter(email="x@example.org").exists()
