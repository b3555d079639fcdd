"""A manager reads the program dashboard, filters it to one group, prints the
formative-evaluation report and exports the de-identified dataset (issue 14).

On the demo seed (its manager is waived two-step sign-in, as `make demo` does). One demo
participant is given contact details first, so the export can be shown to leave them out.
"""

import csv
import datetime
import io
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_ORGANIZATION, DEMO_PASSWORD
from accounts.models import Organization, User
from dashboards.models import ExportLog
from sessions_app.demo import CLOSED_GROUP, OPEN_GROUP
from sessions_app.models import Group, Participant, Session
from tests.dashboards.test_exports import ALLOWED_PARTICIPANT_COLUMNS
from tests.factories import point_private_storage_at

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "manager@demo.example"
CONTACT_EMAIL = "bea.contact@mail.test"
CONTACT_PHONE = "+15550104477"


@pytest.fixture
def demo(settings, curriculum, tmp_path):
    settings.MFA_EXEMPT_EMAILS = [MANAGER]
    point_private_storage_at(tmp_path / "private", settings=settings)
    call_command("seed_demo", stdout=StringIO())
    organization = Organization.objects.get(slug=DEMO_ORGANIZATION["slug"])
    bea = Participant.objects.get(organization=organization, display_name="Bea")
    bea.contact_email, bea.contact_phone = CONTACT_EMAIL, CONTACT_PHONE
    bea.save()
    return organization


def read_download(download) -> list[list[str]]:
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(io.StringIO(file.read())))


def held_count(sessions_region) -> int:
    summary = sessions_region.get_by_text(re.compile(r"^\d+ held, \d+ cancelled and \d+ planned"))
    return int(summary.inner_text().split(" ", 1)[0])


def chosen(select) -> str:
    return select.evaluate("select => select.selectedOptions[0].text")


def local_month(session: Session) -> datetime.date:
    return session.starts_at.astimezone(ZoneInfo(session.group.timezone)).date().replace(day=1)


def covered(coverage, group: str):
    """The group's heading in the topic coverage section."""
    return coverage.get_by_role("heading", name=re.compile(re.escape(group)))


def sessions_in(
    organization: Organization, group: str, *, since: datetime.date, status: str | None = None
) -> int:
    """The group's sessions from `since`'s month to this month, on their local dates."""
    sessions = Session.objects.filter(group__organization=organization, group__name=group)
    if status is not None:
        sessions = sessions.filter(status=status)
    last = organization.today().replace(day=1)
    return sum(since <= local_month(s) <= last for s in sessions.select_related("group"))


def groups_with_held_sessions(organization: Organization, *, since: datetime.date) -> int:
    held = Session.objects.filter(
        group__organization=organization, status=Session.Status.HELD
    ).select_related("group")
    return len({s.group_id for s in held if local_month(s) >= since})


def identifying_values(organization: Organization) -> set[str]:
    """Everything that names or reaches a person or a group."""
    people = Participant.objects.filter(organization=organization)
    values = {p.display_name for p in people}
    values |= {p.contact_email for p in people if p.contact_email}
    values |= {p.contact_phone for p in people if p.contact_phone}
    values |= set(Group.objects.filter(organization=organization).values_list("name", flat=True))
    values |= set(User.objects.values_list("email", flat=True))
    values |= {u.display_name for u in User.objects.all() if u.display_name}
    return values


