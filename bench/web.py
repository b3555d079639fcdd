"""Web pages under load: the project served by gunicorn, loaded by wrk.

Seeds the benchmark database once (`seed_demo --scale national`, or the plain demo while
`seed_demo` has no --scale; a later run with the same scale skips it), serves the
project with gunicorn (2 sync workers, DEBUG off, no Redis: the local-memory cache) from
bench/wsgi.py, signs the demo actors in (a session made server-side, its cookie handed to
wrk) and loads each target for a fixed time with `wrk -t2 -c16 --latency`. Then, per
target: requests per second, p50 and p95, the queries one request runs (Django's test
client with CaptureQueriesContext on the same database), the share of the no-query,
no-middleware view's requests per second, and where a target declares its SQL, how many
times faster that SQL alone runs through psycopg. Prints a markdown table and writes it
to bench/results.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ss_bench_web python -m bench.web
    ... python -m bench.web --only "topic list" --duration 5 --scale small
"""

import argparse
import datetime
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from bench.database import bench_database_url, setup

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
RESULTS = BENCH_DIR / "results.md"

PEER = "peer@demo.example"
MANAGER = "manager@demo.example"
# The largest synthetic organization's manager (seed_demo --scale); the demo's without it.
LARGEST = "manager-001@synthetic.example"
# The largest export: five years of the largest organization's sessions.
EXPORT_QUERY = "?from_month=2022-01&to_month=2026-12"

# The bench server is production's settings with what a plain-HTTP local server needs:
# no HTTPS redirect or Secure cookies, plain static files (no collectstatic), fewer logs;
# MFA is waived for the demo manager only (as `make demo` does), so a cookie signs in.
SERVER_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_STATIC_MANIFEST": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_MFA_EXEMPT_EMAILS": f"{MANAGER},{LARGEST}",
    "DJANGO_LOG_LEVEL": "WARNING",
    # WhiteNoise warns that STATIC_ROOT is missing: static files are not benchmarked.
    "PYTHONWARNINGS": "ignore:No directory at",
}

SEEDED_NOTE = "bench.web seeded: "


# --- Targets ------------------------------------------------------------------------------


@dataclass
class Fixtures:
    """What the targets point at, found (or made) in the seeded database."""

    session_path: str  # the peer facilitator's latest session that has started
    feedback_path: str  # /f/<token> of the bench's own open link
    feedback_body: str  # its form, every question answered, "{nonce}" to fill in
    feedback_session_id: int
    feedback_link_id: int
    dashboard_path: str  # the largest organization's manager dashboard (default months)
    export_path: str  # its sessions dataset over five years
    manager: str  # that organization's manager


@dataclass(frozen=True)
class Target:
    name: str
    # The page's path; None for a target not built yet (a row saying so).
    path: Callable[[Fixtures], str] | None
    actor: str | None = None  # whose session cookie is sent; None: anonymous
    post: Callable[[Fixtures], str] | None = None  # a form body: POST instead of GET
    # Runs the page's SQL straight through psycopg (the database's limit); optional.
    raw_sql: Callable[[Any, "Measured"], None] | None = None
    goal_share: float | None = None  # share of the no-middleware view's requests/s
    note: str = ""


@dataclass
class Measured:
    target: Target
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    queries: int | None = None
    statements: list[str] = field(default_factory=list)  # what one request ran
    raw_rps: float | None = None


def replay_queries(conn: Any, measured: Measured) -> None:
    """The page's own SELECTs, as the test client saw it run them, one after another."""
    for sql in measured.statements:
        conn.execute(sql).fetchall()


