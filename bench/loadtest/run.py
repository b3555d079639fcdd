"""Load test with a database restart in the middle (`make loadtest`).

On a PostgreSQL cluster of its own (created and started when missing, by default
`pg_createcluster 15 loadtest --port 5434`), so that restarting it disturbs nobody else's
database: seeds `seed_demo --scale national` once (as bench/web.py does; a database
comment remembers), serves the project with gunicorn from bench/wsgi.py (production
settings but plain HTTP, no Redis), signs facilitators and managers in server-side and
runs locust headless (bench/loadtest/locustfile.py): LOADTEST_USERS users (default 50)
for LOADTEST_MINUTES (default 5). Half-way through, a timer restarts the cluster
(`pg_ctlcluster ... restart`). Then it reads locust's CSV stats and the per-request log,
checks that the outage gave only the clean 503 page (no 500, no traceback), that requests
after the restart succeed, and that nothing was half-written, and writes
bench/loadtest/results.md. It exits non-zero when a check fails.

    .venv/bin/python -m bench.loadtest.run
    LOADTEST_USERS=10 LOADTEST_MINUTES=1 .venv/bin/python -m bench.loadtest.run
"""

import csv
import datetime
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.database import ensure_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = HERE / "results.md"
LOCUSTFILE = HERE / "locustfile.py"
WORK = Path(os.environ.get("LOADTEST_WORK_DIR", "/tmp/seeking-safety-loadtest"))

DATABASE_URL = os.environ.get(
    "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5434/ss_loadtest"
)
CLUSTER = os.environ.get("LOADTEST_PG_CLUSTER", "loadtest")
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
MINUTES = float(os.environ.get("LOADTEST_MINUTES", "5"))
WORKERS = int(os.environ.get("LOADTEST_WORKERS", "2"))
SCALE = os.environ.get("LOADTEST_SCALE", "national")
# When the restart happens, as a share of the run.
RESTART_AT = float(os.environ.get("LOADTEST_RESTART_AT", "0.5"))
FACILITATORS = 60  # distinct facilitators, each on a session of their own
MANAGERS = 5  # the largest organizations' managers
SHARED_PORT = 5432  # everyone else's server: never restarted by this script

ATTENDANCE_POST = "take attendance (POST)"
FEEDBACK_POST = "feedback form (POST)"


# --- The dedicated cluster ----------------------------------------------------------------


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))
    if not versions:
        sys.exit("No PostgreSQL installed (/etc/postgresql is empty).")
    return os.environ.get("LOADTEST_PG_VERSION", versions[-1])


def ensure_cluster(port: int) -> str:
    """Create and start the load test's own cluster when missing; refuse a shared one."""
    if port == SHARED_PORT:
        sys.exit(f"Refusing port {SHARED_PORT}: the load test restarts its server mid-run.")
    version = pg_version()
    if not Path(f"/etc/postgresql/{version}/{CLUSTER}").exists():
        subprocess.run(
            ["pg_createcluster", version, CLUSTER, "--port", str(port), "--", "--auth=trust"],
            check=True,
        )
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header", version, CLUSTER],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if int(listed[2]) != port:
        sys.exit(f"Cluster {version}/{CLUSTER} listens on {listed[2]}, not {port}.")
    if listed[3] != "online":
        pg_ctl(version, "start")
    return version


def pg_ctl(version: str, action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, action], check=True
    )


# --- Django, the data and who signs in ----------------------------------------------------


def setup() -> None:
    from bench.web import SERVER_ENV

    os.environ.update(SERVER_ENV)
    os.environ["DATABASE_URL"] = DATABASE_URL
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SECRET_KEY", "loadtest-only-not-a-secret")
    # The key the synthetic contacts were seeded with, whatever the shell has set.
    os.environ["FIELD_ENCRYPTION_KEY"] = "YmVuY2gtb25seS1maWVsZC1rZXktbm90LWEtc2VjcmU="
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database(DATABASE_URL)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def facilitator_sessions(count: int) -> list[tuple[str, str]]:
    """(email, session path): distinct synthetic facilitators who need no MFA, each on a
    distinct recent session of theirs that has started and is not cancelled."""
    from django.utils import timezone

    from accounts.middleware import user_must_use_mfa
    from sessions_app.models import FacilitatorAssignment, Session
    from sessions_app.selectors.running import session_roster

    now = timezone.now()
    sessions = (
        Session.objects.filter(
            starts_at__lte=now - datetime.timedelta(hours=3),
            starts_at__gte=now - datetime.timedelta(days=21),
            group__organization__slug__startswith="synth-",
        )
        .exclude(status=Session.Status.CANCELLED)
        .select_related("group")
        .order_by("-starts_at")
    )
    chosen: list[tuple[str, str]] = []
    used: set[int] = set()
    for session in sessions.iterator(chunk_size=200):
        if len(chosen) == count:
            break
        assignments = FacilitatorAssignment.objects.filter(group_id=session.group_id)
        for assignment in assignments.select_related("user"):
            user = assignment.user
            if user.pk in used or not user.is_active or user_must_use_mfa(user):
                continue
            if len(session_roster(session=session)) < 3:
                break
            used.add(user.pk)
            chosen.append((user.email, f"/sessions/{session.code}/"))
            break
    if len(chosen) < count:
        sys.exit(f"Only {len(chosen)} facilitators with a session: is the database seeded?")
    return chosen


