"""Sign-in limits that slow an attacker without locking the real person out.

Behind the HTTPS proxy every request comes from the proxy's address; the client's is the
last entry of X-Forwarded-For (DJANGO_TRUSTED_PROXY_COUNT=1). Ten wrong passwords from
one client must not stop anyone else, and knowing a manager's email must not let anyone
lock the manager out."""

import time
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.urls import reverse

from accounts import signin
from accounts.models import Role
from tests.factories import TEST_PASSWORD, member

PROXY = "10.0.0.2"  # what REMOTE_ADDR is behind the proxy, for every client


def an_address() -> str:
    """A client address of its own per call, so tests (and xdist workers sharing Redis)
    never count each other's failures."""
    value = uuid.uuid4().int
    return f"198.{value % 250}.{(value >> 8) % 250}.{(value >> 16) % 250 + 1}"


def an_email() -> str:
    return f"{uuid.uuid4().hex[:12]}@riverside.test"


def sign_in(client, email: str, password: str, *, client_address: str | None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if client_address is not None:
        headers["HTTP_X_FORWARDED_FOR"] = client_address
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def refused_for_too_many(response) -> bool:
    return response.status_code == 200 and "Too many failed login attempts" in (
        response.content.decode()
    )


def totp_code(user) -> str:
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def facilitator(cast):
    return member(cast.org, Role.FACILITATOR, email=an_email())


@pytest.fixture
def manager(cast):
    return member(cast.org, Role.MANAGER, email=an_email())


def test_ten_failures_from_one_client_for_other_accounts_do_not_stop_another_client(
    client, facilitator
):
    attacker = an_address()
    for _ in range(10):
        sign_in(client, an_email(), "wrong-password", client_address=attacker)
    assert refused_for_too_many(sign_in(client, an_email(), "wrong", client_address=attacker))

    response = sign_in(client, facilitator.email, TEST_PASSWORD, client_address=an_address())
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_passwords_for_a_managers_email_slow_only_the_address_they_come_from(client, manager):
    attacker = an_address()
    for _ in range(signin.FREE_FAILURES + 1):
        sign_in(client, manager.email, "wrong-password", client_address=attacker)
    # The attacker now waits, even with the right password...
    assert refused_for_too_many(
        sign_in(client, manager.email, TEST_PASSWORD, client_address=attacker)
    )
    # ...while the manager, from their own address, gets to the second factor and in.
    response = sign_in(client, manager.email, TEST_PASSWORD, client_address=an_address())
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(manager)})
    assert done.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == manager


def test_the_delay_grows_with_each_failure_and_is_capped():
    delays = [signin.delay_after(n) for n in range(signin.FREE_FAILURES, signin.FREE_FAILURES + 6)]
    assert delays == [0, 2, 4, 8, 16, 32]
    assert signin.delay_after(100) == signin.MAX_DELAY


def test_the_wait_ends_after_the_delay(db):
    email, address = an_email(), an_address()
    for _ in range(signin.FREE_FAILURES + 2):
        signin.record_failure(email=email, address=address, now=1000.0)
    assert signin.seconds_to_wait(email=email, address=address, now=1001.0) == 3
    assert signin.seconds_to_wait(email=email, address=address, now=1004.0) == 0


def test_the_right_password_clears_the_addresss_failures(client, facilitator):
    address = an_address()
    for _ in range(signin.FREE_FAILURES):
        sign_in(client, facilitator.email, "wrong-password", client_address=address)
    assert (
        sign_in(client, facilitator.email, TEST_PASSWORD, client_address=address).status_code == 302
    )
    assert signin.seconds_to_wait(email=facilitator.email, address=address) == 0
    assert signin.record_failure(email=facilitator.email, address=address) == 1


def test_a_spoofed_forwarded_for_header_from_a_direct_client_is_ignored(
    client, facilitator, settings
):
    # No proxy in front: X-Forwarded-For is whatever the client wrote, so it is ignored
    # and the failures count against the address the connection really came from.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    direct = an_address()
    for _ in range(10):
        sign_in(client, an_email(), "wrong", client_address=an_address(), remote=direct)
    assert refused_for_too_many(
        sign_in(
            client, facilitator.email, TEST_PASSWORD, client_address=an_address(), remote=direct
        )
    )


def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_appended(client, facilitator):
    # A client may send its own X-Forwarded-For; the proxy appends the real address last.
    attacker = an_address()
    for _ in range(10):
        sign_in(client, an_email(), "wrong", client_address=f"{an_address()}, {attacker}")
    assert refused_for_too_many(
        sign_in(client, facilitator.email, TEST_PASSWORD, client_address=f"1.2.3.4, {attacker}")
    )