BARE = "bare view, no middleware"
TARGETS: list[Target] = [
    Target(BARE, lambda f: "/bench/bare-no-middleware/", note="no query, no middleware"),
    Target("bare view, project middleware", lambda f: "/bench/bare/", note="anonymous"),
    Target(
        "empty page, signed in",
        lambda f: "/bench/empty-page/",
        actor=PEER,
        note="the layout (navigation, footer) and nothing else: every page's floor",
    ),
    Target(
        "session page (facilitator)",
        lambda f: f.session_path,
        actor=PEER,
        raw_sql=replay_queries,
        goal_share=0.05,
    ),
    Target(
        "my sessions",
        lambda f: "/my-sessions/",
        actor=PEER,
        raw_sql=replay_queries,
        goal_share=0.10,
    ),
    Target(
        "topic list", lambda f: "/curriculum/", actor=PEER, raw_sql=replay_queries, goal_share=0.20
    ),
    Target(
        "feedback submission",
        lambda f: f.feedback_path,
        post=lambda f: f.feedback_body,
        goal_share=0.20,
        note="POST, every answer given, a new nonce each",
    ),
    Target(
        "manager dashboard (largest organization)",
        lambda f: f.dashboard_path,
        actor=LARGEST,
        raw_sql=replay_queries,
        note="figures from the cache (rebuilt with the rollups); raw SQL: an uncached request's",
    ),
    Target(
        "largest CSV export",
        lambda f: f.export_path,
        actor=LARGEST,
        note="five years of the largest organization's sessions, streamed",
    ),
]


# --- Database -----------------------------------------------------------------------------


def _database_comment() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return (row[0] if row else None) or ""


def _seed_demo_takes_scale() -> bool:
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["seed_demo"], "seed_demo")
    parser = command.create_parser("manage.py", "seed_demo")
    return any("--scale" in action.option_strings for action in parser._actions)


def seed(scale: str, *, again: bool) -> str:
    """Seed once per database and scale (a database comment remembers); return what."""
    from django.core.management import call_command
    from django.db import connection

    wanted = scale if _seed_demo_takes_scale() else "demo"
    if wanted != scale:
        print(f"seed_demo has no --scale yet: seeding the plain demo instead of {scale!r}.")
    done = _database_comment().removeprefix(SEEDED_NOTE)
    if done == wanted and not again:
        print(f"Already seeded ({wanted}); --reseed to seed again.")
        return wanted
    started = time.perf_counter()
    call_command("seed_demo", *(["--scale", scale] if wanted != "demo" else []))
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{SEEDED_NOTE}{wanted}'")
    print(f"Seeded ({wanted}) in {time.perf_counter() - started:.0f} s.")
    return wanted


def data_size() -> str:
    from django.db import connection

    tables = {
        "organizations": "accounts_organization",
        "sessions": "sessions_app_session",
        "attendance rows": "sessions_app_attendance",
        "feedback responses": "feedback_feedbackresponse",
    }
    with connection.cursor() as cursor:
        counts = []
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts.append(f"{cursor.fetchone()[0]:,} {label}")
    return ", ".join(counts)


