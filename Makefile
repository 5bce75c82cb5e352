# The two commands: `make demo` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: deps demo test test-python test-php test-static bench faults security soak clean

deps:
	@bash .ci/bootstrap

# make demo DEMO_ARGS="-n 20000 --keep"
DEMO_ARGS ?=
demo: deps
	@$(PY) -m sandbox.demo $(DEMO_ARGS)

test: deps test-static test-python test-php

# The suite runs in PYTEST_WORKERS processes (pytest-xdist), each with its own private
# MariaDB and Redis: most of a test's time is spent waiting on them and on the sandbox.
PYTEST_WORKERS ?= 3

test-python:
	@set +e; $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) -m "not slow" --durations=25 --basetemp="$$(mktemp -d)" $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 1; fi; exit $$rc

test-static:
	@bash tests/static_checks.sh

test-php:
	@bash tests/php/run.sh

bench: deps
	$(PY) -m bench

faults: deps
	$(PY) -m bench faults

security: deps
	$(PY) -m bench security

soak: deps
	$(VENV)/bin/pytest -q -m slow --basetemp="$$(mktemp -d)"

# Stops the demos still running from .var, then removes .var, the unused chn-* temp
# directories of the tests and benchmarks and the tools' caches (sandbox/clean.py);
# committed files (bench/*.json) and .venv stay. CLEAN_ARGS=--dry-run only says what would go.
CLEAN_ARGS ?=
clean:
	@if [ -x $(PY) ]; then $(PY) -m sandbox.clean $(CLEAN_ARGS); else python3 -m sandbox.clean $(CLEAN_ARGS); fi
