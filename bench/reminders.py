"""Reminder sweep: N due reminders sent through `manage.py send_due_reminders`.

Seeds N due participant reminders (text messages to the file backend; with
--email-share, some emails to Django's file-based email backend) with bulk inserts, runs
the management command once, checks every row was sent exactly once (one line per key in
the provider's file, one email per Message-ID, every row `sent` after one attempt) and
prints reminders per second. Seeding
and checking are outside the timing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ss_bench python -m bench.reminders
    ... python -m bench.reminders --count 5000 --profile /tmp/send.prof   # with cProfile
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.database import setup

GOAL_PER_SECOND = 2000
PARTICIPANTS_PER_GROUP = 10
SESSIONS_PER_GROUP = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="due reminders to send")
    parser.add_argument(
        "--email-share", type=float, default=0.0, help="share of them sent as email (0 to 1)"
    )
    parser.add_argument("--batch", type=int, default=None, help="the command's --batch")
    parser.add_argument(
        "--processes", type=int, default=2, help="the command's --processes (one per core)"
    )
    parser.add_argument("--profile", default="", help="write cProfile stats of the send here")
    return parser.parse_args()


def empty_tables() -> None:
    """Each run starts from an empty benchmark database (migrations' own rows stay)."""
    from django.db import connection

    from accounts.models import Organization
    from reminders.models import Reminder

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Reminder._meta.db_table}, {Organization._meta.db_table} CASCADE")