def fixtures() -> Fixtures:
    from django.db.models import Q
    from django.utils import timezone

    from accounts.models import Organization, User
    from curriculum.models import Topic
    from feedback.models import FeedbackItem
    from feedback.services.links import feedback_link_ensure
    from sessions_app.models import Group, Session

    now = timezone.now()
    peer = User.objects.get(email=PEER)
    session = (
        Session.objects.facilitated_by(peer)
        .filter(starts_at__lte=now)
        .filter(~Q(status=Session.Status.CANCELLED))
        .order_by("-starts_at")
        .first()
    )
    if session is None:
        sys.exit(f"No started session facilitated by {PEER}: is the database seeded?")

    # The feedback target's own organization, group and session, so what it stores never
    # reaches a demo page; its drop-ins lift the link's cap out of the way of a run.
    organization, _ = Organization.objects.get_or_create(
        slug="bench-feedback", defaults={"name": "Bench feedback"}
    )
    group, _ = Group.objects.get_or_create(
        organization=organization,
        name="Bench feedback group",
        defaults={
            "weekdays": [0],
            "start_time": datetime.time(18, 0),
            "start_date": now.date(),
            "duration_minutes": 90,
            "capacity": 12,
        },
    )
    bench_session = Session.objects.filter(group=group).first() or Session(group=group)
    bench_session.starts_at = now - datetime.timedelta(hours=2)  # ended: the link is open
    bench_session.duration_minutes = 90
    bench_session.topic = Topic.objects.active().order_by("order").first()
    bench_session.drop_in_count = 32_000
    bench_session.save()
    link = feedback_link_ensure(session=bench_session, by=peer)
    answers = ["nonce={nonce}"]
    for item in FeedbackItem.objects.filter(instrument_id=link.instrument_id):
        value = {"text": "Bench answer", "yes_no": "yes"}.get(item.kind, "2")
        answers.append(f"item-{item.pk}={quote(value)}")
    manager = LARGEST if User.objects.filter(email=LARGEST).exists() else MANAGER
    largest = Organization.objects.get(memberships__user__email=manager)
    return Fixtures(
        dashboard_path=f"/organizations/{largest.code}/dashboard/",
        export_path=f"/organizations/{largest.code}/dashboard/exports/sessions.csv{EXPORT_QUERY}",
        manager=manager,
        session_path=f"/sessions/{session.code}/",
        feedback_path=f"/f/{link.token}",
        feedback_body="&".join(answers),
        feedback_session_id=bench_session.pk,
        feedback_link_id=link.pk,
    )


def reset_feedback(fx: Fixtures) -> None:
    """Forget what earlier runs sent to the bench link, so every run starts the same."""
    from feedback.models import FeedbackLink, FeedbackResponse, UsedNonce

    FeedbackResponse.objects.filter(session_id=fx.feedback_session_id).delete()
    UsedNonce.objects.filter(link_id=fx.feedback_link_id).delete()
    FeedbackLink.objects.filter(pk=fx.feedback_link_id).update(response_count=0)


def session_cookies(emails: set[str]) -> dict[str, str]:
    """A signed-in session per actor, made server-side; the Cookie header for each."""
    from django.conf import settings
    from django.middleware.csrf import get_token
    from django.test import Client, RequestFactory

    from accounts.models import User

    cookies = {}
    for email in emails:
        client = Client()
        client.force_login(User.objects.get(email=email))
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        # A browser sends back the CSRF cookie the first page set (the layout's forms
        # carry a token): without it, every answer would make and set a new one.
        request = RequestFactory().get("/")
        get_token(request)
        csrf = request.META["CSRF_COOKIE"]  # the secret, as the cookie holds it
        cookies[email] = (
            f"{settings.SESSION_COOKIE_NAME}={value}; {settings.CSRF_COOKIE_NAME}={csrf}"
        )
    return cookies


# --- Measuring ----------------------------------------------------------------------------


def dashboard_uncached(fx: Fixtures, requests: int = 10) -> tuple[float, float]:
    """p50 and p95 (ms) of the dashboard computing its figures on every request (no cache),
    through the test client in this process: what the first manager after a rebuild waits."""
    from django.test import Client, override_settings

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=fx.manager))
    times = []
    with override_settings(DASHBOARD_CACHE_SECONDS=0):
        client.get(fx.dashboard_path)
        for _ in range(requests):
            started = time.perf_counter()
            client.get(fx.dashboard_path)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