def largest_managers(count: int) -> list[tuple[str, str]]:
    """(email, dashboard path) of the managers of the organizations with most sessions."""
    from django.db.models import Count

    from accounts.models import Membership, Organization, Role

    organizations = Organization.objects.annotate(n=Count("groups__sessions")).order_by("-n")
    chosen: list[tuple[str, str]] = []
    for organization in organizations[: count * 2]:
        membership = (
            Membership.objects.filter(organization=organization, role=Role.MANAGER)
            .select_related("user")
            .first()
        )
        if membership and len(chosen) < count:
            path = f"/organizations/{organization.code}/dashboard/"
            chosen.append((membership.user.email, path))
    return chosen


def prepare() -> tuple[dict[str, Any], Any]:
    from bench.web import fixtures, reset_feedback, seed, session_cookies

    seed(SCALE, again=False)
    facilitators = facilitator_sessions(FACILITATORS)
    managers = largest_managers(MANAGERS)
    # The server waives MFA for these managers only (as bench/web.py does for its own).
    os.environ["DJANGO_MFA_EXEMPT_EMAILS"] = ",".join(email for email, _ in managers)
    from django.conf import settings

    settings.MFA_EXEMPT_EMAILS = [email.lower() for email, _ in managers]
    fx = fixtures()  # the bench's own feedback link, in an organization of its own
    reset_feedback(fx)
    cookies = session_cookies({email for email, _ in facilitators + managers})
    data = {
        "facilitators": [
            {"email": e, "session_path": p, "cookie": cookies[e]} for e, p in facilitators
        ],
        "managers": [{"email": e, "dashboard_path": p, "cookie": cookies[e]} for e, p in managers],
        "feedback_path": fx.feedback_path,
        "feedback_body": fx.feedback_body,
    }
    return data, fx


# --- The run ------------------------------------------------------------------------------


class Restart:
    """Restarts the cluster once, `delay` seconds in; remembers when."""

    def __init__(self, version: str, delay: float) -> None:
        self.version = version
        self.began: float | None = None
        self.ended: float | None = None
        self.timer = threading.Timer(delay, self._restart)

    def _restart(self) -> None:
        self.began = time.time()
        pg_ctl(self.version, "restart")
        self.ended = time.time()
        print(f"PostgreSQL restarted in {self.ended - self.began:.1f} s.", flush=True)


