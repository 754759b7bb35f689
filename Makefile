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

.PHONY: setup uv-version demo plan policies test lint format typecheck pytest bench golden snapshots clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@

setup: $(VENV)/.synced

# The pinned uv version, for CI steps that need the same uv outside .tools/.
uv-version:
	@echo $(UV_VERSION)

demo: setup
	$(PY) -m ml sample-data --rows 4177 --out $(DEMO_DIR)/abalone.csv
	$(PY) -m ml sample-data --rows 1000 --seed 11 --without-label --out $(DEMO_DIR)/batch.csv
	$(PY) -m ml run --input $(DEMO_DIR)/abalone.csv --batch $(DEMO_DIR)/batch.csv --output $(DEMO_DIR)/run
	$(PY) -m offline.promotion

# What `pulumi up` would create for STACK (dev, preprod, prod), rendered offline under mocks.
# Exits non-zero on a mandatory policy violation. POLICY_CONFIG=file applies pack config;
# PREVIEW=1 renders the first preview of a new stack (every computed output unknown).
plan: setup
	$(PY) -m offline.plan --stack $(STACK) $(if $(POLICY_CONFIG),--policy-config $(POLICY_CONFIG)) $(if $(PREVIEW),--preview)

# One line per policy of the pack: name, enforcement, severity, controls.
policies: setup
	$(PY) -m offline.policies

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: setup
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --python-version 3.10 ml/steps

pytest: setup
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: setup
	PYTHONPATH=. $(PY) -m bench

# Rewrites the definition golden file on purpose; the tests never do.
golden: setup
	$(VENV)/bin/pytest tests/ml/definition/test_offline.py -k golden --update-golden

# Rewrites the stack graph snapshots on purpose, after reviewing the diff the tests printed.
snapshots: setup
	$(VENV)/bin/pytest tests/offline/test_snapshots.py -k snapshot --update-snapshots

clean:
	rm -rf build $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
