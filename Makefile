# LocalBzz — the two front-door commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint fmt migrate seed check bench clean

help:
	@echo "make run    - install, migrate, load demo data, start web + worker (+ dispatcher, fake platforms)"
	@echo "make test   - run the whole test suite (PostgreSQL when DATABASE_URL points at one, SQLite otherwise)"
	@echo "make lint   - ruff check, the import layers (lint-imports) and the types (mypy)"
	@echo "make bench  - run the benchmarks under bench/"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "LocalBzz needs Python 3.11 or newer: run make with PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

FAKE_PLATFORMS_PORT ?= 8010
FAKE_PLATFORMS_URL ?= http://127.0.0.1:$(FAKE_PLATFORMS_PORT)
# Where the staff app is reached, used in every link we send and every URL the (fake) platforms
# fetch media from: HOST:PORT (localhost for a loopback or wildcard HOST), unless APP_HOST is set.
APP_HOST ?= $(if $(filter 127.0.0.1 0.0.0.0 :: ::1 localhost,$(HOST)),localhost,$(HOST)):$(PORT)
run: export DEBUG ?= 1
run: export APP_HOST := $(APP_HOST)
run: seed
	@$(PY) manage.py welcome
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) APP_HOST=$(APP_HOST) FAKE_PLATFORMS_PORT=$(FAKE_PLATFORMS_PORT) FAKE_PLATFORMS_URL=$(FAKE_PLATFORMS_URL) exec $(VENV)/bin/honcho start -f Procfile -p $(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install
	$(VENV)/bin/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: install
	@for f in $(wildcard bench/*.py); do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) staticfiles var/test-results .pytest_cache