def run_locust(port: int, data: dict[str, Any], version: str) -> tuple[Restart, float, float]:
    WORK.mkdir(parents=True, exist_ok=True)
    for old in WORK.glob("*"):
        old.unlink()
    fixtures_file = WORK / "fixtures.json"
    fixtures_file.write_text(json.dumps(data), encoding="utf-8")
    seconds = int(MINUTES * 60)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(max(1, USERS // 10)),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(WORK / "locust"),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "LOADTEST_FIXTURES": str(fixtures_file),
        "LOADTEST_LOG": str(WORK / "requests.jsonl"),
    }
    restart = Restart(version, seconds * RESTART_AT)
    started = time.time()
    locust = subprocess.Popen(command, env=env, cwd=ROOT)
    restart.timer.start()
    try:
        locust.wait(timeout=seconds + 120)
    finally:
        restart.timer.cancel()
        if locust.poll() is None:
            locust.terminate()
    return restart, started, time.time()


# --- What happened ------------------------------------------------------------------------


def read_stats() -> list[dict[str, str]]:
    with open(WORK / "locust_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_log() -> list[dict[str, Any]]:
    with open(WORK / "requests.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def is_ok(line: dict[str, Any]) -> bool:
    return line["status"] == 200 and line["kind"] == "page"


def half_written_checks(log: list[dict[str, Any]], fx: Any) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) for what the load test wrote."""
    from django.db import connections

    from feedback.models import FeedbackAnswer, FeedbackResponse, UsedNonce
    from sessions_app.models import Attendance, Session, SessionLog
    from sessions_app.selectors.running import session_roster

    connections.close_all()  # this process's connection died with the restart
    checks = []

    saved = {line["session"] for line in log if line["name"] == ATTENDANCE_POST and is_ok(line)}
    mixed = []
    for path in sorted(saved):
        session = Session.objects.select_related("group").get(code=path.split("/")[2])
        roster = [p.pk for p in session_roster(session=session)]
        statuses = set(
            Attendance.objects.filter(session=session, participant_id__in=roster).values_list(
                "status", flat=True
            )
        )
        log_row = SessionLog.objects.filter(session=session).first()
        check_in = bool(log_row and log_row.check_in_done)
        uniform = len(statuses) == 1 and statuses <= {"present", "absent"}
        if not uniform or check_in != (statuses == {"present"}):
            mixed.append(f"{path}: {sorted(statuses)}, check-in {check_in}")
    checks.append(
        (
            "attendance saves whole: every roster row of a saved session has the status its "
            "last save gave everyone, and the check-in (same save) agrees",
            not mixed,
            f"{len(saved)} sessions saved at least once"
            + (f"; inconsistent: {'; '.join(mixed[:5])}" if mixed else ""),
        )
    )

    posts = [line for line in log if line["name"] == FEEDBACK_POST]
    ok_posts = sum(1 for line in posts if is_ok(line))
    outage_posts = sum(1 for line in posts if line["kind"] == "outage page")
    responses = FeedbackResponse.objects.filter(session_id=fx.feedback_session_id)
    stored = responses.count()
    nonces = UsedNonce.objects.filter(link_id=fx.feedback_link_id).count()
    answers = Counter(
        FeedbackAnswer.objects.filter(response__in=responses).values_list("response_id", flat=True)
    )
    per_response = fx.feedback_body.count("item-")  # the POST answers every question
    partial = sum(1 for r in responses.values_list("pk", flat=True) if answers[r] != per_response)
    checks.append(
        (
            "feedback rows match the answered POSTs: 2xx POSTs <= responses stored <= 2xx + "
            "503 POSTs (a 503 after the commit); one used nonce per response; every response "
            "has all its answers",
            ok_posts <= stored <= ok_posts + outage_posts and nonces == stored and not partial,
            f"{ok_posts} answered POSTs, {outage_posts} got the 503 page, {stored} responses "
            f"stored, {nonces} nonces used, {partial} responses missing answers",
        )
    )
    return checks


def outage_summary(log: list[dict[str, Any]], restart: Restart) -> tuple[list[str], bool]:
    began = restart.began or 0.0
    ended = restart.ended or began
    outage = [line for line in log if line["kind"] == "outage page"]
    broken = [
        line
        for line in log
        if line["kind"] in ("traceback", "no response") or line["status"] >= 500
        if line["kind"] != "outage page"
    ]
    other = [line for line in log if not is_ok(line) and line not in outage and line not in broken]
    last_503 = max((line["t"] for line in outage), default=ended)
    after = [line for line in log if line["t"] > max(last_503, ended)]
    after_ok = sum(1 for line in after if is_ok(line))
    recovered = [line["t"] for line in log if line["t"] > last_503 and is_ok(line)]
    first_ok = min(recovered, default=None)
    statuses = Counter(line["status"] for line in log)
    lines = [
        f"- Restart (`pg_ctlcluster --skip-systemctl-redirect ... {CLUSTER} restart`) began "
        f"{datetime.datetime.fromtimestamp(began, datetime.UTC):%H:%M:%S} UTC and took "
        f"{ended - began:.1f} s.",
        f"- Requests answered with the clean 503 page: **{len(outage)}**"
        + (
            f", from {min(line['t'] for line in outage) - began:+.1f} s to "
            f"{last_503 - began:+.1f} s after the restart began "
            f"({dict(Counter(line['name'] for line in outage))})."
            if outage
            else "."
        ),
        f"- Responses that were a 500, had a traceback or never came: **{len(broken)}**.",
        f"- Other unexpected answers (neither the page nor the 503): **{len(other)}**"
        + (f" ({dict(Counter(line['status'] for line in other))})" if other else "")
        + ".",
        "- Recovery, by itself (no server restart): the first success after the last 503 "
        + (f"came {first_ok - last_503:.1f} s after it. " if first_ok else "never came. ")
        + f"Requests after the last 503 and the restart's end: {len(after):,}, of which "
        f"{after_ok:,} succeeded. All statuses seen: {dict(sorted(statuses.items()))}.",
    ]
    passed = not broken and not other and after and after_ok == len(after)
    return lines, bool(passed)


def stats_table(stats: list[dict[str, str]], log: list[dict[str, Any]]) -> str:
    outage_by_name = Counter(line["name"] for line in log if line["kind"] == "outage page")
    rows = [
        "| page | requests | failures (not the 503 page) | clean 503s | p50 ms | p95 ms "
        "| p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in stats:
        name = row["Name"]
        clean = outage_by_name.get(name, 0)
        if name == "Aggregated":
            clean = sum(outage_by_name.values())
        label = "**all**" if name == "Aggregated" else f"{row['Type']} {name}"
        rows.append(
            f"| {label} | {int(row['Request Count']):,} | {int(row['Failure Count']) - clean} "
            f"| {clean} | {row['50%']} | {row['95%']} | {row['99%']} "
            f"| {float(row['Max Response Time']):.0f} |"
        )
    return "\n".join(rows)


def throughput(log: list[dict[str, Any]]) -> float:
    times = [line["t"] for line in log]
    return len(times) / max(1.0, max(times) - min(times)) if times else 0.0


def data_size() -> str:
    from bench.web import data_size as sizes

    return sizes()


def main() -> None:
    from bench.web import free_port, start_server

    port = urlsplit(DATABASE_URL).port or SHARED_PORT
    version = ensure_cluster(port)
    setup()
    data, fx = prepare()
    size = data_size()
    server_port = free_port()
    load_before = os.getloadavg()
    server = start_server(server_port, WORKERS)
    try:
        restart, started, finished = run_locust(server_port, data, version)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()

    stats = read_stats()
    log = read_log()
    outage_lines, outage_ok = outage_summary(log, restart)
    checks = half_written_checks(log, fx)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    mix = Counter(line["name"] for line in log)
    report = "\n".join(
        [
            "# Load test (`make loadtest`, bench/loadtest/run.py)",
            "",
            f"{datetime.datetime.fromtimestamp(started, datetime.UTC):%Y-%m-%d %H:%M} UTC, "
            f"commit {commit or '?'}, {os.cpu_count()} CPUs, load average "
            f"{load_before[0]:.2f} before and {load_after[0]:.2f} after. "
            + (
                "**The machine was busy** (a load average above its cores before the run: "
                "other work shared them), so the latencies are an upper bound, not this "
                "code's own figures."
                if load_before[0] > (os.cpu_count() or 1)
                else "Nothing else of note ran on the machine: the load is the test's own."
            ),
            f"Data: {SCALE} ({size}), on a PostgreSQL cluster of its own "
            f"({CLUSTER}, port {port}). gunicorn {WORKERS} sync workers from bench/wsgi.py "
            "(production settings, plain HTTP, local-memory cache, no Redis). "
            f"locust headless: {USERS} users for {(finished - started) / 60:.1f} minutes "
            f"(facilitators 7 : participants 2 : managers 1, think time 2-8 s, 2-6 s, 5-15 s); "
            f"PostgreSQL restarted once, {RESTART_AT:.0%} of the way in. "
            "Facilitators each run a session of their own (60 facilitators, round robin); "
            "participants answer the bench's own feedback link.",
            "",
            "## Per page (locust --csv stats; times in ms, the 503s included)",
            "",
            stats_table(stats, log),
            "",
            "Requests by kind: " + ", ".join(f"{k} {v:,}" for k, v in sorted(mix.items())) + ".",
            f"Throughput: {throughput(log):.1f} requests/s. The users wait only their think time "
            "between requests (a closed loop), so once the workers are busy the requests queue "
            "and the times above are mostly waiting for a worker; read them against the load "
            "average (the machine's other work takes the same 2 cores).",
            "",
            "## The restart",
            "",
            *outage_lines,
            "",
            "## Nothing half-written",
            "",
            "| check | result | detail |",
            "| --- | --- | --- |",
            *(f"| {name} | {'pass' if ok else 'FAIL'} | {detail} |" for name, ok, detail in checks),
            "",
            f"Outcome: {'PASS' if outage_ok and all(ok for _, ok, _ in checks) else 'FAIL'} "
            "(0 errors apart from the clean 503s while the database restarted; every request "
            "after it succeeded; nothing half-written).",
            "",
        ]
    )
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    print(f"Written to {RESULTS}.")
    if not (outage_ok and all(ok for _, ok, _ in checks)):
        sys.exit(1)


if __name__ == "__main__":
    main()