def test_manager_evaluation(page, live_server, demo, journey):
    organization = demo
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    journey.step("Signed in: the manager's home")

    page.get_by_role("link", name="Program dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Program dashboard")
    journey.step("The program dashboard")
    sessions = page.get_by_role("region", name="Sessions and attendance", exact=True)
    held_in_all = held_count(sessions)
    assert held_in_all > 0
    coverage = page.get_by_role("region", name="Topic coverage")
    group_filter = page.get_by_role("combobox", name="Group", exact=True)
    expect(covered(coverage, CLOSED_GROUP)).to_be_visible()

    # Since last month, one group only: the figures follow, and the filters stay chosen.
    this_month = organization.today().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    page.get_by_label("From month").fill(last_month.strftime("%Y-%m"))
    page.get_by_label("To month").fill(this_month.strftime("%Y-%m"))
    group_filter.select_option(label=OPEN_GROUP)
    journey.step("Choosing the last two months and one group in the filters")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(re.compile(r"[?&]group="))
    assert chosen(group_filter) == OPEN_GROUP
    expect(page.get_by_label("From month")).to_have_value(last_month.strftime("%Y-%m"))
    expect(covered(coverage, OPEN_GROUP)).to_be_visible()
    expect(covered(coverage, CLOSED_GROUP)).to_have_count(0)
    held_in_group = held_count(sessions)
    assert 0 < held_in_group < held_in_all
    assert held_in_group == sessions_in(
        organization, OPEN_GROUP, since=last_month, status=Session.Status.HELD
    )
    journey.step("The dashboard for that group alone")

    # The formative-evaluation report, for the same months. It is the organization's
    # whole program (its filters are the period only), so every group is in it.
    page.get_by_role("link", name="Formative-evaluation report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Formative-evaluation report")
    period = f"Period: {last_month:%B %Y} to {this_month:%B %Y}."
    expect(page.get_by_text(period)).to_be_visible()
    # It says so: the dashboard's group filter does not carry over.
    expect(page.get_by_test_id("report-scope")).to_contain_text("covers every group")
    expect(page.get_by_role("heading", name="Methods", level=2)).to_be_visible()
    reach = page.get_by_role("region", name="Reach", exact=True)
    groups_meeting = reach.get_by_role("row", name=re.compile("^Groups meeting"))
    expect(groups_meeting.get_by_role("cell").first).to_have_text(
        str(groups_with_held_sessions(organization, since=last_month))
    )
    journey.step("The formative-evaluation report on screen")

    # Printed: no menus, filters or footer, only the report.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Show the report")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Methods", level=2)).to_be_visible()
    journey.step("The report as it prints")
    page.emulate_media(media="screen")

    # The de-identified exports, for the dashboard's filters.
    page.go_back()
    page.get_by_role("link", name="De-identified exports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("De-identified exports")
    assert chosen(group_filter) == OPEN_GROUP
    expect(page.get_by_label("From month")).to_have_value(last_month.strftime("%Y-%m"))
    expect(page.get_by_test_id("no-exports")).to_be_visible()
    journey.step("The exports page, with the dashboard's filters")

    page.get_by_role("link", name="Codebook: what each column means").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Codebook")
    expect(page.get_by_role("rowheader", name="attendance_rate", exact=True)).to_be_visible()
    journey.step("The codebook: what each column means")
    page.go_back()

    with page.expect_download() as sessions_download:
        page.get_by_role("link", name="Sessions (CSV)").click()
    sessions_file = read_download(sessions_download.value)
    journey.step("The sessions file downloaded")
    with page.expect_download() as participants_download:
        page.get_by_role("link", name="Participants (CSV)").click()
    participants_file = read_download(participants_download.value)
    page.reload()
    log = page.get_by_role("region", name="Exports made")
    expect(log.get_by_role("row")).to_have_count(3)  # the header and the two downloads
    expect(log.get_by_role("row").nth(1)).to_contain_text("De-identified dataset: participants")
    expect(log.get_by_role("row").nth(2)).to_contain_text("De-identified dataset: sessions")
    journey.step("The participants file downloaded too, and the log lists both")

    # The files: the notice first, then the columns, then rows without anyone in them.
    assert sessions_download.value.suggested_filename.startswith(
        f"{organization.slug}-deidentified-sessions-"
    )
    for rows in (sessions_file, participants_file):
        assert rows[0][0].startswith("CONFIDENTIAL.")
        assert organization.name in rows[0][0]
    session_header, *session_rows = sessions_file[1:]
    assert session_header[:6] == ["group", "date", "month", "status", "topic", "facilitation_model"]
    assert {"enrolled", "present", "attendance_rate", "responses"} <= set(session_header)
    assert len(session_rows) == sessions_in(organization, OPEN_GROUP, since=last_month)
    assert {row[2] for row in session_rows} <= {f"{last_month:%Y-%m}", f"{this_month:%Y-%m}"}
    assert len({row[0] for row in session_rows}) == 1  # one group, as one pseudonym
    participant_header, *participant_rows = participants_file[1:]
    assert participant_header == ALLOWED_PARTICIPANT_COLUMNS
    assert participant_rows
    people = identifying_values(organization)
    for rows in (session_rows, participant_rows):
        cells = {cell for row in rows for cell in row}
        assert not cells & people
        assert all(re.fullmatch(r"[0-9a-f]{20}", row[0]) for row in rows)
        text = "\n".join(",".join(row) for row in rows)
        assert "@" not in text and CONTACT_PHONE not in text and "5550104477" not in text
    assert OPEN_GROUP not in str(sessions_file)

    # The server logged both, with who and how many rows.
    manager = User.objects.get(email=MANAGER)
    logs = ExportLog.objects.filter(organization=organization).order_by("created_at")
    assert [(entry.kind, entry.user, entry.row_count) for entry in logs] == [
        (ExportLog.Kind.SESSIONS, manager, len(session_rows)),
        (ExportLog.Kind.PARTICIPANTS, manager, len(participant_rows)),
    ]

    # And the access log, from the dashboard, shows the two downloads.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Access log").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Access log")
    events = page.get_by_role("region", name="Events")
    expect(events.get_by_role("row").filter(has_text="Export downloaded")).to_have_count(2)
    journey.step("The access log lists both downloads")
