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
