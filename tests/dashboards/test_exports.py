"""De-identified exports (issue 12, item 4): the two files' headers are the codebook's, the
notice is their first line, they stream, every download is logged with its filters, the
pseudonyms differ between downloads, nothing outside the allowed columns leaves, small
sessions' means are suppressed, text cannot start a formula, the queries do not grow with
the data, managers only, and the values match a tiny dataset computed by hand.

The rollups are filled here by creating their rows (the refresh service has tests of its
own); attendance is read from sessions_app's table, as the participants file does."""

import csv
import datetime
import io
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.models import Role
from curriculum.models import Topic
from dashboards.models import ExportLog, FeedbackFact, SessionFact, SessionFactMember
from dashboards.selectors.exports import (
    CODEBOOK_HEADER,
    export_scope,
    session_dataset,
)
from dashboards.selectors.filters import DashboardFilters
from dashboards.selectors.program import facts_for
from dashboards.streaming_csv import csv_response, escape_cell
from sessions_app.models import Attendance, Session
from tests.conftest import CANARY
from tests.factories import (
    AttendanceFactory,
    GroupFactory,
    MembershipFactory,
    ParticipantFactory,
    UserFactory,
    member,
)
from tests.feedback.results_factories import session_on

pytestmark = pytest.mark.django_db

K = settings.FEEDBACK_MIN_CELL
MARCH_3 = datetime.date(2026, 3, 3)
MARCH_10 = datetime.date(2026, 3, 10)
APRIL_7 = datetime.date(2026, 4, 7)
FEBRUARY_3 = datetime.date(2026, 2, 3)
MARCH_TO_APRIL = {"from_month": "2026-03", "to_month": "2026-04"}

# Every column the files may hold: a new one must be added here on purpose (and so read
# by someone thinking about re-identification), not slip in.
ALLOWED_SESSION_COLUMNS = [
    "group",
    "date",
    "month",
    "status",
    "topic",
    "facilitation_model",
    "training_level",
    "enrolled",
    "present",
    "attendance_rate",
    "drop_ins",
    "parts_done",
    "adaptations",
    "recorded",
    "responses",
    *(
        f"{key}_{suffix}"
        for key in (
            "session_helpful",
            "topic_helpful",
            "handouts_helpful",
            "quotation_helpful",
            "facilitator_helpful",
            "felt_safe",
            "will_come_back",
        )
        for suffix in ("mean", "suppressed")
    ),
]
ALLOWED_PARTICIPANT_COLUMNS = [
    "participant",
    "sessions_attended",
    "topics_covered",
    "first_month",
    "last_month",
    "completer",
]


# --- Rollup rows, straight into the tables ---------------------------------------------------


def fact(group, day: datetime.date, *, topic: int | None = 2, **fields) -> SessionFact:
    """A session of `group` on `day` and its rollup row (held, peer-led by default)."""
    status = fields.pop("status", Session.Status.HELD)
    reason = fields.get("cancel_reason", "")
    session = session_on(group, day, topic=topic, status=status, cancel_reason=reason)
    return SessionFact.objects.create(
        session=session,
        organization=group.organization,
        group=group,
        local_date=day,
        month=day.replace(day=1),
        status=status,
        topic=session.topic,
        facilitation_model=fields.pop("facilitation_model", "peer_led"),
        training_level=fields.pop("training_level", "trained"),
        **fields,
    )


def answers(fact_row: SessionFact, key: str, *, count: int, total: int) -> None:
    FeedbackFact.objects.create(fact=fact_row, item_key=key, answers=count, total=total)


def present(fact_row: SessionFact, *participants) -> None:
    for participant in participants:
        AttendanceFactory(session=fact_row.session, participant=participant)


def url(name: str, organization) -> str:
    return reverse(f"dashboards:{name}", kwargs={"org_code": organization.code})


def download(client, name: str, organization, params=None, **extra):
    response = client.get(url(name, organization), params or {}, **extra)
    assert response.status_code == 200, response.status_code
    assert isinstance(response, StreamingHttpResponse)
    return response


