# 学校及周边安全隐患整改 — make help lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: help install system-deps run run-prod migrate demo test test-postgres check lint format clean bench

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned requirements

system-deps: ## Install the Debian packages (fonts, WeasyPrint libraries, poppler, chromium) if missing
	bash scripts/install-system-deps.sh

migrate: install ## Apply the database migrations
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input

demo: migrate ## Load the Changzhou demo data (idempotent) and print the demo accounts
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

run: system-deps demo ## Install, migrate, load the demo and serve http://127.0.0.1:8000 (with the notification worker)
	DEBUG=$${DEBUG:-1} $(PY) manage.py deliver_notifications --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

run-prod: system-deps install ## Production mode here: PostgreSQL, Redis, gunicorn, Celery worker and beat
	bash scripts/run-prod.sh

test: system-deps install ## Install and run the whole test suite (SQLite, the embedded default)
	$(PY) -m pytest

test-postgres: system-deps install ## Run the whole suite on a private PostgreSQL (started on 127.0.0.1 if needed)
	url=$$(bash scripts/postgres.sh $${PGDATA_DIR:-/tmp/hazards-postgres} $${PGPORT:-55432} | tail -n 1) && \
	DATABASE_URL=$$url $(PY) -m pytest

BENCH_HAZARDS ?= 20000
BENCH_SCHOOLS ?= 300
BENCH_REPEATS ?= 7
bench: install ## Benchmark against the SQL floor (SQLite var/bench.sqlite3, or DATABASE_URL); BENCH_HAZARDS, BENCH_SCHOOLS size it
	mkdir -p var
	export DEBUG=$${DEBUG:-1} BENCH_TOOLS=1 DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3} && \
	$(PY) manage.py migrate --no-input -v0 && \
	$(PY) manage.py bench --hazards $(BENCH_HAZARDS) --schools $(BENCH_SCHOOLS) --repeats $(BENCH_REPEATS)

lint: install ## ruff (pinned): the lint rules and the format check, as CI runs them
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install ## Django's system checks
	DEBUG=1 $(PY) manage.py check

clean: ## Remove the virtualenv and the local database
	rm -rf $(VENV) db.sqlite3 var
