# The two commands a newcomer needs: `make run` and `make test`.
# Everything installs into .venv from pyproject.toml; nothing is done by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check deploy-check install seed fixtures coverage bench bench-web test-load screenshots messages clean help

help:
	@echo "make run    serve the registry with its seed data on http://$(HOST):$(PORT)/"
	@echo "make test   run the whole test suite (DATABASE_URL selects PostgreSQL)"
	@echo "make lint   ruff, mypy and the layers' import contracts (import-linter)"
	@echo "make check  Django system checks (the deployment ones too), missing migrations, OpenAPI schema"
	@echo "make test-load  64 clients for 60 s against gunicorn, with database, Redis and import faults;"
	@echo "                then two gunicorns behind nginx: sessions, imports, limits and the cache across both"
	@echo "make bench  benchmarks: import speed on SQLite and PostgreSQL (figures, not a test)"
	@echo "make bench-web  the site at 100,000 agreements under wrk, beside baselines; writes docs/performance.md"
	@echo "make screenshots  phone and desktop screenshots of each page type into docs/screenshots/"
	@echo "make messages     update and compile the Spanish catalogue (needs gettext)"
	@echo "make fixtures     rebuild fixtures/ from the research notes in fixtures/source/"
	@echo "make coverage     write the seed's completeness figures into docs/data-coverage.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Migrates the embedded SQLite database, loads the seed data only into an empty
# database (so re-running keeps your changes), and serves the site.
run: export DEBUG ?= 1
run: $(STAMP)
	$(MANAGE) migrate --no-input
	$(MANAGE) load_seed --if-empty
	@echo ""
	@echo "  Registry: http://$(HOST):$(PORT)/    Admin: http://$(HOST):$(PORT)/admin/"
	@echo "  Create a curator account for the admin with:"
	@echo "      $(MANAGE) createsuperuser"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

seed: $(STAMP)
	$(MANAGE) migrate --no-input
	$(MANAGE) load_seed --if-empty

# Browser tests need Debian's Chromium (apt-get install chromium); without it
# they are skipped and the summary names them. The suite runs in parallel, one
# worker per core (TEST_WORKERS=0 runs it in this process, e.g. for --pdb).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses=8 $(PYTEST_ARGS)

# Not part of `make test`: figures, never pass or fail (docs/curation.md has
# the measured ones). PostgreSQL is included when BENCH_POSTGRES_URL (default
# the local server) answers; BENCH_ARGS="--rows 2000 --skip-default" is quicker.
bench: $(STAMP)
	$(BIN)/python bench/import_agreements.py $(BENCH_ARGS)
	$(BIN)/python bench/downloads.py
	$(BIN)/python bench/import_bombs.py

# Not part of `make test`: the registry at 100,000 agreements (a PostgreSQL
# database built once by generate_synthetic, then reused) served by gunicorn and
# driven by Debian's wrk on loopback, beside a constant response and a
# values() baseline measured in the same run, with query counts at seed scale
# and at scale; writes its table into docs/performance.md (bench/web.py).
# BENCH_WEB_SECONDS, BENCH_WEB_CONNECTIONS, BENCH_WEB_AGREEMENTS change the run.
bench-web: $(STAMP)
	@command -v wrk >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/web.py $(BENCH_WEB_ARGS)

# The registry as deployed (gunicorn, PostgreSQL, its own Redis, DEBUG off) under
# 64 clients for 60 s with faults injected (bench/load.py); passes or fails and
# prints requests, errors, p50 and p99. Then two gunicorns behind Debian's nginx
# on one database and one Redis (bench/two_servers.py): a session, an import's
# preview and confirmation, the correction, API and sign-in limits and the page
# cache hold whichever server answers. Loopback only; `.ci/run` runs it.
test-load: $(STAMP)
	$(BIN)/python bench/load.py
	$(BIN)/python bench/two_servers.py

# Not part of `make test`: rewrites the committed PNGs.
fixtures: $(STAMP)
	$(BIN)/python fixtures/source/build.py

# The completeness figures of the seed data, from a scratch SQLite database.
coverage: $(STAMP)
	rm -f $(VENV)/coverage.sqlite3
	DATABASE_URL=sqlite:///$(abspath $(VENV))/coverage.sqlite3 $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=sqlite:///$(abspath $(VENV))/coverage.sqlite3 $(MANAGE) load_seed
	DATABASE_URL=sqlite:///$(abspath $(VENV))/coverage.sqlite3 $(MANAGE) registry_coverage --write docs/data-coverage.md
	rm -f $(VENV)/coverage.sqlite3

screenshots: $(STAMP)
	$(BIN)/python -m pytest tests/browser/screenshots.py -q

# After changing a UI string: update locale/es/LC_MESSAGES/django.po, translate
# the new entries, then run this again to compile django.mo (both committed).
messages: $(STAMP)
	$(MANAGE) makemessages --locale es --no-obsolete --ignore "static/map/*"
	$(MANAGE) compilemessages --locale es --ignore "$(VENV)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

check: $(STAMP) deploy-check
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

# Django's deployment checks with the production environment docs/deploy.md
# gives (the values are examples; everything else keeps its default).
deploy-check: $(STAMP)
	env -u SECURE_HSTS_SECONDS -u SECURE_HSTS_INCLUDE_SUBDOMAINS -u SECURE_HSTS_PRELOAD \
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=registry.example.org CSRF_TRUSTED_ORIGINS=https://registry.example.org \
	$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles
