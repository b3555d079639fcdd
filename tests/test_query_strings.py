"""Bad query strings get a page, never a server error: NUL bytes (PostgreSQL refuses them
in text), 10,000-character values, repeated parameters and wrong types, on every list
page's parameters (and a few it does not know)."""

import pytest
from django.urls import reverse

from accounts.querystring import MAX_LENGTH
from tests.factories import GroupFactory, ParticipantFactory

BAD_VALUES = [
    "\x00",
    "Sam\x00",
    "%00",
    "a" * 10_000,
    "\u202eanaH",
    "-1",
    "99999999999999999999999",
    "1.5",
    "[]",
    "'; DROP TABLE x; --",
]


def list_pages(cast) -> list[tuple[str, str, list[str]]]:
    """(url name, kwargs-free URL, the GET parameters it reads) for every list page."""
    return [
        (
            "sessions_app:participant_list",
            reverse("sessions_app:participant_list"),
            ["q", "show", "page"],
        ),
        ("sessions_app:group_list", reverse("sessions_app:group_list"), ["show", "page"]),
        ("sessions_app:my_sessions", reverse("sessions_app:my_sessions"), ["page"]),
        ("curriculum:topic_list", reverse("curriculum:topic_list"), ["area"]),
        (
            "accounts:staff",
            reverse("accounts:staff", kwargs={"org_code": cast.org.code}),
            ["page"],
        ),
        ("home", reverse("home"), ["next"]),
    ]


@pytest.fixture
def some_rows(cast):
    GroupFactory(organization=cast.org, name="Tuesday group")
    ParticipantFactory(organization=cast.org, display_name="Sam")


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_bad_values_on_every_list_page_get_a_page_not_a_server_error(
    client, cast, some_rows, value
):
    client.force_login(cast.manager)
    failures = []
    for name, url, params in list_pages(cast):
        for param in [*params, "unknown"]:
            response = client.get(url, {param: value})
            if response.status_code >= 500 or response.status_code not in (200, 400):
                failures.append(f"{name}?{param}={value[:20]!r}: {response.status_code}")
        # The same parameter twice, and every parameter at once.
        repeated = client.get(f"{url}?{params[0]}=1&{params[0]}=%00")
        every = client.get(url, dict.fromkeys(params, value))
        failures += [
            f"{name} {label}: {r.status_code}"
            for label, r in (("repeated", repeated), ("all at once", every))
            if r.status_code != 200
        ]
    assert not failures, failures


def test_a_search_with_a_nul_byte_finds_what_the_rest_of_it_names(client, cast, some_rows):
    client.force_login(cast.manager)
    response = client.get(reverse("sessions_app:participant_list"), {"q": "Sa\x00m"})
    assert response.status_code == 200
    assert [p.display_name for p in response.context["participants"]] == ["Sam"]
    assert response.context["q"] == "Sam"


def test_a_long_search_is_cut_to_its_bound(client, cast, some_rows):
    client.force_login(cast.manager)
    response = client.get(reverse("sessions_app:participant_list"), {"q": "S" * 10_000})
    assert response.status_code == 200
    assert len(response.context["q"]) <= MAX_LENGTH


def test_an_unknown_filter_value_is_ignored(client, cast, some_rows):
    client.force_login(cast.manager)
    response = client.get(reverse("sessions_app:group_list"), {"show": "everything\x00"})
    assert response.status_code == 200
    assert response.context["archived"] is False
    assert [g.name for g in response.context["groups"]] == ["Tuesday group"]
