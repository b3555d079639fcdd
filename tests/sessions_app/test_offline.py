"""The session page offline, on the server's side: a change the phone kept while offline
comes with an idempotency key and is applied once however often it is sent, is refused
with the same rules as any save (stale, not yet, cancelled) and the page says so; the
service worker, the offline page and the neutral app manifest; signing out empties what
the site kept in the browser; receipts are purged. (The browser's side:
tests/browser/test_offline_session.py.)"""

import datetime
import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from retention import registered
from sessions_app.models import Attendance, OfflineChange, Session, SessionLog
from sessions_app.services.common import STALE
from sessions_app.services.retention import purge_offline_receipts
from tests.sessions_app.test_running import NOW, attendance_data, log_data, url

pytestmark = pytest.mark.time_machine(NOW, tick=True)


def queued(data: dict[str, str], key: uuid.UUID) -> dict[str, str]:
    """A Save the page kept offline, as session-offline.js sends it."""
    return {**data, "save": "check-in", "offline_key": str(key)}


def test_a_queued_change_is_applied_once_however_often_it_is_sent(client, cast, running):
    client.force_login(cast.peer)
    key = uuid.uuid4()
    data = queued(attendance_data(running, {"Ana": "present", "Bea": "absent"}), key)

    first = client.post(url("session_save", running.session), data)
    assert first.status_code == 302
    assert first["Location"] == url("session_detail", running.session) + f"?sent={key}#check-in"
    assert OfflineChange.objects.get(key=key).sent_by == cast.peer
    marked = dict(Attendance.objects.values_list("participant__display_name", "status"))
    assert marked == {"Ana": "present", "Bea": "absent"}

    # A co-facilitator changes Ana; then the phone, never having seen the first answer,
    # sends the same change again: nothing is applied, nothing refused.
    Attendance.objects.filter(participant__display_name="Ana").update(status="excused")
    again = client.post(url("session_save", running.session), data, follow=True)
    assert again.status_code == 200
    assert "These changes were sent from this phone before." in again.content.decode()
    assert OfflineChange.objects.filter(key=key).count() == 1
    assert Attendance.objects.get(participant__display_name="Ana").status == "excused"
    # The page it lands on names the key, so the phone forgets the change.
    assert f'data-offline-sent="{key}"' in again.content.decode()


def test_a_stale_queued_change_is_refused_with_todays_rule_and_the_page_says_so(
    client, cast, running
):
    client.force_login(cast.peer)
    seen = attendance_data(running, {"Ana": "present"})  # built from the page as it was
    # While the phone was offline, the co-facilitator saved attendance first.
    client.force_login(cast.clinician)
    client.post(url("session_save", running.session), attendance_data(running, {"Ana": "absent"}))
    client.force_login(cast.peer)
    key = uuid.uuid4()

    response = client.post(url("session_save", running.session), queued(seen, key))

    assert response.status_code == 400
    body = response.content.decode()
    assert escape(str(STALE)) in body
    assert "then refused when sent, for the reasons marked below" in body
    assert f'data-offline-sent="{key}"' in body
    assert not OfflineChange.objects.filter(key=key).exists()
    assert Attendance.objects.get(participant__display_name="Ana").status == "absent"


def test_a_refused_part_refuses_the_whole_queued_change_and_no_receipt_is_kept(
    client, cast, running
):
    """The same all-or-nothing rule as any Save: a stale log refuses the attendance with
    it, and the same key may be sent again once corrected (it was never applied)."""
    client.force_login(cast.peer)
    stale_log = log_data(running, check_in_done="on")
    SessionLog.objects.create(session=running.session, check_out_done=True, updated_by=cast.peer)
    key = uuid.uuid4()
    data = {**attendance_data(running, {"Ana": "present"}), **stale_log}

    response = client.post(url("session_save", running.session), queued(data, key))

    assert response.status_code == 400
    assert not Attendance.objects.exists()
    assert not OfflineChange.objects.exists()


def test_a_queued_change_for_a_cancelled_session_is_refused(client, cast, running):
    Session.objects.filter(pk=running.session.pk).update(
        status=Session.Status.CANCELLED, cancel_reason="Snow"
    )
    client.force_login(cast.peer)
    key = uuid.uuid4()
    response = client.post(
        url("session_save", running.session),
        queued(attendance_data(running, {"Ana": "present"}), key),
    )
    assert response.status_code == 400
    assert "This session was cancelled" in response.content.decode()
    assert not OfflineChange.objects.exists()