def read(response) -> tuple[str, list[str], list[dict[str, str]]]:
    """The notice, the header and the rows (by column name) of a streamed CSV."""
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    notice, header, *rows = lines
    assert len(notice) == 1
    return notice[0], header, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def group(cast):
    return GroupFactory(organization=cast.org, name="Tuesday evening")


@pytest.fixture
def manager_client(client, cast):
    client.force_login(cast.manager)
    return client


# --- The codebook and the columns -----------------------------------------------------------


def test_each_files_header_is_the_codebooks_list_of_its_columns(manager_client, cast, group):
    fact(group, MARCH_3)
    _, codebook_header, codebook = read(download(manager_client, "export_codebook_csv", cast.org))
    assert codebook_header == list(CODEBOOK_HEADER)
    for name, file in (("export_sessions", "sessions"), ("export_participants", "participants")):
        _, header, _ = read(download(manager_client, name, cast.org, MARCH_TO_APRIL))
        assert header == [row["column"] for row in codebook if row["file"] == file]


def test_the_files_hold_only_the_allowed_columns(manager_client, cast, group):
    _, sessions, _ = read(download(manager_client, "export_sessions", cast.org))
    _, participants, _ = read(download(manager_client, "export_participants", cast.org))
    assert sessions == ALLOWED_SESSION_COLUMNS
    assert participants == ALLOWED_PARTICIPANT_COLUMNS


def test_no_name_free_text_or_time_of_day_leaves(manager_client, cast, group):
    maria = ParticipantFactory(organization=cast.org, display_name="Maria Q")
    row = fact(group, MARCH_3, enrolled=1, present=1, cancel_reason="Maria Q was in hospital")
    present(row, maria)
    bodies = [
        b"".join(download(manager_client, name, cast.org, MARCH_TO_APRIL).streaming_content)
        for name in ("export_sessions", "export_participants")
    ]
    for body in bodies:
        text = body.decode()
        assert "Maria" not in text and "hospital" not in text
        assert "Tuesday evening" not in text and str(group.code) not in text
        assert "18:00" not in text and "T18" not in text


def test_the_codebook_page_explains_every_column(manager_client, cast):
    response = manager_client.get(url("export_codebook", cast.org))
    body = response.content.decode()
    assert response.status_code == 200
    for name in ALLOWED_SESSION_COLUMNS + ALLOWED_PARTICIPANT_COLUMNS:
        assert f"<code>{name}</code>" in body
    assert f"fewer than {K} answers" in body


def test_the_codebook_page_is_in_spanish(manager_client, cast):
    body = manager_client.get(url("export_codebook", cast.org), HTTP_ACCEPT_LANGUAGE="es")
    assert "Libro de códigos" in body.content.decode()


# --- The notice, the stream and the log --------------------------------------------------


def test_the_first_line_is_the_notice_against_redisclosure(manager_client, cast, group):
    fact(group, MARCH_3)
    for name in ("export_sessions", "export_participants", "export_codebook_csv"):
        notice, _, _ = read(download(manager_client, name, cast.org, MARCH_TO_APRIL))
        assert notice.startswith("CONFIDENTIAL.") and "42 CFR Part 2" in notice
        assert cast.org.name in notice


def test_the_notice_is_in_the_readers_language(manager_client, cast):
    response = download(manager_client, "export_sessions", cast.org, HTTP_ACCEPT_LANGUAGE="es")
    notice, _, _ = read(response)
    assert notice.startswith("CONFIDENCIAL.") and cast.org.name in notice


def test_a_download_is_a_streamed_attachment_named_by_organization_and_date(manager_client, cast):
    response = download(manager_client, "export_sessions", cast.org)
    today = cast.org.today().isoformat()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="riverside-deidentified-sessions-{today}.csv"'
    )
    assert "no-store" in response["Cache-Control"]


def test_every_download_is_logged_before_it_streams_with_its_filters(manager_client, cast, group):
    fact(group, MARCH_3)
    fact(group, APRIL_7)
    response = download(
        manager_client,
        "export_sessions",
        cast.org,
        {**MARCH_TO_APRIL, "group": group.code, "model": "peer_led"},
    )
    log = ExportLog.objects.get()
    assert (log.organization, log.user, log.kind) == (cast.org, cast.manager, "sessions")
    assert log.filters == {
        "from_month": "2026-03",
        "to_month": "2026-04",
        "group": str(group.code),
        "facilitator": "",
        "model": "peer_led",
    }
    assert log.row_count is None  # nothing read yet
    read(response)
    log.refresh_from_db()
    assert log.row_count == 2


