"""The staff results page: who sees what, every figure suppressed (invariant 3), comments
only pooled, a manager hides a comment, a fixed number of queries, and a property test
over random feedback and every filter the page offers."""

import datetime
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.models import Role
from curriculum.models import Topic
from feedback.forms.results import DATES_IN_WRONG_ORDER, ResultsFilterForm
from feedback.models import FeedbackAnswer, FeedbackResponse
from feedback.selectors.results import (
    comments_by_topic,
    feedback_results_by,
    feedback_totals,
    results_page,
    results_scope,
)
from feedback.selectors.suppression import SuppressedTable
from sessions_app.models import Session
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    ParticipantFactory,
)
from tests.feedback.results_factories import default_items, respond, session_on

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 3)
APRIL = datetime.date(2026, 4, 7)
HIDDEN = "fewer than 5 responses"


def results_url(organization) -> str:
    return reverse("feedback:results", kwargs={"org_code": organization.code})


def hide_url(answer) -> str:
    return reverse("feedback:comment_hide", kwargs={"answer_id": answer.pk})


def section(body: str, heading_id: str) -> str:
    """The HTML of one section of the page, from its heading to the next section."""
    start = body.index(f'id="{heading_id}"')
    return body[start : body.index("</section>", start)]


def page_for(user, organization, **filters):
    manages = (
        user.memberships.filter(organization=organization).values_list("role", flat=True).first()
    ) == Role.MANAGER
    scope = results_scope(user=user, organization=organization, manages=manages)
    form = ResultsFilterForm(filters or None, groups=scope.groups, items=scope.quantitative_items)
    if filters:
        form.is_valid()
    return results_page(scope=scope, filters=form.filters())


@pytest.fixture
def groups(cast):
    """Two groups of org: the peer facilitates Tuesdays only."""
    tuesday = GroupFactory(organization=cast.org, name="Tuesday evening")
    thursday = GroupFactory(organization=cast.org, name="Thursday morning")
    FacilitatorAssignmentFactory(group=tuesday, user=cast.peer)
    return tuesday, thursday


# --- Who sees what --------------------------------------------------------------------


def test_a_manager_sees_every_group_of_the_organization(client, cast, groups):
    tuesday, thursday = groups
    respond(session_on(tuesday, MARCH), {"session_helpful": 3}, times=5)
    respond(session_on(thursday, MARCH), {"session_helpful": 1}, times=6)
    client.force_login(cast.manager)
    body = client.get(results_url(cast.org)).content.decode()
    over_time = section(body, "time-heading")
    assert "Tuesday evening" in over_time and "Thursday morning" in over_time
    assert "11 responses" in over_time


def test_a_facilitator_sees_only_the_groups_they_facilitate(client, cast, groups):
    tuesday, thursday = groups
    respond(session_on(tuesday, MARCH), {"session_helpful": 3}, times=5)
    respond(session_on(thursday, MARCH), {"session_helpful": 1}, times=6)
    client.force_login(cast.peer)
    response = client.get(results_url(cast.org))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Thursday morning" not in body
    assert "Tuesday evening" in section(body, "time-heading")
    assert "6 responses" not in body and "11 responses" not in body
    assert page_for(cast.peer, cast.org).over_time.table.grand_total.responses == 5


def test_a_facilitator_of_no_group_sees_no_feedback(client, cast, groups):
    respond(session_on(groups[1], MARCH), {"session_helpful": 1}, times=6)
    client.force_login(cast.clinician)
    body = client.get(results_url(cast.org)).content.decode()
    assert "You do not facilitate a group yet" in body
    assert "Thursday morning" not in body


def test_a_facilitator_cannot_filter_on_another_facilitators_group(client, cast, groups):
    thursday = groups[1]
    respond(session_on(thursday, MARCH), {"session_helpful": 1}, times=6)
    client.force_login(cast.peer)
    response = client.get(results_url(cast.org), {"group": str(thursday.code)})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "6 responses" not in response.content.decode()


