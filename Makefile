# Schediora: `make run` starts everything, `make test` runs every test. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
SERVICES := auth planner ai
DATABASE_NAME ?= schediora
BENCH_DATABASE_NAME ?= $(DATABASE_NAME)_bench
export DATABASE_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: help install servers db migrate run test lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml uv.lock libs/*/pyproject.toml services/*/pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet 'uv>=0.9'
	$(UV) sync --frozen --all-packages
	@touch $@

install: $(STAMP) ## Create .venv and install every package of the workspace (with dev tools)

servers: ## Make sure PostgreSQL and RabbitMQ are reachable (start them when possible)
	@scripts/ensure-servers.sh

db: install servers ## Create the database, the service roles and schemas, and migrate every service
	$(BIN)/python -m schediora_runtime.bootstrap --database $(DATABASE_NAME) $(SERVICES)
	@for s in $(SERVICES); do (cd services/$$s && ../../$(BIN)/alembic upgrade head) || exit 1; done

migrate: db ## Alias of db

run: db ## Install, migrate and start gateway, auth, planner and ai (Ctrl-C stops them all)
	@echo ""
	@echo "  gateway  http://127.0.0.1:8000/api/v1   (docs: http://127.0.0.1:8000/api/v1/docs)"
	@echo "  auth     http://127.0.0.1:8001/health/ready"
	@echo "  planner  http://127.0.0.1:8002/health/ready"
	@echo "  ai       http://127.0.0.1:8003/health/ready"
	@echo "  health   curl http://127.0.0.1:8000/api/v1/health/ready"
	@if [ -z "$$SMTP_HOST" ]; then echo "  mail     printed below by the development mail catcher (SMTP 127.0.0.1:1025)"; else echo "  mail     sent to $$SMTP_HOST:$${SMTP_PORT:-1025}"; fi
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Two pytest processes side by side, each on its own test database: the end-to-end modules
# (four-process stacks, mostly waiting on processes and the broker) beside everything else.
# A module that restarts the broker runs in the main process; the broker lock keeps a restart
# out of a running end-to-end module (schediora_testkit.testing.broker_held).
E2E_BESIDE := tests/e2e --ignore=tests/e2e/test_plan_flow_reliability.py
MAIN_TESTS := libs services tests/deploy tests/docs tests/platform tests/e2e/test_plan_flow_reliability.py
TEST_DB ?= $(or $(TEST_DATABASE_NAME),schediora_test)

test: install servers ## Run every test: unit, integration (real PostgreSQL and RabbitMQ) and end-to-end
	@log=$$(mktemp); \
	TEST_DATABASE_NAME=$(TEST_DB)_e2e $(BIN)/pytest $(E2E_BESIDE) > $$log 2>&1 & beside=$$!; \
	TEST_DATABASE_NAME=$(TEST_DB) $(BIN)/pytest $(MAIN_TESTS); main=$$?; \
	wait $$beside; e2e=$$?; \
	echo ""; echo "=== end-to-end modules (run beside the rest) ==="; cat $$log; rm -f $$log; \
	echo "main: exit $$main, end-to-end: exit $$e2e"; \
	test $$main -eq 0 -a $$e2e -eq 0

lint: install ## ruff, formatting and the layering contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: db ## Load benchmarks of the four services as processes (needs wrk; installed if missing)
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null || { echo "install wrk first"; exit 1; }
	TEST_DATABASE_NAME=$(BENCH_DATABASE_NAME) $(BIN)/python -c "from schediora_testkit import testing; testing.prepare_test_database()"
	TEST_DATABASE_NAME=$(BENCH_DATABASE_NAME) $(BIN)/python -m benchmarks $(BENCH)

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache
