"""sessions_app's fixtures: a group's team, today's session being run, a held session with
its attendance and recording consent; and the helpers the feature tests share (WAV bytes,
uploads, private storage in tmp_path, a frozen clock, a select's options as a page shows
them).

The shapes are dataclasses so a test says `held.consents["Sam"]`, not `world.x`. The
permission matrix has its own worlds (records_world.py, sessions_world.py); nothing here
imports them.
"""

import datetime
import struct
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from time_machine import TimeMachineFixture

from accounts.models import Role, User
from curriculum.models import Topic
from sessions_app.models import (
    Attendance,
    Consent,
    ConsentForm,
    FacilitatorAssignment,
    Group,
    GroupTopic,
    Participant,
    Session,
)
from sessions_app.services.consent import consent_capture
from sessions_app.services.planning import sessions_generate
from tests.conftest import Cast
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
    member,
    point_private_storage_at,
)

# --- The clock ----------------------------------------------------------------------------
#
# A test or module marked `@pytest.mark.time_machine(moment, tick=False)` (time-machine's own
# marker) runs with the clock frozen at `moment`, its fixtures included: time-machine sets
# the clock up before any other fixture. Say `tick=` every time: the marker ticks unless
# told not to. The `clock` fixture moves it.


@dataclass
class Clock:
    """time-machine's clock for one test, started at `start` (the marker's moment)."""

    machine: TimeMachineFixture
    start: datetime.datetime

    def at(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime.datetime:
        """A moment relative to where the clock started."""
        return self.start + datetime.timedelta(days=days, hours=hours, minutes=minutes)

    def shift(self, delta: datetime.timedelta) -> None:
        """Move the clock on (or back, with a negative delta)."""
        self.machine.shift(delta)


@pytest.fixture
def clock(request: pytest.FixtureRequest, time_machine: TimeMachineFixture) -> Clock:
    """The clock of a test marked `time_machine(moment, ...)`."""
    marker = request.node.get_closest_marker("time_machine")
    if marker is None or not isinstance(marker.args[0], datetime.datetime):
        raise pytest.UsageError("`clock` needs @pytest.mark.time_machine(<a datetime>, tick=...)")
    return Clock(machine=time_machine, start=marker.args[0])


# --- Files --------------------------------------------------------------------------------


@dataclass
class PrivateFiles:
    """The private storage of one test: a directory under its tmp_path."""

    root: Path

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    def path_of(self, name: str) -> Path:
        return self.root / name


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Path) -> PrivateFiles:
    """Every sessions_app test stores private files (recordings) in its own tmp_path, so
    none ever land in the repository and a test can see exactly what was stored."""
    root = tmp_path / "private"
    point_private_storage_at(root, settings=settings)
    return PrivateFiles(root=root)


def wav(samples: int = 64, extra: bytes = b"") -> bytes:
    """A minimal valid PCM WAV: RIFF header, fmt chunk, and a few silent samples."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = b"\x80" * samples + extra
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp4() -> bytes:
    """An ISO base media file: an `ftyp` box (isom) and an empty `free` box."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", 8) + b"free"


# Looks like a PNG to a content sniffer, whatever its name says.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def upload(
    name: str = "session.wav", content: bytes | None = None, content_type: str = "audio/wav"
) -> SimpleUploadedFile:
    """A file as a browser would post it (default: a small WAV recording)."""
    return SimpleUploadedFile(name, wav() if content is None else content, content_type)


# --- A select as a page shows it ------------------------------------------------------------


@dataclass
class Option:
    group: str | None  # the label of its <optgroup>, None outside one
    value: str
    text: str
    selected: bool