def seed(count: int, email_share: float) -> tuple[int, int]:
    """`count` due participant reminders, in bulk; return (texts, emails)."""
    from django.utils import timezone

    from accounts.models import Organization
    from reminders.models import Reminder
    from reminders.services import reminder_key
    from sessions_app.models import Group, Participant, Session

    now = timezone.now()
    per_group = PARTICIPANTS_PER_GROUP * SESSIONS_PER_GROUP
    groups_needed = -(-count // per_group)
    organization = Organization.objects.create(name="Bench organization", slug="bench")
    groups = Group.objects.bulk_create(
        Group(
            organization=organization,
            name=f"Bench group {n}",
            weekdays=[n % 7],
            start_time=datetime.time(18, 0),
            timezone=("UTC", "America/Chicago", "Europe/Madrid")[n % 3],
            duration_minutes=90,
            start_date=now.date(),
            capacity=12,
        )
        for n in range(groups_needed)
    )
    sessions = Session.objects.bulk_create(
        Session(
            group=group, starts_at=now + datetime.timedelta(days=1, hours=s), duration_minutes=90
        )
        for group in groups
        for s in range(SESSIONS_PER_GROUP)
    )
    # Encrypted contact details: bulk_create encrypts them like save() does.
    participants = Participant.objects.bulk_create(
        Participant(
            organization=organization,
            display_name=f"P{n}",
            preferred_language=("en", "es")[n % 2],
            contact_phone=f"+1555{n:07d}",
            contact_email=f"bench{n}@example.net",
            remind_by_sms=True,
            remind_by_email=True,
        )
        for n in range(groups_needed * PARTICIPANTS_PER_GROUP)
    )
    every_email = round(1 / email_share) if email_share > 0 else 0
    reminders: list[Reminder] = []
    for g in range(len(groups)):
        group_sessions = sessions[g * SESSIONS_PER_GROUP : (g + 1) * SESSIONS_PER_GROUP]
        members = participants[g * PARTICIPANTS_PER_GROUP : (g + 1) * PARTICIPANTS_PER_GROUP]
        for session in group_sessions:
            for participant in members:
                if len(reminders) == count:
                    break
                by_email = every_email and len(reminders) % every_email == 0
                channel = Reminder.Channel.EMAIL if by_email else Reminder.Channel.SMS
                due_at = now - datetime.timedelta(minutes=1)
                kind = Reminder.Kind.SESSION_PARTICIPANT
                reminders.append(
                    Reminder(
                        organization=organization,
                        kind=kind,
                        channel=channel,
                        participant=participant,
                        session=session,
                        language=participant.preferred_language,
                        due_at=due_at,
                        idempotency_key=reminder_key(
                            kind=kind,
                            channel=channel,
                            due_at=due_at,
                            participant=participant,
                            about=session,
                        ),
                    )
                )
    Reminder.objects.bulk_create(reminders, batch_size=5000)
    emails = sum(1 for r in reminders if r.channel == Reminder.Channel.EMAIL)
    return len(reminders) - emails, emails


def sent_message_ids(mail_dir: Path) -> list[str]:
    """The Message-ID of every email the file-based backend wrote."""
    ids = []
    for path in mail_dir.glob("*.log") if mail_dir.exists() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("Message-ID: "):
                ids.append(line.removeprefix("Message-ID: ").strip())
    return ids


def check_sent_once(sms_file: Path, texts: int, emails: int) -> list[str]:
    """What went wrong, if anything: every row sent exactly once, on its channel."""
    from django.conf import settings
    from django.db.models import Count

    from reminders.channels import _key_digest
    from reminders.models import Reminder
    from reminders.sms import FileBackend, read_file_backend

    problems = []
    messages = read_file_backend(sms_file)
    digests = [m["idempotency_key"] for m in messages]
    expected = {
        _key_digest(r) for r in Reminder.objects.filter(channel="sms").only("idempotency_key")
    }
    if not len(digests) == len(set(digests)) == texts or set(digests) != expected:
        problems.append(
            f"file backend: {len(digests)} lines, {len(set(digests))} distinct keys, "
            f"{texts} expected"
        )
    if FileBackend.duplicates_path(sms_file).exists():
        problems.append("file backend: some keys were sent more than once")
    message_ids = sent_message_ids(Path(getattr(settings, "EMAIL_FILE_PATH", "")))
    if not len(message_ids) == len(set(message_ids)) == emails:
        problems.append(f"email: {len(message_ids)} sent, {len(set(message_ids))} distinct")
    statuses = dict(Reminder.objects.values_list("status").annotate(n=Count("pk")))
    if statuses != {"sent": texts + emails}:
        problems.append(f"rows: {statuses}")
    if Reminder.objects.exclude(attempts=1).exists():
        problems.append("rows: some took more than one attempt")
    return problems


def main() -> None:
    args = parse_args()
    setup()

    from django.conf import settings
    from django.core.management import call_command

    workdir = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    sms_file = workdir / "sms.jsonl"
    settings.REMINDER_SMS_BACKEND = "reminders.sms.FileBackend"
    settings.REMINDER_SMS_FILE_PATH = str(sms_file)
    # Emails to files: the sending processes are forked, so memory would not do.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(workdir / "mail")

    started = time.perf_counter()
    empty_tables()
    texts, emails = seed(args.count, args.email_share)
    print(
        f"Seeded {texts + emails} due reminders ({texts} texts, {emails} emails) "
        f"in {time.perf_counter() - started:.1f} s."
    )

    # The rows are seeded by hand, so the producing step (which would cancel them as not
    # wanted by any session) is skipped: this measures the sending path.
    command = ["send_due_reminders", "--no-produce", "--processes", str(args.processes)] + (
        ["--batch", str(args.batch)] if args.batch else []
    )
    out = io.StringIO()
    profiler = cProfile.Profile() if args.profile else None
    load_before = os.getloadavg()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    call_command(*command, stdout=out)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()

    print(out.getvalue().strip())
    problems = check_sent_once(sms_file, texts, emails)
    rate = (texts + emails) / elapsed
    print(
        f"reminder sweep: {texts + emails} reminders in {elapsed:.2f} s = {rate:,.0f} reminders/s "
        f"(goal {GOAL_PER_SECOND:,}/s{'' if rate >= GOAL_PER_SECOND else ', NOT MET'}; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} CPUs)"
    )
    if profiler:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
    shutil.rmtree(workdir)
    if problems:
        print("NOT exactly once:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("Every reminder was sent exactly once.")


if __name__ == "__main__":
    main()
