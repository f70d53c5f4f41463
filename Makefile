# shopsync — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck pytest demo bench gen clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

# For now: both simulators with seeded data (the sync daemon joins them when it lands). Ctrl-C stops both.
demo: install
	$(BIN)/shopsync demo

bench: install
	$(BIN)/python -m bench.tripletex_simulator
	$(BIN)/python -m bench.engine_sync

# Regenerate the Tripletex schema facts and models from the official spec (not committed).
gen: install
	$(BIN)/python scripts/gen_tripletex_schema.py
	$(BIN)/ruff format src/shopsync/tripletex/_schema.py src/shopsync/tripletex/_models.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
