"""Chaos: a real Redis and a real Celery worker process, killed and cut off on purpose.

Each test starts its own worker (and, to stop it, its own Redis server) on a queue of its
own, points it at this test's PostgreSQL database, and plays beat itself: it runs the
sweep every second until everything is sent. The file backend counts a key it had
already accepted in `<file>.duplicates`, so "exactly once" is checked twice: one line per
reminder in the file, and how often a send was repeated.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count

from config.celery import app
from reminders.channels import _key_digest
from reminders.models import Reminder
from reminders.services import reminders_dispatch_all
from reminders.sms import FileBackend, read_file_backend
from tests.factories import ParticipantFactory

from .backends import POISON
from .conftest import make_due_sms

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis for a real worker"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a database it can share (set DATABASE_URL to PostgreSQL)",
    ),
]

ROOT = Path(django_settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, on a spare port, with nothing saved to disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Worker:
    """`celery worker` in a process group of its own, so SIGKILL takes its children too."""

    def __init__(self, *, broker_url: str, queue: str, sms_file: Path, backend: str) -> None:
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "REMINDER_SMS_BACKEND": backend,
            "REMINDER_SMS_FILE_PATH": str(sms_file),
            "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEY": ",".join(django_settings.FIELD_ENCRYPTION_KEY),
        }
        self.queue = queue
        self.log = sms_file.with_name(f"worker-{uuid.uuid4().hex[:6]}.log")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}@%h",
                "--concurrency",
                "2",
                "--pool",
                "prefork",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def point_celery_at(broker_url: str, queue: str):
    """This process publishes to `broker_url` on `queue` (not eagerly) until undone."""
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_default_queue", "broker_write_url")
    }
    app.conf.update(
        broker_url=broker_url,
        broker_write_url=broker_url,
        task_always_eager=False,
        task_default_queue=queue,
    )
    app._pool = None
    app.amqp._producer_pool = None

    def undo() -> None:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None

    return undo


@pytest.fixture
def chaos(tmp_path, settings):
    """Everything a worker test starts, stopped at the end whatever happens."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: no Redis of the test's own")
    settings.REMINDER_LEASE_SECONDS = 4  # a lost task is queued again after this
    settings.REMINDER_DISPATCH_BATCH = 50
    redis = RedisServer()
    redis.start()
    queue = f"reminders-test-{uuid.uuid4().hex[:8]}"
    undo = point_celery_at(redis.url, queue)
    workers: list[Worker] = []
    sms_file = tmp_path / "sms.jsonl"

    class Chaos:
        def __init__(self) -> None:
            self.redis = redis
            self.sms_file = sms_file

        def worker(self, backend: str = "reminders.sms.FileBackend") -> Worker:
            worker = Worker(broker_url=redis.url, queue=queue, sms_file=sms_file, backend=backend)
            worker.start()
            workers.append(worker)
            return worker

    try:
        yield Chaos()
    finally:
        for worker in workers:
            worker.stop()
        undo()
        redis.stop()


def sweep_until_sent(count: int, *, timeout: float = 90) -> None:
    """Play beat: sweep every second until `count` reminders are sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Reminder.objects.sent().count() >= count:
            return
        reminders_dispatch_all()
        time.sleep(1)
    statuses = dict(Reminder.objects.values_list("status").annotate(n=Count("pk")))
    raise AssertionError(f"not all sent in {timeout} s: {statuses}")


def wait_for(condition, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def assert_each_sent_once(sms_file: Path, reminders: list[Reminder]) -> int:
    """One line per reminder in the provider's file; return how many sends were repeats."""
    messages = read_file_backend(sms_file)
    expected = {_key_digest(r) for r in reminders}
    keys = [m["idempotency_key"] for m in messages]
    assert len(keys) == len(set(keys)) == len(reminders)
    assert set(keys) == expected
    sent = Reminder.objects.filter(pk__in=[r.pk for r in reminders])
    assert all(r.status == Reminder.Status.SENT for r in sent)
    assert {r.provider_message_id for r in sent} == {m["message_id"] for m in messages}
    duplicates = FileBackend.duplicates_path(sms_file)
    return len(duplicates.read_text().splitlines()) if duplicates.exists() else 0