EXPORT_RSS_SCRIPT = """
import resource, sys
import django
django.setup()
from django.test import Client
from accounts.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(email=sys.argv[1]))
size = sum(len(chunk) for chunk in client.get(sys.argv[2]).streaming_content)
print(size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def export_peak_rss(fx: Fixtures, path: str) -> tuple[int, int]:
    """Bytes exported and the peak RSS (KiB) of a fresh process that streamed them."""
    done = subprocess.run(
        [sys.executable, "-c", EXPORT_RSS_SCRIPT, fx.manager, path],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    size, rss = done.stdout.split()[-2:]
    return int(size), int(rss)


def extra_lines(fx: Fixtures) -> list[str]:
    p50, p95 = dashboard_uncached(fx)
    small = fx.export_path.replace(EXPORT_QUERY, "?from_month=2026-11&to_month=2026-11")
    lines = [
        f"Manager dashboard computing its figures (no cache; the first request after a rollup "
        f"rebuild), through the test client in-process: p50 {p50:.0f} ms, p95 {p95:.0f} ms.",
        "",
        "Largest export's peak memory (a fresh process streaming it through the test client):",
        "",
    ]
    for label, path in (("one month", small), ("five years", fx.export_path)):
        size, rss = export_peak_rss(fx, path)
        lines.append(f"- {label}: {size / 1e6:.1f} MB exported, peak RSS {rss / 1024:.0f} MiB")
    return lines


def count_queries(target: Target, fx: Fixtures, measured: Measured) -> None:
    """The queries of one request (the second: caches warm, as under load); for the
    dashboard, of a request that computes its figures (its cache off), whose SQL is the
    raw-SQL column's."""
    from django.test import override_settings

    with override_settings(DASHBOARD_CACHE_SECONDS=0):
        _count_queries(target, fx, measured)


def _count_queries(target: Target, fx: Fixtures, measured: Measured) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    assert target.path is not None
    client = Client(HTTP_HOST="127.0.0.1")
    if target.actor:
        client.force_login(User.objects.get(email=target.actor))
    path = target.path(fx)

    def once() -> int:
        if target.post:
            body = target.post(fx).replace("{nonce}", f"count-{time.monotonic_ns()}")
            response = client.post(
                path,
                body,
                content_type="application/x-www-form-urlencoded",
                HTTP_ORIGIN="http://127.0.0.1",
            )
        else:
            response = client.get(path)
        return response.status_code

    once()
    with CaptureQueriesContext(connection) as captured:
        status = once()
    if status != 200:
        print(f"  {target.name}: the test client got {status}")
    measured.queries = len(captured)
    # A query Django streams through a named cursor, replayed as the plain SELECT it is.
    measured.statements = [
        re.sub(r"^DECLARE \S+ NO SCROLL CURSOR WITH HOLD FOR ", "", q["sql"])
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))
    ]


def run_wrk(
    url: str, *, cookie: str | None, body: str | None, args: argparse.Namespace, seconds: int
) -> dict[str, int]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",  # a slow page is slow, not failed
        "-s",
        str(WRK_SCRIPT),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if body is not None:
        origin = urlunsplit(urlsplit(url)._replace(path="", query=""))
        command += ["-H", "Content-Type: application/x-www-form-urlencoded"]
        command += ["-H", f"Origin: {origin}"]
    command.append(url)
    if body is not None:
        command += ["--", body]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{output}")
    figures = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    # wrk counts non-2xx/3xx answers as status errors: a page that fails is not fast.
    figures["errors"] = sum(v for k, v in figures.items() if k.startswith("errors_"))
    return figures