def test_a_filter_with_an_error_exports_nothing(manager_client, cast):
    response = manager_client.get(
        url("export_sessions", cast.org), {"from_month": "2026-05", "to_month": "2026-01"}
    )
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert not ExportLog.objects.exists()


# --- Pseudonyms -----------------------------------------------------------------------------


def test_two_downloads_pseudonyms_never_match(manager_client, cast, group):
    other = GroupFactory(organization=cast.org)
    people = [ParticipantFactory(organization=cast.org) for _ in range(3)]
    for day in (MARCH_3, MARCH_10):
        present(fact(group, day), *people)
    present(fact(other, MARCH_10), people[0])

    _, _, first = read(download(manager_client, "export_sessions", cast.org, MARCH_TO_APRIL))
    _, _, second = read(download(manager_client, "export_sessions", cast.org, MARCH_TO_APRIL))
    # Within a file a group keeps one pseudonym; across files none is shared.
    assert first[0]["group"] == first[1]["group"] != first[2]["group"]
    assert not {row["group"] for row in first} & {row["group"] for row in second}

    files = [
        read(download(manager_client, "export_participants", cast.org, MARCH_TO_APRIL))[2]
        for _ in range(2)
    ]
    pseudonyms = [{row["participant"] for row in rows} for rows in files]
    assert len(pseudonyms[0]) == len(pseudonyms[1]) == 3
    assert not pseudonyms[0] & pseudonyms[1]
    assert all(len(p) == 20 for p in pseudonyms[0])


# --- Suppression ------------------------------------------------------------------------


def test_a_sessions_mean_resting_on_fewer_than_k_answers_is_suppressed(manager_client, cast, group):
    small = fact(group, MARCH_3, responses=K - 1)
    answers(small, "session_helpful", count=K - 1, total=3 * (K - 1))
    enough = fact(group, MARCH_10, responses=K)
    answers(enough, "session_helpful", count=K, total=2 * K)
    answers(enough, "felt_safe", count=K - 1, total=K - 1)  # one person skipped it
    fact(group, APRIL_7)  # no feedback at all

    _, _, rows = read(download(manager_client, "export_sessions", cast.org, MARCH_TO_APRIL))

    assert (rows[0]["session_helpful_mean"], rows[0]["session_helpful_suppressed"]) == ("", "1")
    assert rows[0]["responses"] == str(K - 1)
    assert (rows[1]["session_helpful_mean"], rows[1]["session_helpful_suppressed"]) == ("2.00", "0")
    assert (rows[1]["felt_safe_mean"], rows[1]["felt_safe_suppressed"]) == ("", "1")
    assert (rows[2]["session_helpful_mean"], rows[2]["session_helpful_suppressed"]) == ("", "0")