def test_a_member_of_another_organization_gets_404(client, cast, groups):
    for user in (cast.outsider, cast.outsider_manager, cast.admin):
        client.force_login(user)
        assert client.get(results_url(cast.org)).status_code == 404


def test_a_reviewer_gets_403(client, cast):
    client.force_login(cast.reviewer)
    assert client.get(results_url(cast.org)).status_code == 403


def test_the_navigation_links_managers_and_facilitators_to_the_results(client, cast):
    for user, linked in ((cast.manager, True), (cast.peer, True), (cast.reviewer, False)):
        client.force_login(user)
        body = client.get(reverse("home")).content.decode()
        assert (f'href="{results_url(cast.org)}"' in body) is linked, user


# --- Suppression at the threshold, on every view --------------------------------------------


def test_by_topic_hides_a_figure_on_k_minus_1_responses_and_shows_it_on_k(cast, groups):
    session = session_on(groups[0], MARCH, topic=3)
    respond(session, {"topic_helpful": 2}, times=4)
    table = page_for(cast.manager, cast.org).by_topic.table
    topic = (Topic.objects.get(order=3).pk,)
    assert table.cell(topic, "topic_helpful").hidden
    assert table.column_margin("topic_helpful").hidden

    respond(session, {"topic_helpful": 3})
    table = page_for(cast.manager, cast.org).by_topic.table
    shown = table.cell(topic, "topic_helpful")
    assert (shown.hidden, shown.responses, shown.sessions, shown.mean) == (
        False,
        5,
        1,
        Decimal("2.20"),
    )


def test_over_time_hides_a_cell_on_k_minus_1_responses_and_shows_it_on_k(cast, groups):
    session = session_on(groups[0], MARCH)
    respond(session, {"session_helpful": 3}, times=4)
    table = page_for(cast.manager, cast.org).over_time.table
    march = MARCH.replace(day=1)
    assert table.cell(groups[0].pk, march).hidden
    assert table.grand_total.hidden

    respond(session, {"session_helpful": 3})
    table = page_for(cast.manager, cast.org).over_time.table
    assert table.cell(groups[0].pk, march).responses == 5
    assert table.grand_total.responses == 5


def test_by_facilitation_model_hides_a_figure_on_k_minus_1_and_shows_it_on_k(cast, groups):
    led = session_on(groups[0], MARCH, led_by_participant=ParticipantFactory(organization=cast.org))
    respond(led, {"felt_safe": 1}, times=4)
    table = page_for(cast.manager, cast.org).by_model.table
    assert table.cell("participant_led", "felt_safe").hidden
    assert table.cell("peer_led", "felt_safe").responses == 0

    respond(led, {"felt_safe": 0})
    figure = page_for(cast.manager, cast.org).by_model.table.cell("participant_led", "felt_safe")
    assert (figure.hidden, figure.responses, figure.mean) == (False, 5, Decimal("0.80"))


def test_a_yes_no_question_shows_the_share_who_said_yes(client, cast, groups):
    respond(session_on(groups[0], MARCH), {"felt_safe": 1}, times=4)
    respond(session_on(groups[0], APRIL), {"felt_safe": 0}, times=1)
    client.force_login(cast.manager)
    body = client.get(results_url(cast.org), {"item": "felt_safe"}).content.decode()
    assert "80% yes" in section(body, "time-heading")


def test_complementary_suppression_is_visible_on_the_page(client, cast, groups):
    # One group: 6 responses in March and 2 in April. April is hidden for being small;
    # March would give April away (the group's total minus March), so it is hidden too.
    respond(session_on(groups[0], MARCH), {"session_helpful": 3}, times=6)
    respond(session_on(groups[0], APRIL), {"session_helpful": 1}, times=2)
    client.force_login(cast.manager)
    over_time = section(client.get(results_url(cast.org)).content.decode(), "time-heading")
    first_row = re.search(r"<tbody>(.*?)</tr>", over_time, re.S).group(1)
    assert first_row.count(HIDDEN) == 2
    assert "8 responses" in first_row  # the group's total
    assert "6 responses" not in over_time
    assert "and so are some others that would let them be worked out" in over_time


