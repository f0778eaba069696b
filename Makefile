# The two quick-start commands (`make demo`, `make test`) set up their own virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test typecheck bytecode unit lint run check sandbox bench clean messages language

# Test worker processes for `make test` (pytest-xdist): an end-to-end test spends most of its
# time waiting on the bot and the stand-ins, so three per core keep two cores busy; worksteal
# hands the tests of a worker still busy to one that is done, so no worker idles at the end.
TEST_WORKERS ?= 6

# `make demo LANGUAGE=ru`: chat as a user whose Telegram app is in Russian. Only a value given
# on the command line counts: gettext's own LANGUAGE variable (often set, like en_US:en) does not.
ifneq ($(origin LANGUAGE),command line)
LANGUAGE := en
endif
LOCALES_DIR := handlers/ui/locales

# Python writes the bytecode of what it imports, into .venv and the checkout (both ignored by
# git), even where the environment says not to (as on our CI machines): otherwise every test
# worker and every bot process the tests start would compile Telegram's, HTTP's and the
# project's modules again.
unexport PYTHONDONTWRITEBYTECODE

# uv installs the bot and its ~70 packages in a few seconds where pip takes over half a minute
# (a third of `make test` on a clean clone), leaving the bytecode to be written on first import
# (only what is used); pip does it wherever uv cannot be had.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	( $(BIN)/python -m pip install --quiet uv \
	  && $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]" ) \
	|| $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## The bot, both offline stand-ins and a terminal chat with the bot: no token, no network.
demo: $(STAMP)
	$(BIN)/python -m sandbox.demo --language $(LANGUAGE) $(ARGS)

## Lint, format check, type check, layer contracts and the whole test suite (in parallel).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	@$(MAKE) --no-print-directory -j 2 typecheck bytecode
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# The type check takes one core for a few seconds; meanwhile the other writes, once, the
# bytecode of everything the tests import (the project's and the libraries'), which the six
# test workers would otherwise each compile at the same time.
typecheck: $(STAMP)
	$(BIN)/mypy

bytecode: $(STAMP)
	@# Collecting imports every test module; a collection error is reported by the run itself.
	$(BIN)/python -m pytest --collect-only -q -p no:cacheprovider > /dev/null || true

## The unit tests only (tests/unit: no servers, no processes), in a few seconds.
unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

## The bot against the settings in .env (real Telegram, real sms4sats).
run: $(STAMP)
	$(BIN)/python -m bot

## The settings in .env tried against the world (database, Telegram, sms4sats, the referral
## Lightning Address, the admins): one line each, exit 1 when any is ❌.
check: $(STAMP)
	$(BIN)/python -m bot check

## Extract every sentence from handlers/ into messages.pot and merge it into each language's
## catalog: new sentences arrive empty (make test fails until they are translated), changed ones
## fuzzy. Then translate them in handlers/ui/locales/<lang>/LC_MESSAGES/messages.po.
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ -k N_plural:1,2 -c TRANSLATORS: --add-location=file \
		--sort-by-file --project=sms4sats-bot --version=0.1 \
		--copyright-holder="the sms4sats-bot contributors" -o $(LOCALES_DIR)/messages.pot handlers
	$(BIN)/pybabel -q update -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR) -D messages \
		--ignore-obsolete

## A new language: `make language NEW=fr` creates its catalog (then add it to LOCALES in
## handlers/ui/i18n.py and translate).
language: $(STAMP)
	$(BIN)/pybabel -q init -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR) -D messages -l $(NEW)

## The poller and outbox against the design they replaced (about 10 minutes; not in `make test`).
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