def test_suppression_holds_on_every_filter_combination(cast):
    """Each session's mean stands or falls by its own answers, whatever the filters pick:
    answer counts drawn as the feedback property test draws them (none, 1 to k-1, k or
    more), every group x model x month range, read through the selector."""
    groups = [GroupFactory(organization=cast.org) for _ in range(2)]
    counts = [0, 1, K - 1, K, 2 * K, 1, K + 1, 3, 0, 4 * K, K - 1, K]
    models = ["peer_led", "peer_with_clinician", "participant_led"]
    answered = {}
    for i, count in enumerate(counts):
        day = (MARCH_3, MARCH_10, APRIL_7)[i % 3]
        row = fact(groups[i % 2], day, facilitation_model=models[i % 3], responses=count)
        if count:
            answers(row, "session_helpful", count=count, total=2 * count)
        answered[row.session_id] = count
    items = export_scope(organization=cast.org, user=cast.manager).items
    seen = set()
    for group_id, model, (first, last) in itertools.product(
        [None, *(g.pk for g in groups)],
        ["", *models],
        [(MARCH_3, MARCH_3), (APRIL_7, APRIL_7), (MARCH_3, APRIL_7)],
    ):
        filters = DashboardFilters(
            first_month=first.replace(day=1),
            last_month=last.replace(day=1),
            group_id=group_id,
            model=model,
        )
        dataset = session_dataset(organization=cast.org, filters=filters, items=items)
        header = dataset.header
        mean, flag = (
            header.index("session_helpful_mean"),
            header.index("session_helpful_suppressed"),
        )
        ids = list(
            facts_for(organization=cast.org, filters=filters)
            .order_by("local_date", "session_id")
            .values_list("session_id", flat=True)
        )
        for session_id, cells in zip(ids, dataset.cells(), strict=True):
            n = answered[session_id]
            seen.add(n)
            if 0 < n < K:
                assert (cells[mean], cells[flag]) == (None, 1)
            elif n == 0:
                assert (cells[mean], cells[flag]) == (None, 0)
            else:
                assert (cells[mean], cells[flag]) == (Decimal("2.00"), 0)
    assert seen == set(counts)


# --- Formula injection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-3, -3),
        (Decimal("-0.5"), Decimal("-0.5")),
        (None, ""),
        (True, 1),
        (datetime.date(2026, 3, 3), "2026-03-03"),
    ],
)
def test_cells_are_written_so_no_spreadsheet_runs_them(value, written):
    assert escape_cell(value) == written


def test_the_helper_escapes_header_and_rows_and_counts_the_rows(cast):
    counted = []
    response = csv_response(
        organization=cast.org,
        name="table",
        header=["=name"],
        rows=iter([["=1+1"], ["ok"]]),
        on_complete=counted.append,
    )
    _, header, rows = read(response)
    assert header == ["'=name"]
    assert [row["'=name"] for row in rows] == ["'=1+1", "ok"]
    assert counted == [2]


# --- Hand-computed values -----------------------------------------------------------------


def test_the_sessions_file_matches_a_tiny_dataset_computed_by_hand(manager_client, cast, group):
    first = fact(
        group,
        MARCH_3,
        topic=2,
        enrolled=4,
        present=3,
        drop_ins=1,
        parts_done=4,
        adaptations=1,
        recorded=True,
        responses=K,
    )
    answers(first, "session_helpful", count=K, total=12)  # 12 / 5 = 2.40
    answers(first, "will_come_back", count=K, total=4)  # 4 of 5 said yes: 0.80
    fact(
        group,
        MARCH_10,
        topic=3,
        status=Session.Status.CANCELLED,
        cancel_reason="Ana was ill",
        enrolled=4,
        facilitation_model="peer_with_clinician",
        training_level="certified",
    )
    fact(group, APRIL_7, topic=None, enrolled=0, facilitation_model="participant_led")
    fact(group, FEBRUARY_3)  # before the months chosen
    fact(GroupFactory(organization=cast.other_org), MARCH_3)  # another organization's

    _, _, rows = read(download(manager_client, "export_sessions", cast.org, MARCH_TO_APRIL))

    picked = [
        {
            name: row[name]
            for name in (
                "date",
                "month",
                "status",
                "topic",
                "facilitation_model",
                "training_level",
                "enrolled",
                "present",
                "attendance_rate",
                "drop_ins",
                "parts_done",
                "adaptations",
                "recorded",
                "responses",
                "session_helpful_mean",
                "will_come_back_mean",
            )
        }
        for row in rows
    ]
    assert picked == [
        {
            "date": "2026-03-03",
            "month": "2026-03",
            "status": "held",
            "topic": "2",
            "facilitation_model": "peer_led",
            "training_level": "trained",
            "enrolled": "4",
            "present": "3",
            "attendance_rate": "0.750",
            "drop_ins": "1",
            "parts_done": "4",
            "adaptations": "1",
            "recorded": "1",
            "responses": "5",
            "session_helpful_mean": "2.40",
            "will_come_back_mean": "0.80",
        },
        {
            "date": "2026-03-10",
            "month": "2026-03",
            "status": "cancelled",
            "topic": "3",
            "facilitation_model": "peer_with_clinician",
            "training_level": "certified",
            "enrolled": "4",
            "present": "0",
            "attendance_rate": "0.000",
            "drop_ins": "0",
            "parts_done": "0",
            "adaptations": "0",
            "recorded": "0",
            "responses": "0",
            "session_helpful_mean": "",
            "will_come_back_mean": "",
        },
        {
            "date": "2026-04-07",
            "month": "2026-04",
            "status": "held",
            "topic": "",
            "facilitation_model": "participant_led",
            "training_level": "trained",
            "enrolled": "0",
            "present": "0",
            "attendance_rate": "",
            "drop_ins": "0",
            "parts_done": "0",
            "adaptations": "0",
            "recorded": "0",
            "responses": "0",
            "session_helpful_mean": "",
            "will_come_back_mean": "",
        },
    ]