def test_every_figure_says_how_many_responses_and_sessions_it_rests_on(client, cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 2}, times=3)
    respond(
        session_on(groups[0], MARCH + datetime.timedelta(days=7)), {"session_helpful": 3}, times=3
    )
    client.force_login(cast.manager)
    topic = section(client.get(results_url(cast.org)).content.decode(), "topic-heading")
    assert "2.5 of 3" in topic
    assert "6 responses</span>, <span" in topic and "2 sessions" in topic


# --- Filters --------------------------------------------------------------------------------


def test_every_view_follows_the_date_range_on_the_sessions_date(cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 3}, times=7)
    respond(session_on(groups[1], APRIL), {"session_helpful": 1}, times=6)
    page = page_for(cast.manager, cast.org, date_from="2026-04-01", date_to="2026-04-30")
    assert page.by_topic.table.column_margin("session_helpful").responses == 6
    assert page.by_model.table.column_margin("session_helpful").responses == 6
    assert page.over_time.table.grand_total.responses == 6
    assert page.over_time.table.rows == (groups[1].pk,)


def test_the_sessions_date_is_where_its_group_meets(cast):
    tokyo = GroupFactory(organization=cast.org, timezone="Asia/Tokyo")
    # 20:00 UTC on 31 March is already 1 April in Tokyo.
    session = session_on(tokyo, datetime.date(2026, 4, 1), hour=5)
    assert session.starts_at.astimezone(ZoneInfo("UTC")).date() == datetime.date(2026, 3, 31)
    respond(session, {"session_helpful": 3}, times=5)
    page = page_for(cast.manager, cast.org, date_from="2026-04-01")
    assert page.over_time.table.columns == (datetime.date(2026, 4, 1),)
    assert page.over_time.table.grand_total.responses == 5
    assert page_for(cast.manager, cast.org, date_to="2026-03-31").over_time.table.rows == ()


def test_every_view_follows_the_group_and_the_facilitation_model(cast, groups):
    tuesday, thursday = groups
    respond(session_on(tuesday, MARCH), {"session_helpful": 3}, times=5)
    respond(session_on(thursday, MARCH, clinician=cast.clinician), {"session_helpful": 1}, times=6)
    by_group = page_for(cast.manager, cast.org, group=str(thursday.code))
    by_model = page_for(cast.manager, cast.org, model="peer_with_clinician")
    for page in (by_group, by_model):
        assert page.by_topic.table.column_margin("session_helpful").responses == 6
        assert page.over_time.table.rows == (thursday.pk,)
    assert by_group.by_model.table.cell("peer_with_clinician", "session_helpful").responses == 6
    assert by_model.by_model.table.rows == ("peer_with_clinician",)


def test_the_question_over_time_is_chosen_in_the_filters(cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 3, "felt_safe": 1}, times=5)
    respond(session_on(groups[0], APRIL), {"felt_safe": 0}, times=5)
    page = page_for(cast.manager, cast.org, item="felt_safe")
    assert page.item.key == "felt_safe"
    assert page.over_time.table.grand_total.responses == 10
    assert page_for(cast.manager, cast.org).over_time.table.grand_total.responses == 5