class _SelectReader(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.inside = False
        self.group: str | None = None
        self.options: list[Option] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "select":
            # By id: the page's own language switcher is a select named "language" too.
            self.inside = values.get("id") == f"id_{self.name}"
        elif self.inside and tag == "optgroup":
            self.group = values.get("label")
        elif self.inside and tag == "option":
            option = Option(self.group, values.get("value") or "", "", "selected" in values)
            self.options.append(option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.inside = False
        elif tag == "optgroup":
            self.group = None

    def handle_data(self, data: str) -> None:
        if self.inside and self.options and data.strip():
            self.options[-1].text += data.strip()


def select_options(page: str, name: str) -> list[Option]:
    """The options of form field `name`'s select on a page, in order, with their groups."""
    reader = _SelectReader(name)
    reader.feed(page)
    return reader.options


def option_groups(page: str, name: str) -> list[str | None]:
    """The groups of a select, in order (None for options outside a group)."""
    return list(dict.fromkeys(option.group for option in select_options(page, name)))


# --- Groups -------------------------------------------------------------------------------


def planned_group(organization: Any, **fields: Any) -> Group:
    """A group meeting Tuesdays and Thursdays from today (or `start_date`), all 25 topics in
    order, with four weeks of sessions planned."""
    fields.setdefault("start_date", timezone.localdate())
    group = GroupFactory(organization=organization, weekdays=[1, 3], **fields)
    GroupTopic.objects.bulk_create(
        GroupTopic(group=group, topic=topic, position=position)
        for position, topic in enumerate(Topic.objects.order_by("order"), start=1)
    )
    sessions_generate(group=group, weeks=4)
    return group


@pytest.fixture
def group(cast: Cast) -> Group:
    """An open group the peer facilitates: from today, Tuesdays and Thursdays, four weeks
    of sessions planned."""
    group = planned_group(cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    return group


@dataclass
class Team:
    """A group of the organization and who runs it: the peer is its lead facilitator;
    `other_facilitator` runs `other_group`, another group of the same organization."""

    group: Group
    facilitator: User
    other_group: Group
    other_facilitator: User


def build_team(cast: Cast, **group_fields: Any) -> Team:
    group = GroupFactory(organization=cast.org, **group_fields)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    other_group = GroupFactory(organization=cast.org)
    other = member(cast.org, Role.FACILITATOR)
    FacilitatorAssignmentFactory(group=other_group, user=other)
    return Team(
        group=group, facilitator=cast.peer, other_group=other_group, other_facilitator=other
    )


@pytest.fixture
def team(cast: Cast) -> Team:
    return build_team(cast)


# --- A session of the team's group ----------------------------------------------------------


@dataclass
class TeamSession:
    """A session of the team's group and the people on its roster."""

    team: Team
    session: Session
    roster: list[Participant] = field(default_factory=list)

    @property
    def group(self) -> Group:
        return self.team.group

    @property
    def other_facilitator(self) -> User:
        return self.team.other_facilitator

    def person(self, name: str) -> Participant:
        return next(p for p in self.roster if p.display_name == name)


@pytest.fixture
def running(cast: Cast) -> TeamSession:
    """Today's session, being run: it started an hour ago and is not held yet. The
    clinician co-facilitates the group (an assignment); Ana, Bea and Cy are on the roster;
    no attendance is taken yet."""
    now = timezone.now()
    team = build_team(cast, start_date=timezone.localdate() - datetime.timedelta(weeks=8))
    FacilitatorAssignmentFactory(
        group=team.group, user=cast.clinician, role=FacilitatorAssignment.Role.CLINICIAN_CO
    )
    roster = [
        EnrollmentFactory(group=team.group, participant__display_name=name).participant
        for name in ["Ana", "Bea", "Cy"]
    ]
    session = SessionFactory(group=team.group, starts_at=now - datetime.timedelta(hours=1))
    return TeamSession(team=team, session=session, roster=roster)


# --- A held session and its recording consent -------------------------------------------------


@dataclass
class HeldSession:
    """A session of the team's group held two hours ago, the clinician named on it as
    co-facilitator (no assignment to the group). Alex, Sam and Jo are on the roster; Alex
    and Sam were present, Jo absent. `form` is the organization's current recording
    consent form (version 1, valid 365 days). `consents` holds the recording consents
    given so far, by chosen name (none, unless the fixture is `consented`)."""

    team: Team
    session: Session
    form: ConsentForm
    alex: Participant
    sam: Participant
    jo: Participant
    consents: dict[str, Consent] = field(default_factory=dict)

    @property
    def group(self) -> Group:
        return self.team.group

    @property
    def other_facilitator(self) -> User:
        return self.team.other_facilitator


def give_consent(participant: Participant, form: ConsentForm, by: User, **fields: Any) -> Consent:
    """Capture a participant's recording consent (written, granted unless said otherwise)
    through the real service."""
    return consent_capture(
        participant=participant,
        form=form,
        granted=fields.pop("granted", True),
        method=fields.pop("method", Consent.Method.WRITTEN),
        captured_by=by,
        **fields,
    )


@pytest.fixture
def held(cast: Cast, team: Team) -> HeldSession:
    session = SessionFactory(
        group=team.group,
        status=Session.Status.HELD,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        clinician=cast.clinician,
    )
    form = ConsentFormFactory(organization=cast.org, version=1, valid_for_days=365)
    people = {}
    for name, status in (
        ("Alex", Attendance.Status.PRESENT),
        ("Sam", Attendance.Status.PRESENT),
        ("Jo", Attendance.Status.ABSENT),
    ):
        participant = EnrollmentFactory(
            group=team.group, participant__display_name=name
        ).participant
        AttendanceFactory(session=session, participant=participant, status=status)
        people[name] = participant
    return HeldSession(
        team=team,
        session=session,
        form=form,
        alex=people["Alex"],
        sam=people["Sam"],
        jo=people["Jo"],
    )


@pytest.fixture
def consented(cast: Cast, held: HeldSession) -> HeldSession:
    """The held session once Alex and Sam (everyone present) consented to recording on the
    current form, captured by the peer; Jo (absent) never did."""
    for participant in (held.alex, held.sam):
        held.consents[participant.display_name] = give_consent(participant, held.form, cast.peer)
    return held
