# kspub — quick start: `make site` builds the site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What each target needs, installed once per change of pyproject.toml: the site needs the runtime dependencies
# only, the tests add the test tools.
CREATED := $(VENV)/.created
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test

.PHONY: site test bench lint check clean

$(CREATED):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	touch $@

$(RUNTIME): pyproject.toml | $(CREATED)
	$(BIN)/pip install --quiet -e .
	touch $@

# '.[test]' installs the runtime dependencies too, so it also satisfies the runtime stamp.
$(TESTING): pyproject.toml | $(CREATED)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(RUNTIME) $@

site: $(RUNTIME)
	$(BIN)/kspub build

test: $(TESTING)
	scripts/ensure-chromium
	$(BIN)/ruff check kspub tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(RUNTIME)
	$(BIN)/python -m benchmarks

lint: $(RUNTIME)
	$(BIN)/kspub lint

check: $(RUNTIME)
	$(BIN)/kspub check --base origin/main

clean:
	rm -rf build/docs build/site build/.cache
