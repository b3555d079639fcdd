"""The health check reports real outages of the database and Redis, and nothing else.

Outages are real, not mocked: the database check runs against a connection to a
database that cannot be reached, and the Redis check against a closed port.
"""

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django.db.utils import load_backend
from django.urls import reverse

CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def no_redis_unless_asked(settings):
    # CI sets REDIS_URL for the whole suite; each test here decides for itself.
    settings.REDIS_URL = ""


@contextmanager
def database_unreachable(tmp_path: Path) -> Iterator[None]:
    """Swap the default connection for one to a database that cannot be reached.

    The test's own connection (its transaction, and SQLite's in-memory test database,
    which closing would destroy) is left untouched and put back afterwards. The `db`
    fixture lifts pytest-django's block on database access, so the view's connection
    attempt really goes out and really fails.
    """
    real = connections["default"]
    settings_dict = copy.deepcopy(real.settings_dict)
    if real.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")
        settings_dict.setdefault("OPTIONS", {})["connect_timeout"] = 2
    broken = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    with pytest.raises(OperationalError):
        broken.ensure_connection()  # the outage is real before the view meets it
    connections["default"] = broken
    try:
        yield
    finally:
        connections["default"] = real
        broken.close()


def test_healthz_is_ok_when_the_database_answers(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_is_503_when_the_database_is_unreachable(client, db, tmp_path):
    with database_unreachable(tmp_path):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    # States only: no error text, host, port or path in the body.
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
    # And the real database is back for whatever runs next.
    assert client.get(reverse("healthz")).status_code == 200


def test_healthz_is_503_when_redis_is_unreachable(client, db, settings):
    settings.REDIS_URL = CLOSED_REDIS_URL

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="no REDIS_URL: no Redis to check")
def test_healthz_is_ok_when_redis_answers(client, db, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_needs_no_login_and_is_never_cached(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_accepts_only_get(client, db):
    assert client.post(reverse("healthz")).status_code == 405