def test_a_key_that_is_not_a_uuid_is_an_ordinary_save(client, cast, running):
    client.force_login(cast.peer)
    data = {**attendance_data(running, {"Ana": "present"}), "offline_key": "not-a-key"}
    response = client.post(url("session_save", running.session), data)
    assert response.status_code == 302
    assert "sent=" not in response["Location"]
    assert not OfflineChange.objects.exists()
    assert Attendance.objects.get().status == "present"


def test_the_session_page_tells_its_script_where_the_worker_is_and_who_is_signed_in(
    client, cast, running, settings
):
    settings.SESSION_ABSOLUTE_HOURS = 10
    client.force_login(cast.peer)
    body = client.get(url("session_detail", running.session)).content.decode()
    assert f'data-offline-session="{running.session.code}"' in body
    assert f'data-offline-user="{cast.peer.pk}"' in body
    assert 'data-offline-worker="/sessions/offline-worker.js"' in body
    assert 'data-offline-scope="/sessions/"' in body
    assert 'data-offline-max-age="36000"' in body
    assert "data-offline-sent" not in body
    assert body.count("data-online-only") == 2  # consent and recordings
    # ?sent= with anything but a key names no key.
    assert (
        "data-offline-sent"
        not in client.get(
            url("session_detail", running.session) + "?sent=<script>"
        ).content.decode()
    )


def test_the_worker_script_carries_its_settings_and_is_rechecked_on_every_visit(client, settings):
    settings.SESSION_ABSOLUTE_HOURS = 12
    response = client.get(reverse("sessions_app:offline_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    first_line, source = response.content.decode().split("\n", 1)
    config = json.loads(first_line.removeprefix("self.OFFLINE_SETTINGS = ").rstrip(";"))
    assert config["offlineUrl"] == reverse("sessions_app:offline_page")
    assert config["maxAgeSeconds"] == 12 * 3600
    assert config["cacheName"].startswith("session-pages-")
    assert 'addEventListener("fetch"' in source
    # The worker keeps session pages and nothing else of /sessions/.
    pattern = re.compile(config["sessionPagePattern"])
    assert pattern.match(f"/sessions/{uuid.uuid4()}/")
    for other in ("/sessions/offline/", f"/sessions/{uuid.uuid4()}/consent/"):
        assert not pattern.match(other)


def test_the_offline_page_says_what_works_and_what_needs_a_connection(client, cast):
    client.force_login(cast.peer)
    body = client.get(reverse("sessions_app:offline_page")).content.decode()
    assert "No connection" in body
    assert "Recording consent and recording uploads need a connection" in body


def test_the_installable_app_has_a_neutral_name_and_icon_in_english_and_spanish(client):
    manifest = client.get(reverse("web_manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert (data["name"], data["short_name"], data["display"]) == (
        "Group planner",
        "Planner",
        "standalone",
    )
    words = json.dumps(data).lower()
    for telling in ("seeking", "safety", "trauma", "trafficking", "recovery", "substance"):
        assert telling not in words
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512", "any"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix(static(""))), icon["src"]
    client.cookies["django_language"] = "es"
    assert client.get(reverse("web_manifest")).json()["name"] == "Agenda de grupos"


def test_only_signed_in_pages_link_the_manifest(client, cast):
    assert 'rel="manifest"' not in client.get(reverse("account_login")).content.decode()
    client.force_login(cast.peer)
    assert 'rel="manifest"' in client.get(reverse("home")).content.decode()


def test_signing_out_empties_what_the_site_kept_in_the_browser(client, cast):
    client.force_login(cast.peer)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # Anything else keeps the browser's data (a queued change must survive a page view).
    client.force_login(cast.peer)
    assert not client.get(reverse("home")).has_header("Clear-Site-Data")


def test_receipts_are_purged_after_offline_receipt_days(cast, running, settings):
    settings.OFFLINE_RECEIPT_DAYS = 30
    old = OfflineChange.objects.create(key=uuid.uuid4(), session=running.session, sent_by=None)
    OfflineChange.objects.filter(pk=old.pk).update(
        applied_at=timezone.now() - datetime.timedelta(days=31)
    )
    recent = OfflineChange.objects.create(key=uuid.uuid4(), session=running.session)
    organization_id = running.session.group.organization_id

    assert purge_offline_receipts(timezone.now(), dry_run=True) == {organization_id: 1}
    assert OfflineChange.objects.count() == 2
    assert purge_offline_receipts(timezone.now()) == {organization_id: 1}
    assert list(OfflineChange.objects.all()) == [recent]
    assert "offline_receipts" in {purger.kind for purger in registered()}
