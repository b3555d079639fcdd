"""The manager dashboard's adaptations section: counts by category and the latest ten
(what and why), of the sessions the filters keep; hand-computed figures, a fixed number of
queries, and the include (dates in the organization's time zone)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from dashboards.selectors.adaptations_panel import adaptations_panel
from dashboards.services import rollups_refresh
from sessions_app.models import Adaptation, FacilitatorAssignment
from tests.dashboards.panel_factories import WITH_CLINICIAN, months, session_with_fact
from tests.factories import GroupFactory
from tests.feedback.results_factories import session_on

pytestmark = pytest.mark.django_db

JAN, MARCH, MAY = (datetime.date(2026, m, 1) for m in (1, 3, 5))
SPRING = months(MARCH, MAY)
C = Adaptation.Category
ZONE = "America/Los_Angeles"


def adapted(session, category, what, why, by):
    return Adaptation.objects.create(
        session=session, category=category, what=what, why=why, created_by=by
    )


@pytest.fixture
def org(cast):
    cast.org.timezone = ZONE
    cast.org.save(update_fields=["timezone"])
    return cast.org


@pytest.fixture
def groups(cast, org):
    first = GroupFactory(organization=org, name="Monday", timezone=ZONE)
    second = GroupFactory(organization=org, name="Thursday", timezone=ZONE)
    peer, clinician = cast.peer, cast.clinician
    # 18:00 in Los Angeles on March 3 is already March 4 in UTC.
    march = session_with_fact(first, datetime.date(2026, 3, 3), team=[peer])
    adapted(march, C.TIME, "Started 20 minutes late", "Bus strike", peer)
    adapted(march, C.CONTENT, "Shorter handout", "Reading is hard for some", peer)
    clinic = session_with_fact(
        second, datetime.date(2026, 3, 10), team=[clinician], model=WITH_CLINICIAN, topic=5
    )
    adapted(clinic, C.LANGUAGE, "Read the quotation in Spanish", "Two Spanish speakers", clinician)
    may = session_with_fact(first, datetime.date(2026, 5, 5), team=[peer], topic=None)
    adapted(may, C.OTHER, "Met outdoors", "Room flooded", peer)
    adapted(may, C.OTHER, "Ended early", "Storm warning", peer)
    january = session_with_fact(first, datetime.date(2026, 1, 6), team=[peer])
    adapted(january, C.ACTIVITY, "Role play", "Outside the months", peer)
    other = session_with_fact(GroupFactory(organization=cast.other_org), datetime.date(2026, 3, 3))
    adapted(other, C.ORDER, "Elsewhere", "Another organization", cast.outsider)
    return first, second


def counts(panel) -> dict[str, int]:
    return {c.category: c.count for c in panel.categories}


def test_counts_by_category_and_the_latest_entries_newest_session_first(org, groups):
    panel = adaptations_panel(organization=org, filters=SPRING)
    assert counts(panel) == {
        "time": 1,
        "order": 0,
        "content": 1,
        "language": 1,
        "activity": 0,
        "other": 2,
    }
    assert panel.total == 5
    assert [c.label for c in panel.categories][:2] == ["Time", "Order"]
    assert [(e.what, e.why, e.category, e.group) for e in panel.latest] == [
        ("Ended early", "Storm warning", "Other", "Monday"),
        ("Met outdoors", "Room flooded", "Other", "Monday"),
        ("Read the quotation in Spanish", "Two Spanish speakers", "Language", "Thursday"),
        ("Shorter handout", "Reading is hard for some", "Content", "Monday"),
        ("Started 20 minutes late", "Bus strike", "Time", "Monday"),
    ]
    assert panel.latest[0].topic == ""
    assert panel.latest[2].topic.startswith("5. ")


def test_group_model_and_facilitator_filters_narrow_the_sessions(cast, org, groups):
    _first, second = groups
    for filters in (
        months(MARCH, MAY, group_id=second.pk),
        months(MARCH, MAY, model=WITH_CLINICIAN),
        months(MARCH, MAY, facilitator_id=cast.clinician.pk),
    ):
        panel = adaptations_panel(organization=org, filters=filters)
        assert panel.total == 1 and counts(panel)["language"] == 1, filters
        assert [e.what for e in panel.latest] == ["Read the quotation in Spanish"]
    peer = adaptations_panel(
        organization=org, filters=months(MARCH, MAY, facilitator_id=cast.peer.pk)
    )
    assert peer.total == 4
    january = adaptations_panel(organization=org, filters=months(JAN, JAN))
    assert [e.what for e in january.latest] == ["Role play"]


def build(cast, group, size: int) -> None:
    for n in range(size):
        session = session_with_fact(group, datetime.date(2026, 3 + n % 3, 1 + n), team=[cast.peer])
        adapted(session, C.values[n % len(C.values)], f"Change {n}", f"Reason {n}", cast.peer)


@pytest.mark.parametrize("size", [2, 14])
def test_the_panel_costs_two_queries_and_lists_at_most_ten(
    cast, org, size, django_assert_num_queries
):
    build(cast, GroupFactory(organization=org, timezone=ZONE), size)
    with django_assert_num_queries(2):
        panel = adaptations_panel(organization=org, filters=SPRING)
    assert panel.total == size
    assert len(panel.latest) == min(size, 10)


def render(panel, organization) -> str:
    return render_to_string(
        "dashboards/manager/_adaptations.html",
        {"adaptations_panel": panel, "organization": organization},
    )


def test_the_include_lists_what_and_why_with_dates_in_the_organizations_zone(org, groups):
    html = render(adaptations_panel(organization=org, filters=SPRING), org)
    assert "<section" in html and "<h2" in html
    assert html.count('class="table-responsive" tabindex="0" role="region"') == 2
    assert "March 3, 2026" in html and "March 4, 2026" not in html
    assert "Bus strike" in html and "Started 20 minutes late" in html


def test_the_include_says_when_there_is_nothing_to_show(org):
    html = render(adaptations_panel(organization=org, filters=SPRING), org)
    assert "No adaptation was noted" in html
    assert "<table" not in html


def test_the_include_reads_in_spanish(org, groups):
    with translation.override("es"):
        html = render(adaptations_panel(organization=org, filters=SPRING), org)
    assert "Adaptaciones" in html
    assert "Últimas adaptaciones" in html


def test_the_figures_agree_with_the_rollups_the_refresh_writes(cast, org):
    group = GroupFactory(organization=org, timezone=ZONE)
    FacilitatorAssignment.objects.create(
        group=group, user=cast.peer, role=FacilitatorAssignment.Role.LEAD_PEER
    )
    planned = session_on(group, datetime.date(2026, 4, 7))  # not held: the group's team
    adapted(planned, C.ORDER, "Quotation last", "Late arrivals", cast.peer)
    rollups_refresh(org)

    mine = adaptations_panel(
        organization=org, filters=months(MARCH, MAY, facilitator_id=cast.peer.pk)
    )
    assert counts(mine)["order"] == 1
    theirs = adaptations_panel(
        organization=org, filters=months(MARCH, MAY, facilitator_id=cast.clinician.pk)
    )
    assert theirs.total == 0
