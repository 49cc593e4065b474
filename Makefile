# Nominee: `make run` serves it, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_PORT ?= 5001  # the demo's own port, so it can run beside `make run`
WORKERS ?=
SCALE ?= medium
FLASK := $(BIN)/flask --app nominee

.PHONY: run demo serve worker test test-pg lint messages format migrate bench bench-http bench-outbox bench-imports integrity-bench load lighthouse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# Migrations, then the default contribution types (added only when missing).
migrate: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-types

# Links in mail point at where it serves, unless NOMINEE_BASE_URL says otherwise.
LOCAL_URL := NOMINEE_BASE_URL=$${NOMINEE_BASE_URL:-http://$(HOST):$(PORT)}
run: migrate
	$(LOCAL_URL) $(FLASK) run --host $(HOST) --port $(PORT)

# The demo lives in a database of its own, so it never mixes with real data;
# delete instance/demo.sqlite3 to start it over.
DEMO_ENV := DATABASE_URL=sqlite:///$(CURDIR)/instance/demo.sqlite3
demo: $(VENV)/.installed
	$(DEMO_ENV) $(FLASK) db upgrade
	$(DEMO_ENV) $(FLASK) seed-demo --if-empty
	$(DEMO_ENV) NOMINEE_BASE_URL=$${NOMINEE_BASE_URL:-http://$(HOST):$(DEMO_PORT)} \
		$(FLASK) run --host $(HOST) --port $(DEMO_PORT)

# Workers default to 2 x CPUs + 1, at most 8 (gunicorn.conf.py).
serve: migrate
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) $(BIN)/gunicorn --config gunicorn.conf.py

# Background jobs from Redis (REDIS_URL): sending mail, fan-out. One per host is plenty
# for thousands of mails an hour; without Redis, `make run` and `make serve` run the jobs
# in their own processes and no worker is needed.
worker: migrate
	$(FLASK) worker

# Style, then the layers (import-linter's contracts in pyproject.toml), then types.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m nominee.ops.catalogues check

# After marking or changing user-facing text: extract it and update every catalogue
# (nominee/translations/<lang>/LC_MESSAGES/messages.po); then translate what is empty.
messages: $(VENV)/.installed-dev
	$(BIN)/python -m nominee.ops.catalogues update

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The independent Open Badges verifier the suite runs under Node (tests/credentials/verify.mjs):
# Digital Bazaar's packages, exactly as package-lock.json pins them. Without npm its tests are
# skipped (on CI, where .ci/run installs Node, they fail instead).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing: the independent credential verifier's tests will be skipped"; fi

test: lint node_modules/.installed
	$(BIN)/python -m pytest -n auto -q

# gunicorn (4 workers) on a fresh SQLite, then PostgreSQL, database under mixed traffic,
# with one worker killed halfway through the second phase (benchmarks/load.py).
load: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/load.py

# Seeds a scratch database at SCALE (small, medium, large) on DATABASE_URL's backend
# (default SQLite; on PostgreSQL a database nominee_bench beside the one the URL names)
# and measures every page in process (benchmarks/bench.py). BENCH_ARGS: more options
# (--reuse, --requests N, --only WORDS, --pg-database NAME).
bench: $(VENV)/.installed
	SCALE=$(SCALE) $(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# Serves the SCALE (default large) programme with gunicorn (4 workers, production settings,
# limits in Redis) beside a minimal Flask app (the floor), drives each page with wrk
# (16 connections, 30 s) and writes benchmarks/results-http.json (benchmarks/served.py).
# BENCH_HTTP_ARGS=--reuse keeps a SQLite database already seeded at that scale.
bench-http: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk)
	SCALE=$(if $(filter command line environment,$(origin SCALE)),$(SCALE),large) $(BIN)/python benchmarks/served.py $(BENCH_HTTP_ARGS)

# Seeds a scratch SQLite database with arranged endorsement groups planted among organic
# members (large scale unless SCALE is given), runs `flask --app nominee integrity scan
# --json` in its own process, and writes recall per ring shape, the false-flag rate, the
# scan's time and peak memory to benchmarks/integrity.json (benchmarks/integrity.py).
integrity-bench: $(VENV)/.installed
	$(BIN)/python benchmarks/integrity.py --scale $(if $(filter command line environment,$(origin SCALE)),$(SCALE),large)

# Messages/s from the outbox to a local SMTP server: in-process drain, then an RQ worker
# when Redis answers at REDIS_URL (default redis://127.0.0.1:6379/0). Then publishing a
# cycle of 3,000 nominations: the request, and until the last mail reaches SMTP (SQLite,
# and PostgreSQL when BENCH_POSTGRESQL_URL's server answers: a scratch database there).
bench-outbox: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/outbox.py
	$(BIN)/python benchmarks/publish.py

# A 10,000-row CSV file of contributions: preview (read, check, stage), its first page and
# the import, in seconds and peak Python memory (tracemalloc), at 1,000 and 10,000 rows.
bench-imports: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/imports.py

# Lighthouse (mobile preset, package.json's exact version) on the demo's main pages:
# the home page logged out, a member page, a review dashboard, a nomination and an award
# page; prints each page's accessibility, best-practices and performance scores
# (benchmarks/lighthouse.py). Needs npm and Chromium (CHROME_PATH, default /usr/bin/chromium).
CHROME_PATH ?= /usr/bin/chromium
lighthouse: $(VENV)/.installed-dev node_modules/.installed
	CHROME_PATH=$(CHROME_PATH) $(BIN)/python benchmarks/lighthouse.py

test-pg: $(VENV)/.installed-dev node_modules/.installed
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -n auto -q --ignore=tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
