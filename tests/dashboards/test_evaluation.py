"""The formative-evaluation report and the platform dashboard: each measure against
hand-computed values on the small program, suppression across organizations (primary and
complementary), access, and a fixed number of queries at two sizes."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.selectors.evaluation import MEASURES, evaluation
from dashboards.selectors.filters import DashboardFilters
from dashboards.services import rollups_refresh
from sessions_app.models import Participant, Session
from tests.factories import AttendanceFactory, EnrollmentFactory, GroupFactory, OrganizationFactory
from tests.feedback.results_factories import session_on

from .programs import APRIL, MARCH, PRESENT, build_program

pytestmark = pytest.mark.django_db


def measured(organizations, first=MARCH, last=APRIL):
    for organization in organizations:
        rollups_refresh(organization)
    return evaluation(
        organizations=organizations, filters=DashboardFilters(first_month=first, last_month=last)
    )


def test_every_measure_of_one_organization(cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    settings.COMPLETER_SESSIONS = 3
    program = build_program(cast)
    Participant.objects.filter(pk=program.people[0].pk).update(created_on=datetime.date(2026, 3, 5))
    (row,) = measured([cast.org]).rows
    value = {key: figure.value for key, figure in row.values.items()}
    assert value["participants"] == 3
    assert value["new_per_month"] == Decimal("0.5")  # one added in two months
    assert (value["groups"], value["facilitators"]) == (1, 2)
    assert value["first_session"] == datetime.date(2026, 3, 3)
    assert value["held_share"] == Decimal("0.750")  # 3 held of 3 held + 1 cancelled
    assert value["cancelled"] == 1
    assert value["attendance_rate"] == Decimal("0.583")  # 7 present of 12 places
    assert value["sessions_per_person"] == Decimal("2.3")  # 7 attendances, 3 people
    assert value["topics_per_person"] == Decimal("2.3")  # 3 + 3 + 1 topics
    assert value["completers"] == Decimal("0.667")
    assert value["session_helpful"] == Decimal("2.20")  # (3 x 3 + 2 x 1) / 5
    assert value["fidelity_mean"] is None  # no reviews
    assert value["continuous_months"] == 0  # April had no held session
    assert value["turnover"] == Decimal("0.000")
    assert value["thin_groups"] == Decimal("1.000")  # nobody assigned to the group
    assert (value["trained"], value["in_certification"], value["certified"]) == (1, 0, 0)
    assert row.values["attendance_rate"].numerator == 7
    assert row.values["attendance_rate"].denominator == 12


def test_continuous_delivery_and_turnover_count_back_from_the_last_month(cast, settings):
    build_program(cast)
    (row,) = measured([cast.org], first=MARCH, last=MARCH).rows
    assert row.values["continuous_months"].value == 1
    (row,) = measured([cast.org], first=MARCH, last=datetime.date(2026, 6, 1)).rows
    # Both facilitators last ran a session in March, before April-June.
    assert row.values["turnover"].value == Decimal("1.000")


def test_every_measure_states_its_definition_and_base():
    for measure in MEASURES:
        assert str(measure.definition) and str(measure.numerator), measure.key
        assert measure.base in {"people", "responses", "reviews", "activity"}
        assert measure.unit in {"count", "share", "mean", "date", "months"}


def _one_person_organization():
    small = OrganizationFactory(name="Small Steps", slug="small-steps")
    group = GroupFactory(organization=small, start_date=MARCH)
    enrollment = EnrollmentFactory(group=group, joined_on=MARCH)
    session = session_on(group, datetime.date(2026, 3, 3), status=Session.Status.HELD)
    AttendanceFactory(session=session, participant=enrollment.participant, status=PRESENT)
    return small


def test_a_small_organization_is_hidden_and_so_is_a_complement(cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    build_program(cast, organization=cast.other_org, lead=cast.outsider, clinician=cast.outsider)
    small = _one_person_organization()
    result = measured([cast.org, cast.other_org, small])
    rows = {row.organization.slug: row for row in result.rows}
    assert rows["small-steps"].values["participants"].hidden
    assert rows["small-steps"].values["attendance_rate"].hidden  # the same base, people
    # Else 7 - 3 - 3 would give the small one away.
    assert (
        rows["riverside"].values["participants"].hidden
        or rows["hillside"].values["participants"].hidden
    )
    assert result.total.values["participants"].value == 7
    # Sessions are the program's own activity: never hidden.
    assert rows["small-steps"].values["groups"].value == 1


def test_nothing_is_hidden_when_every_organization_is_large_enough(cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    build_program(cast, organization=cast.other_org, lead=cast.outsider, clinician=cast.outsider)
    result = measured([cast.org, cast.other_org])
    assert [row.values["participants"].value for row in result.rows] == [3, 3]
    assert result.total.values["attendance_rate"].value == Decimal("0.583")


# --- Pages ----------------------------------------------------------------------------------


def report_url(organization, **query):
    url = reverse("dashboards:evaluation_report", kwargs={"org_code": organization.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_report_shows_each_measure_with_its_definition(client, cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    body = client.get(report_url(cast.org, from_month="2026-03", to_month="2026-04")).content
    text = body.decode()
    assert "Formative-evaluation report" in text
    for measure in MEASURES:
        assert str(measure.label) in text
    assert "58%" in text  # the attendance rate
    assert "Proctor" in text


def test_the_reports_measures_download_for_analysis_and_are_logged(client, cast, settings):
    import csv
    import io

    from dashboards.models import ExportLog

    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    url = reverse("dashboards:evaluation_report_csv", kwargs={"org_code": cast.org.code})
    response = client.get(url + "?from_month=2026-03&to_month=2026-04")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[1][:4] == ["area", "measure", "label", "value"]
    rows = {line[1]: line for line in lines[2:]}
    assert set(rows) == {measure.key for measure in MEASURES}
    assert rows["attendance_rate"][3:6] == ["0.583", "7", "12"]
    assert ExportLog.objects.get(table="evaluation-report").row_count == len(MEASURES)


def test_the_report_is_for_the_organizations_managers(client, cast):
    for user, status in [(cast.peer, 403), (cast.outsider_manager, 404), (cast.manager, 200)]:
        client.force_login(user)
        assert client.get(report_url(cast.org)).status_code == status


def test_the_platform_pages_are_for_platform_admins_only(client, cast):
    for name in ("dashboards:platform", "dashboards:platform_report"):
        for user, status in [(cast.manager, 403), (cast.outsider_manager, 403), (cast.admin, 200)]:
            client.force_login(user)
            assert client.get(reverse(name)).status_code == status


def test_the_platform_dashboard_compares_organizations_without_participants(client, cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    program = build_program(cast)
    build_program(cast, organization=cast.other_org, lead=cast.outsider, clinician=cast.outsider)
    for organization in (cast.org, cast.other_org):
        rollups_refresh(organization)
    client.force_login(cast.admin)
    body = client.get(
        reverse("dashboards:platform") + "?from_month=2026-03&to_month=2026-04"
    ).content.decode()
    assert "Riverside Survivors" in body and "Hillside" in body
    for person in program.people:
        assert person.display_name not in body


@pytest.mark.parametrize("size", [1, 3])
def test_the_report_and_platform_cost_fixed_queries(
    client, cast, django_assert_num_queries, size, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0  # every request computes the figures
    for n in range(size):
        build_program(cast, name=f"Group {n}")
        extra = OrganizationFactory(slug=f"extra-{n}")
        rollups_refresh(extra)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    url = report_url(cast.org, from_month="2026-03", to_month="2026-04")
    client.get(url)
    with django_assert_num_queries(REPORT_QUERIES):
        client.get(url)
    client.force_login(cast.admin)
    url = reverse("dashboards:platform") + "?from_month=2026-03&to_month=2026-04"
    client.get(url)
    with django_assert_num_queries(PLATFORM_QUERIES):
        client.get(url)


REPORT_QUERIES = 19
PLATFORM_QUERIES = 20


def test_the_platform_figures_are_kept_until_a_rollup_is_rebuilt(client, cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.admin)
    url = reverse("dashboards:platform") + "?from_month=2026-03&to_month=2026-04"

    def figures() -> str:
        body = client.get(url).content.decode()
        return body[body.index('data-testid="platform-table"') : body.index("</table>")]

    first = figures()
    build_program(cast, name="Another group")
    assert figures() == first
    rollups_refresh(cast.org)
    assert figures() != first
