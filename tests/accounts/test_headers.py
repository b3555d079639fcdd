"""Browser-facing headers and cookies: the language cookie is as private as the session
cookie; pages carry the Content-Security-Policy and Permissions-Policy; signed-in pages
are never stored."""

from django.conf import settings
from django.urls import reverse


def test_the_language_cookie_is_http_only_same_site_and_secure_like_the_session_cookie(
    client,
):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.LANGUAGE_COOKIE_SECURE == settings.SESSION_COOKIE_SECURE


def test_an_anonymous_page_carries_the_content_security_policy_and_permissions_policy(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions
    assert "publickey-credentials-get=(self)" in permissions


def test_a_signed_in_page_is_never_stored(client, cast):
    client.force_login(cast.peer)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
