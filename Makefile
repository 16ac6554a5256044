# SamePage: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
TEST_WORKERS ?= 2
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint fix bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SamePage needs Python 3.11 or newer: run make with PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(PY) requirements.txt constraints.txt
	$(PIP_INSTALL) -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt -c constraints.txt
	@touch $@

## run: install, migrate the store, load the demo company if the store is empty, start the app
run: $(VENV)/.runtime
	$(PY) -m alignment migrate
	$(PY) -m alignment load-sample --if-empty
	SAMEPAGE_DEMO=1 $(PY) -m ui.server run app.py --server.port $(PORT)

## test: install dev tools and a Chromium, then lint and run every test
test: $(VENV)/.dev
	$(PY) -m tests.browser.chromium
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fix: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## bench: the benchmark tables of benchmarks/ (see README)
bench: $(VENV)/.dev
	$(PY) -m benchmarks.budget_scale
	$(PY) -m benchmarks.next_dollar

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts/*.png