def test_the_participants_file_matches_a_tiny_dataset_computed_by_hand(
    manager_client, cast, group, settings
):
    settings.COMPLETER_SESSIONS = 2
    ana, bea, cid = (ParticipantFactory(organization=cast.org) for _ in range(3))
    march = fact(group, MARCH_3, topic=2)
    march_again = fact(group, MARCH_10, topic=2)
    april = fact(group, APRIL_7, topic=5)
    february = fact(group, FEBRUARY_3, topic=7)
    present(march, ana, bea)
    present(march_again, ana)
    present(april, ana)
    present(february, bea)  # outside the months: not counted
    AttendanceFactory(session=april.session, participant=bea, status=Attendance.Status.ABSENT)
    AttendanceFactory(session=march.session, participant=cid, status=Attendance.Status.EXCUSED)

    _, _, rows = read(download(manager_client, "export_participants", cast.org, MARCH_TO_APRIL))

    # Ordered by what the rows show: first month, last month, sessions, topics.
    assert [{k: v for k, v in row.items() if k != "participant"} for row in rows] == [
        {
            "sessions_attended": "1",
            "topics_covered": "1",
            "first_month": "2026-03",
            "last_month": "2026-03",
            "completer": "0",
        },
        {
            "sessions_attended": "3",
            "topics_covered": "2",
            "first_month": "2026-03",
            "last_month": "2026-04",
            "completer": "1",
        },
    ]


def test_the_filters_choose_group_model_and_facilitator(manager_client, cast, group):
    other = GroupFactory(organization=cast.org)
    lead = member(cast.org, Role.FACILITATOR)
    led = fact(group, MARCH_3)
    SessionFactMember.objects.create(fact=led, user=lead)
    fact(group, MARCH_10, facilitation_model="participant_led")
    fact(other, MARCH_3)

    def dates(**params):
        _, _, rows = read(
            download(manager_client, "export_sessions", cast.org, {**MARCH_TO_APRIL, **params})
        )
        return [row["date"] for row in rows]

    assert dates() == ["2026-03-03", "2026-03-03", "2026-03-10"]
    assert dates(group=group.code) == ["2026-03-03", "2026-03-10"]
    assert dates(model="participant_led") == ["2026-03-10"]
    assert dates(facilitator=lead.pk) == ["2026-03-03"]


# --- The managers' page --------------------------------------------------------------------


def test_the_page_lists_the_organizations_exports_newest_first(manager_client, cast, group):
    ExportLog.objects.create(
        organization=cast.org,
        user=cast.manager,
        kind=ExportLog.Kind.PARTICIPANTS,
        filters={**MARCH_TO_APRIL, "group": str(group.code), "facilitator": "", "model": ""},
        row_count=7,
    )
    ExportLog.objects.create(
        organization=cast.other_org, user=cast.outsider_manager, kind="sessions", filters={}
    )
    download(manager_client, "export_sessions", cast.org, MARCH_TO_APRIL)

    body = manager_client.get(url("exports", cast.org)).content.decode()

    assert body.index("De-identified dataset: sessions") < body.index(
        "De-identified dataset: participants"
    )
    assert "2026-03 to 2026-04 · Tuesday evening" in body
    assert "not finished" in body and ">7<" in body
    assert CANARY not in body


