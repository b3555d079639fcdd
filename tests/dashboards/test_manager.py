"""The manager dashboard: its figures against hand-computed values on a small fixed
dataset (attendance rate, completers, the retention curve, coverage, the by-model and
by-level splits, including a session with a clinician co-facilitating and one led by a
participant), every filter, suppression, access, and a fixed number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from curriculum.models import Topic
from dashboards.models import RollupRefresh, SessionFact
from dashboards.selectors.filters import DashboardFilters
from dashboards.selectors.manager import manager_dashboard
from dashboards.services import rollups_refresh
from facilitators.selectors import TrainingLevel
from feedback.models import FeedbackAnswer, FeedbackResponse
from sessions_app.models import (
    Enrollment,
    Session,
)
from tests.factories import AttendanceFactory, GroupFactory, ParticipantFactory
from tests.feedback.results_factories import default_items, respond, session_on
from tests.feedback.test_results import MODELS, QUESTIONS, START, relations, sessions_strategy

from .programs import APRIL, MARCH, PRESENT, Program, build_program

pytestmark = pytest.mark.django_db


def march_and_april(**fields) -> DashboardFilters:
    return DashboardFilters(first_month=MARCH, last_month=APRIL, **fields)


def dashboard(cast, **fields):
    rollups_refresh(cast.org)
    return manager_dashboard(
        user=cast.manager, organization=cast.org, filters=march_and_april(**fields)
    )


# --- The rollups ------------------------------------------------------------------------


def test_the_rollups_hold_each_sessions_model_level_and_counts(cast):
    program = build_program(cast)
    rollups_refresh(cast.org)
    s1, s2, s3 = (SessionFact.objects.get(pk=s.pk) for s in program.sessions)
    assert (s1.facilitation_model, s1.training_level) == ("peer_led", TrainingLevel.TRAINED)
    assert (s2.facilitation_model, s2.training_level) == ("peer_with_clinician", "trained")
    assert (s3.facilitation_model, s3.training_level) == ("participant_led", "none_recorded")
    assert (s1.enrolled, s1.present, s1.drop_ins, s1.responses) == (4, 3, 1, 3)
    assert (s2.present, s2.responses) == (2, 2)
    assert set(s2.members.values_list("user_id", flat=True)) == {cast.peer.pk, cast.clinician.pk}
    assert s1.month == MARCH
    refresh = RollupRefresh.objects.get(organization=cast.org)
    assert refresh.sessions == 5


def test_a_second_refresh_replaces_the_rows_instead_of_adding(cast):
    program = build_program(cast)
    rollups_refresh(cast.org)
    AttendanceFactory(session=program.sessions[2], participant=program.people[2], status=PRESENT)
    rollups_refresh(cast.org)
    assert SessionFact.objects.filter(organization=cast.org).count() == 5
    assert SessionFact.objects.get(pk=program.sessions[2].pk).present == 3


def test_the_rollups_of_one_organization_leave_anothers_alone(cast):
    build_program(cast)
    other = GroupFactory(organization=cast.other_org)
    session_on(other, datetime.date(2026, 3, 3), status=Session.Status.HELD)
    rollups_refresh(cast.other_org)
    rollups_refresh(cast.org)
    assert SessionFact.objects.filter(organization=cast.other_org).count() == 1


def test_the_beat_task_and_the_command_rebuild_the_rollups(cast, settings):
    from io import StringIO

    from django.core.management import call_command

    from dashboards.tasks import rollups_refresh_due

    build_program(cast)
    other = GroupFactory(organization=cast.other_org)
    session_on(other, datetime.date(2026, 3, 3), status=Session.Status.HELD)
    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-rollups"]
    assert schedule["task"] == "dashboards.tasks.rollups_refresh_due"
    assert rollups_refresh_due() == 6
    assert SessionFact.objects.count() == 6
    SessionFact.objects.all().delete()
    out = StringIO()
    call_command("refresh_rollups", cast.other_org.slug, stdout=out)
    assert SessionFact.objects.filter(organization=cast.other_org).count() == 1
    assert not SessionFact.objects.filter(organization=cast.org).exists()
    assert "1 organizations, 1 sessions" in out.getvalue()


# --- Figures ------------------------------------------------------------------------------


def test_sessions_and_attendance_per_month(cast):
    build_program(cast)
    sessions = dashboard(cast).sessions
    march, april = sessions.months
    assert (march.held, march.cancelled, march.planned) == (3, 1, 0)
    assert (march.enrolled, march.present, march.drop_ins) == (12, 7, 1)
    assert march.attendance_rate == Decimal("0.583")
    assert (april.held, april.planned, april.attendance_rate) == (0, 1, None)
    assert [(row.reason, row.sessions) for row in sessions.reasons] == [("Snow", 1)]


def test_retention_counts_completers_and_the_curve(cast, settings):
    settings.COMPLETER_SESSIONS = 3
    build_program(cast)
    retention = dashboard(cast).retention
    # P1 and P2 attended three sessions two weeks apart, P3 one; P4 none.
    assert (retention.participants, retention.completers) == (3, 2)
    assert retention.completer_share == Decimal("0.667")
    assert retention.mean_sessions == Decimal("2.3")
    assert dict(retention.by_sessions)["1"] == 1
    assert dict(retention.by_sessions)["3"] == 2
    assert [share for _, share in retention.curve[:4]] == [
        Decimal("1.000"),
        Decimal("0.667"),
        Decimal("0.667"),
        Decimal("0.000"),
    ]


def test_topic_coverage_per_group_and_per_participant(cast):
    build_program(cast)
    coverage = dashboard(cast).coverage
    (group,) = coverage.groups.object_list
    states = {cell.number: cell.state for cell in group.cells}
    assert [states[n] for n in (1, 2, 3, 4, 5)] == [
        "covered",
        "covered",
        "covered",
        "planned",
        "not_planned",
    ]
    assert (group.covered, group.planned, len(group.cells)) == (3, 1, 25)
    ranked = [(row.topics, row.sessions) for row in coverage.participants.object_list]
    assert ranked == [(3, 3), (3, 3), (1, 1)]


def test_the_pilot_comparison_by_model_with_small_figures_hidden(cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    settings.COMPLETER_SESSIONS = 3
    build_program(cast)
    by_model = dashboard(cast).by_model
    rows = {row.label: row for row in by_model.rows}
    assert [row.sessions for row in by_model.rows] == [1, 1, 1]
    assert rows["Peer-led"].attendance.mean == Decimal("0.75")
    assert rows["Peer with a clinician co-facilitating"].attendance.mean == Decimal("0.50")
    assert rows["Participant-led"].attendance.mean == Decimal("0.50")
    # Three participants attended peer-led sessions, none of them three times there.
    assert (rows["Peer-led"].participants.responses, rows["Peer-led"].participants.mean) == (
        3,
        Decimal("0.00"),
    )
    # Two participants are fewer than three: hidden; together, two of three completed.
    assert rows["Participant-led"].participants.hidden
    assert by_model.total.participants.mean == Decimal("0.67")
    assert by_model.total.attendance.mean == Decimal("0.58")
    # Two responses under the clinician model are hidden, and so is the peer-led three
    # (else the total would give them away); the total of five is shown.
    assert rows["Peer with a clinician co-facilitating"].responses.hidden
    assert rows["Peer-led"].responses.hidden
    assert by_model.total.responses.responses == 5


def test_the_pilot_comparison_hides_everything_small_at_the_default_threshold(cast):
    build_program(cast)
    by_model = dashboard(cast).by_model
    # Four enrolled places per session are fewer than five: every row hidden, the total shown.
    assert all(row.attendance.hidden for row in by_model.rows)
    assert by_model.total.attendance.responses == 12


def test_the_pilot_comparison_by_training_level(cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    by_level = dashboard(cast).by_level
    rows = {row.label: row for row in by_level.rows}
    assert rows["Trained"].sessions == 2
    assert rows["Trained"].attendance.mean == Decimal("0.63")  # 5 of 8
    assert rows["No peer facilitator recorded"].sessions == 1


def test_feedback_by_topic_hides_a_complement(cast, settings):
    settings.FEEDBACK_MIN_CELL = 3
    build_program(cast)
    table = dashboard(cast).feedback_by_topic
    first_column = {row.label: row.cells[0].figure for row in table.rows}
    assert first_column["2. Safety"].hidden  # two responses
    assert first_column["1. Introduction/Case Management"].hidden  # its complement
    assert table.footer is not None
    assert table.footer.cells[0].figure.mean == Decimal("2.20")


@pytest.mark.parametrize(
    ("fields", "held_sessions"),
    [
        ({"model": "peer_led"}, 1),
        ({"model": "participant_led"}, 1),
        ({"facilitator_id": "clinician"}, 1),
        ({"facilitator_id": "peer"}, 2),
        ({"group_id": "other"}, 0),
    ],
)
def test_every_figure_respects_the_filters(cast, fields, held_sessions):
    build_program(cast)
    other = GroupFactory(organization=cast.org, name="Other")
    if "facilitator_id" in fields:
        fields = {"facilitator_id": getattr(cast, fields["facilitator_id"]).pk}
    if "group_id" in fields:
        fields = {"group_id": other.pk}
    board = dashboard(cast, **fields)
    assert board.sessions.total.held == held_sessions
    assert sum(row.sessions for row in board.by_model.rows) == held_sessions
    assert len(board.coverage.groups.object_list) == (1 if held_sessions else 0)


def test_months_outside_the_range_are_left_out(cast):
    build_program(cast)
    rollups_refresh(cast.org)
    board = manager_dashboard(
        user=cast.manager,
        organization=cast.org,
        filters=DashboardFilters(first_month=APRIL, last_month=APRIL),
    )
    assert (board.sessions.total.held, board.sessions.total.planned) == (0, 1)
    assert board.retention.participants == 0


# --- The page -----------------------------------------------------------------------------


def page_url(organization, **query) -> str:
    url = reverse("dashboards:manager", kwargs={"org_code": organization.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_shows_the_figures_for_the_chosen_months(client, cast):
    build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    response = client.get(page_url(cast.org, from_month="2026-03", to_month="2026-04"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<svg class="chart"' in body
    assert re.search(
        r"March 2026</th><td>3</td><td>1</td><td>0</td><td>12</td><td>7</td><td>58%", body
    )
    assert "Snow: 1 session" in body
    assert "Tuesday evening" in body


def test_months_in_the_wrong_order_are_refused_and_said_so(client, cast):
    client.force_login(cast.manager)
    response = client.get(page_url(cast.org, from_month="2026-05", to_month="2026-03"))
    assert response.status_code == 400
    assert "The first month is after the last month" in response.content.decode()


def test_refresh_rebuilds_the_rollups_and_says_so(client, cast):
    build_program(cast)
    client.force_login(cast.manager)
    url = reverse("dashboards:manager_refresh", kwargs={"org_code": cast.org.code})
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "The figures were brought up to date (5 sessions)." in response.content.decode()
    assert SessionFact.objects.filter(organization=cast.org).count() == 5


def test_only_the_organizations_managers_see_it(client, cast):
    for user, status in [
        (cast.peer, 403),
        (cast.reviewer, 403),
        (cast.outsider_manager, 404),
        (cast.manager, 200),
    ]:
        client.force_login(user)
        assert client.get(page_url(cast.org)).status_code == status


def _grow(cast, program: Program) -> None:
    """More groups, people, sessions, attendance and feedback in the same months."""
    for n in range(3):
        more = build_program(cast, name=f"Group {n}", extra_people=3)
        respond(more.sessions[2], {"session_helpful": 2, "will_come_back": 1}, times=4)
    Enrollment.objects.filter(group=program.group).update(left_on=None)
    ParticipantFactory(organization=cast.org)


def test_the_page_costs_the_same_queries_whatever_the_data(
    client, cast, django_assert_num_queries, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0  # every request computes the figures
    program = build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    url = page_url(cast.org, from_month="2026-03", to_month="2026-04")
    client.get(url)  # warm the session and the per-request caches alike
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200
    _grow(cast, program)
    rollups_refresh(cast.org)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


QUERIES = 36


def test_a_computed_dashboard_is_kept_until_the_rollups_are_rebuilt(
    client, cast, django_assert_max_num_queries
):
    program = build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    url = page_url(cast.org, from_month="2026-03", to_month="2026-04")
    assert "Tuesday evening" in client.get(url).content.decode()
    with django_assert_max_num_queries(QUERIES - 20):
        body = client.get(url).content.decode()
    assert re.search(r"March 2026</th><td>3</td>", body)
    # A new session held: not seen until the rollups are rebuilt, then seen at once.
    session_on(program.group, datetime.date(2026, 3, 31), status=Session.Status.HELD)
    assert re.search(r"March 2026</th><td>3</td>", client.get(url).content.decode())
    rollups_refresh(cast.org)
    assert re.search(r"March 2026</th><td>4</td>", client.get(url).content.decode())


# --- Each table as a CSV ------------------------------------------------------------------


def table_url(organization, table, **query) -> str:
    url = reverse(
        "dashboards:manager_table_csv", kwargs={"org_code": organization.code, "table": table}
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_lines(response) -> list[list[str]]:
    import csv
    import io

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_a_table_downloads_with_the_filters_and_is_logged(client, cast):
    from dashboards.models import ExportLog
    from dashboards.streaming_csv import redisclosure_notice

    build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    response = client.get(
        table_url(cast.org, "sessions-per-month", from_month="2026-03", to_month="2026-04")
    )
    assert response.status_code == 200
    lines = csv_lines(response)
    assert lines[0] == [redisclosure_notice(cast.org)]
    assert lines[1][0] == "month"
    assert lines[2] == ["2026-03", "3", "1", "0", "12", "7", "0.583", "1"]
    assert lines[-1][0] == "all"
    log = ExportLog.objects.get(table="sessions-per-month")
    assert (log.kind, log.user, log.filters["from_month"]) == ("table", cast.manager, "2026-03")
    assert log.row_count == 3


def test_a_hidden_figure_is_an_empty_cell_named_in_the_last_column(client, cast):
    build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    lines = csv_lines(
        client.get(table_url(cast.org, "pilot-by-model", from_month="2026-03", to_month="2026-04"))
    )
    peer_led = next(line for line in lines if line[0] == "Peer-led")
    header = lines[1]
    assert peer_led[header.index("attendance_rate")] == ""
    assert "attendance_rate" in peer_led[header.index("hidden")]
    total = lines[-1]
    assert total[header.index("attendance_rate")] == "0.58"


def test_an_unknown_table_is_not_found_and_other_roles_get_nothing(client, cast):
    client.force_login(cast.manager)
    assert client.get(table_url(cast.org, "participants-names")).status_code == 404
    client.force_login(cast.peer)
    assert client.get(table_url(cast.org, "sessions-per-month")).status_code == 403


# --- The property: nothing small and nothing recoverable, whatever the filters ----------------

month_strategy = st.integers(0, 2).map(lambda n: datetime.date(2026, n + 1, 1))
dashboard_filters_strategy = st.fixed_dictionaries(
    {
        "first": month_strategy,
        "months": st.integers(0, 2),
        "group": st.none() | st.integers(0, 2),
        "model": st.sampled_from(MODELS),
    }
)


def assert_safe(table, k: int) -> None:
    """No shown figure rests on 1 to k-1 responses; no shown total has exactly one hidden
    part (it would be the total minus the shown ones)."""
    shown = [*table.cells.values(), *(table.column_margins or {}).values()]
    for figure in shown:
        if not figure.hidden:
            assert not 0 < figure.responses < k, figure
    for total, parts in relations(table):
        if not total.hidden:
            assert sum(1 for part in parts if part.hidden) != 1


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    generated=sessions_strategy,
    chosen=dashboard_filters_strategy,
    k=st.sampled_from([3, 5]),
)
def test_no_dashboard_figure_rests_on_a_few_or_gives_a_hidden_one_away(cast, generated, chosen, k):
    items = default_items()
    with transaction.atomic(), override_settings(FEEDBACK_MIN_CELL=k):
        groups = [GroupFactory(organization=cast.org, name=f"Group {n}") for n in range(3)]
        led_by = ParticipantFactory(organization=cast.org)
        for spec in generated:
            session = Session.objects.create(
                group=groups[spec["group"]],
                starts_at=datetime.datetime.combine(
                    START + datetime.timedelta(days=spec["day"]),
                    datetime.time(spec["hour"]),
                    tzinfo=datetime.UTC,
                ),
                duration_minutes=90,
                status=Session.Status.HELD,
                topic=Topic.objects.filter(order=spec["topic"]).first(),
                clinician=cast.clinician if spec["model"] == "peer_with_clinician" else None,
                led_by_participant=led_by if spec["model"] == "participant_led" else None,
            )
            for answered in spec["responses"]:
                response = FeedbackResponse.objects.create(
                    session=session, instrument=items["felt_safe"].instrument, submitted_on=START
                )
                FeedbackAnswer.objects.bulk_create(
                    FeedbackAnswer(response=response, item=items[key], number=answered[key])
                    for key in QUESTIONS
                    if answered[key] is not None
                )
        rollups_refresh(cast.org)
        first = chosen["first"]
        last = datetime.date(2026, min(first.month + chosen["months"], 3), 1)
        board = manager_dashboard(
            user=cast.manager,
            organization=cast.org,
            filters=DashboardFilters(
                first_month=first,
                last_month=last,
                group_id=None if chosen["group"] is None else groups[chosen["group"]].pk,
                model=chosen["model"],
            ),
        )
        for result in (
            board.feedback_by_topic,
            board.feedback_by_month,
            board.by_model.feedback,
            board.by_level.feedback,
        ):
            assert_safe(result.table, k)
        for comparison in (board.by_model, board.by_level):
            for name in ("responses", "attendance", "fidelity", "passing"):
                column = [getattr(row, name) for row in comparison.rows]
                total = getattr(comparison.total, name)
                for figure in (*column, total):
                    if not figure.hidden:
                        assert not 0 < figure.responses < k, (name, figure)
                if not total.hidden:
                    assert sum(1 for figure in column if figure.hidden) != 1, name
        transaction.set_rollback(True)


def test_a_tables_csv_costs_the_same_queries_whatever_the_data(
    client, cast, django_assert_num_queries
):
    program = build_program(cast)
    rollups_refresh(cast.org)
    client.force_login(cast.manager)
    url = table_url(cast.org, "feedback-by-topic", from_month="2026-03", to_month="2026-04")
    b"".join(client.get(url).streaming_content)
    with django_assert_num_queries(CSV_QUERIES):
        b"".join(client.get(url).streaming_content)
    _grow(cast, program)
    rollups_refresh(cast.org)
    with django_assert_num_queries(CSV_QUERIES):
        b"".join(client.get(url).streaming_content)


# With the access log's INSERT (audit.record_access).
CSV_QUERIES = 38
