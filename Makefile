# The two quick-start commands (`make demo`, `make test`) set up their own virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint run sandbox bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## The bot, both offline stand-ins and a terminal chat with the bot: no token, no network.
demo: $(STAMP)
	$(BIN)/python -m sandbox.demo

## Lint, format check, type check, layer contracts and the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

## The bot against the settings in .env (real Telegram, real sms4sats).
run: $(STAMP)
	$(BIN)/python -m bot

## The poller and outbox against the design they replaced (about 10 minutes; not in `make test`).
bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
