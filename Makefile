# The README's commands. `make run` sets up and serves the demo; `make test` sets up and runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install test-services clean

$(BIN)/resilience: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/resilience

run: install
	$(BIN)/resilience init
	$(BIN)/resilience demo
	$(BIN)/resilience serve --host $(HOST) --port $(PORT)

test-services:
	scripts/install-test-services

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install test-services lint
	$(BIN)/pytest -q -n 2 --dist loadscope

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
