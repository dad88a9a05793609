# setLedger: two commands for people (make run, make test) and a few for engineers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint typecheck schemas clean help mosquitto chromium hledger pos-ui

help:
	@echo "make run    start broker + hub + a demo store box (Ctrl-C stops)"
	@echo "make test   install what the tests need and run them all"
	@echo "make bench  run the benchmarks (one JSON line each)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

mosquitto:
	@ops/sh/ensure-mosquitto.sh

chromium:
	@ops/sh/ensure-chromium.sh

hledger:
	@ops/sh/ensure-hledger.sh

# The counter UI the box serves at /pos/: npm packages from the committed
# lock file only (npm ci), then tsc type-checks and esbuild bundles into pos_ui/dist/.
POS_UI_SOURCES := $(shell find pos_ui/src pos_ui/i18n -type f 2>/dev/null) pos_ui/build.mjs pos_ui/tsconfig.json
pos_ui/node_modules/.package-lock.json: pos_ui/package-lock.json pos_ui/package.json
	cd pos_ui && npm ci --no-audit --no-fund --loglevel=error

pos_ui/dist/index.html: pos_ui/node_modules/.package-lock.json $(POS_UI_SOURCES)
	cd pos_ui && npm run --silent build

pos-ui: pos_ui/dist/index.html

run: $(STAMP) mosquitto pos-ui
	$(BIN)/setledger demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy setledger appkit edge hub ops labels documents

# Two workers, a test file each at a time: most tests wait on real processes
# (broker, hub, box, Chromium), so two share the machine's two cores well
# (~9 min instead of ~15). TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
test: $(STAMP) mosquitto chromium hledger pos-ui lint typecheck
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP) pos-ui
	$(BIN)/python -m bench

schemas: $(STAMP)
	$(BIN)/setledger contracts export

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis pos_ui/node_modules pos_ui/dist