def test_a_bad_date_is_refused_clearly_and_the_page_still_shows_the_rest(client, cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 3}, times=5)
    client.force_login(cast.manager)
    response = client.get(results_url(cast.org), {"date_from": "3 March", "group": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in body and "Enter a valid date." in body
    assert "A filter with an error was left out" in body
    assert "5 responses" in section(body, "time-heading")


def test_dates_in_the_wrong_order_are_refused_and_left_out(client, cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 3}, times=5)
    client.force_login(cast.manager)
    response = client.get(
        results_url(cast.org), {"date_from": "2026-04-01", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert str(DATES_IN_WRONG_ORDER) in response.content.decode()
    assert "5 responses" in section(response.content.decode(), "time-heading")


@pytest.mark.parametrize("value", ["a" * 10_000, "2026-13-40", "'; DROP TABLE x; --", "Tue\x00"])
def test_bad_filter_values_get_a_page_not_a_server_error(client, cast, groups, value):
    client.force_login(cast.manager)
    for name in ("date_from", "date_to", "group", "model", "item"):
        response = client.get(results_url(cast.org), {name: value})
        assert response.status_code == 400, name
        assert 'data-testid="error-summary"' in response.content.decode()
    assert client.get(results_url(cast.org), {"unknown": value}).status_code == 200


def test_a_nul_byte_alone_is_no_filter_at_all(client, cast, groups):
    client.force_login(cast.manager)
    for name in ("date_from", "group", "model", "item"):
        assert client.get(results_url(cast.org), {name: "\x00"}).status_code == 200, name


# --- Comments -------------------------------------------------------------------------------


def comment_texts(user, organization) -> list[str]:
    scope = results_scope(
        user=user, organization=organization, manages=user.memberships.get().role == "manager"
    )
    return [
        comment.text
        for topic in comments_by_topic(scope=scope)
        for pool in topic.pools
        for comment in pool.comments
    ]


def comments(session, texts, key="take_with_you"):
    for text in texts:
        respond(session, {key: text})


def test_comments_from_one_session_only_are_not_shown(client, cast, groups):
    comments(session_on(groups[0], MARCH), [f"One session {n}" for n in range(8)])
    assert comment_texts(cast.manager, cast.org) == []
    client.force_login(cast.manager)
    assert "One session" not in client.get(results_url(cast.org)).content.decode()


def test_comments_from_two_sessions_but_k_minus_1_of_them_are_not_shown(cast, groups):
    comments(session_on(groups[0], MARCH), ["First a", "First b"])
    comments(session_on(groups[1], APRIL), ["Second a", "Second b"])
    assert comment_texts(cast.manager, cast.org) == []


def test_comments_from_two_sessions_and_k_of_them_are_shown_pooled_without_dates(
    client, cast, groups
):
    comments(session_on(groups[0], MARCH), ["First a", "First b", "First c"])
    comments(session_on(groups[1], APRIL), ["Second a", "Second b"])
    assert sorted(comment_texts(cast.manager, cast.org)) == [
        "First a",
        "First b",
        "First c",
        "Second a",
        "Second b",
    ]
    client.force_login(cast.manager)
    shown = section(client.get(results_url(cast.org)).content.decode(), "comments-heading")
    assert "Second b" in shown and "5 comments" in shown and "2 sessions" in shown
    for day in (MARCH, APRIL):
        assert day.isoformat() not in shown and day.strftime("%B") not in shown
    assert "Tuesday evening" not in shown and "Thursday morning" not in shown


def test_comments_are_pooled_by_topic_not_across_topics(cast, groups):
    comments(session_on(groups[0], MARCH, topic=2), ["Safety a", "Safety b", "Safety c"])
    comments(session_on(groups[1], APRIL, topic=3), ["PTSD a", "PTSD b"])
    assert comment_texts(cast.manager, cast.org) == []


def test_comments_come_in_a_new_random_order(cast, groups):
    texts = [f"Comment {n}" for n in range(10)]
    comments(session_on(groups[0], MARCH), texts[:5])
    comments(session_on(groups[1], APRIL), texts[5:])
    orders = {tuple(comment_texts(cast.manager, cast.org)) for _ in range(6)}
    assert len(orders) > 1
    assert all(sorted(order) == sorted(texts) for order in orders)


def test_the_filters_do_not_single_out_comments(client, cast, groups):
    comments(session_on(groups[0], MARCH), ["First a", "First b", "First c"])
    comments(session_on(groups[1], APRIL), ["Second a", "Second b"])
    client.force_login(cast.manager)
    narrowed = client.get(results_url(cast.org), {"group": str(groups[0].code)})
    shown = section(narrowed.content.decode(), "comments-heading")
    assert "Second a" in shown and "First a" in shown


def test_a_facilitator_sees_their_groups_comments_and_no_hide_button(client, cast, groups):
    tuesday, thursday = groups
    comments(session_on(tuesday, MARCH), ["Tue a", "Tue b", "Tue c"])
    comments(session_on(tuesday, APRIL), ["Tue d", "Tue e"])
    comments(session_on(thursday, APRIL), ["Thu a", "Thu b", "Thu c"])
    assert sorted(comment_texts(cast.peer, cast.org)) == [
        "Tue a",
        "Tue b",
        "Tue c",
        "Tue d",
        "Tue e",
    ]
    client.force_login(cast.peer)
    body = client.get(results_url(cast.org)).content.decode()
    assert "Tue e" in body and "Thu a" not in body
    assert "/hide/" not in body


def test_a_manager_hides_a_comment_after_confirming_and_it_never_shows_again(client, cast, groups):
    comments(session_on(groups[0], MARCH), ["Ask Maria at the shelter", "b", "c"])
    comments(session_on(groups[1], APRIL), ["d", "e", "f"])
    answer = FeedbackAnswer.objects.get(text="Ask Maria at the shelter")
    client.force_login(cast.manager)
    assert hide_url(answer) in client.get(results_url(cast.org)).content.decode()

    asked = client.post(hide_url(answer))
    assert asked.status_code == 200
    assert "Hide this comment?" in asked.content.decode()
    assert "Ask Maria" not in asked.content.decode()
    answer.refresh_from_db()
    assert not answer.hidden

    done = client.post(hide_url(answer), {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == results_url(cast.org)
    answer.refresh_from_db()
    assert (answer.hidden, answer.hidden_by) == (True, cast.manager)
    assert "Ask Maria" not in client.get(results_url(cast.org)).content.decode()
    assert sorted(comment_texts(cast.manager, cast.org)) == ["b", "c", "d", "e", "f"]


def test_a_hidden_comment_no_longer_counts_toward_the_minimum(cast, groups):
    comments(session_on(groups[0], MARCH), ["a", "b", "c"])
    comments(session_on(groups[1], APRIL), ["d", "e"])
    assert len(comment_texts(cast.manager, cast.org)) == 5
    FeedbackAnswer.objects.filter(text="e").update(hidden=True, hidden_by=cast.manager)
    assert comment_texts(cast.manager, cast.org) == []


def test_a_facilitator_cannot_hide_a_comment(client, cast, groups):
    comments(session_on(groups[0], MARCH), ["a"])
    answer = FeedbackAnswer.objects.get(text="a")
    client.force_login(cast.peer)
    assert client.post(hide_url(answer), {"confirm": "1"}).status_code == 403
    answer.refresh_from_db()
    assert not answer.hidden


def test_another_organizations_manager_gets_404_and_a_get_gets_405(client, cast, groups):
    comments(session_on(groups[0], MARCH), ["a"])
    answer = FeedbackAnswer.objects.get(text="a")
    client.force_login(cast.outsider_manager)
    assert client.post(hide_url(answer), {"confirm": "1"}).status_code == 404
    client.force_login(cast.manager)
    assert client.get(hide_url(answer)).status_code == 405
    answer.refresh_from_db()
    assert not answer.hidden


def test_only_comments_can_be_hidden_not_ratings(client, cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 0})
    rating = FeedbackAnswer.objects.get()
    client.force_login(cast.manager)
    assert client.post(hide_url(rating), {"confirm": "1"}).status_code == 404
    rating.refresh_from_db()
    assert not rating.hidden


# --- The page in Spanish ---------------------------------------------------------------------


def test_the_page_is_in_spanish(client, cast, groups):
    respond(session_on(groups[0], MARCH), {"session_helpful": 3}, times=2)
    client.force_login(cast.manager)
    body = client.get(results_url(cast.org), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Resultados de las opiniones" in body
    assert "menos de 5 respuestas" in body
    assert "marzo de 2026" in body


# --- Queries --------------------------------------------------------------------------------


def build_feedback(cast, groups, *, weeks: int) -> None:
    """Per week and group: a session (some held, some with a clinician or led by a
    participant) with ratings and comments."""
    participant = ParticipantFactory(organization=cast.org)
    for week in range(weeks):
        for n, group in enumerate(groups):
            session = session_on(
                group,
                MARCH + datetime.timedelta(weeks=week),
                topic=2 + week % 3,
                clinician=cast.clinician if n else None,
                led_by_participant=participant if week % 2 else None,
                status=Session.Status.HELD if week == 0 else Session.Status.PLANNED,
            )
            respond(session, {"session_helpful": 2, "felt_safe": 1, "take_with_you": "x"}, times=3)


# ... and the access log's INSERT (the page shows comments: audit.record_access).
RESULTS_PAGE_QUERIES = 14


@pytest.mark.parametrize("weeks", [2, 10])
def test_the_page_makes_a_fixed_number_of_queries(
    client, cast, groups, weeks, django_assert_num_queries
):
    build_feedback(cast, groups, weeks=weeks)
    client.force_login(cast.manager)
    with django_assert_num_queries(RESULTS_PAGE_QUERIES):
        response = client.get(results_url(cast.org), {"model": "peer_led", "item": "felt_safe"})
    assert response.status_code == 200


def test_the_generic_selector_takes_any_category_in_one_query(
    cast, groups, django_assert_num_queries
):
    build_feedback(cast, groups, weeks=3)
    sessions = Session.objects.filter(group__organization=cast.org)
    level = {
        pk: "trained" if pk % 2 else "certified" for pk in sessions.values_list("pk", flat=True)
    }
    with django_assert_num_queries(1):
        table = feedback_results_by(
            sessions=sessions, categories=level, items=["session_helpful"], order=["trained"]
        )
    assert isinstance(table, SuppressedTable)
    assert table.rows == ("trained", "certified")
    assert table.column_margin("session_helpful").responses == 18
    total = sum(table.cell(row, "session_helpful").responses or 0 for row in table.rows)
    assert total in (0, 18)  # both shown, or both hidden when one is small


# --- The property: nothing small, nothing recoverable, whatever the filters ---------------------

QUESTIONS = {"session_helpful": 4, "facilitator_helpful": 4, "felt_safe": 2}
TOPICS = [None, 2, 3]
MODELS = ["", "peer_led", "peer_with_clinician", "participant_led"]
START = datetime.date(2026, 1, 1)

sessions_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "group": st.integers(0, 2),
            "day": st.integers(0, 80),
            "hour": st.sampled_from([1, 12, 23]),
            "topic": st.sampled_from(TOPICS),
            "model": st.sampled_from(MODELS[1:]),
            "responses": st.lists(
                st.fixed_dictionaries(
                    {
                        key: st.none() | st.integers(0, points - 1)
                        for key, points in QUESTIONS.items()
                    }
                    | {"text": st.sampled_from(["", "kept", "hidden"])}
                ),
                max_size=9,
            ),
        }
    ),
    min_size=1,
    max_size=7,
)
day_strategy = st.none() | st.integers(0, 80).map(lambda n: START + datetime.timedelta(days=n))
filters_strategy = st.fixed_dictionaries(
    {
        "date_from": day_strategy,
        "date_to": day_strategy,
        "group": st.none() | st.integers(0, 2),
        "model": st.sampled_from(MODELS),
        "item": st.sampled_from(list(QUESTIONS)),
    }
)


def relations(table: SuppressedTable):
    """(total, parts) for every sum a reader can subtract with."""
    found = []
    if table.row_margins is not None:
        for row in table.rows:
            found.append((table.row_margin(row), [table.cell(row, c) for c in table.columns]))
    if table.column_margins is not None:
        for column in table.columns:
            found.append((table.column_margin(column), [table.cell(r, column) for r in table.rows]))
    if table.grand_total is not None and table.row_margins is not None:
        found.append((table.grand_total, [table.row_margin(r) for r in table.rows]))
    if table.grand_total is not None and table.column_margins is not None:
        found.append((table.grand_total, [table.column_margin(c) for c in table.columns]))
    return found


def figures(table: SuppressedTable):
    yield from table.cells.items()
    for row, figure in (table.row_margins or {}).items():
        yield (row, None), figure
    for column, figure in (table.column_margins or {}).items():
        yield (None, column), figure
    if table.grand_total is not None:
        yield (None, None), table.grand_total


def check_table(table: SuppressedTable, truth: dict, k: int) -> None:
    """No shown figure rests on 1 to k-1 responses, each shown one is right, no hidden
    figure is a shown total minus shown parts, and what is hidden in one sum pools at
    least k responses."""
    for key, figure in figures(table):
        responses, total = truth.get(key, (0, 0))
        if figure.hidden:
            assert responses > 0, (key, "a hidden zero")
            continue
        assert figure.responses == responses, key
        assert not 0 < responses < k, (key, responses)
        if responses:
            mean = (Decimal(total) / responses).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert figure.mean == mean, key
    for (row, column), (responses, _) in truth.items():
        if row is not None and column is not None and responses:
            assert row in table.rows and column in table.columns, (row, column)
    for total, parts in relations(table):
        hidden = [part for part in parts if part.hidden]
        if not total.hidden:
            assert len(hidden) != 1, "a hidden figure is the total minus the shown ones"


def local_day(starts_at: datetime.datetime, zone: str) -> datetime.date:
    return starts_at.astimezone(ZoneInfo(zone)).date()


@pytest.fixture
def world(cast):
    zones = ["UTC", "America/New_York", "Asia/Tokyo"]
    groups = [
        GroupFactory(organization=cast.org, name=f"Group {n}", timezone=zone)
        for n, zone in enumerate(zones)
    ]
    for group in groups[:2]:
        FacilitatorAssignmentFactory(group=group, user=cast.peer)
    return {
        "groups": groups,
        "participant": ParticipantFactory(organization=cast.org),
        "items": default_items(),
        "topics": {order: Topic.objects.get(order=order) for order in TOPICS if order},
    }


@hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    generated=sessions_strategy,
    chosen=filters_strategy,
    k=st.sampled_from([3, 5]),
    viewer=st.sampled_from(["manager", "peer"]),
)
def test_no_shown_figure_rests_on_a_few_responses_or_gives_a_hidden_one_away(
    cast, world, generated, chosen, k, viewer
):
    groups, items, user = world["groups"], world["items"], getattr(cast, viewer)
    with transaction.atomic(), override_settings(FEEDBACK_MIN_CELL=k):
        made = []
        for spec in generated:
            group = groups[spec["group"]]
            session = Session.objects.create(
                group=group,
                starts_at=datetime.datetime.combine(
                    START + datetime.timedelta(days=spec["day"]),
                    datetime.time(spec["hour"]),
                    tzinfo=ZoneInfo("UTC"),
                ),
                duration_minutes=90,
                topic=world["topics"].get(spec["topic"]),
                clinician=cast.clinician if spec["model"] == "peer_with_clinician" else None,
                led_by_participant=world["participant"]
                if spec["model"] == "participant_led"
                else None,
            )
            made.append((session, spec))
        responses = FeedbackResponse.objects.bulk_create(
            [
                FeedbackResponse(
                    session=session, instrument=items["felt_safe"].instrument, submitted_on=START
                )
                for session, spec in made
                for _ in spec["responses"]
            ]
        )
        answers, position = [], 0
        for _session, spec in made:
            for answered in spec["responses"]:
                response = responses[position]
                position += 1
                for key in QUESTIONS:
                    if answered[key] is not None:
                        answers.append(
                            FeedbackAnswer(response=response, item=items[key], number=answered[key])
                        )
                if answered["text"]:
                    answers.append(
                        FeedbackAnswer(
                            response=response,
                            item=items["should_change"],
                            text=f"{answered['text']} {position}",
                            hidden=answered["text"] == "hidden",
                        )
                    )
        FeedbackAnswer.objects.bulk_create(answers)

        manages = viewer == "manager"
        scope = results_scope(user=user, organization=cast.org, manages=manages)
        data = {
            "date_from": chosen["date_from"].isoformat() if chosen["date_from"] else "",
            "date_to": chosen["date_to"].isoformat() if chosen["date_to"] else "",
            "group": "" if chosen["group"] is None else str(groups[chosen["group"]].code),
            "model": chosen["model"],
            "item": chosen["item"],
        }
        form = ResultsFilterForm(data, groups=scope.groups, items=scope.quantitative_items)
        form.is_valid()
        filters = form.filters()
        page = results_page(scope=scope, filters=filters)
        pools = comments_by_topic(scope=scope)

        # What the tables should say, worked out here from the rows made above.
        visible = {g.pk for g in groups} if manages else {g.pk for g in groups[:2]}
        by_topic, by_model, over_time = (defaultdict(lambda: [0, 0]) for _ in range(3))
        texts = defaultdict(lambda: ([], set()))
        for session, spec in made:
            if session.group_id not in visible:
                continue
            topic = (session.topic_id,) if session.topic_id else ()
            for answered in spec["responses"]:
                if answered["text"] == "kept":
                    texts[topic][0].append(answered["text"])
                    texts[topic][1].add(session.pk)
            day = local_day(session.starts_at, session.group.timezone)
            if not spec["responses"]:
                continue
            if (filters.date_from and day < filters.date_from) or (
                filters.date_to and day > filters.date_to
            ):
                continue
            if filters.group_id and session.group_id != filters.group_id:
                continue
            if filters.model and spec["model"] != filters.model:
                continue
            month = day.replace(day=1)
            for answered in spec["responses"]:
                for key in QUESTIONS:
                    value = answered[key]
                    if value is None:
                        continue
                    for truth, cell in (
                        (by_topic, (topic, key)),
                        (by_topic, (None, key)),
                        (by_model, (spec["model"], key)),
                        (by_model, (None, key)),
                    ):
                        truth[cell][0] += 1
                        truth[cell][1] += value
                    if key == page.item.key:
                        for cell in (
                            (session.group_id, month),
                            (session.group_id, None),
                            (None, month),
                            (None, None),
                        ):
                            over_time[cell][0] += 1
                            over_time[cell][1] += value

        assert page.item.key == chosen["item"]
        check_table(page.by_topic.table, dict(by_topic), k)
        check_table(page.by_model.table, dict(by_model), k)
        check_table(page.over_time.table, dict(over_time), k)
        for topic in pools:
            for pool in topic.pools:
                assert pool.figure.responses >= k and pool.figure.sessions >= 2
                assert all(comment.text.startswith("kept") for comment in pool.comments)
        shown_pools = sum(len(topic.pools) for topic in pools)
        expected_pools = sum(
            1 for found, sessions in texts.values() if len(found) >= k and len(sessions) >= 2
        )
        assert shown_pools == expected_pools
        transaction.set_rollback(True)


def test_the_totals_count_shown_answers_only(cast, groups):
    session = session_on(groups[0], MARCH)
    respond(session, {"session_helpful": 2}, times=3)
    first = FeedbackAnswer.objects.filter(response__session=session).order_by("pk")[0]
    FeedbackAnswer.objects.filter(pk=first.pk).update(hidden=True)
    totals = feedback_totals(sessions=Session.objects.filter(pk=session.pk))
    assert totals.per_session[(session.pk, "session_helpful")].responses == 2
