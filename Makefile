# One entry point for people and CI. A fresh machine needs only Python 3.11+ and make:
# the first target run installs a pinned uv into .tools/ and the locked environment into .venv/.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
DEMO_DIR := build/demo

.PHONY: help setup uv-version demo plan policies test lint format typecheck pytest bench golden snapshots clean
.DEFAULT_GOAL := help

help: ## list the targets (this)
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@

setup: $(VENV)/.synced ## install the pinned uv (.tools/) and the locked environment (.venv/)

# The pinned uv version, for CI steps that need the same uv outside .tools/.
uv-version: ## print the pinned uv version (for CI)
	@echo $(UV_VERSION)

demo: setup ## sample data, the five steps locally, batch scores, what differs per stage (build/demo/)
	@echo "== sample data: 4,177 training rows, 1,000 rows to score ($(DEMO_DIR)/)"
	@$(PY) -m ml sample-data --rows 4177 --out $(DEMO_DIR)/abalone.csv
	@$(PY) -m ml sample-data --rows 1000 --seed 11 --without-label --out $(DEMO_DIR)/batch.csv
	@echo "== the five steps locally, as in SageMaker ($(DEMO_DIR)/run/)"
	@$(PY) -m ml run --input $(DEMO_DIR)/abalone.csv --batch $(DEMO_DIR)/batch.csv \
		--output $(DEMO_DIR)/run
	@echo "== the three stacks rendered offline"
	@$(PY) -m offline.promotion

# What `pulumi up` would create for STACK (dev, preprod, prod), rendered offline under mocks.
# Exits non-zero on a mandatory policy violation. POLICY_CONFIG=file applies pack config;
# PREVIEW=1 renders the first preview of a new stack (every computed output unknown).
plan: setup ## what `pulumi up` would create for STACK=dev|preprod|prod, and the policy results
	$(PY) -m offline.plan --stack $(STACK) $(if $(POLICY_CONFIG),--policy-config $(POLICY_CONFIG)) $(if $(PREVIEW),--preview)

# One line per policy of the pack: name, enforcement, severity, controls.
policies: setup ## one line per policy of the pack
	$(PY) -m offline.policies

lint: setup ## ruff format check and ruff
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: setup ## rewrite the sources in the house format
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: setup ## mypy (strict), and the step scripts as Python 3.10
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --python-version 3.10 ml/steps

pytest: setup ## the tests, on every core, and the coverage floor (pyproject: fail_under)
	$(VENV)/bin/pytest --cov --cov-report=term

test: lint typecheck pytest ## lint, typecheck and the tests: what CI runs

bench: setup ## speed and memory goals, measured side by side (reports only; ONLY=serving)
	PYTHONPATH=. $(PY) -m bench $(ONLY)

# Rewrites the definition golden files (training and scoring-only) on purpose; the tests never do.
golden: setup ## rewrite the golden pipeline definitions, on purpose
	$(VENV)/bin/pytest tests/ml/definition/test_offline.py tests/ml/definition/test_scoring.py \
		-k golden --update-golden
	@git diff --stat -- tests/ml/definition/ | tail -n 1 | sed 's/^/rewrote: /'

# Rewrites the stack graph snapshots on purpose, after reviewing the diff the tests printed.
snapshots: setup ## rewrite the stack graph snapshots, after reviewing their diff
	$(VENV)/bin/pytest tests/offline/test_snapshots.py -k snapshot --update-snapshots
	@git diff --stat -- tests/offline/snapshots/ | sed 's/^/rewrote: /'

clean: ## remove build/, .venv/, .tools/ and caches
	rm -rf build $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
