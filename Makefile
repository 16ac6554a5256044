# SamePage: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
TEST_WORKERS ?= 2
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test test-dates lint fix bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SamePage needs Python 3.11 or newer: run make with PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(PY) requirements.txt constraints.txt
	$(PIP_INSTALL) -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt -c constraints.txt
	@touch $@

# The demo lives in a store of its own, never the default (a team's) store.
DEMO_STORE := sqlite:///$(CURDIR)/data/demo.db

## run: install, migrate the demo store (data/demo.db), load the demo company if it is empty,
## start the app on it
run: $(VENV)/.runtime
	@mkdir -p data
	SAMEPAGE_DATABASE_URL=$(DEMO_STORE) $(PY) -m alignment migrate
	SAMEPAGE_DATABASE_URL=$(DEMO_STORE) $(PY) -m alignment load-sample --if-empty
	SAMEPAGE_DATABASE_URL=$(DEMO_STORE) SAMEPAGE_DEMO=1 $(PY) -m ui.server run app.py \
		--server.port $(PORT)

# The days calendars go wrong (see tests/at_dates.py); test-dates runs them all.
DAYS ?=
FAR_DAY := 2031-12-01T09:00:00
FAST_TIERS := --tier tests/unit --tier tests/test_architecture.py --tier tests/db/test_dates.py \
	--tier tests/cli -k "not postgresql or test_dates"

## test: install dev tools, a Chromium and libfaketime, lint, type-check, run every test, then the unit
## tier, the dated tests and the CLI on SQLite again with the system clock five years out
test: $(VENV)/.dev
	$(PY) -m tests.browser.chromium
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	SAMEPAGE_TEST_LABEL="today" $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile
	$(PY) -m tests.at_dates --workers $(TEST_WORKERS) $(FAST_TIERS) $(FAR_DAY)

## test-dates: every non-browser tier with the system clock moved (libfaketime) to each day
## of tests/at_dates.py, or to DAYS="2027-06-30 ..."
test-dates: $(VENV)/.dev
	$(PY) -m tests.at_dates --workers $(TEST_WORKERS) $(DAYS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

fix: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## bench: the benchmark tables of benchmarks/ (see README)
bench: $(VENV)/.dev
	$(PY) -m benchmarks.budget_scale
	$(PY) -m benchmarks.landing_scale
	$(PY) -m benchmarks.invoice_matching
	$(PY) -m benchmarks.next_dollar
	$(PY) -m benchmarks.upload_limits
	$(PY) -m benchmarks.login_timing
	$(PY) -m benchmarks.click_latency

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts/*.png
