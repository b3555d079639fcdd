"""The manager dashboard's facilitators section: trainings expiring or expired on the
organization's today, the certification pipeline, fidelity part means per month, bench
depth; each filter's effect, hand-computed figures, a fixed number of queries, and the
include that renders it."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import Role
from dashboards.selectors.facilitator_panel import facilitator_panel
from facilitators.models import CertificationState
from sessions_app.models import FacilitatorAssignment
from tests.dashboards.panel_factories import (
    WITH_CLINICIAN,
    months,
    recording_of,
    review_of,
    session_with_fact,
)
from tests.facilitators.factories import CertificationEventFactory, SeekingSafetyTrainingFactory
from tests.facilitators.review_factories import rubric_with
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    TrainingRecordFactory,
    member,
    profile_of,
    training_type,
)

pytestmark = pytest.mark.django_db

# 13:00 in UTC is already June 16 in Auckland, where the organization is.
NOW = datetime.datetime(2026, 6, 15, 13, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 6, 16)
MARCH, APRIL, MAY = (datetime.date(2026, m, 1) for m in (3, 4, 5))
SPRING = months(MARCH, MAY)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def org(cast):
    cast.org.timezone = "Pacific/Auckland"
    cast.org.save(update_fields=["timezone"])
    return cast.org


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def ss_training(user, org, *, completed=None, expires=None, **fields):
    return TrainingRecordFactory(
        profile=profile_of(user, org),
        completed_on=completed or days(-400),
        expires_on=expires,
        **fields,
    )


# --- Trainings ---------------------------------------------------------------------------


def test_trainings_expiring_within_60_days_and_expired_are_listed_by_facilitator(cast, org):
    ana = member(org, Role.FACILITATOR, display_name="Ana")
    bo = member(org, Role.FACILITATOR, display_name="Bo")
    cy = member(org, Role.FACILITATOR, display_name="Cy")
    ss_training(ana, org, expires=days(60))  # the last day listed
    ss_training(ana, org, expires=days(-1), training_type=training_type("trauma-informed-care"))
    ss_training(bo, org, expires=days(61))  # not yet
    ss_training(cy, org, expires=days(-30))  # expired, then renewed: not listed
    ss_training(cy, org, completed=days(-10), expires=days(1000))
    ss_training(cast.peer, org, expires=days(5), status="pending")  # unverified
    gone = member(org, Role.FACILITATOR, display_name="Di")
    ss_training(gone, org, expires=days(3))
    profile = profile_of(gone, org)
    profile.active = False
    profile.save()
    ss_training(cast.outsider, cast.other_org, expires=days(3))  # another organization

    panel = facilitator_panel(organization=org, filters=SPRING)

    assert panel.today == TODAY
    assert [(t.facilitator, t.training, t.days_left, t.expired) for t in panel.expiring] == [
        ("Ana", "Trauma-informed care and psychoeducation", -1, True),
        ("Ana", "Seeking Safety one-day training", 60, False),
    ]
    assert (panel.expired_count, panel.expiring_count) == (1, 1)


def test_the_organizations_today_decides_what_has_expired(cast, org):
    # June 15 is still today in UTC, but yesterday in Auckland.
    ss_training(cast.peer, org, expires=datetime.date(2026, 6, 15))
    (training,) = facilitator_panel(organization=org, filters=SPRING).expiring
    assert training.expired and training.days_left == -1


def test_group_and_facilitator_filters_narrow_trainings_and_pipeline(cast, org):
    group = GroupFactory(organization=org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    ss_training(cast.peer, org, expires=days(10))
    ss_training(cast.clinician, org, expires=days(20))

    by_group = facilitator_panel(organization=org, filters=months(MARCH, MAY, group_id=group.pk))
    assert [t.facilitator for t in by_group.expiring] == [cast.peer.display_name]
    assert by_group.facilitators == 1
    by_person = facilitator_panel(
        organization=org, filters=months(MARCH, MAY, facilitator_id=cast.clinician.pk)
    )
    assert [t.facilitator for t in by_person.expiring] == [cast.clinician.display_name]
    assert by_person.facilitators == 1


# --- The pipeline -----------------------------------------------------------------------


def test_the_pipeline_counts_facilitators_at_each_level_today(cast, org):
    trained = member(org, Role.FACILITATOR)
    SeekingSafetyTrainingFactory(profile=profile_of(trained, org))
    pursuing = member(org, Role.FACILITATOR)
    SeekingSafetyTrainingFactory(profile=profile_of(pursuing, org))
    CertificationEventFactory(
        profile=profile_of(pursuing, org), to_state=CertificationState.IN_REVIEW
    )
    certified = member(org, Role.FACILITATOR)
    CertificationEventFactory(
        profile=profile_of(certified, org), to_state=CertificationState.CERTIFIED
    )
    # cast.peer and cast.clinician hold no training; a manager is not a facilitator.

    panel = facilitator_panel(organization=org, filters=SPRING)

    assert {s.level: s.count for s in panel.pipeline} == {
        "not_trained": 2,
        "trained": 1,
        "in_certification": 1,
        "certified": 1,
    }
    assert [s.label for s in panel.pipeline] == [
        "Not trained",
        "Trained",
        "In certification",
        "Certified",
    ]
    assert panel.facilitators == 5


# --- Fidelity over time -----------------------------------------------------------------


@pytest.fixture
def reviewed(cast, org):
    """Two groups' reviewed sessions: March (two reviews, one draft), none in April, May
    (one), and one in January outside the months."""
    rubric = rubric_with({"Format": 2, "Content": 1})
    first = GroupFactory(organization=org, name="Monday")
    second = GroupFactory(organization=org, name="Thursday")

    def review(group, day, ratings, *, team, submitted=True, **fact):
        session = session_with_fact(group, day, team=team, **fact)
        recording = recording_of(session, by=cast.peer)
        review_of(
            recording,
            rubric=rubric,
            reviewer=cast.reviewer,
            by=cast.manager,
            ratings=ratings,
            submitted=submitted,
        )

    review(first, datetime.date(2026, 3, 3), ["2", "3", "1"], team=[cast.peer])
    review(
        second,
        datetime.date(2026, 3, 12),
        ["1", None, "2"],
        team=[cast.clinician],
        model=WITH_CLINICIAN,
    )
    review(first, datetime.date(2026, 3, 20), ["0", "0", "0"], team=[cast.peer], submitted=False)
    review(first, datetime.date(2026, 5, 5), ["2.5", "2.5", "3"], team=[cast.peer])
    review(first, datetime.date(2026, 1, 5), ["0", "0", "0"], team=[cast.peer])
    return first, second


def means(panel):
    return [(m.month, m.reviews, m.means) for m in panel.fidelity.months]


def test_fidelity_part_means_per_month_of_submitted_reviews(org, reviewed):
    panel = facilitator_panel(organization=org, filters=SPRING)
    assert panel.fidelity.parts == ("Format", "Content")
    # March: Format 2, 3 and 1 (the can't-rate left out) -> 2.00; Content 1 and 2 -> 1.50.
    assert means(panel) == [
        (MARCH, 2, (Decimal("2.00"), Decimal("1.50"))),
        (APRIL, 0, (None, None)),
        (MAY, 1, (Decimal("2.50"), Decimal("3.00"))),
    ]
    assert panel.fidelity.reviews == 3
    # A month without reviews breaks each line in two.
    assert [len(line.segments) for line in panel.fidelity.lines] == [2, 2]
    assert [len(line.points) for line in panel.fidelity.lines] == [2, 2]


def test_fidelity_follows_the_group_model_and_facilitator_filters(cast, org, reviewed):
    first, _second = reviewed
    by_group = facilitator_panel(organization=org, filters=months(MARCH, MAY, group_id=first.pk))
    assert means(by_group)[0] == (MARCH, 1, (Decimal("2.50"), Decimal("1.00")))
    by_model = facilitator_panel(organization=org, filters=months(MARCH, MAY, model=WITH_CLINICIAN))
    assert means(by_model) == [
        (MARCH, 1, (Decimal("1.00"), Decimal("2.00"))),
        (APRIL, 0, (None, None)),
        (MAY, 0, (None, None)),
    ]
    by_person = facilitator_panel(
        organization=org, filters=months(MARCH, MAY, facilitator_id=cast.clinician.pk)
    )
    assert means(by_person) == means(by_model)
    one_month = facilitator_panel(organization=org, filters=months(MAY, MAY))
    assert means(one_month) == [(MAY, 1, (Decimal("2.50"), Decimal("3.00")))]


# --- Bench depth ------------------------------------------------------------------------


def test_bench_warnings_name_groups_with_fewer_than_two_trained_facilitators(cast, org):
    deep = GroupFactory(organization=org, name="Deep")
    thin = GroupFactory(organization=org, name="Thin")
    empty = GroupFactory(organization=org, name="Empty")
    second = member(org, Role.FACILITATOR)
    for user in (cast.peer, second):
        SeekingSafetyTrainingFactory(profile=profile_of(user, org))
    FacilitatorAssignmentFactory(group=deep, user=cast.peer)
    FacilitatorAssignmentFactory(group=deep, user=second, role=FacilitatorAssignment.Role.PEER_CO)
    FacilitatorAssignmentFactory(group=thin, user=second)

    panel = facilitator_panel(organization=org, filters=SPRING)

    assert panel.bench.trained == 2
    assert [(w.group, w.trained) for w in panel.bench.thin_groups] == [("Empty", 0), ("Thin", 1)]
    assert panel.bench.warn
    narrowed = facilitator_panel(organization=org, filters=months(MARCH, MAY, group_id=empty.pk))
    assert [w.group for w in narrowed.bench.thin_groups] == ["Empty"]
    deep_only = facilitator_panel(organization=org, filters=months(MARCH, MAY, group_id=deep.pk))
    assert deep_only.bench.thin_groups == ()


# --- Queries ----------------------------------------------------------------------------


def build(cast, org, size: int) -> None:
    rubric = rubric_with({"Format": 1, "Content": 1})
    for n in range(size):
        user = member(org, Role.FACILITATOR)
        ss_training(user, org, expires=days(n * 10 - 5))
        CertificationEventFactory(
            profile=profile_of(user, org), to_state=CertificationState.IN_REVIEW
        )
        group = GroupFactory(organization=org)
        FacilitatorAssignmentFactory(group=group, user=user)
        session = session_with_fact(group, datetime.date(2026, 3 + n % 3, 2 + n), team=[user])
        review_of(
            recording_of(session, by=user),
            rubric=rubric,
            reviewer=cast.reviewer,
            by=cast.manager,
            ratings=["2", "1"],
        )


@pytest.mark.parametrize("size", [1, 6])
def test_the_panel_costs_ten_queries_whatever_the_data(cast, org, size, django_assert_num_queries):
    build(cast, org, size)
    with django_assert_num_queries(10):
        panel = facilitator_panel(organization=org, filters=SPRING)
    assert panel.facilitators == size + 2


# --- The include ------------------------------------------------------------------------


def render(panel, org) -> str:
    return render_to_string(
        "dashboards/manager/_facilitators.html",
        {"facilitator_panel": panel, "organization": org},
    )


def test_the_include_shows_the_figures_a_chart_and_its_table(cast, org, reviewed):
    ss_training(cast.peer, org, expires=days(10))
    html = render(facilitator_panel(organization=org, filters=SPRING), org)
    assert "<section" in html and "<h2" in html
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    assert "<polyline" in html
    assert html.count('class="table-responsive"') >= 3
    assert "2.00" in html and "1.50" in html and "3.00" in html
    assert cast.peer.display_name in html
    assert "style=" not in html


def test_the_include_says_when_there_is_nothing_to_show(org):
    html = render(facilitator_panel(organization=org, filters=SPRING), org)
    assert "No training expires" in html
    assert "No submitted fidelity review" in html
    assert "<svg" not in html


def test_the_include_reads_in_spanish(cast, org, reviewed):
    with translation.override("es"):
        html = render(facilitator_panel(organization=org, filters=SPRING), org)
    assert "Facilitadores" in html
    assert "Fidelidad" in html
