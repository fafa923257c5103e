# Pacewise: `make run` serves the app on the embedded SQLite store with demo data;
# `make test` runs the whole suite (on PostgreSQL too when TEST_DATABASE_URL is set).
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	command -v $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench clean chromium pg-client

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Pacewise needs Python 3.11 or newer"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "python venv is missing; installing Debian's python3-venv"; \
		apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/pacewise serve --demo --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium; never `playwright install`, which downloads one.
chromium:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
		else echo "the browser tests need /usr/bin/chromium: run 'apt-get install chromium' as root"; fi; }

# The PostgreSQL restore drill (tests/test_restore.py) runs pg_dump and pg_restore.
pg-client:
	@command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y postgresql-client; \
		else echo "the restore drill needs pg_dump: run 'apt-get install postgresql-client' as root"; fi; }

test: $(VENV)/.installed chromium pg-client
	$(BIN)/python -m pytest -n auto --dist loadgroup

lint: $(VENV)/.installed
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/mypy app

bench: $(VENV)/.installed
	$(BIN)/python bench/sync.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
