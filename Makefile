# Every target sets up what it needs itself: .venv, Python packages, Debian packages.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test bench lint clean

setup:
	@scripts/setup

run: setup
	$(BIN)/puente demo

test: setup
	@scripts/setup test
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: setup
	@scripts/setup bench
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
