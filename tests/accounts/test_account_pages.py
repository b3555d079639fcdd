"""Account pages that fit an invite-only app: no sign-up link anywhere, and an account page
reached from the menu with the way to the password, two-step sign-in and language."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import TEST_PASSWORD, member


def test_the_sign_in_page_offers_no_sign_up_and_says_accounts_are_by_invitation(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in page
    assert "sign up" not in page.lower()
    assert "by invitation" in page
    assert 'name="login"' in page and 'name="password"' in page
    # allauth's own help text on the password field still leads to a reset.
    assert reverse("account_reset_password") in page


def test_signing_in_from_our_page_still_works(client, cast):
    response = client.post(
        reverse("account_login"), {"login": cast.peer.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_menu_name_leads_to_the_account_page(client, cast):
    client.force_login(cast.peer)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:profile")}"' in home


@pytest.mark.parametrize(
    ("role", "mfa", "says"),
    [
        (Role.FACILITATOR, False, "Off (optional for facilitators)"),
        (Role.FACILITATOR, True, "On"),
        (Role.MANAGER, True, "On"),
    ],
)
def test_the_account_page_shows_who_where_and_the_sign_in_settings(client, cast, role, mfa, says):
    user = member(cast.org, role, mfa=mfa, display_name="Kim")
    client.force_login(user)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kim" in page and user.email in page
    assert f"{cast.org.name}: {Role(role).label}" in page
    assert reverse("account_change_password") in page
    assert reverse("mfa_index") in page
    assert says in page
    # Languages are named in their own language.
    assert "Español" in page


def test_a_manager_without_two_step_sign_in_is_sent_to_set_it_up_first(client, cast):
    client.force_login(member(cast.org, Role.MANAGER, mfa=False))
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_favicon_ico_is_the_sites_icon_and_sets_no_cookie(client):
    """Browsers fetch /favicon.ico on their own, from participants' pages too: a 404 page
    there would set a CSRF cookie on the phone."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert not response.cookies
