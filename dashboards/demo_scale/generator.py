"""The synthetic national program, made from one random stream so a seed gives the same
rows every time (relative to the day it runs: five years back, eight weeks ahead).

The program is simulated, not sprinkled: each group has a schedule, a planned topic
sequence and a roster that people join and leave, so attendance follows enrollments,
feedback responses never exceed the people present plus drop-ins (a link's cap), who ran
each held session is snapshotted from the group's team, and a facilitator's training
level on a session's date follows their dated trainings and certification events. Better
trained leads and clinician co-facilitation nudge ratings and session parts up a little,
so the dashboards' comparisons have something to find.

Tables are written one after the other, parents first; big ones are streamed from
compact per-session records rather than built as lists.
"""

import bisect
import random
import secrets
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, Organization, Role, User
from curriculum.models import Topic
from facilitators.models import (
    CertificationEvent,
    CertificationState,
    FacilitatorProfile,
    ItemRating,
    Review,
    ReviewAssignment,
    Rubric,
    RubricItem,
    TrainingRecord,
    TrainingType,
)
from feedback.models import (
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackLink,
    FeedbackResponse,
)
from sessions_app.models import (
    Adaptation,
    Attendance,
    Consent,
    ConsentForm,
    Enrollment,
    FacilitatorAssignment,
    Group,
    GroupTopic,
    Participant,
    Recording,
    RecordingAccessGrant,
    Session,
    SessionFacilitator,
    SessionLog,
)

from .cleanup import EMAIL_DOMAIN, ORGANIZATION_PREFIX
from .shape import (
    ADAPTATIONS,
    CANCEL_REASONS,
    FIRST_NAMES,
    KINDS,
    PLACES,
    REVIEW_STRENGTHS,
    REVIEW_TO_WORK_ON,
    SHOULD_CHANGE,
    TAKE_WITH_YOU,
    TIMEZONES,
    ZIPF_EXPONENT,
    ZIPF_OFFSET,
    Scale,
)
from .writer import Writer, next_id

HORIZON_DAYS = 56
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
START_TIMES = [time(10), time(12), time(14), time(17, 30), time(18), time(19)]
# Training levels, lowest first (facilitators.selectors.training_levels.TrainingLevel).
NOT_TRAINED, TRAINED, IN_CERTIFICATION, CERTIFIED = range(4)
CORE_MONTHS = 36
# Rating 0..3 weights by "quality": the lead's training level, plus one for a clinician.
RATING_WEIGHTS = [
    [8, 18, 40, 34],
    [6, 14, 40, 40],
    [4, 11, 38, 47],
    [3, 9, 36, 52],
    [2, 7, 33, 58],
]
# How often a response answers each question: most answer the first, few write text.
ANSWER_CHANCE = {
    "session_helpful": 0.8,
    "topic_helpful": 0.2,
    "handouts_helpful": 0.05,
    "quotation_helpful": 0.05,
    "facilitator_helpful": 0.15,
    "felt_safe": 0.2,
    "will_come_back": 0.25,
    "take_with_you": 0.03,
    "should_change": 0.01,
}
# A version 4 (random) UUID: random bits but for its version and variant.
UUID_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
UUID_SET = (4 << 76) | (0x8000 << 48)
RESPONSE_CHANCE = 0.8  # of the people there (present plus drop-ins) who answer
RECORDED_CHANCE = 0.01


@dataclass
class Org:
    id: int
    index: int
    zone: ZoneInfo
    tz: str
    groups: int
    facilitators: int
    managers: list[int] = field(default_factory=list)
    peers: list[int] = field(default_factory=list)
    clinicians: list[int] = field(default_factory=list)
    reviewers: list[int] = field(default_factory=list)
    forms: dict[str, int] = field(default_factory=dict)
    participants: int = 0
    leads: int = 0
    rotating: bool = False


@dataclass
class GroupPlan:
    org: Org
    id: int
    closed: bool
    start: date
    weekdays: list[int]
    planned: int
    dates: list[date] = field(default_factory=list)


@dataclass(slots=True)
class SessionRec:
    id: int
    group: GroupPlan
    day: date
    starts_at: datetime
    duration: int
    status: str
    roster: tuple[int, ...]
    lead: int
    co: int | None
    clinician_co: int | None
    clinician: int | None
    led_by: int | None
    drop_ins: int
    quality: int
    language: str


