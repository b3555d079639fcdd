"""The benchmark database: PostgreSQL only, created and migrated when missing.

A benchmark empties the tables it seeds, so it refuses any database whose name does not
say it is a benchmark's (a DATABASE_URL left pointing at real data is never touched).
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ss_bench"


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(f"DATABASE_URL is required (PostgreSQL), e.g. DATABASE_URL={DEFAULT_URL}")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        sys.exit("The benchmarks run on PostgreSQL: DATABASE_URL=postgres://user@host:5432/name")
    if "bench" not in name:
        sys.exit(
            f"Refusing database {name!r}: a benchmark empties what it seeds, so it runs only "
            "on a database whose name contains 'bench' (e.g. ss_bench)."
        )
    return url


def ensure_database(url: str) -> None:
    """Create the database named in `url` when the server does not have it yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def setup() -> None:
    """Point Django at the benchmark database (created when missing), set up and migrate.

    No Redis (tasks run in-process) and no debug mode (it would keep every query).
    """
    url = bench_database_url()
    ensure_database(url)
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "YmVuY2gtb25seS1maWVsZC1rZXktbm90LWEtc2VjcmU=")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
