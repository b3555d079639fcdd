"""The access log page for managers: the organization's events only, newest first,
filtered by person, object, action and any date range (in the organization's time zone),
paginated at a fixed query count, and downloadable as a CSV of the filtered events."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Organization
from audit.forms import DATES_REVERSED
from audit.models import AccessEvent
from audit.services import Action, record_access
from audit.views import EVENTS_PER_PAGE

Chicago = "America/Chicago"


@pytest.fixture
def org(cast) -> Organization:
    cast.org.timezone = Chicago
    cast.org.save()
    return cast.org


@pytest.fixture
def manager_client(client, cast):
    client.force_login(cast.manager)
    return client


def at(moment: datetime, user, action=Action.EXPORT_DOWNLOADED, *, organization, label=""):
    with time_machine.travel(moment, tick=False):
        [event] = record_access(user, action, organization=organization, label=label)
    return event


def page(client, organization, **params):
    return client.get(reverse("audit:events", kwargs={"org_code": organization.code}), params)


def listed(response) -> list[str]:
    return [event.object_label for event in response.context["page_obj"].object_list]


def test_the_page_lists_the_organizations_events_newest_first(manager_client, cast, org):
    at(datetime(2026, 3, 1, 15, tzinfo=UTC), cast.manager, organization=org, label="first")
    at(datetime(2026, 3, 2, 15, tzinfo=UTC), cast.peer, organization=org, label="second")
    at(
        datetime(2026, 3, 3, 15, tzinfo=UTC),
        cast.outsider_manager,
        organization=cast.other_org,
        label="theirs",
    )
    response = page(manager_client, org)
    assert response.status_code == 200
    assert listed(response) == ["second", "first"]
    assert b"theirs" not in response.content
    assert b"peer@riverside.test" in response.content


def test_times_are_shown_in_the_organizations_time_zone(manager_client, cast, org):
    # 02:30 UTC on 4 March is 20:30 on 3 March in Chicago.
    at(datetime(2026, 3, 4, 2, 30, tzinfo=UTC), cast.manager, organization=org)
    response = page(manager_client, org)
    assert "March 3, 2026, 8:30" in response.content.decode()


def test_filters_by_person_action_and_object(manager_client, cast, org):
    moment = datetime(2026, 3, 1, 15, tzinfo=UTC)
    at(moment, cast.manager, Action.EXPORT_DOWNLOADED, organization=org, label="sessions")
    at(moment, cast.peer, Action.ATTENDANCE_VIEWED, organization=org, label="attendance")
    at(moment, cast.peer, Action.CONSENTS_VIEWED, organization=org, label="consents")
    assert listed(page(manager_client, org, actor=cast.peer.pk)) == ["consents", "attendance"]
    assert listed(page(manager_client, org, action=Action.EXPORT_DOWNLOADED)) == ["sessions"]
    assert listed(page(manager_client, org, object_text="CONSENT")) == ["consents"]


def test_the_person_filter_offers_only_the_organizations_members(manager_client, cast, org):
    choices = page(manager_client, org).context["form"].fields["actor"].queryset
    assert cast.peer in choices and cast.manager in choices
    assert cast.outsider not in choices and cast.admin not in choices
    response = page(manager_client, org, actor=cast.outsider.pk)
    assert response.status_code == 400


def test_the_date_range_takes_whole_days_where_the_organization_is(manager_client, cast, org):
    # 3 March, 23:30 in Chicago (05:30 UTC on the 4th) belongs to the 3rd.
    at(datetime(2026, 3, 4, 5, 30, tzinfo=UTC), cast.manager, organization=org, label="late")
    # 4 March, 00:30 in Chicago.
    at(datetime(2026, 3, 4, 6, 30, tzinfo=UTC), cast.manager, organization=org, label="next")
    assert listed(page(manager_client, org, from_date="2026-03-03", to_date="2026-03-03")) == [
        "late"
    ]
    assert listed(page(manager_client, org, from_date="2026-03-04")) == ["next"]
    assert listed(page(manager_client, org, to_date="2026-03-03")) == ["late"]


def test_any_span_of_dates_is_accepted(manager_client, cast, org):
    at(datetime(2026, 3, 4, 15, tzinfo=UTC), cast.manager, organization=org, label="one")
    response = page(manager_client, org, from_date="1990-01-01", to_date="2199-12-31")
    assert response.status_code == 200
    assert listed(response) == ["one"]


def test_a_start_after_the_end_is_refused_with_the_reason(manager_client, cast, org):
    at(datetime(2026, 3, 4, 15, tzinfo=UTC), cast.manager, organization=org, label="one")
    response = page(manager_client, org, from_date="2026-03-05", to_date="2026-03-01")
    assert response.status_code == 400
    assert str(DATES_REVERSED) in response.content.decode()
    assert response.context["page_obj"] is None
    assert b"Download CSV" not in response.content


def test_the_page_is_in_spanish_for_a_spanish_reader(manager_client, cast, org):
    response = manager_client.get(
        reverse("audit:events", kwargs={"org_code": org.code}), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Registro de accesos" in response.content.decode()


@pytest.mark.parametrize("size", [3, EVENTS_PER_PAGE * 2 + 5])
def test_the_page_makes_a_fixed_number_of_queries(
    manager_client, cast, org, size, django_assert_num_queries
):
    AccessEvent.objects.bulk_create(
        AccessEvent(organization=org, actor=cast.manager, actor_label="m", action="x")
        for _ in range(size)
    )
    page(manager_client, org)  # warm the session cache
    # The session, the user, their memberships, MFA, the organization and the role; the
    # person filter's members; the count and the page of events.
    with django_assert_num_queries(EVENTS_QUERIES):
        response = page(manager_client, org, page="2")
    assert response.status_code == 200


EVENTS_QUERIES = 8


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_csv_holds_the_filtered_events_in_local_time(manager_client, cast, org):
    at(
        datetime(2026, 3, 4, 2, 30, tzinfo=UTC),
        cast.peer,
        Action.CONSENTS_VIEWED,
        organization=org,
        label="=HYPERLINK()",
    )
    at(datetime(2026, 3, 4, 2, 30, tzinfo=UTC), cast.manager, organization=org, label="other")
    response = manager_client.get(
        reverse("audit:events_csv", kwargs={"org_code": org.code}), {"actor": cast.peer.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="riverside-access-log-')
    header, *rows = read_csv(response)
    assert header[0] == f"When ({Chicago})"
    assert rows == [
        [
            "2026-03-03 20:30:00",
            "peer@riverside.test",
            "Consents viewed",
            "",
            "",
            "'=HYPERLINK()",
            "",
        ]
    ]


def test_the_csv_with_a_bad_filter_gives_the_page_and_no_file(manager_client, org):
    response = manager_client.get(
        reverse("audit:events_csv", kwargs={"org_code": org.code}),
        {"from_date": "2026-03-05", "to_date": "2026-03-01"},
    )
    assert response.status_code == 400
    assert str(DATES_REVERSED) in response.content.decode()


def test_the_page_is_linked_from_the_managers_home(manager_client, org):
    response = manager_client.get(reverse("home"))
    assert reverse("audit:events", kwargs={"org_code": org.code}).encode() in response.content