class Generator:
    def __init__(self, *, scale: Scale, seed: int, today: date, writer: Writer) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        # Ids of feedback responses come from their own stream, replayed for the answers.
        self.response_seed = f"{seed}-responses"
        self.today = today
        self.first_day = today - timedelta(days=365 * scale.years)
        self.horizon = today + timedelta(days=HORIZON_DAYS)
        self.writer = writer
        self.now = datetime.combine(today, time(0), tzinfo=UTC)
        self.orgs: list[Org] = []
        self.levels: dict[int, tuple[list[date], list[int]]] = {}
        self.sessions: list[SessionRec] = []
        self.present: array[int] = array("H")
        self.recorded: dict[int, list[int]] = {}
        self.language_of: dict[int, str] = {}
        self.topics_of: dict[int, list[int]] = {}
        self.fingerprint = ""

    # --- small helpers ----------------------------------------------------------------

    def uuid(self, rng: random.Random | None = None) -> str:
        return f"{(rng or self.rng).getrandbits(128) & UUID_KEEP | UUID_SET:032x}"

    def pick(self, pairs: list[tuple[str, int]]) -> str:
        return self.rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]

    def at(self, day: date, start: time, zone: ZoneInfo) -> datetime:
        return datetime.combine(day, start, tzinfo=zone)

    # --- the whole run ----------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.organizations()
        self.people()
        self.trainings()
        self.program()
        self.held_sessions()
        self.feedback()
        self.recordings()
        return self.writer.counts

    # --- organizations and people -----------------------------------------------------

    def organizations(self) -> None:
        scale, rng = self.scale, self.rng
        weights = [
            1 / (i + ZIPF_OFFSET) ** ZIPF_EXPONENT for i in range(1, scale.organizations + 1)
        ]
        groups = _apportion(scale.groups, weights, minimum=1)
        facilitators = _apportion(scale.facilitators, weights, minimum=2)
        first = next_id(Organization)
        rows = []
        names = [f"{p} {k}" for k in KINDS for p in PLACES]
        rng.shuffle(names)
        for i in range(scale.organizations):
            tz = self.pick(TIMEZONES)
            org = Org(first + i, i, ZoneInfo(tz), tz, groups[i], facilitators[i])
            self.orgs.append(org)
            name = names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}")
            slug = f"{ORGANIZATION_PREFIX}{self.fingerprint}-{i + 1:03d}"
            created = self.now - timedelta(days=365 * scale.years + 60)
            rows.append((org.id, name, slug, tz, self.uuid(), created))
        self.writer.write(
            Organization, ["id", "name", "slug", "timezone", "code", "created_at"], rows
        )

    def people(self) -> None:
        rng = self.rng
        password = make_password(DEMO_PASSWORD)  # once: hashing thousands is slow
        users: list[tuple] = []
        memberships: list[tuple] = []
        profiles: list[tuple] = []
        next_user = next_id(User)
        next_membership = next_id(Membership)
        next_profile = next_id(FacilitatorProfile)
        joined = self.now - timedelta(days=365 * self.scale.years + 30)
        self.profile_of: dict[int, int] = {}
        self.kind_of: dict[int, str] = {}

        def user(email: str) -> int:
            nonlocal next_user
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice('ABCDEFGHJKLMNPRSTVW')}."
            users.append((next_user, email, name, password, joined))
            next_user += 1
            return next_user - 1

        def member(user_id: int, org: Org, role: str) -> int:
            nonlocal next_membership
            memberships.append((next_membership, user_id, org.id, role, joined))
            next_membership += 1
            return next_membership - 1

        counters = {"manager": 0, "facilitator": 0}
        for org in self.orgs:
            managers = 1 + (org.groups >= 20) + (org.groups >= 80)
            for _ in range(managers):
                counters["manager"] += 1
                uid = user(f"manager-{counters['manager']:03d}{EMAIL_DOMAIN}")
                member(uid, org, Role.MANAGER)
                org.managers.append(uid)
            clinicians = round(org.facilitators * 0.15) if org.facilitators >= 4 else 0
            for n in range(org.facilitators):
                counters["facilitator"] += 1
                uid = user(f"facilitator-{counters['facilitator']:04d}{EMAIL_DOMAIN}")
                membership = member(uid, org, Role.FACILITATOR)
                kind = "clinician" if n < clinicians else "peer"
                (org.clinicians if kind == "clinician" else org.peers).append(uid)
                languages = ["en", "es"] if rng.random() < 0.15 else ["en"]
                lived = (rng.random() < 0.9) if kind == "peer" else None
                profiles.append(
                    (next_profile, self.uuid(), membership, kind, languages, lived, joined, joined)
                )
                self.profile_of[uid] = next_profile
                self.kind_of[uid] = kind
                next_profile += 1
        for r in range(self.scale.reviewers):
            uid = user(f"reviewer-{r + 1:02d}{EMAIL_DOMAIN}")
            for org in self.orgs[r :: self.scale.reviewers]:
                member(uid, org, Role.REVIEWER)
                org.reviewers.append(uid)
        w = self.writer
        w.write(User, ["id", "email", "display_name", "password", "date_joined"], users)
        w.write(
            EmailAddress,
            ["user_id", "email", "verified", "primary"],
            ((u[0], u[1], True, True) for u in users),
        )
        w.write(Membership, ["id", "user_id", "organization_id", "role", "created_at"], memberships)
        w.write(
            FacilitatorProfile,
            [
                "id",
                "code",
                "membership_id",
                "kind",
                "languages",
                "lived_experience",
                "created_at",
                "updated_at",
            ],
            profiles,
        )

    # --- trainings and certification ---------------------------------------------------

    def trainings(self) -> None:
        """Each facilitator's Seeking Safety training (renewed before it lapses, or never
        taken), other trainings, and for some a certification track; remembers each one's
        training level over time for the sessions they lead."""
        rng = self.rng
        types = {t.slug: t for t in TrainingType.objects.all()}
        core = next(t for t in types.values() if t.counts_as_trained)
        others = [t for t in types.values() if not t.counts_as_trained and not t.qualifies_rater]
        records: list[tuple] = []
        events: list[tuple] = []
        # Not trained, trained, in certification, certified: a fixed mix, shuffled, so
        # every level is present even at the small scale.
        pattern = [NOT_TRAINED] * 3 + [TRAINED] * 9 + [IN_CERTIFICATION] * 3 + [CERTIFIED] * 5
        for org in self.orgs:
            manager = org.managers[0]
            for index, uid in enumerate(org.peers + org.clinicians):
                if index % len(pattern) == 0:
                    rng.shuffle(pattern)
                target = pattern[index % len(pattern)]
                profile = self.profile_of[uid]
                spans: list[tuple[date, date]] = []
                if target != NOT_TRAINED:
                    completed = self.first_day + timedelta(days=rng.randint(-200, 365 * 4))
                    while True:
                        expires = _add_months(completed, core.validity_months or CORE_MONTHS)
                        spans.append((completed, expires))
                        if expires >= self.today:
                            break
                        completed = expires - timedelta(days=rng.randint(0, 45))
                    for n, (completed, expires) in enumerate(spans):
                        pending = n == len(spans) - 1 and n > 0 and rng.random() < 0.05
                        records.append(
                            self._training(
                                profile, core, completed, expires, uid, manager, pending=pending
                            )
                        )
                        if pending:
                            spans[n] = (expires, expires)  # not verified: does not count
                for other in others:
                    if rng.random() < 0.35:
                        completed = self.first_day + timedelta(days=rng.randint(0, 365 * 5 - 30))
                        lapses = (
                            _add_months(completed, other.validity_months)
                            if other.validity_months
                            else None
                        )
                        records.append(
                            self._training(profile, other, completed, lapses, uid, manager)
                        )
                track: list[tuple[date, int]] = []
                if target in (IN_CERTIFICATION, CERTIFIED):
                    start = spans[0][0] + timedelta(days=rng.randint(20, 120))
                    start = min(start, self.today - timedelta(days=90))
                    steps = [
                        CertificationState.TRAINING_COMPLETE,
                        CertificationState.RECORDINGS_SUBMITTED,
                        CertificationState.IN_REVIEW,
                        CertificationState.FEEDBACK_RECEIVED,
                    ]
                    if target == CERTIFIED:
                        steps.append(CertificationState.CERTIFIED)
                    else:
                        steps = steps[: rng.randint(1, 4)]
                    gap = max(1, (self.today - timedelta(days=2) - start).days // len(steps))
                    day, state = start, CertificationState.NOT_PURSUING
                    for step in steps:
                        at = datetime.combine(day, time(15), tzinfo=org.zone)
                        events.append((profile, state, step, at, manager))
                        track.append(
                            (day + timedelta(days=1), CERTIFIED if step == "certified" else -1)
                        )
                        state = step
                        day += timedelta(days=rng.randint(1, min(gap, 120)))
                self.levels[uid] = _level_steps(spans, track)
        w = self.writer
        w.write(
            TrainingRecord,
            [
                "code",
                "profile_id",
                "training_type_id",
                "completed_on",
                "provider",
                "hours",
                "expires_on",
                "status",
                "verified_by_id",
                "verified_at",
                "rejection_reason",
                "created_by_id",
                "created_at",
            ],
            records,
        )
        w.write(CertificationEvent, ["profile_id", "from_state", "to_state", "at", "by_id"], events)

    def _training(
        self,
        profile: int,
        training_type: TrainingType,
        completed: date,
        expires: date | None,
        uid: int,
        manager: int,
        *,
        pending: bool = False,
    ) -> tuple:
        added = datetime.combine(min(completed + timedelta(days=3), self.today), time(12), UTC)
        rejected = not pending and not training_type.counts_as_trained and self.rng.random() < 0.03
        status = "pending" if pending else "rejected" if rejected else "verified"
        verified = status != "pending"
        return (
            self.uuid(),
            profile,
            training_type.pk,
            completed,
            self.rng.choice(["Regional training hub", "Treatment Innovations", "State TA center"]),
            Decimal("6.0") if training_type.counts_as_trained else Decimal("3.0"),
            expires,
            status,
            manager if verified else None,
            added + timedelta(days=2) if verified else None,
            "The certificate could not be read." if rejected else "",
            uid,
            added,
        )

    def level_on(self, uid: int, day: date) -> int:
        days, levels = self.levels.get(uid, ([], []))
        i = bisect.bisect_right(days, day) - 1
        return levels[i] if i >= 0 else NOT_TRAINED

    # --- groups, people, sessions -----------------------------------------------------

    def _plans(self) -> list[GroupPlan]:
        """Each group's kind, start and planned number of sessions, scaled so the sessions
        that fall inside the window add up to the target."""
        rng = self.rng
        span = (self.horizon - self.first_day).days
        plans: list[GroupPlan] = []
        group_id = next_id(Group)
        for org in self.orgs:
            for _ in range(org.groups):
                closed = rng.random() < 0.45
                # More groups start later: the program grows.
                start = self.first_day + timedelta(days=int(span * rng.random() ** 0.7))
                weekday = rng.randrange(5) if rng.random() < 0.9 else rng.randrange(7)
                weekdays = [weekday] if rng.random() < 0.85 else [weekday, (weekday + 3) % 7]
                planned = rng.randint(12, 25) if closed else int(rng.lognormvariate(4.4, 0.5))
                plans.append(GroupPlan(org, group_id, closed, start, sorted(weekdays), planned))
                group_id += 1
        for plan in plans:
            if not _meeting_days(plan.start, plan.weekdays, self.horizon):
                plan.start = self.today - timedelta(days=rng.randint(7, 60))  # into the window
        factor = 1.0
        for _ in range(4):
            total = sum(
                min(_scaled(plan, factor), _meeting_days(plan.start, plan.weekdays, self.horizon))
                for plan in plans
            )
            factor *= self.scale.sessions / max(total, 1)
        for plan in plans:
            plan.planned = _scaled(plan, factor)
            plan.dates = _schedule(plan.start, plan.weekdays, plan.planned, self.horizon)
        return plans

    def program(self) -> None:
        rng, w = self.rng, self.writer
        topics = list(Topic.objects.order_by("order").values_list("pk", flat=True))
        plans = self._plans()
        groups: list[tuple] = []
        steps: list[tuple] = []
        assignments: list[tuple] = []
        participants: list[tuple] = []
        enrollments: list[tuple] = []
        next_participant = next_id(Participant)
        session_id = next_id(Session)
        for plan in plans:
            org = plan.org
            spanish = rng.random() < 0.12
            language = "es" if spanish else "en"
            modality = self.pick([("in_person", 60), ("virtual", 30), ("hybrid", 10)])
            start_time = rng.choice(START_TIMES)
            duration = rng.choice([60, 75, 90, 90])
            capacity = rng.randint(10, 16)
            last = plan.dates[-1]
            ended = last < self.today
            end_date = last if (plan.closed or ended) else None
            archived = (
                datetime.combine(last + timedelta(days=30), time(9), UTC)
                if ended and last < self.today - timedelta(days=365)
                else None
            )
            name = (
                f"Grupo {plan.id - plans[0].id + 1} ({'cerrado' if plan.closed else 'abierto'})"
                if spanish
                else f"{DAY_NAMES[plan.weekdays[0]]} group {plan.id - plans[0].id + 1}"
                f" ({'closed' if plan.closed else 'open'})"
            )
            groups.append(
                (
                    plan.id,
                    self.uuid(),
                    org.id,
                    name,
                    "closed" if plan.closed else "open",
                    modality,
                    "Community room (synthetic address)" if modality != "virtual" else "",
                    f"https://meet.example.org/g-{plan.id}" if modality != "in_person" else "",
                    language,
                    plan.weekdays,
                    start_time,
                    org.tz,
                    duration,
                    plan.start,
                    end_date,
                    capacity,
                    archived,
                    datetime.combine(plan.start - timedelta(days=14), time(9), UTC),
                )
            )
            if plan.closed:
                sequence = rng.sample(topics, rng.randint(12, 25))
            elif rng.random() < 0.7:
                sequence = list(topics)
            else:
                sequence = rng.sample(topics, len(topics))
            steps.extend((plan.id, topic, n + 1) for n, topic in enumerate(sequence))
            peers = org.peers or org.clinicians
            lead = peers[org.leads % len(peers)]  # in turn: every peer leads some groups
            org.leads += 1
            co = None
            if len(org.peers) > 1 and rng.random() < 0.35:
                co = rng.choice([p for p in org.peers if p != lead])
            # Every organization's first group has a clinician co-facilitator and its first
            # open group takes turns with participants leading, so each model occurs.
            first = org.leads == 1
            clinician_co = (
                rng.choice(org.clinicians)
                if org.clinicians and (first or rng.random() < 0.12)
                else None
            )
            created = datetime.combine(plan.start - timedelta(days=10), time(9), UTC)
            assignments.append((plan.id, lead, "lead_peer", created))
            if co:
                assignments.append((plan.id, co, "peer_co", created))
            if clinician_co:
                assignments.append((plan.id, clinician_co, "clinician_co", created))
            rotation = not plan.closed and (not org.rotating or rng.random() < 0.08)
            org.rotating = org.rotating or rotation

            # The roster over the group's life: joined on a session day, left on the
            # first session day they were no longer on (Enrollment.on's rule).
            members: dict[int, tuple[date, int]] = {}  # participant -> (joined, sessions)
            roster: tuple[int, ...] = ()
            target = rng.randint(7, 13)

            def join(day: date, *, first: bool = False) -> None:
                nonlocal next_participant
                pid = next_participant
                next_participant += 1
                org.participants += 1  # noqa: B023 (called in this iteration only)
                display = (
                    f"{rng.choice('ABCDEFGHJKLMNPRSTVWY')}.{rng.choice('ABCDEFGHJKLMNPRSTVWY')}."
                    if rng.random() < 0.3
                    else f"P-{org.participants:05d}"  # noqa: B023
                )
                speaks = language if rng.random() < 0.92 else ("en" if spanish else "es")  # noqa: B023
                # The first cohort signs up in the week before; later ones on the day.
                joined = day - timedelta(days=rng.randint(0, 6)) if first else day
                participants.append((pid, self.uuid(), org.id, display, speaks, joined))  # noqa: B023
                self.language_of[pid] = speaks
                members[pid] = (joined, 0)  # noqa: B023

            def leave(pid: int, day: date, reason: str) -> None:
                joined, _ = members.pop(pid)  # noqa: B023
                enrollments.append((plan.id, pid, joined, max(day, joined), reason))  # noqa: B023

            for _ in range(target if plan.closed else max(target - 2, 3)):
                join(plan.dates[0], first=True)
            for index, day in enumerate(plan.dates):
                past = day < self.today
                if past and index:
                    for pid in list(members):
                        joined, attended = members[pid]
                        if rng.random() < (0.03 if plan.closed else 0.07):
                            reason = (
                                "completed"
                                if attended >= 12 and rng.random() < 0.6
                                else self.pick(
                                    [
                                        ("chose_to_leave", 50),
                                        ("moved", 25),
                                        ("referred", 10),
                                        ("other", 15),
                                    ]
                                )
                            )
                            leave(pid, day, reason)
                    if not plan.closed and len(members) < target:
                        join(day)
                        if rng.random() < 0.25:
                            join(day)
                    elif plan.closed and index == 1 and rng.random() < 0.2:
                        join(day)
                if len(roster) != len(members) or set(roster) != members.keys():
                    roster = tuple(members)
                starts_at = self.at(day, start_time, org.zone)
                if day < self.today:
                    roll = rng.random()
                    status = "held" if roll < 0.92 else "cancelled" if roll < 0.99 else "planned"
                else:
                    status = "planned"
                led_by = clinician = None
                drop_ins = quality = 0
                if status == "held":
                    for pid in roster:
                        joined, attended = members[pid]
                        members[pid] = (joined, attended + 1)
                    if rotation and roster and rng.random() < 0.35:
                        led_by = rng.choice(roster)
                    if not clinician_co and org.clinicians and rng.random() < 0.04:
                        clinician = rng.choice(org.clinicians)
                    if not plan.closed:
                        roll = rng.random()
                        drop_ins = 0 if roll < 0.8 else 1 if roll < 0.95 else 2
                    quality = self.level_on(lead, day) + (1 if clinician or clinician_co else 0)
                self.sessions.append(
                    SessionRec(
                        session_id,
                        plan,
                        day,
                        starts_at,
                        duration,
                        status,
                        roster,
                        lead,
                        co,
                        clinician_co,
                        clinician,
                        led_by,
                        drop_ins,
                        quality,
                        language,
                    )
                )
                session_id += 1
            closing = plan.dates[-1] + timedelta(days=1)
            for pid in list(members):
                if ended:
                    leave(pid, closing, "completed")
                else:
                    joined, _ = members.pop(pid)
                    enrollments.append((plan.id, pid, joined, None, ""))
        for group_id, topic, _position in steps:
            self.topics_of.setdefault(group_id, []).append(topic)
        w.write(
            Group,
            [
                "id",
                "code",
                "organization_id",
                "name",
                "admission",
                "modality",
                "location",
                "meeting_link",
                "language",
                "weekdays",
                "start_time",
                "timezone",
                "duration_minutes",
                "start_date",
                "end_date",
                "capacity",
                "archived_at",
                "created_at",
            ],
            groups,
        )
        w.write(GroupTopic, ["group_id", "topic_id", "position"], steps)
        w.write(FacilitatorAssignment, ["group_id", "user_id", "role", "created_at"], assignments)
        w.write(
            Participant,
            ["id", "code", "organization_id", "display_name", "preferred_language", "created_on"],
            participants,
        )
        w.write(
            Enrollment,
            ["group_id", "participant_id", "joined_on", "left_on", "left_reason"],
            enrollments,
        )
        w.write(
            Session,
            [
                "id",
                "code",
                "group_id",
                "starts_at",
                "duration_minutes",
                "topic_id",
                "sequence_position",
                "slot_date",
                "status",
                "cancel_reason",
                "led_by_participant_id",
                "clinician_id",
                "drop_in_count",
                "held_at",
                "held_by_id",
            ],
            self._session_rows(),
        )

    def _session_rows(self) -> Iterator[tuple]:
        position: dict[int, int] = {}
        for s in self.sessions:
            sequence = self.topics_of[s.group.id]
            n = position.get(s.group.id, 0)
            position[s.group.id] = n + 1
            held = s.status == "held"
            yield (
                s.id,
                self.uuid(),
                s.group.id,
                s.starts_at,
                s.duration,
                sequence[n % len(sequence)],
                n % len(sequence) + 1,
                s.day,
                s.status,
                self.pick(CANCEL_REASONS) if s.status == "cancelled" else "",
                s.led_by,
                s.clinician,
                s.drop_ins,
                s.starts_at + timedelta(minutes=s.duration) if held else None,
                s.lead if held else None,
            )

    # --- what happened in held sessions -----------------------------------------------

    def held_sessions(self) -> None:
        w = self.writer
        held = [s for s in self.sessions if s.status == "held"]
        self.held = held
        w.write(SessionFacilitator, ["session_id", "user_id", "role"], self._team_rows())
        self.present = array("H", [0]) * len(held)
        w.write(
            Attendance,
            ["session_id", "participant_id", "status", "recorded_by_id", "recorded_at"],
            self._attendance_rows(),
        )
        w.write(
            SessionLog,
            [
                "session_id",
                "check_in_done",
                "quotation_reference",
                "check_out_done",
                "follow_up_needed",
                "actual_length_minutes",
                "updated_by_id",
                "updated_at",
            ],
            self._log_rows(),
        )
        w.write(
            Adaptation,
            ["session_id", "category", "what", "why", "created_by_id", "created_at"],
            self._adaptation_rows(),
        )

    def _team_rows(self) -> Iterator[tuple]:
        for s in self.held:
            yield (s.id, s.lead, "lead_peer")
            if s.co:
                yield (s.id, s.co, "peer_co")
            if s.clinician_co:
                yield (s.id, s.clinician_co, "clinician_co")
            if s.clinician:
                yield (s.id, s.clinician, "session_clinician")

    def _attendance_rows(self) -> Iterator[tuple]:
        random_ = self.rng.random
        for index, s in enumerate(self.held):
            recorded_at = s.starts_at + timedelta(minutes=s.duration)
            recorded = random_() < RECORDED_CHANCE
            present = []
            for pid in s.roster:
                roll = random_()
                status = (
                    "present"
                    if roll < 0.76 or pid == s.led_by
                    else "absent"
                    if roll < 0.93
                    else "excused"
                )
                if status == "present":
                    present.append(pid)
                yield (s.id, pid, status, s.lead, recorded_at)
            self.present[index] = len(present)
            if recorded and present:
                self.recorded[index] = present

    def _log_rows(self) -> Iterator[tuple]:
        random_ = self.rng.random
        for s in self.held:
            level = min(s.quality, 3)
            yield (
                s.id,
                random_() < (0.85, 0.93, 0.96, 0.98)[level],
                "Quotation suggested for the topic (facilitator guide)"
                if random_() < (0.6, 0.8, 0.88, 0.93)[level]
                else "",
                random_() < (0.75, 0.88, 0.93, 0.96)[level],
                random_() < 0.04,
                max(15, s.duration + self.rng.randint(-15, 10)),
                s.lead,
                s.starts_at + timedelta(minutes=s.duration + 30),
            )

    def _adaptation_rows(self) -> Iterator[tuple]:
        rng = self.rng
        for s in self.held:
            if rng.random() < 0.07:
                category, what, why = rng.choice(ADAPTATIONS)
                yield (s.id, category, what, why, s.lead, s.starts_at + timedelta(hours=2))

    # --- feedback -----------------------------------------------------------------------

    def feedback(self) -> None:
        w = self.writer
        instrument = (
            FeedbackInstrument.objects.filter(organization=None, active=True)
            .order_by("-version", "pk")
            .first()
        )
        assert instrument is not None, "the default feedback instrument is seeded by migration"
        self.instrument = instrument.pk
        self.items = list(
            FeedbackItem.objects.filter(instrument=instrument)
            .order_by("order")
            .values_list("pk", "key", "kind")
        )
        random_ = self.rng.random
        self.responses = array("H", [0]) * len(self.held)
        for index in range(len(self.held)):
            cap = self.present[index] + self.held[index].drop_ins
            self.responses[index] = sum(1 for _ in range(cap) if random_() < RESPONSE_CHANCE)
        w.write(
            FeedbackLink,
            [
                "session_id",
                "token",
                "instrument_id",
                "response_count",
                "created_by_id",
                "created_at",
            ],
            (
                # Tokens stay secret even though the rest is replayable from the seed.
                (
                    s.id,
                    secrets.token_urlsafe(18),
                    self.instrument,
                    self.responses[i],
                    s.lead,
                    s.starts_at,
                )
                for i, s in enumerate(self.held)
            ),
        )
        w.write(
            FeedbackResponse,
            ["id", "session_id", "instrument_id", "submitted_on"],
            self._responses(),
        )
        w.write(FeedbackAnswer, ["id", "response_id", "item_id", "number", "text"], self._answers())

    def _response_ids(self) -> Iterator[tuple[SessionRec, str, int]]:
        ids = random.Random(self.response_seed)
        for index, s in enumerate(self.held):
            for _ in range(self.responses[index]):
                yield s, self.uuid(ids), index

    def _responses(self) -> Iterator[tuple]:
        for s, rid, _ in self._response_ids():
            yield (rid, s.id, self.instrument, s.day)

    def _answers(self) -> Iterator[tuple]:
        # The hottest loop (two million rows): locals, and ratings read from a table of
        # 100 draws per quality instead of random.choices.
        rng = self.rng
        random_, bits = rng.random, rng.getrandbits
        keep, put = UUID_KEEP, UUID_SET
        tables = [
            [point for point, w in enumerate(weights) for _ in range(w)]
            for weights in RATING_WEIGHTS
        ]
        items = [(pk, key, kind, ANSWER_CHANCE.get(key, 0.1)) for pk, key, kind in self.items]
        for s, rid, _ in self._response_ids():
            table = tables[s.quality]
            for pk, key, kind, chance in items:
                if random_() >= chance:
                    continue
                aid = f"{bits(128) & keep | put:032x}"
                if kind == "rating":
                    yield (aid, rid, pk, table[int(random_() * len(table))], "")
                elif kind == "yes_no":
                    yield (aid, rid, pk, 1 if random_() < 0.78 + 0.04 * s.quality else 0, "")
                elif key == "take_with_you":
                    yield (aid, rid, pk, None, rng.choice(TAKE_WITH_YOU[s.language]))
                else:
                    yield (aid, rid, pk, None, rng.choice(SHOULD_CHANGE))

    # --- recordings, consent, reviews ---------------------------------------------------

    def recordings(self) -> None:
        rng, w = self.rng, self.writer
        rubric = Rubric.objects.filter(kind="fidelity", organization=None, active=True).first()
        assert rubric is not None, "the fidelity rubric is seeded by migration"
        rubric_items = list(
            RubricItem.objects.filter(part__rubric=rubric).values_list("pk", "takes_helpfulness")
        )
        forms: list[tuple] = []
        form_id = next_id(ConsentForm)
        for org in self.orgs:
            for language in ("en", "es"):
                org.forms[language] = form_id
                forms.append(
                    (
                        form_id,
                        self.uuid(),
                        org.id,
                        "recording",
                        "Recording a group session so a trained reviewer can give the "
                        "facilitator feedback.",
                        1,
                        language,
                        "Synthetic consent form (demo data).",
                        365,
                        self.now - timedelta(days=365 * self.scale.years + 30),
                    )
                )
                form_id += 1
        recordings: list[tuple] = []
        on_file: list[tuple] = []
        consents: list[tuple] = []
        assignments: list[tuple] = []
        reviews: list[tuple] = []
        ratings: list[tuple] = []
        grants: list[tuple] = []
        consent_until: dict[int, datetime] = {}
        recording_id = next_id(Recording)
        assignment_id = next_id(ReviewAssignment)
        review_id = next_id(Review)
        grid = [Decimal(n) / 2 for n in range(7)]
        for index, present in sorted(self.recorded.items()):
            s = self.held[index]
            org = s.group.org
            uploaded = s.starts_at + timedelta(minutes=s.duration + 60)
            for pid in present:
                if pid not in consent_until or consent_until[pid] <= uploaded:
                    given = s.starts_at - timedelta(minutes=10)
                    consent_until[pid] = given + timedelta(days=365)
                    form = org.forms[self.language_of[pid]]
                    consents.append(
                        (self.uuid(), pid, form, s.id, "written", s.lead, given, consent_until[pid])
                    )
                on_file.append((recording_id, pid))
            age = (self.now - uploaded).days
            reviewer = org.reviewers[0] if org.reviewers else None
            reviewed = reviewer is not None and rng.random() < (0.75 if age > 45 else 0.5)
            if reviewed:
                reviewed_at = uploaded + timedelta(days=rng.randint(3, 20))
                if reviewed_at >= self.now:
                    reviewed_at = self.now - timedelta(hours=1)
                marked, reason = reviewed_at, "reviewed"
            elif age > 30:
                reviewed_at = None
                marked, reason = uploaded + timedelta(days=30), "retention period ended"
            else:
                reviewed_at = marked = None
                reason = ""
            deleted = marked + timedelta(hours=6) if marked and marked < self.now else None
            purpose = self.pick([("certification", 60), ("peer_review", 25), ("supervision", 15)])
            recordings.append(
                (
                    recording_id,
                    self.uuid(),
                    s.id,
                    purpose,
                    "audio/mp4",
                    rng.randint(20_000_000, 90_000_000),
                    f"{rng.getrandbits(256):064x}",
                    s.lead,
                    uploaded,
                    reviewed_at,
                    marked,
                    reason,
                    deleted,
                )
            )
            if reviewer is not None and (reviewed or not marked):
                assigned = uploaded + timedelta(days=1)
                manager = org.managers[0]
                status = "submitted" if reviewed else "open"
                assignments.append(
                    (
                        assignment_id,
                        self.uuid(),
                        org.id,
                        reviewer,
                        rubric.pk,
                        recording_id,
                        status,
                        manager,
                        assigned,
                        reviewed_at,
                    )
                )
                if reviewed:
                    level = min(s.quality, 3)
                    reviews.append(
                        (
                            review_id,
                            self.uuid(),
                            assignment_id,
                            "submitted",
                            rng.choice(REVIEW_STRENGTHS),
                            rng.choice(REVIEW_TO_WORK_ON),
                            ["more_support", "on_the_way", "keep_going", "keep_going"][level],
                            reviewed_at,
                            reviewed_at,
                        )
                    )
                    for item, helpful in rubric_items:
                        low = 2 + level
                        adherence = grid[min(6, max(0, rng.randint(low - 2, low + 2)))]
                        helpfulness = (
                            grid[min(6, max(0, rng.randint(low - 2, low + 2)))] if helpful else None
                        )
                        ratings.append((review_id, item, adherence, helpfulness))
                    review_id += 1
                else:
                    grants.append((recording_id, reviewer, manager, assigned))
                assignment_id += 1
            recording_id += 1
        w.write(
            ConsentForm,
            [
                "id",
                "code",
                "organization_id",
                "kind",
                "purpose",
                "version",
                "language",
                "text",
                "valid_for_days",
                "created_at",
            ],
            forms,
        )
        w.write(
            Consent,
            [
                "code",
                "participant_id",
                "form_id",
                "session_id",
                "method",
                "captured_by_id",
                "captured_at",
                "expires_at",
            ],
            consents,
        )
        w.write(
            Recording,
            [
                "id",
                "code",
                "session_id",
                "purpose",
                "content_type",
                "size_bytes",
                "sha256",
                "uploaded_by_id",
                "uploaded_at",
                "reviewed_at",
                "marked_for_deletion_at",
                "deletion_reason",
                "deleted_at",
            ],
            recordings,
        )
        w.write(Recording.participants.through, ["recording_id", "participant_id"], on_file)
        w.write(
            ReviewAssignment,
            [
                "id",
                "code",
                "organization_id",
                "reviewer_id",
                "rubric_id",
                "recording_id",
                "status",
                "assigned_by_id",
                "assigned_at",
                "closed_at",
            ],
            assignments,
        )
        w.write(
            Review,
            [
                "id",
                "code",
                "assignment_id",
                "status",
                "overall_strengths",
                "overall_to_work_on",
                "overall_recommendation",
                "saved_at",
                "submitted_at",
            ],
            reviews,
        )
        w.write(ItemRating, ["review_id", "item_id", "adherence", "helpfulness"], ratings)
        w.write(
            RecordingAccessGrant, ["recording_id", "user_id", "granted_by_id", "granted_at"], grants
        )


# --- pure helpers -------------------------------------------------------------------------


def _apportion(total: int, weights: list[float], *, minimum: int) -> list[int]:
    """Split `total` by `weights` (largest remainders), each share at least `minimum`."""
    spare = total - minimum * len(weights)
    scale = sum(weights)
    raw = [spare * w / scale for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[: spare - sum(shares)]:
        shares[i] += 1
    return [s + minimum for s in shares]


def _scaled(plan: GroupPlan, factor: float) -> int:
    return max(6 if plan.closed else 8, round(plan.planned * factor))


def _firsts(start: date, weekdays: list[int]) -> list[date]:
    return sorted(start + timedelta(days=(day - start.weekday()) % 7) for day in weekdays)


def _meeting_days(start: date, weekdays: list[int], horizon: date) -> int:
    """How many meeting days fall from `start` to `horizon`."""
    return sum(max(0, (horizon - first).days // 7 + 1) for first in _firsts(start, weekdays))


def _schedule(start: date, weekdays: list[int], count: int, horizon: date) -> list[date]:
    """The first `count` meeting days from `start`, none after `horizon`."""
    firsts = _firsts(start, weekdays)
    days: list[date] = []
    week = 0
    while True:
        for first in firsts:
            day = first + timedelta(days=7 * week)
            if day > horizon or len(days) == count:
                return days
            days.append(day)
        week += 1


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def _level_steps(
    spans: list[tuple[date, date]], track: list[tuple[date, int]]
) -> tuple[list[date], list[int]]:
    """A facilitator's training level from each change day on, as training_level_on reads
    it (trained while a verified training is valid; in certification while trained and
    the track pursues it; certified once certified), for choosing session quality."""
    changes = sorted(
        {d for s in spans for d in (s[0], s[1] + timedelta(days=1))} | {d for d, _ in track}
    )
    days: list[date] = []
    levels: list[int] = []
    for day in changes:
        trained = any(a <= day <= b for a, b in spans if a < b)
        state = None
        for since, value in track:
            if since <= day:
                state = value
        if state == CERTIFIED:
            level = CERTIFIED
        elif not trained:
            level = NOT_TRAINED
        elif state is not None:
            level = IN_CERTIFICATION
        else:
            level = TRAINED
        days.append(day)
        levels.append(level)
    return days, levels