def test_200_due_reminders_are_each_sent_once_by_a_real_worker(chaos, participant, group):
    reminders = make_due_sms(200, participant, group)
    worker = chaos.worker()

    sweep_until_sent(200)

    assert assert_each_sent_once(chaos.sms_file, reminders) == 0
    # The worker sent them (not this process): 200 sends that reported "sent".
    worker.stop()
    assert worker.log.read_text().count("succeeded in") >= 200
    assert worker.log.read_text().count(": 'sent'") == 200


def test_a_worker_killed_mid_batch_and_restarted_still_sends_each_once(chaos, participant, group):
    reminders = make_due_sms(200, participant, group)
    first = chaos.worker(backend="tests.reminders.backends.SlowFileBackend")
    reminders_dispatch_all()
    wait_for(lambda: Reminder.objects.sent().count() >= 30)

    first.kill()
    sent_at_kill = Reminder.objects.sent().count()
    assert 30 <= sent_at_kill < 200  # killed mid-batch
    chaos.worker(backend="tests.reminders.backends.SlowFileBackend")
    sweep_until_sent(200)

    repeats = assert_each_sent_once(chaos.sms_file, reminders)
    # A repeat can only come from a kill between the provider's answer and the commit:
    # at most one per worker process that was killed.
    assert repeats <= 2


def test_redis_stopped_during_a_dispatch_loses_nothing(chaos, participant, group):
    reminders = make_due_sms(100, participant, group)
    worker = chaos.worker(backend="tests.reminders.backends.SlowFileBackend")
    reminders_dispatch_all()
    wait_for(lambda: Reminder.objects.sent().count() >= 10)

    chaos.redis.stop()  # the queued tasks go with it (nothing is saved to disk)
    time.sleep(1)
    reminders_dispatch_all()  # a sweep while Redis is away: it leases, cannot queue
    stuck = Reminder.objects.exclude(status=Reminder.Status.SENT).count()
    assert stuck > 0
    chaos.redis.start()  # empty
    # Celery 5.7 / kombu can exit on "Unrecoverable error" when Redis goes away while it
    # acknowledges a task; its supervisor (docker compose: restart: unless-stopped) starts
    # it again, and so does this test.
    if worker.process.poll() is not None:
        chaos.worker(backend="tests.reminders.backends.SlowFileBackend")
    sweep_until_sent(100)

    assert assert_each_sent_once(chaos.sms_file, reminders) <= 2


def test_a_row_that_kills_its_worker_ends_dead_and_the_others_are_sent_once(
    chaos, cast, participant, group, settings
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    reminders = make_due_sms(40, participant, group)
    poison = reminders[10]
    # The poison row goes to a participant of its own, whose number kills the sender.
    Reminder.objects.filter(pk=poison.pk).update(
        participant=ParticipantFactory(
            organization=cast.org, contact_phone=POISON, remind_by_sms=True
        )
    )
    others = [r for r in reminders if r.pk != poison.pk]
    chaos.worker(backend="tests.reminders.backends.PoisonFileBackend")

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        done = Reminder.objects.filter(pk=poison.pk, status=Reminder.Status.DEAD).exists()
        if done and Reminder.objects.sent().count() == len(others):
            break
        reminders_dispatch_all()
        time.sleep(1)

    poison.refresh_from_db()
    # Its lease ran out three times (REMINDER_MAX_ATTEMPTS): dead, and leased no more.
    assert poison.status == Reminder.Status.DEAD
    assert poison.attempts == 3
    assert poison.last_error.startswith("LeaseExpired: ")
    assert reminders_dispatch_all() == 0
    assert assert_each_sent_once(chaos.sms_file, others) == 0
