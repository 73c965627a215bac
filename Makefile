# The two commands of the README: `make demo` (set up and run) and `make test`.
# Each first installs what the machine lacks (scripts/bootstrap.sh: Debian or
# Ubuntu, as root or through sudo); everything else here is what those two need.
VENV ?= .venv
BIN = $(VENV)/bin
PYTHON ?= python3
# Node.js 20+ that scripts/bootstrap.sh installed when the system's is older.
export PATH := $(CURDIR)/.tools/bin:$(PATH)

.PHONY: setup build run demo test bench screenshots

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

# The extension, and the dashboard's charts bundle (committed: a wheel built
# without npm still has it; tests/test_package.py holds it to its sources).
build: setup
	npm --prefix extension run build

# The service alone, on SQLite, with the example guides published.
run: build
	$(BIN)/waymark serve --guides guides

demo:
	scripts/bootstrap.sh demo
	$(MAKE) --no-print-directory build
	$(BIN)/waymark demo

test:
	scripts/bootstrap.sh test
	$(MAKE) --no-print-directory build
	npm --prefix extension test
	$(BIN)/waymark guides validate guides
	$(BIN)/pytest

# The README's pictures: the dashboard's browser tests, saving into docs/screenshots/
# (a plain test run saves them in e2e/artifacts/, so it leaves the tree clean).
screenshots: build
	WAYMARK_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q e2e/dashboard/test_dashboard_pages.py

bench: build
	$(BIN)/python tests/benchmarks/run_all.py
