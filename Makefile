# shopsync — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install browser postgres test lint typecheck pytest demo bench chaos gen clean

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

pytest: install browser postgres
	$(BIN)/pytest -q

test: lint typecheck pytest

# PostgreSQL on 127.0.0.1:5432 (state store, queue, chaos and worker runs): started when it is down.
postgres:
	@bash scripts/ensure_postgres.sh

# The browser test drives Debian's chromium (never a downloaded browser); installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Both simulators with seeded data and `shopsync run` syncing them (webhooks on both sides); prints
# the shop's admin page, the status page (one-click login) and the Tripletex stats. Ctrl-C stops all.
demo: install
	$(BIN)/shopsync demo

# The benchmark suite (bench/README.md, docs/performance.md): the sync engine at each size of
# BENCH_SIZES customers (initial load, incremental and idle pass, webhook → write latency) and a
# rate-bound load, written to bench/results/latest.json; then the simulator's own benchmark.
# `make bench BENCH_SIZES=1000,10000` for a shorter run.
BENCH_SIZES ?= 1000,10000,100000
bench: install postgres
	$(BIN)/python -m bench.scale --sizes $(BENCH_SIZES)
	$(BIN)/python -m bench.tripletex_simulator
	$(BIN)/python -m bench.workers

# The chaos suite at full scale (`make test` runs a short form): the kill -9 series (32 runs per
# database, SQLite and PostgreSQL; fails under 50 kills in all), faults on both simulators, 3,000 fuzzed
# bad webshop records, concurrent edits of the same records; prints every run's counts and writes them
# to bench/results/chaos.json.
chaos: install postgres
	SHOPSYNC_CHAOS_SCALE=full SHOPSYNC_CHAOS_KILLS=32 $(BIN)/pytest -q tests/acceptance/test_kill.py tests/chaos

# Regenerate the Tripletex schema facts and models from the official spec (not committed).
gen: install
	$(BIN)/python scripts/gen_tripletex_schema.py
	$(BIN)/ruff format src/shopsync/tripletex/_schema.py src/shopsync/tripletex/_models.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