def raw_sql_rate(target: Target, measured: Measured, seconds: float, workers: int) -> float:
    """Runs per second of the target's SQL, on `workers` connections at once (as many as
    the server has workers)."""
    import psycopg

    assert target.raw_sql is not None
    url = urlunsplit(urlsplit(bench_database_url())._replace(scheme="postgresql"))
    counts = [0] * workers
    deadline = time.perf_counter() + seconds

    def loop(n: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            assert target.raw_sql is not None
            while time.perf_counter() < deadline:
                target.raw_sql(conn, measured)
                counts[n] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


# --- The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=5):
                return server
        except OSError:  # refused, reset or timed out: not ready yet
            if server.poll() is not None:
                sys.exit("gunicorn exited before serving")
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


# --- The table ----------------------------------------------------------------------------


def table(results: list[Measured]) -> str:
    bare = next((m.rps for m in results if m.target.name == BARE and m.rps), None)
    lines = [
        "| target | requests/s | p50 ms | p95 ms | queries/request | ratio to bare view "
        "| ratio to raw SQL | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in results:
        t = m.target
        if t.path is None:
            lines.append(f"| {t.name} | not built yet | | | | | | |")
            continue
        share = m.rps / bare if bare else None
        goal = ""
        if t.goal_share is not None and share is not None:
            met = "met" if share >= t.goal_share else "NOT MET"
            goal = f">= {t.goal_share:.0%}: {met}"
        errors = f" ({m.errors} errors)" if m.errors else ""
        lines.append(
            f"| {t.name} | {m.rps:,.0f}{errors} | {m.p50_ms:.1f} | {m.p95_ms:.1f} "
            f"| {'' if m.queries is None else m.queries} "
            f"| {'' if share is None else f'{share:.1%}'} "
            f"| {'' if m.raw_rps is None or not m.rps else f'{m.raw_rps / m.rps:.1f}x'} "
            f"| {goal} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", help="seed_demo --scale (default national)")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds first")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--raw-seconds", type=float, default=3.0, help="seconds per raw SQL")
    parser.add_argument("--only", action="append", default=[], help="a target's name (repeat)")
    parser.add_argument("--output", default=str(RESULTS), help="where the table is written")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ.update(SERVER_ENV)
    setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"  # the bare view, for counting its queries too

    scale = seed(args.scale, again=args.reseed)
    fx = fixtures()
    wanted = [
        replace(t, actor=fx.manager) if t.actor == LARGEST else t
        for t in TARGETS
        if not args.only or t.name in args.only or t.name == BARE
    ]
    cookies = session_cookies({t.actor for t in wanted if t.actor and t.path})
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(port, args.workers)
    results: list[Measured] = []
    try:
        for target in wanted:
            measured = Measured(target)
            results.append(measured)
            if target.path is None:
                continue
            if target.post:
                reset_feedback(fx)
            count_queries(target, fx, measured)
            if target.post:
                reset_feedback(fx)
            load = partial(
                run_wrk,
                f"http://127.0.0.1:{port}{target.path(fx)}",
                cookie=cookies.get(target.actor or ""),
                body=target.post(fx) if target.post else None,
                args=args,
            )
            # Unmeasured first: each worker's first request of a page compiles its
            # templates and loads its translations (seconds, once per process).
            load(seconds=args.warmup)
            if target.post:
                reset_feedback(fx)
            figures = load(seconds=args.duration)
            measured.requests = figures["requests"]
            measured.rps = figures["requests"] / (figures["duration_us"] / 1e6)
            measured.p50_ms = figures["p50_us"] / 1000
            measured.p95_ms = figures["p95_us"] / 1000
            measured.errors = figures["errors"]
            if target.raw_sql:
                measured.raw_rps = raw_sql_rate(target, measured, args.raw_seconds, args.workers)
            print(
                f"  {target.name}: {measured.rps:,.0f} requests/s, p95 {measured.p95_ms:.1f} ms, "
                f"{measured.queries} queries"
            )
            if target.post:
                reset_feedback(fx)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    report = "\n".join(
        [
            "# Web benchmark (`python -m bench.web`, run by `make bench`)",
            "",
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit or '?'}, "
            f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before and "
            f"{load_after[0]:.2f} after. Data: {scale} ({data_size()}).",
            f"gunicorn {args.workers} sync workers, DEBUG off, local-memory cache; "
            f"`wrk -t{args.threads} -c{args.connections} -d{args.duration}s` per target. "
            "Ratio to bare view: requests/s as a share of the no-query, no-middleware view's; "
            "ratio to raw SQL: how many times more often the page's own SELECTs run alone "
            f"through psycopg ({args.workers} connections) than the page is served.",
            "",
            table(results),
            "",
            *extra_lines(fx),
            "",
        ]
    )
    print()
    print(report)
    Path(args.output).write_text(report, encoding="utf-8")
    print(f"Written to {args.output}.")


if __name__ == "__main__":
    main()
