"""Staff sessions: the idle and absolute limits, the keep-alive, a new session key at each
sign-in step, signing out everywhere else, and losing access at once when deactivated or
removed from an organization."""

import datetime
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.sessions.models import Session as WebSession
from django.test import Client
from django.urls import reverse
from django.utils.crypto import salted_hmac

from accounts.models import Membership, Role, User
from tests.factories import TEST_PASSWORD, member

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def login_url(next_path: str) -> str:
    return f"{reverse('account_login')}?next={next_path}"


def signed_in_as(client) -> User | None:
    user = client.get(reverse("accounts:session_keepalive")).wsgi_request.user
    return user if user.is_authenticated else None


def totp_code(user) -> str:
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def session_key(client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def plant_session(client) -> str:
    """A session that exists before signing in (as one planted by someone else would)."""
    session = client.session
    session["planted"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


# --- Idle limit ---------------------------------------------------------------------------


def test_a_request_after_the_idle_minutes_signs_out_and_comes_back_after_sign_in(client, cast):
    profile = reverse("accounts:profile")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        old_key = session_key(client)
        clock.shift(minutes(settings.SESSION_IDLE_MINUTES + 1))
        response = client.get(profile)
    assert response.status_code == 302
    assert response["Location"] == login_url(profile)
    # The session is gone, not only this request's user.
    assert not WebSession.objects.filter(session_key=old_key).exists()
    login_page = client.get(response["Location"])
    assert "because nothing happened for 30 minutes" in login_page.content.decode()


def test_activity_within_the_idle_minutes_keeps_the_session(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        for _ in range(4):
            clock.shift(minutes(settings.SESSION_IDLE_MINUTES - 5))
            assert client.get(reverse("accounts:profile")).status_code == 200
        # Four idle periods less five minutes each: well past one idle period in all.
        assert signed_in_as(client) == cast.peer


def test_a_form_posted_after_the_idle_minutes_goes_back_to_its_page_after_sign_in(client, cast):
    profile = reverse("accounts:profile")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        clock.shift(minutes(settings.SESSION_IDLE_MINUTES + 1))
        response = client.post(
            reverse("accounts:sign_out_everywhere"),
            {"confirm": "1"},
            HTTP_REFERER=f"http://testserver{profile}",
        )
    assert response.status_code == 302
    assert response["Location"] == login_url(profile)
    assert User.objects.get(pk=cast.peer.pk).session_epoch == 0  # nothing was done


@pytest.mark.parametrize(
    "referer", ["http://elsewhere.example/me/", "http://testserver//elsewhere.example/", ""]
)
def test_a_late_post_from_another_site_goes_back_to_where_it_was_posted(client, cast, referer):
    url = reverse("accounts:sign_out_everywhere")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        clock.shift(minutes(settings.SESSION_IDLE_MINUTES + 1))
        response = client.post(url, {"confirm": "1"}, HTTP_REFERER=referer)
    assert response["Location"] == login_url(url)


def test_the_idle_minutes_come_from_the_setting(client, cast, settings):
    settings.SESSION_IDLE_MINUTES = 5
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        clock.shift(minutes(4))
        assert signed_in_as(client) == cast.peer
        clock.shift(minutes(5.5))  # the keep-alive's GET above was no activity
        assert signed_in_as(client) is None


# --- Keep-alive ---------------------------------------------------------------------------


def test_the_keepalive_post_counts_as_activity_and_says_what_is_left(client, cast):
    url = reverse("accounts:session_keepalive")
    idle = settings.SESSION_IDLE_MINUTES * 60
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        clock.shift(minutes(20))
        assert client.get(url).json() == {
            "signed_in": True,
            "seconds_left": idle - 20 * 60,
            "reason": "idle",
        }
        assert client.post(url).json()["seconds_left"] == idle
        clock.shift(minutes(20))
        # Forty minutes since sign-in, twenty since the keep-alive: still signed in.
        assert client.get(url).json()["seconds_left"] == idle - 20 * 60


def test_the_keepalive_get_alone_does_not_keep_the_session(client, cast):
    url = reverse("accounts:session_keepalive")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        for _ in range(3):
            clock.shift(minutes(12))
            client.get(url)
        response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"signed_in": False}


def test_the_keepalive_answers_401_when_signed_out(client, db):
    response = client.post(reverse("accounts:session_keepalive"))
    assert response.status_code == 401


def test_a_manager_without_mfa_yet_may_call_the_keepalive(client, cast):
    client.force_login(member(cast.org, Role.MANAGER, mfa=False))
    assert client.get(reverse("accounts:session_keepalive")).status_code == 200


# --- Absolute limit -----------------------------------------------------------------------


def test_a_session_ends_after_the_absolute_hours_whatever_the_activity(client, cast):
    url = reverse("accounts:session_keepalive")
    hours = settings.SESSION_ABSOLUTE_HOURS
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.peer)
        for _ in range(int((hours - 0.5) * 6)):  # every ten minutes until half an hour left
            clock.shift(minutes(10))
            assert client.post(url).status_code == 200
        # Half an hour left: the idle limit is further away, so the reason is the absolute.
        assert client.get(url).json()["reason"] == "absolute"
        clock.shift(minutes(31))
        response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == login_url(reverse("accounts:profile"))
    assert "a sign-in lasts 12 hours at most" in client.get(response["Location"]).content.decode()


# --- A new session key at each step of signing in -----------------------------------------


def test_signing_in_with_a_password_gives_a_new_session_key(client, cast):
    planted = plant_session(client)
    response = client.post(
        reverse("account_login"), {"login": cast.peer.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("home")
    assert session_key(client) not in (None, planted)
    assert signed_in_as(client) == cast.peer
    assert not WebSession.objects.filter(session_key=planted).exists()


def test_the_password_step_and_the_mfa_step_each_give_a_new_session_key(client, cast):
    planted = plant_session(client)
    response = client.post(
        reverse("account_login"), {"login": cast.manager.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    after_password = session_key(client)
    assert after_password not in (None, planted)

    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(cast.manager)})
    assert done.status_code == 302
    after_mfa = session_key(client)
    assert after_mfa not in (None, planted, after_password)
    assert signed_in_as(client) == cast.manager
    # A key someone saw before either step reaches nothing.
    stale = Client()
    for key in (planted, after_password):
        stale.cookies[settings.SESSION_COOKIE_NAME] = key
        assert signed_in_as(stale) is None


# --- Sign out everywhere else -------------------------------------------------------------


def two_browsers(user) -> tuple[Client, Client]:
    here, there = Client(), Client()
    here.force_login(user)
    there.force_login(user)
    return here, there


def test_sign_out_everywhere_asks_first_and_changes_nothing(cast):
    here, there = two_browsers(cast.peer)
    response = here.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Every other browser and phone where you are signed in is signed out" in body
    assert 'name="confirm" value="1"' in body
    assert signed_in_as(there) == cast.peer


def test_sign_out_everywhere_ends_every_other_session_and_keeps_this_one(cast):
    here, there = two_browsers(cast.peer)
    third = Client()
    third.force_login(cast.peer)
    before = session_key(here)
    response = here.post(reverse("accounts:sign_out_everywhere"), {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert signed_in_as(here) == cast.peer
    assert session_key(here) != before
    assert signed_in_as(there) is None
    assert signed_in_as(third) is None
    # The other browser's staff pages send it to sign in again.
    profile = there.get(reverse("accounts:profile"))
    assert profile["Location"] == login_url(reverse("accounts:profile"))
    # Signing in again there works, and a second sign-out everywhere still holds.
    there.force_login(User.objects.get(pk=cast.peer.pk))
    assert signed_in_as(there) == cast.peer
    here.post(reverse("accounts:sign_out_everywhere"), {"confirm": "1"})
    assert signed_in_as(there) is None
    assert signed_in_as(here) == cast.peer


def test_sign_out_everywhere_touches_no_one_elses_sessions(cast):
    here = Client()
    here.force_login(cast.peer)
    colleague = Client()
    colleague.force_login(cast.clinician)
    here.post(reverse("accounts:sign_out_everywhere"), {"confirm": "1"})
    assert signed_in_as(colleague) == cast.clinician


def test_sign_out_everywhere_refuses_get(cast, client):
    client.force_login(cast.peer)
    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405


def test_the_profile_page_offers_sign_out_everywhere(cast, client):
    client.force_login(cast.peer)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse("accounts:sign_out_everywhere")}"' in body


def test_a_user_from_before_the_epoch_keeps_django_s_own_session_hash(db, cast):
    # Epoch 0 leaves every session made before the field existed valid.
    user = User.objects.get(pk=cast.peer.pk)
    djangos = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        user.password,
        algorithm="sha256",
    ).hexdigest()
    assert user.get_session_auth_hash() == djangos
    user.session_epoch = 1
    assert user.get_session_auth_hash() != djangos


# --- Losing access at once ----------------------------------------------------------------


def test_a_deactivated_user_is_signed_out_on_the_next_request(cast):
    already = Client()
    already.force_login(cast.peer)
    assert already.get(reverse("home")).status_code == 200
    User.objects.filter(pk=cast.peer.pk).update(is_active=False)
    response = already.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == login_url(reverse("home"))
    assert signed_in_as(already) is None


@pytest.mark.parametrize("cache_seconds", [0, 900])
def test_a_manager_removed_from_the_organization_loses_its_pages_on_the_next_request(
    cast, settings, cache_seconds
):
    settings.DASHBOARD_CACHE_SECONDS = cache_seconds
    already = Client()
    already.force_login(cast.manager)
    staff = reverse("accounts:staff", kwargs={"org_code": cast.org.code})
    assert already.get(staff).status_code == 200
    dashboard = reverse("dashboards:manager", kwargs={"org_code": cast.org.code})
    assert already.get(dashboard).status_code == 200  # now in the dashboard cache, if on
    Membership.objects.filter(user=cast.manager, organization=cast.org).delete()
    assert already.get(staff).status_code == 404
    assert already.get(dashboard).status_code == 404
    assert cast.org.name not in already.get(reverse("home")).content.decode()


def test_a_facilitator_removed_from_the_organization_loses_its_role_on_the_next_request(cast):
    already = Client()
    already.force_login(cast.peer)
    assert cast.org.name in already.get(reverse("accounts:profile")).content.decode()
    Membership.objects.filter(user=cast.peer, organization=cast.org).delete()
    assert cast.org.name not in already.get(reverse("accounts:profile")).content.decode()
