"""Times in the right zone, in one style per language: a session at 18:00 in New York
shows as 6:00 PM (English) or 18:00 (Spanish) on every page that shows it, never as the
23:00 it is in UTC."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.templatetags.time_zones import zone_name
from sessions_app.models import Session
from tests.factories import (
    AttendanceFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
)

NEW_YORK = ZoneInfo("America/New_York")
SIX_PM_IN_NEW_YORK = datetime.datetime(2026, 12, 1, 18, 0, tzinfo=NEW_YORK)  # 23:00 UTC
pytestmark = pytest.mark.time_machine(datetime.datetime(2026, 11, 30, 15, 0, tzinfo=NEW_YORK))


@pytest.fixture
def evening_session(cast) -> Session:
    cast.org.timezone = "America/New_York"
    cast.org.save(update_fields=["timezone"])
    group = GroupFactory(
        organization=cast.org,
        name="Evening circle",
        timezone="America/New_York",
        start_time=datetime.time(18, 0),
        start_date=datetime.date(2026, 11, 1),
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    session = SessionFactory(group=group, starts_at=SIX_PM_IN_NEW_YORK)
    AttendanceFactory(session=session, participant__display_name="Bea")
    return session


def pages(session: Session) -> dict[str, str]:
    code = {"code": session.code}
    return {
        "home": reverse("home"),
        "my sessions": reverse("sessions_app:my_sessions"),
        "session page": reverse("sessions_app:session_detail", kwargs=code),
        "plan page": reverse("sessions_app:session_plan", kwargs=code),
        "consent screen": reverse("sessions_app:consent_screen", kwargs=code),
        "recordings": reverse("sessions_app:recording_list", kwargs=code),
        "group page": reverse("sessions_app:group_detail", kwargs={"code": session.group.code}),
    }


def test_every_page_shows_the_session_at_six_pm_new_york_time_in_english(
    client, cast, evening_session
):
    client.force_login(cast.peer)
    wrong = []
    for name, url in pages(evening_session).items():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        if "6:00 PM" not in page or "11:00 PM" in page or "23:00" in page:
            wrong.append(name)
    assert not wrong, f"not at 6:00 PM New York time on: {wrong}"


def test_every_page_shows_the_session_at_eighteen_hundred_in_spanish(client, cast, evening_session):
    client.force_login(cast.peer)
    wrong = []
    for name, url in pages(evening_session).items():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        if "18:00" not in page or "23:00" in page or "6:00 PM" in page:
            wrong.append(name)
    assert not wrong, f"not at 18:00 New York time on: {wrong}"


def test_spanish_dates_are_written_with_de(client, cast, evening_session):
    client.force_login(cast.peer)
    url = reverse("sessions_app:session_plan", kwargs={"code": evening_session.code})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1 de diciembre de 2026" in page


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("America/New_York", "New York (America)"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires (America, Argentina)"),
        ("Indian/Maldives", "Maldives (Indian Ocean)"),
        ("UTC", "UTC"),
    ],
)
def test_time_zones_are_shown_by_a_readable_name(zone, shown):
    assert zone_name(zone) == shown


def test_the_group_and_plan_pages_name_the_zone_readably(client, cast, evening_session):
    client.force_login(cast.peer)
    for url in (
        reverse("sessions_app:group_detail", kwargs={"code": evening_session.group.code}),
        reverse("sessions_app:session_plan", kwargs={"code": evening_session.code}),
    ):
        page = client.get(url).content.decode()
        assert "New York (America)" in page
        assert "America/New_York" not in page
