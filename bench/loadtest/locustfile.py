"""The load test's users (locust): facilitators running their sessions, participants
answering the feedback form, managers reading their dashboard.

Started by bench/loadtest/run.py, which seeds the database, signs every actor in
server-side and hands this file their cookies and targets in a JSON file
(LOADTEST_FIXTURES). Each request is also written, one JSON line each, to LOADTEST_LOG
(time, page, status, what the body was), for the outage report.

A response is a success when it is what a person would expect (a page, or a redirect
followed to one). The 503 "temporarily unavailable" page is counted apart as a failure
named "clean 503", so any other failure in the stats is a real error.
"""

import itertools
import json
import os
import random
import threading
import time
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, events, task

with open(os.environ["LOADTEST_FIXTURES"], encoding="utf-8") as _fixtures:
    FIXTURES = json.load(_fixtures)
LOG_PATH = os.environ["LOADTEST_LOG"]
OUTAGE_TITLE = "<title>Temporarily unavailable</title>"
CLEAN_503 = "clean 503 (database unavailable)"
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "OperationalError", "Server Error (500)")

_log_lock = threading.Lock()
_log = open(LOG_PATH, "a", encoding="utf-8")  # noqa: SIM115 (open for the whole run)
_facilitators = itertools.cycle(FIXTURES["facilitators"])
_managers = itertools.cycle(FIXTURES["managers"])


def body_kind(status: int, text: str) -> str:
    if status == 503 and OUTAGE_TITLE in text:
        return "outage page"
    if any(sign in text for sign in TRACEBACK_SIGNS):
        return "traceback"
    return "page"


@events.request.add_listener
def _write_line(
    request_type: str, name: str, response_time: float, response: Any, exception: Any, **kw: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    text = getattr(response, "text", "") or ""
    line = {
        "t": time.time(),
        "name": name,
        "method": request_type,
        "status": status,
        "kind": body_kind(status, text) if response is not None else "no response",
        "ms": round(response_time, 1),
        "session": kw.get("context", {}).get("session", ""),
        "exception": repr(exception) if exception else "",
    }
    with _log_lock:
        _log.write(json.dumps(line) + "\n")
        _log.flush()


class FormFields(HTMLParser):
    """The fields of one form (by id) as a browser would send them untouched."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.radios: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside or "name" not in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "radio":
                self.radios.setdefault(name, []).append(a.get("value", ""))
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on") or "on"))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "select":
            self._select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.fields and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)


def form_fields(html: str, form_id: str) -> FormFields:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser


def expect(response: Any, *, ok: tuple[int, ...] = (200,)) -> bool:
    """Mark a catch_response response: success, clean 503, or failure with its reason."""
    kind = body_kind(response.status_code, response.text or "")
    if response.status_code in ok and kind == "page":
        response.success()
        return True
    if kind == "outage page":
        response.failure(CLEAN_503)
    elif kind == "traceback":
        response.failure(f"{response.status_code} with a traceback")
    else:
        response.failure(f"status {response.status_code}")
    return False


class Facilitator(HttpUser):
    """Opens their session page, takes attendance (everyone present, or everyone absent:
    with the check-in ticked exactly when everyone is present, all in one save, so a
    half-written save would show) and saves the session log."""

    weight = 7
    wait_time = between(2, 8)

    def on_start(self) -> None:
        me = next(_facilitators)
        self.cookie = me["cookie"]
        self.session_path = me["session_path"]
        self.client.headers["Cookie"] = self.cookie
        self.present = random.random() < 0.5

    def _open(self) -> FormFields | None:
        with self.client.get(
            self.session_path, name="session page", catch_response=True
        ) as response:
            if not expect(response):
                return None
            return form_fields(response.text, "session-form")

    def _save(self, fields: list[tuple[str, str]], name: str) -> None:
        with self.client.post(
            self.session_path + "save/",
            data=fields,
            headers={"Origin": self.host},
            name=name,
            catch_response=True,
            context={"session": self.session_path},
        ) as response:
            # A saved page redirects to the session page, which is followed.
            expect(response)

    @task(5)
    def open_session_page(self) -> None:
        self._open()

    @task(3)
    def take_attendance(self) -> None:
        form = self._open()
        if form is None:
            return
        self.present = not self.present
        status = "present" if self.present else "absent"
        keep = [
            (k, v)
            for k, v in form.fields
            if not k.startswith(("attendance-status_", "log-check_in_done"))
            and k.startswith(("csrfmiddlewaretoken", "attendance-", "log-"))
        ]
        marks = [(name, status) for name in form.radios if name.startswith("attendance-status_")]
        check_in = [("log-check_in_done", "on")] if self.present else []
        self._save([*keep, *marks, *check_in, ("save", "")], "take attendance (POST)")

    @task(2)
    def save_session_log(self) -> None:
        form = self._open()
        if form is None:
            return
        fields = [
            (k, v)
            for k, v in form.fields
            if k.startswith(("csrfmiddlewaretoken", "log-"))
            and k not in ("log-check_out_done", "log-actual_length_minutes")
        ]
        if random.random() < 0.5:
            fields.append(("log-check_out_done", "on"))
        fields.append(("log-actual_length_minutes", str(random.randint(60, 120))))
        self._save([*fields, ("save", "after")], "save session log (POST)")


class Participant(HttpUser):
    """Opens the session's feedback link on a phone and sends every answer."""

    weight = 2
    wait_time = between(2, 6)

    @task
    def answer_feedback(self) -> None:
        path = FIXTURES["feedback_path"]
        with self.client.get(path, name="feedback form", catch_response=True) as response:
            if not expect(response):
                return
            nonce = form_field_value(response.text, "nonce")
        body = FIXTURES["feedback_body"].replace("{nonce}", nonce)
        with self.client.post(
            path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": self.host},
            name="feedback form (POST)",
            catch_response=True,
        ) as response:
            expect(response)


def form_field_value(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


class Manager(HttpUser):
    """Opens the organization's dashboard."""

    weight = 1
    wait_time = between(5, 15)

    def on_start(self) -> None:
        me = next(_managers)
        self.client.headers["Cookie"] = me["cookie"]
        self.dashboard_path = me["dashboard_path"]

    @task
    def open_dashboard(self) -> None:
        with self.client.get(
            self.dashboard_path, name="manager dashboard", catch_response=True
        ) as response:
            expect(response)
