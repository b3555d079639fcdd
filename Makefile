# Everyday commands. `make demo` serves the demo, `make test` runs the whole suite.
# Both create .venv and install the project from requirements.lock when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Development-only values: never use these keys anywhere real.
DEMO_ENV := DJANGO_DEBUG=1 \
	DJANGO_SECRET_KEY=demo-only-insecure-secret-key \
	FIELD_ENCRYPTION_KEY=ZGVtby1vbmx5LWZpZWxkLWtleS1ub3QtYS1zZWNyZXQ= \
	DJANGO_MFA_EXEMPT_EMAILS=manager@demo.example,reviewer@demo.example,admin@demo.example

# Settings load at import time; these let tools that import them run outside a deployment.
TOOL_ENV := DJANGO_SECRET_KEY=tooling-only-not-secret \
	FIELD_ENCRYPTION_KEY=ZGVtby1vbmx5LWZpZWxkLWtleS1ub3QtYS1zZWNyZXQ=

.PHONY: install demo test lint typecheck lock ci bench loadtest backup restore audit

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies (or the lock) changed since the last install.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]" -c requirements.lock
	touch $@

PORT ?= 8000

# The demo always runs embedded (SQLite, eager tasks, console email), whatever the shell has set.
demo: install
	env -u DATABASE_URL -u REDIS_URL $(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(DEMO_ENV) $(BIN)/python manage.py seed_demo
	env -u DATABASE_URL -u REDIS_URL $(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# SQLite by default; PostgreSQL (and Redis) when DATABASE_URL (and REDIS_URL) are set.
# pytest-xdist runs one worker per core, each on its own test database.
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env $(TOOL_ENV) $(BIN)/lint-imports

typecheck: install
	env $(TOOL_ENV) $(BIN)/mypy .

# Benchmarks (bench/), never part of `make test`: each seeds a PostgreSQL database of its
# own (created and migrated when missing, emptied on every run; its name must contain
# "bench") and prints its figures. No Redis: tasks run in-process.
# The web bench (gunicorn + wrk) keeps its seeded data between runs, so it has a database of
# its own: the reminder bench empties the organizations table.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ss_bench
BENCH_WEB_DATABASE_URL ?= $(BENCH_DATABASE_URL)_web
BENCH_SCALE ?= national
bench: install
	env -u REDIS_URL $(TOOL_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.reminders
	env -u REDIS_URL $(TOOL_ENV) DATABASE_URL=$(BENCH_WEB_DATABASE_URL) $(BIN)/python -m bench.web --scale $(BENCH_SCALE)

# Load test (bench/loadtest/): locust against gunicorn on a PostgreSQL cluster of its own
# (created when missing: pg_createcluster <version> loadtest --port 5434), restarted once
# mid-run; writes bench/loadtest/results.md. Never the shared server: it refuses port 5432.
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5434/ss_loadtest
LOADTEST_USERS ?= 50
LOADTEST_MINUTES ?= 5
loadtest: install
	env -u REDIS_URL $(TOOL_ENV) LOADTEST_DATABASE_URL=$(LOADTEST_DATABASE_URL) \
		LOADTEST_USERS=$(LOADTEST_USERS) LOADTEST_MINUTES=$(LOADTEST_MINUTES) \
		$(BIN)/python -m bench.loadtest.run

# Backups (README "Backups"). Run with the deployment's environment (DATABASE_URL,
# FIELD_ENCRYPTION_KEY, PRIVATE_MEDIA_ROOT, ...): no install step, so they run as they are
# on a server. `make backup` writes BACKUP_DIR/db-<stamp>.psql.bin (pg_dump custom format,
# through django-dbbackup) and BACKUP_DIR/private-media-<stamp>.tar.gz (the private
# storage: recordings, training evidence). `make restore` restores the newest pair, or
# BACKUP_STAMP=<stamp>, into DATABASE_URL and the private storage, after saying what it
# replaces and asking (RESTORE_CONFIRM=yes answers for a drill or a script).
BACKUP_DIR ?= backups
MANAGE ?= $(BIN)/python manage.py
BACKUP_STAMP ?=
RESTORE_CONFIRM ?=
PRIVATE_LOCATION = $(MANAGE) shell --no-imports -v 0 -c "from django.core.files.storage import storages; print(storages['private'].location)"
DATABASE_NAME = $(MANAGE) shell --no-imports -v 0 -c "from django.db import connection as c; d = c.settings_dict; print(f\"{d['NAME']} on {d['HOST'] or 'localhost'}:{d['PORT'] or 5432}\")"

backup:
	@set -eu; dir="$(abspath $(BACKUP_DIR))"; mkdir -p "$$dir"; \
	stamp=$$(date -u +%Y-%m-%d-%H%M%S); \
	BACKUP_DIR="$$dir" $(MANAGE) dbbackup --database default --noinput \
		--output-filename "db-$$stamp.psql.bin"; \
	private=$$(BACKUP_DIR="$$dir" $(PRIVATE_LOCATION)); mkdir -p "$$private"; \
	tar -C "$$private" -czf "$$dir/private-media-$$stamp.tar.gz.part" .; \
	mv "$$dir/private-media-$$stamp.tar.gz.part" "$$dir/private-media-$$stamp.tar.gz"; \
	echo "Backed up to $$dir: db-$$stamp.psql.bin, private-media-$$stamp.tar.gz"

restore:
	@set -eu; dir="$(abspath $(BACKUP_DIR))"; stamp="$(BACKUP_STAMP)"; \
	if [ -z "$$stamp" ]; then \
		stamp=$$(ls "$$dir" | sed -n 's/^db-\(.*\)\.psql\.bin$$/\1/p' | sort | tail -n 1); fi; \
	if [ -z "$$stamp" ] || [ ! -f "$$dir/db-$$stamp.psql.bin" ] \
		|| [ ! -f "$$dir/private-media-$$stamp.tar.gz" ]; then \
		echo "No complete backup $${stamp:-(none)} in $$dir"; exit 1; fi; \
	database=$$($(DATABASE_NAME)); private=$$($(PRIVATE_LOCATION)); \
	echo "Restoring backup $$stamp replaces EVERY table of database $$database"; \
	echo "and EVERY file under $$private with the backup's."; \
	if [ "$(RESTORE_CONFIRM)" != "yes" ]; then \
		printf 'Type "yes" to continue: '; read answer; \
		[ "$$answer" = "yes" ] || { echo "Nothing restored."; exit 1; }; fi; \
	BACKUP_DIR="$$dir" $(MANAGE) dbrestore --database default --noinput \
		--input-filename "db-$$stamp.psql.bin" --pg-options "--no-owner --no-privileges"; \
	rm -rf "$$private.restoring"; mkdir -p "$$private.restoring"; \
	tar -C "$$private.restoring" -xzf "$$dir/private-media-$$stamp.tar.gz"; \
	rm -rf "$$private"; mv "$$private.restoring" "$$private"; \
	echo "Restored $$stamp into $$database and $$private."

# Known vulnerabilities in the pinned dependencies (README "Audit"); needs the network.
audit:
	$(BIN)/pip-audit --strict --no-deps --disable-pip -r requirements.lock

# Resolve the newest versions pyproject.toml allows in a throwaway venv and pin them all.
LOCK_VENV := /tmp/seeking-safety-lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet -e ".[dev]"
	{ echo "# Exact versions of every runtime and dev package. Regenerate with: make lock"; \
	  $(LOCK_VENV)/bin/pip freeze --exclude-editable; } > $(LOCK_VENV)/requirements.lock
	mv $(LOCK_VENV)/requirements.lock requirements.lock
	rm -rf $(LOCK_VENV)

ci:
	.ci/run
