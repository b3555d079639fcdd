"""The manager dashboard's consent and recordings section: per month, sessions recorded,
recordings uploaded, awaiting review, marked for deletion and deleted, uploads refused for
missing consent (noted by the real upload service); why recordings went; each filter's
effect, hand-computed figures, a fixed number of queries, and the include."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from dashboards.selectors.recordings_panel import recordings_panel
from dashboards.services import rollups_refresh
from sessions_app.models import Recording, RecordingRefusal, SessionFacilitator
from sessions_app.services.recordings import recording_upload
from tests.dashboards.panel_factories import (
    WITH_CLINICIAN,
    months,
    recording_of,
    session_with_fact,
)
from tests.factories import AttendanceFactory, GroupFactory, point_private_storage_at
from tests.feedback.results_factories import session_on
from tests.sessions_app.policy import wav

pytestmark = pytest.mark.django_db

JAN, MARCH, APRIL, MAY = (datetime.date(2026, m, 1) for m in (1, 3, 4, 5))
SPRING = months(MARCH, MAY)
REFUSED = RecordingRefusal.Reason


def day(month: int, n: int) -> datetime.date:
    return datetime.date(2026, month, n)


def removed(recording: Recording, reason: str, *, purged: bool) -> None:
    recording.marked_for_deletion_at = timezone.now()
    recording.deletion_reason = reason
    recording.deleted_at = timezone.now() if purged else None
    recording.save()


def refused(session, reason: str) -> None:
    RecordingRefusal.objects.create(session=session, refused_on=session.local_date, reason=reason)


@pytest.fixture
def groups(cast):
    return (
        GroupFactory(organization=cast.org, name="Monday"),
        GroupFactory(organization=cast.org, name="Thursday"),
    )


@pytest.fixture
def recorded(cast, groups):
    first, second = groups
    peer, clinician = cast.peer, cast.clinician
    march = session_with_fact(first, day(3, 3), team=[peer])
    recording_of(march, by=peer)  # awaiting review
    reviewed = recording_of(march, by=peer, reviewed_at=timezone.now())
    removed(reviewed, "reviewed", purged=False)  # marked, not purged yet
    march_clinic = session_with_fact(second, day(3, 10), team=[clinician], model=WITH_CLINICIAN)
    removed(recording_of(march_clinic, by=clinician), "consent withdrawn", purged=True)
    refused(march_clinic, REFUSED.LACKS_CONSENT)
    april = session_with_fact(first, day(4, 7), team=[peer])
    refused(april, REFUSED.DROP_INS)
    may = session_with_fact(first, day(5, 5), team=[peer])
    recording_of(may, by=peer)
    removed(recording_of(may, by=peer), "retention period ended", purged=True)
    # Outside the figures: January, another organization, a session with no rollup yet.
    recording_of(session_with_fact(first, day(1, 6), team=[peer]), by=peer)
    other = GroupFactory(organization=cast.other_org)
    recording_of(session_with_fact(other, day(3, 3), team=[cast.outsider]), by=cast.outsider)
    refused(session_with_fact(other, day(3, 3)), REFUSED.LACKS_CONSENT)
    recording_of(session_on(first, day(3, 24)), by=peer)
    return groups


FIELDS = (
    "sessions_recorded",
    "uploaded",
    "awaiting_review",
    "marked_for_deletion",
    "purged",
    "refused",
)


def figures(row) -> tuple[int, ...]:
    return tuple(getattr(row, name) for name in FIELDS)


def test_each_month_counts_its_sessions_recordings_and_refusals(cast, recorded):
    panel = recordings_panel(organization=cast.org, filters=SPRING)
    assert [(row.month, figures(row)) for row in panel.months] == [
        (MARCH, (2, 3, 1, 1, 1, 1)),
        (APRIL, (0, 0, 0, 0, 0, 1)),
        (MAY, (1, 2, 1, 0, 1, 0)),
    ]
    assert figures(panel.total) == (3, 5, 2, 1, 2, 2)
    assert panel.reviewed == 1
    assert [(r.reason, r.count) for r in panel.removals] == [
        ("reviewed", 1),
        ("consent withdrawn", 1),
        ("retention period ended", 1),
    ]
    assert [(r.reason, r.count) for r in panel.refusals] == [
        ("lacks_consent", 1),
        ("drop_ins", 1),
    ]


def test_group_model_and_facilitator_filters_narrow_the_sessions(cast, recorded):
    _first, second = recorded
    narrowed = [
        months(MARCH, MAY, group_id=second.pk),
        months(MARCH, MAY, model=WITH_CLINICIAN),
        months(MARCH, MAY, facilitator_id=cast.clinician.pk),
    ]
    for filters in narrowed:
        panel = recordings_panel(organization=cast.org, filters=filters)
        assert figures(panel.months[0]) == (1, 1, 0, 0, 1, 1), filters
        assert figures(panel.total) == (1, 1, 0, 0, 1, 1), filters
    peer = recordings_panel(
        organization=cast.org, filters=months(MARCH, MAY, facilitator_id=cast.peer.pk)
    )
    assert figures(peer.total) == (2, 4, 2, 1, 1, 1)
    january = recordings_panel(organization=cast.org, filters=months(JAN, JAN))
    assert figures(january.total) == (1, 1, 1, 0, 0, 0)


# --- The upload service notes its refusals ---------------------------------------------------


@pytest.fixture
def private_files(tmp_path, settings):
    return point_private_storage_at(tmp_path / "private", settings=settings)


def upload(session, by):
    return recording_upload(
        session=session,
        file=SimpleUploadedFile("r.wav", wav(), "audio/wav"),
        purpose=Recording.Purpose.PEER_REVIEW,
        uploaded_by=by,
    )


def test_an_upload_refused_for_consent_is_noted_without_anyone_named(cast, groups, private_files):
    first, _ = groups
    session = session_with_fact(first, day(3, 3), team=[cast.peer])
    AttendanceFactory(session=session, participant__display_name="Kim")
    with pytest.raises(ValidationError):
        upload(session, cast.peer)
    with_drop_ins = session_with_fact(first, day(3, 10), team=[cast.peer], drop_in_count=2)
    with pytest.raises(ValidationError):
        upload(with_drop_ins, cast.peer)
    planned = session_with_fact(first, day(3, 17), status="planned")
    with pytest.raises(ValidationError):
        upload(planned, cast.peer)  # not held: refused, but not for consent

    assert list(
        RecordingRefusal.objects.order_by("pk").values_list("session_id", "refused_on", "reason")
    ) == [
        (session.pk, first.today(), "lacks_consent"),
        (with_drop_ins.pk, first.today(), "drop_ins"),
    ]
    assert not Recording.objects.exists()
    columns = {f.name for f in RecordingRefusal._meta.get_fields()}
    assert columns == {"id", "session", "refused_on", "reason"}
    panel = recordings_panel(organization=cast.org, filters=months(MARCH, MARCH))
    assert panel.total.refused == 2


# --- Queries ----------------------------------------------------------------------------


def build(cast, group, size: int) -> None:
    for n in range(size):
        session = session_with_fact(group, day(3 + n % 3, 1 + n), team=[cast.peer])
        recording_of(session, by=cast.peer)
        removed(recording_of(session, by=cast.peer), "reviewed", purged=n % 2 == 0)
        refused(session, REFUSED.LACKS_CONSENT)


@pytest.mark.parametrize("size", [1, 8])
def test_the_panel_costs_three_queries_whatever_the_data(
    cast, groups, size, django_assert_num_queries
):
    build(cast, groups[0], size)
    with django_assert_num_queries(3):
        panel = recordings_panel(organization=cast.org, filters=SPRING)
    assert panel.total.uploaded == 2 * size


# --- The include ------------------------------------------------------------------------


def render(panel, organization) -> str:
    return render_to_string(
        "dashboards/manager/_recordings.html",
        {"recordings_panel": panel, "organization": organization},
    )


def test_the_include_shows_each_month_and_the_reasons(cast, recorded):
    html = render(recordings_panel(organization=cast.org, filters=SPRING), cast.org)
    assert "<section" in html and "<h2" in html
    assert html.count('class="table-responsive" tabindex="0" role="region"') == 3
    assert "March 2026" in html and "May 2026" in html
    assert "Someone withdrew consent" in html
    assert "Unregistered drop-ins were present" in html


def test_the_include_says_when_there_is_nothing_to_show(cast):
    html = render(recordings_panel(organization=cast.org, filters=SPRING), cast.org)
    assert "No recording was uploaded or refused" in html
    assert "<table" not in html


def test_the_include_reads_in_spanish(cast, recorded):
    with translation.override("es"):
        html = render(recordings_panel(organization=cast.org, filters=SPRING), cast.org)
    assert "Consentimiento y grabaciones" in html
    assert "marzo de 2026" in html


def test_the_figures_agree_with_the_rollups_the_refresh_writes(cast, groups, private_files):
    first, second = groups
    ran = session_on(first, day(3, 3), status="held")
    SessionFacilitator.objects.create(
        session=ran, user=cast.peer, role=SessionFacilitator.Role.LEAD_PEER
    )
    recording_of(ran, by=cast.peer)
    AttendanceFactory(session=ran)  # no consent: the next upload is refused
    with pytest.raises(ValidationError):
        upload(ran, cast.peer)
    other = session_on(second, day(4, 7), status="held")
    recording_of(other, by=cast.clinician)
    rollups_refresh(cast.org)

    panel = recordings_panel(organization=cast.org, filters=SPRING)
    assert figures(panel.total) == (2, 2, 2, 0, 0, 1)
    peer = recordings_panel(
        organization=cast.org, filters=months(MARCH, MAY, facilitator_id=cast.peer.pk)
    )
    assert figures(peer.total) == (1, 1, 1, 0, 0, 1)
