"""Groups: create, edit, archive, facilitator assignments, the planned topic sequence, and
enrolling people from the group's page (open groups take people any time and rosters
follow; closed groups ask a manager once they have started; capacity holds; leaving takes
people off later sessions)."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from accounts import time_zones
from accounts.models import Role
from sessions_app.forms import common as form_common
from sessions_app.forms import groups as forms_groups
from sessions_app.models import (
    GROUP_CAPACITY_MAX,
    GROUP_CAPACITY_MIN,
    PLAN_AHEAD_DAYS,
    TOO_FAR_AHEAD,
    Attendance,
    Enrollment,
    FacilitatorAssignment,
    Group,
    Participant,
    Session,
)
from sessions_app.selectors.running import session_roster
from sessions_app.services import groups as group_services
from sessions_app.services import participants as participant_services
from sessions_app.services.planning import sessions_generate
from sessions_app.views import groups as group_views
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    SessionFactory,
    member,
)
from tests.sessions_app.conftest import option_groups, planned_group, select_options

# A Monday, noon UTC, frozen.
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
# The last day a group may start or end on (the same window as sessions).
LAST_PLANNABLE = TODAY + datetime.timedelta(days=PLAN_AHEAD_DAYS)

pytestmark = pytest.mark.time_machine(NOW, tick=False)

# What a destructive action's confirmation page posts (templates/confirm.html).
CONFIRM = {"confirm": "1"}


def url(name, **kwargs):
    return reverse(f"sessions_app:{name}", kwargs=kwargs)


def group_data(**overrides):
    data = {
        "name": "Tuesday evening group",
        "format": Group.Format.GROUP,
        "admission": Group.Admission.OPEN,
        "modality": Group.Modality.IN_PERSON,
        "location": "Community room, 2nd floor",
        "meeting_link": "",
        "language": "en",
        "weekdays": ["1", "3"],
        "start_time": "18:00",
        "timezone": "America/Chicago",
        "duration_minutes": "90",
        "start_date": "2026-11-24",
        "end_date": "",
        "capacity": "12",
        "topic_sequence": "1-25",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Create -------------------------------------------------------------------------------


def test_manager_creates_a_group_with_sessions_planned_from_the_topic_sequence(client, cast):
    client.force_login(cast.manager)
    response = client.post(url("group_create"), group_data())
    group = Group.objects.get(name="Tuesday evening group")
    assert response.status_code == 302
    assert response["Location"] == url("group_detail", code=group.code)
    assert group.organization == cast.org
    assert group.weekdays == [1, 3]
    assert group.timezone == "America/Chicago"
    sequence = list(group.topic_sequence.values_list("topic__order", flat=True))
    assert sequence == list(range(1, 26))
    sessions = list(group.sessions.order_by("starts_at"))
    assert sessions, "creating a group plans its sessions"
    assert [s.topic.order for s in sessions[:3]] == [1, 2, 3]
    assert sessions[0].starts_at == datetime.datetime(2026, 11, 25, 0, 0, tzinfo=datetime.UTC)
    assert group.history.first().history_user == cast.manager


def test_new_group_form_defaults_to_the_organizations_time_zone_and_all_25_topics(client, cast):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    client.force_login(cast.manager)
    response = client.get(url("group_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["timezone"].value() == "America/New_York"
    assert forms_groups.parse_topic_numbers(form["topic_sequence"].value()) == list(range(1, 26))
    assert "organization" not in form.fields  # one organization: nothing to choose
    assert "Safety" in response.content.decode()  # the topic numbers are listed


def test_topic_sequence_takes_any_subset_in_any_order_with_repeats(client, cast):
    client.force_login(cast.manager)
    client.post(url("group_create"), group_data(topic_sequence="5, 2\n2; 1-3"))
    group = Group.objects.get()
    assert list(group.topic_sequence.values_list("topic__order", flat=True)) == [5, 2, 2, 1, 2, 3]
    assert list(group.topic_sequence.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_an_empty_topic_sequence_plans_sessions_without_topics(client, cast):
    client.force_login(cast.manager)
    client.post(url("group_create"), group_data(topic_sequence=""))
    group = Group.objects.get()
    assert not group.topic_sequence.exists()
    assert group.sessions.exists()
    assert not group.sessions.exclude(topic=None).exists()


def test_one_on_one_group_holds_exactly_one_person(client, cast):
    client.force_login(cast.manager)
    client.post(url("group_create"), group_data(format=Group.Format.ONE_ON_ONE, capacity=""))
    assert Group.objects.get().capacity == 1


def test_virtual_group_needs_only_a_link(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        url("group_create"),
        group_data(modality="virtual", location="", meeting_link="https://meet.example/abc"),
    )
    assert response.status_code == 302
    assert Group.objects.get().meeting_link == "https://meet.example/abc"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"modality": "virtual", "meeting_link": ""}, "meeting_link", forms_groups.LINK_NEEDED),
        ({"modality": "in_person", "location": " "}, "location", forms_groups.LOCATION_NEEDED),
        (
            {"modality": "hybrid", "meeting_link": "https://meet.example/x", "location": ""},
            "location",
            forms_groups.LOCATION_NEEDED,
        ),
        ({"capacity": "51"}, "capacity", "A group holds between 2 and 50 people."),
        ({"capacity": "1"}, "capacity", "A group holds between 2 and 50 people."),
        ({"capacity": ""}, "capacity", "A group holds between 2 and 50 people."),
        ({"start_date": "2026-11-22"}, "start_date", group_services.START_DATE_IN_PAST),
        ({"end_date": "2026-11-20"}, "end_date", forms_groups.END_BEFORE_START),
        ({"start_date": "9999-12-31"}, "start_date", TOO_FAR_AHEAD),
        ({"end_date": "9999-12-31"}, "end_date", group_services.END_TOO_FAR_AHEAD),
        ({"weekdays": None}, "weekdays", forms_groups.NO_WEEKDAY),
        ({"topic_sequence": "1, 26"}, "topic_sequence", "There is no topic 26"),
        ({"topic_sequence": "1, two"}, "topic_sequence", "is not a topic number"),
        ({"topic_sequence": "5-3"}, "topic_sequence", "is not a topic number"),
        ({"topic_sequence": "1-25, " * 9}, "topic_sequence", "Plan at most 200"),
        ({"language": "xx"}, "language", form_common.LANGUAGE_UNKNOWN),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", group_services.UNKNOWN_TIME_ZONE),
        ({"timezone": "US/Central"}, "timezone", group_services.UNKNOWN_TIME_ZONE),
        ({"timezone": "Etc/GMT+6"}, "timezone", group_services.UNKNOWN_TIME_ZONE),
    ],
)
def test_invalid_group_is_refused_with_a_clear_message_and_nothing_saved(
    client, cast, overrides, field, message
):
    client.force_login(cast.manager)
    response = client.post(url("group_create"), group_data(**overrides))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert str(message).split("%")[0] in errors
    assert not Group.objects.exists()
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("capacity", "accepted"),
    [
        (GROUP_CAPACITY_MIN - 1, False),
        (GROUP_CAPACITY_MIN, True),
        (GROUP_CAPACITY_MAX, True),
        (GROUP_CAPACITY_MAX + 1, False),
    ],
    ids=["min-1", "min", "max", "max+1"],
)
def test_the_form_holds_a_group_to_the_capacity_bounds_of_the_model(cast, capacity, accepted):
    form = forms_groups.GroupForm(data=group_data(capacity=str(capacity)), organizations=[cast.org])
    assert form.is_valid() is accepted, form.errors
    if not accepted:
        assert form.errors["capacity"] == ["A group holds between 2 and 50 people."]


@pytest.mark.parametrize(
    ("field", "message"),
    [("start_date", TOO_FAR_AHEAD), ("end_date", group_services.END_TOO_FAR_AHEAD)],
)
@pytest.mark.parametrize(
    ("day", "accepted"),
    [(LAST_PLANNABLE, True), (LAST_PLANNABLE + datetime.timedelta(days=1), False)],
    ids=["last-day", "day-after"],
)
def test_the_form_holds_a_groups_dates_to_the_planning_window(cast, field, message, day, accepted):
    form = forms_groups.GroupForm(
        data=group_data(**{field: day.isoformat()}), organizations=[cast.org]
    )
    assert form.is_valid() is accepted, form.errors
    if not accepted:
        assert form.errors[field] == [str(message)]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"start_date": LAST_PLANNABLE + datetime.timedelta(days=1)}, "start_date", TOO_FAR_AHEAD),
        (
            {"end_date": LAST_PLANNABLE + datetime.timedelta(days=1)},
            "end_date",
            group_services.END_TOO_FAR_AHEAD,
        ),
    ],
)
def test_the_service_refuses_a_group_dated_beyond_the_window_and_saves_nothing(
    cast, values, field, message
):
    values = {
        "name": "Made by a script",
        "weekdays": [1],
        "start_time": datetime.time(18, 0),
        "start_date": TODAY,
        "location": "Room 1",
        **values,
    }
    with pytest.raises(ValidationError) as error:
        group_services.group_create(
            organization=cast.org, values=values, topic_ids=[], by=cast.manager
        )
    assert error.value.message_dict[field] == [str(message)]
    assert not Group.objects.exists()
    assert not Session.objects.exists()


def test_an_end_date_may_stay_where_it_was_but_not_move_beyond_the_window(client, cast):
    # A group saved before the window existed, ending in year 9999.
    group = planned_group(cast.org, end_date=datetime.date(9999, 12, 31))
    client.force_login(cast.manager)
    kept = _edit_data(group, name="Renamed", end_date="9999-12-31")
    response = client.post(url("group_edit", code=group.code), kept)
    assert response.status_code == 302, response.context["form"].errors
    group.refresh_from_db()
    assert group.name == "Renamed"

    moved = _edit_data(group, end_date="9999-12-30")
    response = client.post(url("group_edit", code=group.code), moved)
    assert response.status_code == 400
    assert escape(str(group_services.END_TOO_FAR_AHEAD)) in response.content.decode()
    with pytest.raises(ValidationError) as error:
        group_services.group_update(
            group=group,
            values={"end_date": datetime.date(9999, 12, 30)},
            topic_ids=[],
            by=cast.manager,
        )
    assert error.value.message_dict["end_date"] == [str(group_services.END_TOO_FAR_AHEAD)]
    group.refresh_from_db()
    assert group.end_date == datetime.date(9999, 12, 31)


def test_the_error_message_is_shown_on_the_page(client, cast):
    client.force_login(cast.manager)
    response = client.post(url("group_create"), group_data(modality="virtual"))
    assert str(forms_groups.LINK_NEEDED) in response.content.decode()


def test_start_date_in_the_past_is_judged_in_the_groups_time_zone(client, cast):
    # 03:00 on Tuesday in UTC is still Monday evening in Chicago.
    with time_machine.travel(datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.UTC)):
        client.force_login(cast.manager)
        response = client.post(url("group_create"), group_data(start_date="2026-11-23"))
    assert response.status_code == 302


def test_manager_of_two_organizations_chooses_where_the_group_belongs(client, cast):
    second = OrganizationFactory(name="Lakeside", slug="lakeside")
    MembershipFactory(user=cast.manager, organization=second, role=Role.MANAGER)
    client.force_login(cast.manager)
    assert "organization" in client.get(url("group_create")).context["form"].fields
    response = client.post(url("group_create"), group_data(organization=str(second.code)))
    assert response.status_code == 302
    assert Group.objects.get().organization == second
    # An organization they do not manage is not a choice.
    response = client.post(url("group_create"), group_data(organization=str(cast.other_org.code)))
    assert response.status_code == 400
    assert Group.objects.count() == 1


@pytest.mark.parametrize("actor", ["peer", "reviewer", "outsider", "nobody"])
def test_only_managers_create_groups(client, cast, actor):
    client.force_login(getattr(cast, actor))
    assert client.get(url("group_create")).status_code == 403
    assert client.post(url("group_create"), group_data()).status_code == 403
    assert not Group.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    response = client.get(url("group_list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- Edit ---------------------------------------------------------------------------------


def test_editing_the_schedule_replans_future_sessions_and_keeps_held_ones(client, cast):
    group = planned_group(cast.org)
    first = group.sessions.order_by("starts_at").first()
    Session.objects.filter(pk=first.pk).update(status=Session.Status.HELD)
    client.force_login(cast.manager)
    initial = forms_groups.GroupForm.initial_for(group)
    data = {
        **{k: v for k, v in initial.items() if v is not None},
        "weekdays": ["2"],
        "start_date": initial["start_date"].isoformat(),
        "start_time": "10:00",
        "end_date": "",
        "location": "New room",
    }
    response = client.post(url("group_edit", code=group.code), data)
    assert response.status_code == 302, response.context["form"].errors
    group.refresh_from_db()
    assert group.weekdays == [2]
    assert group.location == "New room"
    first.refresh_from_db()
    assert first.status == Session.Status.HELD
    planned = group.sessions.filter(status=Session.Status.PLANNED)
    assert planned.exists()
    assert {s.starts_at.weekday() for s in planned} == {2}
    assert {s.starts_at.hour for s in planned} == {10}


def test_edit_page_shows_the_current_values(client, cast):
    group = planned_group(cast.org, name="Wednesday circle")
    client.force_login(cast.manager)
    response = client.get(url("group_edit", code=group.code))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Wednesday circle"
    assert forms_groups.parse_topic_numbers(form["topic_sequence"].value()) == list(range(1, 26))


def _edit_data(group, **overrides):
    initial = forms_groups.GroupForm.initial_for(group)
    data = {k: v for k, v in initial.items() if v is not None}
    data.update(
        weekdays=[str(d) for d in group.weekdays],
        start_date=group.start_date.isoformat(),
        start_time=group.start_time.strftime("%H:%M"),
        end_date="",
        location="Room 1",
    )
    data.update(overrides)
    return data


def test_changing_the_topic_sequence_replans_topics(client, cast):
    group = planned_group(cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_edit", code=group.code), _edit_data(group, topic_sequence="2, 2")
    )
    assert response.status_code == 302
    topics = list(group.sessions.order_by("starts_at").values_list("topic__order", flat=True)[:3])
    assert topics == [2, 2, None]


def test_capacity_cannot_drop_below_the_people_enrolled(client, cast):
    group = planned_group(cast.org, capacity=5)
    EnrollmentFactory.create_batch(4, group=group)
    client.force_login(cast.manager)
    response = client.post(url("group_edit", code=group.code), _edit_data(group, capacity="3"))
    assert response.status_code == 400
    assert "4 people are enrolled" in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 5


def test_a_past_start_date_may_stay_but_may_not_be_moved_into_the_past(client, cast):
    group = planned_group(cast.org, start_date=TODAY - datetime.timedelta(days=30))
    client.force_login(cast.manager)
    response = client.post(url("group_edit", code=group.code), _edit_data(group, name="Renamed"))
    assert response.status_code == 302
    moved = (TODAY - datetime.timedelta(days=3)).isoformat()
    response = client.post(url("group_edit", code=group.code), _edit_data(group, start_date=moved))
    assert response.status_code == 400
    assert str(group_services.START_DATE_IN_PAST) in response.content.decode()
    group.refresh_from_db()
    assert group.start_date == TODAY - datetime.timedelta(days=30)


# --- Choices: the group's language and time zone ---------------------------------------------


REGIONS = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic Ocean",
    "Australia",
    "Europe",
    "Indian Ocean",
    "Pacific Ocean",
]


def test_the_time_zone_select_starts_with_the_organizations_country(client, cast):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    options = select_options(page, "timezone")
    assert option_groups(page, "timezone") == ["United States", *REGIONS, None]
    home = {o.value: o.text for o in options if o.group == "United States"}
    assert home["America/New_York"] == "New York"
    assert home["America/Chicago"] == "Chicago"
    assert home["America/Indiana/Indianapolis"] == "Indiana / Indianapolis"
    assert home["Pacific/Honolulu"] == "Honolulu"
    assert "America/Mexico_City" not in home
    assert [o.value for o in options if o.selected] == ["America/New_York"]
    # Each zone once: the country's are not repeated under their region.
    values = [o.value for o in options]
    assert len(values) == len(set(values))
    america = {o.value: o.text for o in options if o.group == "America"}
    assert america["America/Argentina/Buenos_Aires"] == "Argentina / Buenos Aires"
    assert "America/Toronto" in america
    assert "America/Chicago" not in america


def test_the_time_zone_select_leaves_out_legacy_aliases_except_utc(client, cast):
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    values = {o.value for o in select_options(page, "timezone")}
    assert "UTC" in values
    assert "Europe/London" in values
    aliases = {"US/Eastern", "EST5EDT", "GMT", "Etc/UTC", "Etc/GMT+5", "America/Buenos_Aires"}
    assert not values & aliases
    assert all("/" in value for value in values - {"UTC"})
    assert {value.split("/")[0] for value in values - {"UTC"}} <= {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }


def test_an_organization_elsewhere_sees_its_own_country_first(client, cast):
    cast.org.timezone = "Europe/Madrid"
    cast.org.save()
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    assert option_groups(page, "timezone")[0] == "Spain"
    home = [o.value for o in select_options(page, "timezone") if o.group == "Spain"]
    assert home == ["Europe/Madrid", "Africa/Ceuta", "Atlantic/Canary"]


def test_an_organization_in_utc_sees_the_regions_and_utc(client, cast):
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    assert option_groups(page, "timezone") == [*REGIONS, None]
    assert [o.value for o in select_options(page, "timezone") if o.selected] == ["UTC"]


def test_a_manager_of_two_organizations_sees_both_countries_first(client, cast):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    second = OrganizationFactory(slug="madrid", timezone="Europe/Madrid")
    MembershipFactory(user=cast.manager, organization=second, role=Role.MANAGER)
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    assert set(option_groups(page, "timezone")[:2]) == {"United States", "Spain"}
    response = client.post(
        url("group_create"), group_data(organization=str(second.code), timezone="Atlantic/Canary")
    )
    assert response.status_code == 302
    assert Group.objects.get().timezone == "Atlantic/Canary"


@pytest.fixture
def no_zone_table(monkeypatch):
    """A system whose tz database has no zone.tab (nor the tzdata package)."""
    monkeypatch.setattr(time_zones, "_tzdata_text", lambda name: None)
    time_zones._zone_table.cache_clear()
    yield
    time_zones._zone_table.cache_clear()


def test_without_the_zone_table_every_zone_is_still_listed_by_region(client, cast, no_zone_table):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    assert option_groups(page, "timezone") == [*REGIONS, None]
    values = {o.value for o in select_options(page, "timezone")}
    assert {"America/New_York", "America/Chicago", "UTC"} <= values
    assert not values & {"US/Eastern", "EST5EDT", "Etc/GMT+5"}


def test_a_saved_time_zone_the_list_leaves_out_stays_selectable(client, cast):
    group = planned_group(cast.org, timezone="US/Central")
    client.force_login(cast.manager)
    page = client.get(url("group_edit", code=group.code)).content.decode()
    first = select_options(page, "timezone")[0]
    assert (first.value, first.text, first.selected) == ("US/Central", "Central (US)", True)
    response = client.post(url("group_edit", code=group.code), _edit_data(group, name="Renamed"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.timezone) == ("Renamed", "US/Central")
    # Kept for this group only: a new group cannot take it.
    response = client.post(url("group_create"), group_data(timezone="US/Central"))
    assert response.status_code == 400
    assert str(group_services.UNKNOWN_TIME_ZONE) in response.content.decode()


def test_the_group_language_select_offers_the_programs_languages_first(client, cast, settings):
    settings.PROGRAM_LANGUAGES = ["es", "en", "tl"]
    client.force_login(cast.manager)
    page = client.get(url("group_create")).content.decode()
    options = select_options(page, "language")
    program = [(o.value, o.text) for o in options if o.group == "Languages of this program"]
    assert program == [("es", "Español (Spanish)"), ("en", "English"), ("tl", "Tagalog")]
    # The first of the program's languages is the default for a new group.
    assert [o.value for o in options if o.selected] == ["es"]
    assert "fr" in {o.value for o in options if o.group == "Other languages"}


def test_a_group_can_meet_in_another_language_and_keeps_a_saved_one(client, cast):
    client.force_login(cast.manager)
    response = client.post(url("group_create"), group_data(language="uk"))
    assert response.status_code == 302
    group = Group.objects.get()
    assert group.language == "uk"
    assert "Українська" in client.get(url("group_detail", code=group.code)).content.decode()
    Group.objects.filter(pk=group.pk).update(language="quc")  # set some other way
    group.refresh_from_db()
    page = client.get(url("group_edit", code=group.code)).content.decode()
    assert [o.value for o in select_options(page, "language") if o.selected] == ["quc"]
    response = client.post(url("group_edit", code=group.code), _edit_data(group, name="Renamed"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.language) == ("Renamed", "quc")


# --- Archive ------------------------------------------------------------------------------


def test_archiving_drops_future_planned_sessions_and_restoring_plans_them_again(client, cast):
    group = planned_group(cast.org)
    held = group.sessions.order_by("starts_at").first()
    Session.objects.filter(pk=held.pk).update(status=Session.Status.HELD)
    client.force_login(cast.manager)
    response = client.post(url("group_archive", code=group.code), CONFIRM)
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.archived_at is not None
    assert list(group.sessions.all()) == [held]
    assert group not in client.get(url("group_list")).context["groups"]
    assert group in client.get(url("group_list") + "?show=archived").context["groups"]

    response = client.post(url("group_restore", code=group.code))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.archived_at is None
    assert group.sessions.filter(status=Session.Status.PLANNED).exists()


def test_archiving_asks_first_saying_how_many_planned_sessions_go(client, cast):
    group = planned_group(cast.org, timezone="America/Chicago")
    for days in range(40, 45):  # one-offs beyond the schedule, so the page lists some only
        SessionFactory(group=group, starts_at=NOW + datetime.timedelta(days=days))
    sessions = list(group.sessions.order_by("starts_at"))
    attended = sessions[0]  # a future session with attendance stays
    AttendanceFactory(session=attended)
    removed = [s for s in sessions if s.pk != attended.pk]
    client.force_login(cast.manager)

    response = client.post(url("group_archive", code=group.code))

    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    body = response.content.decode()
    assert f"{len(removed)} planned sessions will be removed" in body

    def shown(session):
        local = timezone.localtime(session.starts_at, ZoneInfo("America/Chicago"))
        return date_format(local, "DATETIME_FORMAT") in body  # in the group's time zone

    listed = group_views.ARCHIVE_SESSIONS_LISTED
    assert len(removed) > listed
    assert all(shown(session) for session in removed[:listed])
    assert not any(shown(session) for session in [attended, *removed[listed:]])
    assert f"and {len(removed) - listed} more" in body
    assert date_format(removed[0].starts_at, "DATETIME_FORMAT") not in body  # not in UTC
    assert 'name="confirm" value="1"' in body
    group.refresh_from_db()
    assert group.archived_at is None
    assert group.sessions.count() == len(sessions)

    response = client.post(url("group_archive", code=group.code), CONFIRM, follow=True)

    group.refresh_from_db()
    assert group.archived_at is not None
    assert list(group.sessions.all()) == [attended]
    # The message counts what the page listed, and each removal names who archived.
    assert f"{len(removed)} planned sessions were removed" in response.content.decode()
    gone = Session.history.filter(id__in=[s.pk for s in removed], history_type="-")
    assert sorted(gone.values_list("id", flat=True)) == sorted(s.pk for s in removed)
    assert set(gone.values_list("history_user", flat=True)) == {cast.manager.pk}


def test_an_archived_group_takes_no_new_people(client, cast):
    group = planned_group(cast.org)
    group_services.group_archive(group=group, by=cast.manager)
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 400
    assert not group.enrollments.exists()


def _create_group(cast, by):
    values = {
        "name": "Made by a script",
        "weekdays": [1],
        "start_time": datetime.time(18, 0),
        "start_date": TODAY,
        "location": "Room 1",
    }
    return group_services.group_create(organization=cast.org, values=values, topic_ids=[], by=by)


def _archive_group(cast, by):
    group = planned_group(cast.org)
    group_services.group_archive(group=group, by=by)
    return group


def _assign_facilitator(cast, by):
    assignment, _new = group_services.facilitator_assign(
        group=planned_group(cast.org), user=cast.peer, role="lead_peer", by=by
    )
    return assignment


@pytest.mark.parametrize(
    "service",
    [_create_group, _archive_group, _assign_facilitator],
    ids=["group_create", "group_archive", "facilitator_assign"],
)
def test_a_group_service_called_outside_a_request_records_who_acted(cast, service):
    changed = service(cast, cast.manager)  # straight from code: no request, no client
    assert changed.history.first().history_user == cast.manager


# --- Facilitators -------------------------------------------------------------------------


def test_manager_assigns_facilitators_with_roles_and_can_change_a_role(client, cast):
    group = planned_group(cast.org)
    client.force_login(cast.manager)
    assign = url("group_facilitator_assign", code=group.code)
    response = client.post(assign, {"assign-user": cast.peer.pk, "assign-role": "lead_peer"})
    assert response.status_code == 302
    client.post(assign, {"assign-user": cast.clinician.pk, "assign-role": "clinician_co"})
    roles = dict(group.assignments.values_list("user__email", "role"))
    assert roles == {cast.peer.email: "lead_peer", cast.clinician.email: "clinician_co"}

    client.post(assign, {"assign-user": cast.peer.pk, "assign-role": "peer_co"})
    assert group.assignments.get(user=cast.peer).role == "peer_co"
    assert group.assignments.count() == 2
    history = FacilitatorAssignment.history.filter(user=cast.peer).order_by("history_date")
    assert [h.history_user for h in history] == [cast.manager, cast.manager]


@pytest.mark.parametrize("who", ["manager", "reviewer", "outsider"])
def test_only_facilitators_of_the_organization_can_be_assigned(client, cast, who):
    group = planned_group(cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_facilitator_assign", code=group.code),
        {"assign-user": getattr(cast, who).pk, "assign-role": "lead_peer"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not group.assignments.exists()


def test_the_service_refuses_someone_who_is_not_a_facilitator_there(cast):
    group = planned_group(cast.org)
    with pytest.raises(ValidationError) as error:
        group_services.facilitator_assign(
            group=group, user=cast.outsider, role="lead_peer", by=cast.manager
        )
    assert str(group_services.NOT_A_FACILITATOR) in str(error.value)


def _assign(group, user, role, by):
    return group_services.facilitator_assign(group=group, user=user, role=role, by=by)


def _team_of(group):
    return dict(group.assignments.values_list("user__email", "role"))


# One lead peer per group.


def test_the_service_refuses_a_second_lead_peer_and_saves_nothing(cast):
    group = planned_group(cast.org)
    _assign(group, cast.peer, "lead_peer", cast.manager)
    second = member(cast.org, Role.FACILITATOR, display_name="Noa")
    _assign(group, second, "peer_co", cast.manager)
    history_rows = FacilitatorAssignment.history.count()
    for user in (second, member(cast.org, Role.FACILITATOR)):  # a role change, a newcomer
        with pytest.raises(ValidationError) as error:
            _assign(group, user, "lead_peer", cast.manager)
        expected = group_services.ALREADY_LEAD_PEER % {"name": cast.peer}
        assert error.value.message_dict["role"] == [expected]
    assert _team_of(group) == {second.email: "peer_co", cast.peer.email: "lead_peer"}
    assert FacilitatorAssignment.history.count() == history_rows


def test_a_second_lead_peer_is_refused_on_the_page_with_the_message(client, cast):
    group = planned_group(cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer, role="lead_peer")
    client.force_login(cast.manager)
    response = client.post(
        url("group_facilitator_assign", code=group.code),
        {"assign-user": cast.clinician.pk, "assign-role": "lead_peer"},
    )
    assert response.status_code == 400
    expected = group_services.ALREADY_LEAD_PEER % {"name": cast.peer}
    assert response.context["assign_form"].errors["role"] == [expected]
    assert escape(expected) in response.content.decode()
    assert _team_of(group) == {cast.peer.email: "lead_peer"}


def test_the_lead_peer_keeps_their_role_and_hands_it_on_once_changed(client, cast):
    group = planned_group(cast.org)
    client.force_login(cast.manager)
    assign = url("group_facilitator_assign", code=group.code)
    other = member(cast.org, Role.FACILITATOR)
    for user, role in [
        (cast.peer, "lead_peer"),
        (cast.peer, "lead_peer"),  # the lead again: nothing to refuse
        (other, "peer_co"),
        (cast.peer, "peer_co"),
        (other, "lead_peer"),
    ]:
        response = client.post(assign, {"assign-user": user.pk, "assign-role": role})
        assert response.status_code == 302, response.context["assign_form"].errors
    assert _team_of(group) == {other.email: "lead_peer", cast.peer.email: "peer_co"}


def test_the_database_holds_one_lead_peer_per_group(cast):
    group, other_group = planned_group(cast.org), planned_group(cast.org)
    FacilitatorAssignment.objects.create(group=group, user=cast.peer, role="lead_peer")
    # Co-facilitators and other groups' leads are not limited.
    for user in (member(cast.org, Role.FACILITATOR), member(cast.org, Role.FACILITATOR)):
        FacilitatorAssignment.objects.create(group=group, user=user, role="peer_co")
    FacilitatorAssignment.objects.create(group=other_group, user=cast.clinician, role="lead_peer")
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilitatorAssignment.objects.create(group=group, user=cast.clinician, role="lead_peer")
    # Promoting a co-facilitator past the services is refused too.
    co = group.assignments.filter(role="peer_co").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilitatorAssignment.objects.filter(pk=co.pk).update(role="lead_peer")
    assert group.assignments.filter(role="lead_peer").count() == 1


# A peer or a clinician, not both, in one organization.


@pytest.mark.parametrize("peer_role", ["lead_peer", "peer_co"])
def test_a_clinician_of_another_group_cannot_take_a_peer_role(cast, peer_role):
    clinic, group = planned_group(cast.org, name="Clinic group"), planned_group(cast.org)
    _assign(clinic, cast.clinician, "clinician_co", cast.manager)
    with pytest.raises(ValidationError) as error:
        _assign(group, cast.clinician, peer_role, cast.manager)
    expected = group_services.CLINICIAN_NOT_PEER % {
        "name": cast.clinician,
        "group": "Clinic group",
    }
    assert error.value.message_dict["role"] == [expected]
    assert not group.assignments.exists()
    # As clinician co-facilitator they are welcome.
    _assign(group, cast.clinician, "clinician_co", cast.manager)
    assert _team_of(group) == {cast.clinician.email: "clinician_co"}


@pytest.mark.parametrize("peer_role", ["lead_peer", "peer_co"])
def test_a_peer_of_another_group_cannot_be_the_clinician_co_facilitator(client, cast, peer_role):
    peers, group = planned_group(cast.org, name="Peer circle"), planned_group(cast.org)
    _assign(peers, cast.peer, peer_role, cast.manager)
    client.force_login(cast.manager)
    response = client.post(
        url("group_facilitator_assign", code=group.code),
        {"assign-user": cast.peer.pk, "assign-role": "clinician_co"},
    )
    assert response.status_code == 400
    expected = group_services.PEER_NOT_CLINICIAN % {
        "name": cast.peer,
        "group": "Peer circle",
        "role": FacilitatorAssignment.Role(peer_role).label,
    }
    assert response.context["assign_form"].errors["role"] == [expected]
    assert escape(expected) in response.content.decode()
    assert not group.assignments.exists()


def test_a_role_change_of_kind_is_refused_while_another_group_says_otherwise(cast):
    first, second = planned_group(cast.org, name="First"), planned_group(cast.org, name="Second")
    _assign(first, cast.peer, "peer_co", cast.manager)
    # In their only group, a role of the other kind is a correction: allowed.
    _assign(first, cast.peer, "clinician_co", cast.manager)
    _assign(second, cast.peer, "clinician_co", cast.manager)
    with pytest.raises(ValidationError):
        _assign(first, cast.peer, "peer_co", cast.manager)
    assert first.assignments.get(user=cast.peer).role == "clinician_co"


def test_only_active_groups_of_the_same_organization_say_who_is_a_clinician(cast):
    archived = planned_group(cast.org, name="Old clinic")
    _assign(archived, cast.clinician, "clinician_co", cast.manager)
    group_services.group_archive(group=archived, by=cast.manager)
    # A facilitator of both organizations, a clinician in the other one.
    both = member(cast.other_org, Role.FACILITATOR)
    MembershipFactory(user=both, organization=cast.org, role=Role.FACILITATOR)
    theirs = planned_group(cast.other_org)
    _assign(theirs, both, "clinician_co", cast.outsider_manager)

    group = planned_group(cast.org)
    _assign(group, cast.clinician, "lead_peer", cast.manager)
    _assign(group, both, "peer_co", cast.manager)
    assert _team_of(group) == {cast.clinician.email: "lead_peer", both.email: "peer_co"}


@pytest.mark.parametrize("peer_role", ["lead_peer", "peer_co"])
def test_a_clinician_named_on_an_upcoming_session_cannot_take_a_peer_role(client, cast, peer_role):
    group = planned_group(cast.org, name="Thursday circle")
    upcoming = group.sessions.order_by("starts_at").first()
    Session.objects.filter(pk=upcoming.pk).update(clinician=cast.clinician)
    client.force_login(cast.manager)
    response = client.post(
        url("group_facilitator_assign", code=group.code),
        {"assign-user": cast.clinician.pk, "assign-role": peer_role},
    )
    assert response.status_code == 400
    when = date_format(timezone.localtime(upcoming.starts_at, group.zone), "DATETIME_FORMAT")
    expected = group_services.SESSION_CLINICIAN_NOT_PEER % {
        "name": cast.clinician,
        "group": "Thursday circle",
        "when": when,
    }
    assert response.context["assign_form"].errors["role"] == [expected]
    assert escape(expected) in response.content.decode()
    assert not group.assignments.exists()
    # As the group's clinician co-facilitator they are welcome.
    _assign(group, cast.clinician, "clinician_co", cast.manager)
    assert _team_of(group) == {cast.clinician.email: "clinician_co"}


def test_only_upcoming_sessions_say_a_session_clinician_is_a_clinician(cast):
    group = planned_group(cast.org)
    first, second = group.sessions.order_by("starts_at")[:2]
    # Held and cancelled sessions are a record of what was.
    Session.objects.filter(pk=first.pk).update(clinician=cast.clinician, status="held")
    Session.objects.filter(pk=second.pk).update(
        clinician=cast.clinician, status="cancelled", cancel_reason="Ill"
    )
    _assign(group, cast.clinician, "lead_peer", cast.manager)
    assert _team_of(group) == {cast.clinician.email: "lead_peer"}


def test_the_assign_form_says_the_rules(client, cast):
    group = planned_group(cast.org)
    client.force_login(cast.manager)
    body = client.get(url("group_detail", code=group.code)).content.decode()
    assert "A group has one lead peer facilitator." in body
    assert "either as a peer (lead or co-facilitator) or as a clinician, not both" in body


def test_manager_removes_a_facilitator_and_a_second_click_is_harmless(client, cast):
    group = planned_group(cast.org)
    assignment = FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(cast.manager)
    remove = url("group_facilitator_unassign", code=group.code)
    assert client.post(remove, {"assignment": assignment.pk, **CONFIRM}).status_code == 302
    assert not group.assignments.exists()
    response = client.post(remove, {"assignment": assignment.pk, **CONFIRM}, follow=True)
    assert "no longer assigned" in response.content.decode()


def test_removing_needs_an_assignment_of_this_group(client, cast):
    group = planned_group(cast.org)
    other_group = planned_group(cast.org)
    elsewhere = FacilitatorAssignmentFactory(group=other_group, user=cast.peer)
    client.force_login(cast.manager)
    response = client.post(
        url("group_facilitator_unassign", code=group.code),
        {"assignment": elsewhere.pk, **CONFIRM},
    )
    assert response.status_code == 302
    assert FacilitatorAssignment.objects.filter(pk=elsewhere.pk).exists()


def test_removing_a_facilitator_asks_first_and_changes_nothing_until_confirmed(client, cast):
    group = planned_group(cast.org, name="Thursday circle")
    assignment = FacilitatorAssignmentFactory(group=group, user=cast.peer, role="lead_peer")
    client.force_login(cast.manager)
    remove = url("group_facilitator_unassign", code=group.code)

    response = client.post(remove, {"assignment": assignment.pk})

    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    body = response.content.decode()
    assert f"Remove {cast.peer.display_name} from Thursday circle?" in body
    assert str(assignment.get_role_display()) in body
    assert f'name="assignment" value="{assignment.pk}"' in body
    assert 'name="confirm" value="1"' in body
    assert f'href="{url("group_detail", code=group.code)}"' in body
    assert group.assignments.filter(pk=assignment.pk).exists()

    assert client.post(remove, {"assignment": assignment.pk, **CONFIRM}).status_code == 302
    assert not group.assignments.exists()


# --- Who sees what ------------------------------------------------------------------------


def test_facilitators_see_only_their_own_groups(client, cast):
    mine = planned_group(cast.org, name="Mine")
    planned_group(cast.org, name="Someone else's")
    FacilitatorAssignmentFactory(group=mine, user=cast.peer)
    client.force_login(cast.peer)
    response = client.get(url("group_list"))
    assert [g.name for g in response.context["groups"]] == ["Mine"]
    assert client.get(url("group_detail", code=mine.code)).status_code == 200


def test_managers_see_every_group_of_their_organization_only(client, cast):
    planned_group(cast.org, name="Ours")
    planned_group(cast.other_org, name="Theirs")
    client.force_login(cast.manager)
    assert [g.name for g in client.get(url("group_list")).context["groups"]] == ["Ours"]


GROUP_WRITE_URLS = [
    ("group_edit", "post"),
    ("group_archive", "post"),
    ("group_restore", "post"),
    ("group_facilitator_assign", "post"),
    ("group_facilitator_unassign", "post"),
]
GROUP_READ_URLS = [("group_detail", "get"), ("group_edit", "get")]


@pytest.mark.parametrize(("name", "method"), GROUP_WRITE_URLS + GROUP_READ_URLS)
@pytest.mark.parametrize("actor", ["outsider", "outsider_manager", "nobody", "admin"])
@pytest.mark.parametrize("data", [{}, CONFIRM], ids=["asking", "confirmed"])
def test_outsiders_get_404_for_every_group_page(client, cast, name, method, actor, data):
    group = planned_group(cast.org)
    assignment = FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(getattr(cast, actor))
    response = getattr(client, method)(
        url(name, code=group.code), {"assignment": assignment.pk, **data}
    )
    assert response.status_code == 404
    group.refresh_from_db()
    assert group.archived_at is None and group.assignments.exists()


@pytest.mark.parametrize(("name", "method"), [*GROUP_WRITE_URLS, ("group_edit", "get")])
@pytest.mark.parametrize("actor", ["peer", "reviewer"])
@pytest.mark.parametrize("data", [{}, CONFIRM], ids=["asking", "confirmed"])
def test_facilitators_and_reviewers_get_403_for_manager_actions(
    client, cast, name, method, actor, data
):
    group = planned_group(cast.org)
    assignment = FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(getattr(cast, actor))
    response = getattr(client, method)(
        url(name, code=group.code), {"assignment": assignment.pk, **data}
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.archived_at is None and group.assignments.exists()


@pytest.mark.parametrize("actor", ["clinician", "reviewer"])
def test_members_who_do_not_run_the_group_get_403_for_its_page(client, cast, actor):
    group = planned_group(cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(getattr(cast, actor))
    assert client.get(url("group_detail", code=group.code)).status_code == 403


def test_reviewers_have_no_group_list(client, cast):
    client.force_login(cast.reviewer)
    assert client.get(url("group_list")).status_code == 403


@pytest.mark.parametrize(
    "name",
    ["group_archive", "group_restore", "group_facilitator_assign", "group_facilitator_unassign"],
)
def test_post_only_group_actions_refuse_get(client, cast, name):
    group = planned_group(cast.org)
    client.force_login(cast.manager)
    assert client.get(url(name, code=group.code)).status_code == 405
    group.refresh_from_db()
    assert group.archived_at is None


def test_a_missing_group_is_404(client, cast):
    client.force_login(cast.manager)
    assert client.get(url("group_detail", code=uuid.uuid4())).status_code == 404


# --- Pages --------------------------------------------------------------------------------


def test_empty_group_list_tells_a_manager_what_to_do(client, cast):
    client.force_login(cast.manager)
    response = client.get(url("group_list"))
    assert "No groups yet. Create one" in response.content.decode()


def test_empty_group_list_tells_a_facilitator_what_to_expect(client, cast):
    client.force_login(cast.peer)
    response = client.get(url("group_list"))
    assert "not assigned to a group yet" in response.content.decode()


def test_group_page_shows_roster_facilitators_and_next_sessions(client, cast):
    group = planned_group(cast.org)
    EnrollmentFactory(group=group, participant__display_name="J.R.")
    FacilitatorAssignmentFactory(group=group, user=cast.peer, role="lead_peer")
    client.force_login(cast.manager)
    body = client.get(url("group_detail", code=group.code)).content.decode()
    assert "J.R." in body
    assert cast.peer.display_name in body
    assert "Introduction/Case Management" in body
    assert "1 of 12" in body


def test_group_list_is_paginated(client, cast):
    for n in range(26):
        GroupFactory(organization=cast.org, name=f"Group {n:02}")
    client.force_login(cast.manager)
    first = client.get(url("group_list")).context["groups"]
    second = client.get(url("group_list") + "?page=2").context["groups"]
    assert len(first) == 25
    assert len(second) == 1


GROUP_LIST_QUERY_BUDGET = 8
# Two of them are the facilitators app's bench warning (facilitators_tags.group_bench).
GROUP_DETAIL_QUERY_BUDGET = 18


def _populate(org, facilitator, *, groups, people):
    made = []
    for n in range(groups):
        group = planned_group(org, name=f"Group {n}", capacity=50)
        FacilitatorAssignmentFactory(group=group, user=facilitator)
        FacilitatorAssignmentFactory(
            group=group,
            user=member(org, Role.FACILITATOR),
            role=FacilitatorAssignment.Role.PEER_CO,
        )
        EnrollmentFactory.create_batch(people, group=group)
        for enrollment in EnrollmentFactory.create_batch(people, group=group):
            enrollment.left_on = TODAY
            enrollment.left_reason = "moved"
            enrollment.save()
        made.append(group)
    return made


@pytest.mark.parametrize(("groups", "people"), [(1, 1), (12, 20)])
def test_group_list_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, groups, people
):
    _populate(cast.org, cast.peer, groups=groups, people=people)
    for actor in (cast.manager, cast.peer):
        client.force_login(actor)
        with django_assert_max_num_queries(GROUP_LIST_QUERY_BUDGET):
            response = client.get(url("group_list"))
        assert len(response.context["groups"]) == groups


@pytest.mark.parametrize("people", [1, 25])
def test_group_page_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, people
):
    (group,) = _populate(cast.org, cast.peer, groups=1, people=people)
    ParticipantFactory.create_batch(people, organization=cast.org)
    for actor in (cast.manager, cast.peer):
        client.force_login(actor)
        with django_assert_max_num_queries(GROUP_DETAIL_QUERY_BUDGET):
            response = client.get(url("group_detail", code=group.code))
        assert len(response.context["roster"]) == people


def test_group_page_links_to_its_sessions_and_to_adding_one(client, cast):
    group = GroupFactory(organization=cast.org, start_date=timezone.localdate())
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    sessions_generate(group=group, weeks=2)
    client.force_login(cast.peer)
    body = client.get(reverse("sessions_app:group_detail", kwargs={"code": group.code})).content
    first = group.sessions.order_by("starts_at").first()
    assert reverse("sessions_app:session_detail", kwargs={"code": first.code}).encode() in body
    assert reverse("sessions_app:session_add", kwargs={"group_code": group.code}).encode() in body


def test_facilitators_find_my_sessions_in_the_menu(client, cast):
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert reverse("sessions_app:my_sessions") in body
    client.force_login(cast.reviewer)
    assert reverse("sessions_app:my_sessions") not in client.get(reverse("home")).content.decode()


# --- Enrolling from the group's page (the enrollment services: test_participants.py) -------


def roster(session) -> list[str]:
    return [p.display_name for p in session_roster(session=session)]


def new_person_data(**overrides):
    data = {"new-display_name": "Newcomer", "new-preferred_language": "en"}
    data.update(overrides)
    return data


# --- Enrolling: open groups take people any time and rosters follow -------------------


def test_someone_who_joins_after_sessions_were_planned_is_on_every_later_session(client, cast):
    group = planned_group(cast.org, start_date=TODAY - datetime.timedelta(days=14))
    with time_machine.travel(NOW - datetime.timedelta(days=14), tick=False):
        sessions_generate(group=group, weeks=4)
    past = list(group.sessions.filter(starts_at__lt=NOW))
    future = list(group.sessions.filter(starts_at__gt=NOW))
    assert past and future
    participant = ParticipantFactory(organization=cast.org, display_name="Late Joiner")

    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )

    assert response.status_code == 302
    assert Enrollment.objects.get().joined_on == TODAY
    assert all("Late Joiner" in roster(s) for s in future)
    assert not any("Late Joiner" in roster(s) for s in past)


def test_leaving_takes_someone_off_later_sessions_only(client, cast):
    group = planned_group(cast.org, start_date=TODAY - datetime.timedelta(days=14))
    with time_machine.travel(NOW - datetime.timedelta(days=14), tick=False):
        sessions_generate(group=group, weeks=4)
    enrollment = EnrollmentFactory(
        group=group, participant__display_name="Leaver", joined_on=group.start_date
    )
    past = list(group.sessions.filter(starts_at__lt=NOW))
    future = list(group.sessions.filter(starts_at__gt=NOW))

    client.force_login(cast.manager)
    leave = url(
        "group_enrollment_end", code=group.code, participant_code=enrollment.participant.code
    )
    assert client.get(leave).status_code == 200
    response = client.post(leave, {"left_on": TODAY.isoformat(), "left_reason": "moved"})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.left_on, enrollment.left_reason) == (TODAY, "moved")
    assert all("Leaver" in roster(s) for s in past)
    assert not any("Leaver" in roster(s) for s in future)


# --- Who enrolls ----------------------------------------------------------------------------


def test_a_groups_facilitator_enrolls_an_existing_participant(client, cast, group):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 302
    enrollment = group.enrollments.get()
    assert enrollment.participant == participant
    assert enrollment.history.get().history_user == cast.peer


def test_a_groups_facilitator_adds_someone_new_and_enrolls_them_in_one_step(client, cast, group):
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll_new", code=group.code),
        new_person_data(**{"new-contact_phone": "555 010 2233", "new-remind_by_sms": "on"}),
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.organization == cast.org
    assert participant.contact_phone == "+15550102233"
    assert group.enrollments.get().participant == participant
    assert participant.history.get().history_user == cast.peer


def test_joining_on_a_later_date_puts_them_on_sessions_from_that_day(client, cast, group):
    participant = ParticipantFactory(organization=cast.org, display_name="Next week")
    client.force_login(cast.peer)
    joins = TODAY + datetime.timedelta(days=7)
    client.post(
        url("group_enroll", code=group.code),
        {"enroll-participant": participant.code, "enroll-joined_on": joins.isoformat()},
    )
    sessions = list(group.sessions.order_by("starts_at"))
    on = [s for s in sessions if "Next week" in roster(s)]
    assert on
    assert all(s.starts_at.date() >= joins for s in on)
    assert len(on) < len(sessions)


# --- Refusals -------------------------------------------------------------------------------


def test_a_full_group_refuses_one_more_with_a_clear_message(client, cast):
    group = planned_group(cast.org, capacity=2)
    EnrollmentFactory.create_batch(2, group=group)
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 400
    assert "This group is full: 2 of 2 places are taken." in response.content.decode()
    assert group.enrollments.count() == 2


def test_adding_someone_new_to_a_full_group_saves_nobody(client, cast):
    group = planned_group(cast.org, capacity=2)
    EnrollmentFactory.create_batch(2, group=group)
    client.force_login(cast.manager)
    response = client.post(url("group_enroll_new", code=group.code), new_person_data())
    assert response.status_code == 400
    assert "This group is full" in response.content.decode()
    assert not Participant.objects.filter(display_name="Newcomer").exists()


def test_a_stale_enroll_form_submitted_twice_gets_a_clear_400(client, cast, group):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    data = {"enroll-participant": participant.code}
    assert client.post(url("group_enroll", code=group.code), data).status_code == 302
    response = client.post(url("group_enroll", code=group.code), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert group.enrollments.count() == 1


@pytest.mark.parametrize("whose", ["other_org", "archived"])
def test_only_active_participants_of_the_organization_can_be_enrolled(client, cast, group, whose):
    if whose == "other_org":
        participant = ParticipantFactory(organization=cast.other_org)
    else:
        participant = ParticipantFactory(organization=cast.org, archived_at=NOW)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code), {"enroll-participant": participant.code}
    )
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_joining_after_the_group_ends_is_refused(client, cast):
    group = planned_group(cast.org, end_date=TODAY + datetime.timedelta(days=10))
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code),
        {
            "enroll-participant": participant.code,
            "enroll-joined_on": (TODAY + datetime.timedelta(days=11)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The group ends on" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_joining_before_the_group_starts_is_refused(client, cast):
    group = planned_group(cast.org)
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("group_enroll", code=group.code),
        {
            "enroll-participant": participant.code,
            "enroll-joined_on": (group.start_date - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The group starts on" in response.content.decode()
    assert not Enrollment.objects.exists()


# --- Closed groups ------------------------------------------------------------------------


@pytest.fixture
def started_closed_group(cast):
    group = planned_group(
        cast.org, admission=Group.Admission.CLOSED, start_date=TODAY - datetime.timedelta(days=7)
    )
    Session.objects.create(
        group=group,
        starts_at=NOW - datetime.timedelta(days=6),
        duration_minutes=90,
        status=Session.Status.HELD,
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    return group


def test_a_closed_group_takes_people_freely_before_it_starts(client, cast):
    group = planned_group(
        cast.org, admission=Group.Admission.CLOSED, start_date=TODAY + datetime.timedelta(days=7)
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(cast.peer)
    response = client.post(url("group_enroll_new", code=group.code), new_person_data())
    assert response.status_code == 302
    assert group.enrollments.count() == 1


def test_a_started_closed_group_refuses_a_facilitator_and_points_to_a_manager(
    client, cast, started_closed_group
):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll", code=started_closed_group.code),
        {"enroll-participant": participant.code, "enroll-confirm_late_join": "on"},
    )
    assert response.status_code == 400
    assert "This closed group has already started" in response.content.decode()
    assert "enroll-confirm_late_join" not in response.content.decode()  # not theirs to confirm
    assert not Enrollment.objects.exists()


def test_a_manager_enrolls_late_in_a_closed_group_only_by_confirming(
    client, cast, started_closed_group
):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    enroll = url("group_enroll", code=started_closed_group.code)
    response = client.post(enroll, {"enroll-participant": participant.code})
    assert response.status_code == 400
    assert "A program manager can confirm an exception" in response.content.decode()
    assert not Enrollment.objects.exists()

    response = client.post(
        enroll, {"enroll-participant": participant.code, "enroll-confirm_late_join": "on"}
    )
    assert response.status_code == 302
    assert started_closed_group.enrollments.get().participant == participant


# --- Leaving: bad input -------------------------------------------------------------------


@pytest.fixture
def member_since_last_week(cast, group):
    return EnrollmentFactory(
        group=group, joined_on=TODAY - datetime.timedelta(days=7), participant__display_name="M"
    )


def _leave(client, enrollment, **data):
    return client.post(
        url(
            "group_enrollment_end",
            code=enrollment.group.code,
            participant_code=enrollment.participant.code,
        ),
        data,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"left_on": "2026-11-24", "left_reason": "moved"}, participant_services.LEFT_IN_FUTURE),
        ({"left_on": "2026-11-15", "left_reason": "moved"}, "before they joined"),
        ({"left_on": "2026-11-23", "left_reason": "vanished"}, "Select a valid choice"),
        ({"left_on": "", "left_reason": "moved"}, "This field is required."),
    ],
)
def test_invalid_leaving_is_refused_with_the_message_and_nothing_changes(
    client, cast, member_since_last_week, data, message
):
    client.force_login(cast.peer)
    response = _leave(client, member_since_last_week, **data)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    member_since_last_week.refresh_from_db()
    assert member_since_last_week.left_on is None


def test_leaving_cannot_erase_someone_from_a_session_they_attended(
    client, cast, group, member_since_last_week
):
    attended = Session.objects.create(
        group=group,
        starts_at=NOW - datetime.timedelta(days=2),
        duration_minutes=90,
        status=Session.Status.HELD,
    )
    AttendanceFactory(session=attended, participant=member_since_last_week.participant)
    client.force_login(cast.manager)
    response = _leave(
        client,
        member_since_last_week,
        left_on=(TODAY - datetime.timedelta(days=3)).isoformat(),
        left_reason="moved",
    )
    assert response.status_code == 400
    assert "Their attendance was taken at a session on" in response.content.decode()
    assert (
        _leave(
            client, member_since_last_week, left_on=TODAY.isoformat(), left_reason="moved"
        ).status_code
        == 302
    )
    assert Attendance.objects.filter(participant=member_since_last_week.participant).exists()


def test_someone_who_already_left_has_no_leave_page(client, cast, member_since_last_week):
    client.force_login(cast.peer)
    assert (
        _leave(
            client, member_since_last_week, left_on=TODAY.isoformat(), left_reason="moved"
        ).status_code
        == 302
    )
    assert (
        _leave(
            client, member_since_last_week, left_on=TODAY.isoformat(), left_reason="moved"
        ).status_code
        == 404
    )


# --- Who may act ----------------------------------------------------------------------------


def _enroll_urls(group, participant):
    return [
        (url("group_enroll", code=group.code), {"enroll-participant": participant.code}),
        (url("group_enroll_new", code=group.code), new_person_data()),
        (
            url("group_enrollment_end", code=group.code, participant_code=participant.code),
            {"left_on": TODAY.isoformat(), "left_reason": "moved"},
        ),
    ]


@pytest.mark.parametrize("actor", ["outsider", "outsider_manager", "nobody", "admin"])
def test_outsiders_get_404_for_enrolling_and_change_nothing(client, cast, group, actor):
    enrollment = EnrollmentFactory(group=group, joined_on=TODAY)
    spare = ParticipantFactory(organization=cast.org)
    client.force_login(getattr(cast, actor))
    for target, data in _enroll_urls(group, enrollment.participant):
        data = {**data, "enroll-participant": spare.code}
        assert client.post(target, data).status_code == 404, target
    assert client.get(_enroll_urls(group, enrollment.participant)[2][0]).status_code == 404
    assert Enrollment.objects.count() == 1
    assert Enrollment.objects.get().left_on is None


@pytest.mark.parametrize("actor", ["clinician", "reviewer"])
def test_members_who_do_not_run_the_group_get_403_for_enrolling(client, cast, group, actor):
    enrollment = EnrollmentFactory(group=group, joined_on=TODAY)
    spare = ParticipantFactory(organization=cast.org)
    client.force_login(getattr(cast, actor))
    for target, data in _enroll_urls(group, enrollment.participant):
        data = {**data, "enroll-participant": spare.code}
        assert client.post(target, data).status_code == 403, target
    assert Enrollment.objects.count() == 1
    assert not Participant.objects.filter(display_name="Newcomer").exists()


@pytest.mark.parametrize("name", ["group_enroll", "group_enroll_new"])
def test_enrolling_refuses_get(client, cast, group, name):
    client.force_login(cast.peer)
    assert client.get(url(name, code=group.code)).status_code == 405


def test_invalid_new_participant_is_refused_with_the_message_and_nothing_saved(client, cast, group):
    client.force_login(cast.peer)
    response = client.post(
        url("group_enroll_new", code=group.code),
        new_person_data(**{"new-remind_by_email": "on"}),
    )
    assert response.status_code == 400
    assert "To get reminders by email, add an email address" in response.content.decode()
    assert not Participant.objects.exists()
    assert not Enrollment.objects.exists()


# --- Invariant 7 ----------------------------------------------------------------------------


def test_enrollment_history_keeps_who_and_when(client, cast, group):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    client.post(url("group_enroll", code=group.code), {"enroll-participant": participant.code})
    client.force_login(cast.manager)
    client.post(
        url("group_enrollment_end", code=group.code, participant_code=participant.code),
        {"left_on": TODAY.isoformat(), "left_reason": "completed"},
    )
    enrollment = Enrollment.objects.get()
    history = list(enrollment.history.order_by("history_date"))
    assert [(h.history_type, h.history_user, h.left_on) for h in history] == [
        ("+", cast.peer, None),
        ("~", cast.manager, TODAY),
    ]


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------
