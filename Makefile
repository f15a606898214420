# Kommunalkompass NRW – the index of commands. `make run` and `make test` set up everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test setup serve bench load lint format stopdb

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)
	$(PY) manage.py setup_portal

# The development server and the job worker (procrastinate) together; Ctrl-C stops both.
run: setup
	$(PY) manage.py run_portal 127.0.0.1:8000

test: setup
	$(VENV)/bin/pytest

# Production server, always with DEBUG=0: without SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL it
# refuses to start and names the missing variable.
serve: $(INSTALLED)
	DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(VENV)/bin/gunicorn portal.wsgi --config portal/gunicorn_config.py

# Benchmarks print their figures and write JSON to bench/results/ (docs/performance.md):
# web pages against the floor, imports, exports, e-mail alerts; about a quarter of an hour.
# BENCH=web|import|export|alerts|chaos (chaos is not part of all).
bench: $(INSTALLED)
	$(PY) -m bench $(or $(BENCH),all) $(BENCH_FLAGS)

# 60 s of wrk at concurrency 64 against gunicorn (DEBUG off) on 127.0.0.1; needs wrk.
load: setup
	$(PY) bench/load_test.py

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) manage.py makemigrations --check --dry-run

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

stopdb: $(INSTALLED)
	$(PY) -m portal.embedded_db stop
