"""A database outage answers a plain, translated 503 page, and the site recovers by itself.

The outage is real, not mocked: the default connection's port is pointed at one where
nothing listens and the connection closed, so every query of the request (the signed-in
user, the session, the view's own) really fails to connect. Then the port is put back
and the very same connection object reconnects on the next request, as after a
PostgreSQL restart. The shared server is never stopped.

The test client re-raises, after the response, any exception Django reported through
got_request_exception (a real server never does), so these tests use one that does not
(raise_request_exception=False) and check the response a browser would get.
"""

import datetime
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from accounts.models import Role
from accounts.outage import RETRY_AFTER_SECONDS
from tests.factories import AttendanceFactory, OrganizationFactory, SessionFactory, member
from tests.feedback.factories import FeedbackLinkFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a connection to a closed port: PostgreSQL"
    ),
    # Closing the connection ends the test's transaction: the rows must be committed.
    pytest.mark.django_db(transaction=True),
]

TITLE_EN = "Temporarily unavailable"
TITLE_ES = "No disponible por el momento"
TRACEBACK_SIGNS = ("Traceback", "OperationalError", "psycopg", "connection", "5432")


def _unused_port() -> int:
    """A port nothing listens on: bound once by us, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database_down() -> Iterator[None]:
    """Point the real default connection at a closed port until the block ends."""
    saved = {key: connection.settings_dict.get(key) for key in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_unused_port()))
    try:
        with pytest.raises(OperationalError):
            connection.ensure_connection()  # the outage is real before a request meets it
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture
def browser() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def manager(settings):
    organization = OrganizationFactory()
    user = member(organization, Role.MANAGER, mfa=False)
    settings.MFA_EXEMPT_EMAILS = [user.email.lower()]
    return user


def _staff_url(user) -> str:
    organization = user.memberships.get().organization
    return reverse("accounts:staff", kwargs={"org_code": organization.code})


def _feedback_url() -> str:
    session = SessionFactory(starts_at=timezone.now() - datetime.timedelta(hours=1))
    AttendanceFactory(session=session)
    link = FeedbackLinkFactory(session=session)
    return reverse("feedback:form", kwargs={"token": link.token})


def _assert_outage_page(response, title: str = TITLE_EN) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert f"<title>{title}</title>" in body
    for sign in TRACEBACK_SIGNS:
        assert sign not in body
    return body


def test_a_signed_in_staff_page_answers_the_503_page_then_recovers(browser, manager):
    url = _staff_url(manager)
    browser.force_login(manager)
    assert browser.get(url).status_code == 200

    with database_down():
        _assert_outage_page(browser.get(url))

    # The same connection object reconnects by itself on the next request.
    response = browser.get(url)
    assert response.status_code == 200
    assert manager.email in response.content.decode()


def test_the_public_feedback_form_answers_the_503_page_then_recovers(browser):
    url = _feedback_url()
    assert browser.get(url).status_code == 200

    with database_down():
        body = _assert_outage_page(browser.get(url))
        # Participants keep their quick exit, and the page sets no cookie (invariant 2).
        assert 'id="quick-exit"' in body
        assert not browser.get(url).cookies

    assert browser.get(url).status_code == 200


def test_a_post_during_the_outage_answers_503_and_writes_nothing(browser, manager):
    from feedback.models import FeedbackResponse

    url = _feedback_url()
    page = browser.get(url).content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)

    with database_down():
        _assert_outage_page(browser.post(url, {"nonce": nonce}))

    assert not FeedbackResponse.objects.exists()
    assert browser.get(url).status_code == 200


def test_the_503_page_speaks_the_visitors_language(browser, manager):
    url = _staff_url(manager)
    browser.force_login(manager)

    with database_down():
        staff = browser.get(url, HTTP_ACCEPT_LANGUAGE="es")
        participant = browser.get(_feedback_url_offline(), HTTP_ACCEPT_LANGUAGE="en")
        participant_es = browser.get(_feedback_url_offline() + "?lang=es")

    _assert_outage_page(staff, TITLE_ES)
    assert '<html lang="es">' in staff.content.decode()
    _assert_outage_page(participant, TITLE_EN)
    _assert_outage_page(participant_es, TITLE_ES)


def _feedback_url_offline() -> str:
    """A participant's address, built without the database (any token: it is never read)."""
    return reverse("feedback:form", kwargs={"token": "x" * 22})


def test_healthz_says_unavailable_during_the_outage(browser):
    with database_down():
        response = browser.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert browser.get(reverse("healthz")).status_code == 200


def test_an_error_that_is_not_the_database_still_is_a_500(browser, manager, settings):
    """Only outages become the 503 page: a bug stays a bug (a 500, reported as one)."""
    browser.force_login(manager)
    settings.ROOT_URLCONF = __name__  # urlpatterns below: one view that fails

    response = browser.get("/boom/")

    assert response.status_code == 500
    assert TITLE_EN not in response.content.decode()


def _broken_view(request):
    raise RuntimeError("a bug, not an outage")


urlpatterns = [path("boom/", _broken_view)]
