# kspub — quick start: `make site` builds the site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What each target needs, installed once per change of pyproject.toml: the site needs the runtime dependencies
# only, the tests add the test tools.
CREATED := $(VENV)/.created
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
MUTATING := $(VENV)/.installed-mutate
# The lowest versions pyproject.toml admits, in a venv of their own, on the oldest Python it admits.
LOWEST_PYTHON ?= python3.11
LOWEST := .venv-lowest
LOWEST_STAMP := $(LOWEST)/.installed

.PHONY: site test test-lowest coverage mutate bench lint check clean

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

# '.[test,mutate]' adds mutmut to the test tools, so it satisfies the other two stamps too.
$(MUTATING): pyproject.toml | $(CREATED)
	$(BIN)/pip install --quiet -e '.[test,mutate]'
	touch $(RUNTIME) $(TESTING) $@

# uv resolves every direct dependency to its lower bound (--resolution lowest-direct); a fresh venv each time
# pyproject.toml changes, so no version left over from an earlier run is tested.
$(LOWEST_STAMP): pyproject.toml
	rm -rf $(LOWEST)
	$(LOWEST_PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/pip install --quiet 'uv>=0.5'
	$(LOWEST)/bin/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e '.[test]'
	touch $@

site: $(RUNTIME)
	$(BIN)/kspub build

test: $(TESTING)
	scripts/ensure-chromium
	scripts/ensure-axe
	scripts/ensure-libreoffice
	scripts/ensure-zensical
	$(BIN)/ruff check kspub tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The lower bounds in pyproject.toml, proved: lint, type check and every test but the browser ones, at the lowest
# versions allowed. Zensical stays in a venv of its own (.venv/zensical): in this one it would lift mkdocs-material
# above its lower bound (decision record 0507).
test-lowest: $(LOWEST_STAMP)
	scripts/ensure-zensical
	$(LOWEST)/bin/ruff check kspub tests benchmarks
	$(LOWEST)/bin/mypy
	$(LOWEST)/bin/python -m pytest -q -m "not browser"

# Branch coverage of every test but the browser ones, forked workers and threads included ([tool.coverage] in
# pyproject.toml): prints each gated module's figure with its missed lines and branches, writes the whole report
# to build/coverage/html, and fails when a gated module is under COVERAGE_MIN %. Not part of `make test`: it
# takes about twice as long. `make coverage TESTS=tests/test_history.py` measures some tests only.
COVERAGE_GATED := kspub/check.py kspub/history.py kspub/diff_operands.py kspub/publish/build.py
COVERAGE_MIN := 90
TESTS ?=
comma := ,
space := $(subst ,, )

# an absolute data file: a process forked in another working directory still writes where the others do
coverage: export COVERAGE_FILE = $(CURDIR)/build/coverage/.coverage
coverage: $(TESTING)
	rm -rf build/coverage
	mkdir -p build/coverage
	$(BIN)/coverage run -m pytest -q -m "not browser" $(TESTS)
	$(BIN)/coverage combine -q
	$(BIN)/coverage html -q
	$(BIN)/coverage report --include="$(subst $(space),$(comma),$(COVERAGE_GATED))"
	@status=0; for module in $(COVERAGE_GATED); do \
	  total=$$($(BIN)/coverage report --include="$$module" --format=total); \
	  if $(BIN)/coverage report --include="$$module" --fail-under=$(COVERAGE_MIN) >/dev/null; then \
	    echo "$$module: $$total % (at least $(COVERAGE_MIN) %)"; \
	  else echo "$$module: $$total %, under $(COVERAGE_MIN) %"; status=1; fi; \
	done; exit $$status

# Mutation testing of kspub/law/, the materiality classifier and the gate ([tool.mutmut] in pyproject.toml), then
# the table per module against the target (tests/mutation/report.py); CONTRIBUTING.md says how to read it. Always
# from scratch: mutmut keeps a survivor's verdict until it is asked to retest it, so a mutants/ left by an earlier
# run would hide the tests written since. Not part of CI: it takes hours.
MUTATE_CHILDREN ?= 2
mutate: $(MUTATING)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATE_CHILDREN)
	$(BIN)/python -m tests.mutation.report

bench: $(RUNTIME)
	$(BIN)/python -m benchmarks

lint: $(RUNTIME)
	$(BIN)/kspub lint

check: $(RUNTIME)
	$(BIN)/kspub check --base origin/main

clean:
	rm -rf build/docs build/site build/.sites build/.staging-* build/.trash-* build/.cache build/coverage
