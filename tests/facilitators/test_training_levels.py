"""Training level on any day: read from dated trainings and certification events, so a
past day gets the answer it had then."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from facilitators.models import CertificationState, TrainingRecord
from facilitators.selectors import (
    TrainingLevel,
    training_level_on,
    training_levels_on,
    training_levels_on_days,
)
from tests.facilitators.factories import (
    CertificationEventFactory,
    SeekingSafetyTrainingFactory,
    profile_of,
)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

S = CertificationState
UTC = datetime.UTC


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=UTC)


TRAINED_ON = datetime.date(2025, 1, 10)
STARTED_ON = datetime.date(2025, 3, 1)
PAUSED_ON = datetime.date(2025, 4, 1)
RESUMED_ON = datetime.date(2025, 5, 1)
CERTIFIED_ON = datetime.date(2025, 9, 1)
EXPIRES_ON = datetime.date(2028, 1, 10)


@pytest.fixture
def track(cast):
    """The peer: trained, started the track, paused, resumed, certified."""
    profile = profile_of(cast.peer, cast.org)
    SeekingSafetyTrainingFactory(profile=profile, completed_on=TRAINED_ON, expires_on=EXPIRES_ON)
    for day, from_state, to_state in [
        (STARTED_ON, S.NOT_PURSUING, S.TRAINING_COMPLETE),
        (PAUSED_ON, S.TRAINING_COMPLETE, S.PAUSED),
        (RESUMED_ON, S.PAUSED, S.TRAINING_COMPLETE),
        (CERTIFIED_ON, S.FEEDBACK_RECEIVED, S.CERTIFIED),
    ]:
        CertificationEventFactory(
            profile=profile, from_state=from_state, to_state=to_state, at=noon(day)
        )
    return profile


@pytest.mark.parametrize(
    ("day", "level"),
    [
        (TRAINED_ON - datetime.timedelta(days=1), TrainingLevel.NOT_TRAINED),
        (TRAINED_ON, TrainingLevel.TRAINED),
        (STARTED_ON - datetime.timedelta(days=1), TrainingLevel.TRAINED),
        (STARTED_ON, TrainingLevel.IN_CERTIFICATION),
        (PAUSED_ON, TrainingLevel.TRAINED),  # a paused track is not "in certification"
        (RESUMED_ON, TrainingLevel.IN_CERTIFICATION),
        (CERTIFIED_ON - datetime.timedelta(days=1), TrainingLevel.IN_CERTIFICATION),
        (CERTIFIED_ON, TrainingLevel.CERTIFIED),
        (EXPIRES_ON + datetime.timedelta(days=1), TrainingLevel.CERTIFIED),
    ],
)
def test_the_level_on_a_day_follows_the_dated_records(cast, track, day, level):
    assert training_level_on(user=cast.peer, day=day) == level


def test_after_the_training_expires_a_facilitator_is_no_longer_trained(cast):
    profile = profile_of(cast.peer, cast.org)
    SeekingSafetyTrainingFactory(profile=profile, completed_on=TRAINED_ON, expires_on=EXPIRES_ON)
    CertificationEventFactory(profile=profile, to_state=S.TRAINING_COMPLETE, at=noon(STARTED_ON))
    assert training_level_on(user=cast.peer, day=EXPIRES_ON) == TrainingLevel.IN_CERTIFICATION
    after = EXPIRES_ON + datetime.timedelta(days=1)
    assert training_level_on(user=cast.peer, day=after) == TrainingLevel.NOT_TRAINED


def test_only_a_verified_seeking_safety_training_counts(cast):
    profile = profile_of(cast.peer, cast.org)
    SeekingSafetyTrainingFactory(
        profile=profile, completed_on=TRAINED_ON, status=TrainingRecord.Status.PENDING
    )
    other = SeekingSafetyTrainingFactory(profile=profile, completed_on=TRAINED_ON)
    other.training_type = other.training_type.__class__.objects.get(slug="group-dynamics")
    other.save()
    assert training_level_on(user=cast.peer, day=STARTED_ON) == TrainingLevel.NOT_TRAINED


def test_a_track_without_a_valid_training_is_not_in_certification(cast):
    profile = profile_of(cast.peer, cast.org)
    CertificationEventFactory(profile=profile, to_state=S.IN_REVIEW, at=noon(STARTED_ON))
    assert training_level_on(user=cast.peer, day=STARTED_ON) == TrainingLevel.NOT_TRAINED


def test_an_event_late_in_the_evening_counts_on_that_day_where_the_organization_is(cast):
    cast.org.timezone = "America/Los_Angeles"
    cast.org.save()
    profile = profile_of(cast.peer, cast.org)
    SeekingSafetyTrainingFactory(profile=profile, completed_on=TRAINED_ON)
    # 22:00 in Los Angeles on March 1 is March 2 in UTC.
    late = datetime.datetime(2025, 3, 1, 22, tzinfo=ZoneInfo("America/Los_Angeles"))
    CertificationEventFactory(profile=profile, to_state=S.TRAINING_COMPLETE, at=late)
    feb_28 = datetime.date(2025, 2, 28)
    assert training_level_on(user=cast.peer, day=feb_28) == TrainingLevel.TRAINED
    assert training_level_on(user=cast.peer, day=STARTED_ON) == TrainingLevel.IN_CERTIFICATION


def test_across_organizations_the_highest_level_counts(cast, track):
    second = OrganizationFactory(slug="second-org")
    MembershipFactory(user=cast.peer, organization=second, role=Role.FACILITATOR)
    profile_of(cast.peer, second)  # untrained there
    assert training_level_on(user=cast.peer, day=CERTIFIED_ON) == TrainingLevel.CERTIFIED


def test_someone_without_a_profile_is_not_trained(cast):
    assert training_level_on(user=cast.manager, day=STARTED_ON) == TrainingLevel.NOT_TRAINED


@pytest.mark.parametrize("people", [2, 25])
def test_levels_for_many_people_take_a_fixed_number_of_queries(
    cast, people, django_assert_num_queries
):
    user_ids = []
    for i in range(people):
        user = UserFactory()
        MembershipFactory(user=user, organization=cast.org, role=Role.FACILITATOR)
        profile = profile_of(user, cast.org)
        SeekingSafetyTrainingFactory(profile=profile, completed_on=TRAINED_ON)
        if i % 2:
            CertificationEventFactory(profile=profile, at=noon(STARTED_ON))
        user_ids.append(user.pk)
    with django_assert_num_queries(3):
        levels = training_levels_on(user_ids=user_ids, day=STARTED_ON)
    assert sorted(levels.values()).count(TrainingLevel.IN_CERTIFICATION) == people // 2
    assert len(levels) == people


# --- Many people on many days ---------------------------------------------------------

DAYS = [
    TRAINED_ON - datetime.timedelta(days=1),
    TRAINED_ON,
    STARTED_ON,
    PAUSED_ON,
    RESUMED_ON,
    CERTIFIED_ON,
    EXPIRES_ON + datetime.timedelta(days=1),
]


def test_levels_on_days_answer_each_pair_as_the_single_day_selector_does(cast, track):
    # A second person, trained later and with a training that expires in between, in an
    # organization whose day ends earlier, so the pairs' answers really differ.
    cast.org.timezone = "America/Los_Angeles"
    cast.org.save()
    other = profile_of(cast.clinician, cast.org)
    SeekingSafetyTrainingFactory(
        profile=other, completed_on=STARTED_ON, expires_on=RESUMED_ON - datetime.timedelta(days=1)
    )
    late = datetime.datetime(2025, 3, 31, 22, tzinfo=ZoneInfo("America/Los_Angeles"))
    CertificationEventFactory(profile=other, to_state=S.TRAINING_COMPLETE, at=late)
    people = [cast.peer, cast.clinician, cast.manager]
    pairs = [(user.pk, day) for user in people for day in DAYS]
    levels = training_levels_on_days(pairs=pairs)
    assert set(levels) == set(pairs)
    for user in people:
        for day in DAYS:
            assert levels[user.pk, day] == training_level_on(user=user, day=day), (user, day)
    # The answers are not all alike, so the comparison above can fail.
    assert len({levels[cast.clinician.pk, day] for day in DAYS}) == 3
    assert len({levels[cast.peer.pk, day] for day in DAYS}) == 4


def test_levels_on_days_of_nobody_make_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert training_levels_on_days(pairs=[]) == {}


@pytest.mark.parametrize("people", [2, 20])
def test_levels_on_days_take_a_fixed_number_of_queries(cast, people, django_assert_num_queries):
    pairs = []
    for i in range(people):
        user = UserFactory()
        MembershipFactory(user=user, organization=cast.org, role=Role.FACILITATOR)
        profile = profile_of(user, cast.org)
        SeekingSafetyTrainingFactory(profile=profile, completed_on=TRAINED_ON)
        CertificationEventFactory(profile=profile, at=noon(STARTED_ON))
        pairs += [(user.pk, day) for day in DAYS[i % 3 : i % 3 + 3]]
    with django_assert_num_queries(3):
        levels = training_levels_on_days(pairs=pairs)
    assert len(levels) == len(pairs)
    assert TrainingLevel.IN_CERTIFICATION in levels.values()
