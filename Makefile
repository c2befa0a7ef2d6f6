# Kern — the two commands a fresh machine needs: `make run` and `make test`.
# Everything else here is what those two call.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KERN := $(BIN)/kern
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup venv messages migrate demo browser lint suite clean bench-o2c bench-ledger

run: setup migrate demo
	@$(KERN) demo --logins --url http://127.0.0.1:$(PORT)/login/
	@echo ""
	@echo "Kern is running on http://127.0.0.1:$(PORT)/  (API docs: http://127.0.0.1:$(PORT)/api/docs)"
	@echo ""
	@$(KERN) serve --bind 127.0.0.1:$(PORT)

test: setup browser lint suite

setup: $(STAMP) messages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

messages: $(STAMP)
	@$(KERN) compile_catalogues

migrate: $(STAMP)
	@mkdir -p var
	@$(KERN) ensure_database
	@$(KERN) migrate --noinput -v 0

demo: migrate
	@$(KERN) demo

# Debian's chromium for the Playwright browser tests; without it they skip with a reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped"; fi; }

lint: $(STAMP)
	@$(BIN)/ruff check --quiet .
	@$(BIN)/ruff format --check --quiet .
	@$(BIN)/lint-imports --no-cache >/dev/null || $(BIN)/lint-imports --no-cache

suite: $(STAMP)
	@$(BIN)/pytest $(PYTEST_ARGS)

bench-o2c: setup
	@$(KERN) bench o2c --json

bench-ledger: setup
	@$(KERN) bench ledger --json

clean:
	rm -rf $(VENV) var/kern.sqlite3* var/static
