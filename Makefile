# The two commands of the README: `make demo` (set up and run) and `make test`.
# Everything else here is what those two need.
VENV ?= .venv
BIN = $(VENV)/bin
PYTHON ?= python3

.PHONY: setup build run demo test test-python test-extension bench

setup: $(VENV)/.installed extension/node_modules/.installed e2e/fixtures/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

extension/node_modules/.installed: extension/package.json extension/package-lock.json
	npm --prefix extension ci --no-audit --no-fund
	touch $@

# The real UI libraries the e2e fixture pages are built from (e2e/fixtures/server.py).
e2e/fixtures/node_modules/.installed: e2e/fixtures/package.json e2e/fixtures/package-lock.json
	npm --prefix e2e/fixtures ci --no-audit --no-fund
	touch $@

build: setup
	npm --prefix extension run build

# The service alone, on SQLite, with the example guides published.
run: build
	$(BIN)/waymark serve --guides guides

demo: build
	$(BIN)/waymark demo

test: build
	npm --prefix extension test
	$(BIN)/waymark guides validate guides
	$(BIN)/pytest

bench: build
	$(BIN)/python tests/benchmarks/run_all.py