def test_the_page_shows_times_in_the_organizations_time_zone(manager_client, cast):
    cast.org.timezone = "America/Chicago"
    cast.org.save()
    log = ExportLog.objects.create(organization=cast.org, user=cast.manager, kind="sessions")
    body = manager_client.get(url("exports", cast.org)).content.decode()
    local = log.created_at.astimezone(ZoneInfo("America/Chicago"))
    assert f'datetime="{local.isoformat()}"' in body


def test_the_page_says_when_nothing_was_exported_yet(manager_client, cast):
    body = manager_client.get(url("exports", cast.org)).content.decode()
    assert "Nobody has exported this organization's data yet." in body


def test_the_download_links_carry_the_current_filters(manager_client, cast, group):
    body = manager_client.get(
        url("exports", cast.org), {**MARCH_TO_APRIL, "group": group.code}
    ).content.decode()
    query = f"from_month=2026-03&amp;to_month=2026-04&amp;group={group.code}"
    assert f"{url('export_sessions', cast.org)}?{query}" in body
    assert f"{url('export_participants', cast.org)}?{query}" in body


# --- Who may export --------------------------------------------------------------------------

NAMES = ["exports", "export_sessions", "export_participants", "export_codebook"]


@pytest.mark.parametrize("name", [*NAMES, "export_codebook_csv"])
@pytest.mark.parametrize(
    ("actor", "status"),
    [("outsider_manager", 404), ("peer", 403), ("reviewer", 403), ("admin", 404)],
)
def test_only_the_organizations_managers_export(client, cast, name, actor, status):
    client.force_login(getattr(cast, actor))
    assert client.get(url(name, cast.org)).status_code == status
    assert not ExportLog.objects.exists()


def test_another_organizations_download_carries_its_canary(client, cast):
    # So the permission matrix's canary check means something for CSV bodies: other_org's
    # own files do show it (through the notice naming the organization).
    client.force_login(cast.outsider_manager)
    for name in ("export_sessions", "export_participants", "export_codebook_csv"):
        notice, _, _ = read(download(client, name, cast.other_org))
        assert CANARY in notice


# --- A fixed number of queries -------------------------------------------------------------

# The session, the user, their memberships and MFA, the organization and the role; the
# scope (the filters' groups and facilitators, the results scope's groups and questions);
# the log row; the access log's event (audit.record_access); the rows (one streamed
# query); the row count when the download ends.
DOWNLOAD_QUERIES = 13


def _data(cast, size: int) -> None:
    for i in range(size):
        group = GroupFactory(organization=cast.org, name=f"Group {i}")
        lead = UserFactory()
        MembershipFactory(user=lead, organization=cast.org, role=Role.FACILITATOR)
        people = [ParticipantFactory(organization=cast.org) for _ in range(2)]
        for day in (MARCH_3, MARCH_10):
            row = fact(group, day, topic=Topic.objects.get(order=2 + i % 3).order, responses=K)
            answers(row, "session_helpful", count=K, total=2 * K)
            SessionFactMember.objects.create(fact=row, user=lead)
            present(row, *people)


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize("name", ["export_sessions", "export_participants"])
def test_a_download_makes_a_fixed_number_of_queries(
    manager_client, cast, size, name, django_assert_num_queries
):
    _data(cast, size)
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        _, _, rows = read(download(manager_client, name, cast.org, MARCH_TO_APRIL))
    assert len(rows) == 2 * size


# The session, user, memberships, MFA, organization, role; the scope (four); the log
# page (count and rows).
PAGE_QUERIES = 11


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_makes_a_fixed_number_of_queries(
    manager_client, cast, size, django_assert_num_queries
):
    _data(cast, size)
    for _ in range(size * 5):
        ExportLog.objects.create(organization=cast.org, user=UserFactory(), kind="sessions")
    with django_assert_num_queries(PAGE_QUERIES):
        response = manager_client.get(url("exports", cast.org))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_the_codebook_makes_a_fixed_number_of_queries(
    manager_client, cast, size, django_assert_num_queries
):
    _data(cast, size)
    with django_assert_num_queries(9):  # as the page, without the log
        assert manager_client.get(url("export_codebook", cast.org)).status_code == 200
