# The two commands (see README): `make run` and `make test`.
# Both create .venv with Python 3.11+ and install kbtool into it first; `make test` runs the
# gates (`make check`: formatting, lint, types) before every test, and is what .ci/run runs.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SOURCES := kbtool tests benchmarks
PORT   ?= 8000

.PHONY: run preview test check install install-dev browser postgres bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Byte-compiled once here: with PYTHONDONTWRITEBYTECODE set (as on some shared machines) an
# editable install would otherwise compile kbtool's modules on every run, a sixth of a search's
# time. Only what changed is compiled again.
install: $(STAMP)
	$(BIN)/python -m compileall -q kbtool

# The pinned gate tools (pyproject's `dev` extra), only for `make check` and `make test`.
$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(DEV_STAMP)

install-dev: $(DEV_STAMP)

## run: install, lint the procedures, build the search index and the site, serve on :8000
# The server is the recipe's last command and replaces the shell (`exec`): Ctrl-C reaches it
# and make directly, with no shell in between for make to wait on.
run: install
	$(BIN)/kbtool lint --statistics || true
	$(BIN)/kbtool index
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build
	exec $(BIN)/kbtool serve --host 127.0.0.1 --port $(PORT)

## preview: the authors' live preview (rebuilds as you edit; Material's own search)
preview: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

## check: the gates: formatting and lint (ruff) over the code, tests and benchmarks; types
## (mypy --strict) over the package
check: install-dev
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy --strict kbtool

## test: install (with Debian's chromium for the browser tests and PostgreSQL for the events
## store's), the gates, then every test
test: check browser postgres
	$(BIN)/python -m pytest -q

browser:
	bash .ci/install-browser

postgres:
	bash .ci/install-postgres

## bench: every benchmark (benchmarks/README.md); `make bench CORPUS=/path/to/corpus QUICK=1`
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	if command -v npm >/dev/null; then npm install --prefix benchmarks --no-audit --no-fund --silent; fi
	$(BIN)/python benchmarks/run_all.py $(if $(CORPUS),--corpus-root $(CORPUS)) $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .kbtool site

## screenshots: the site's screenshots in docs/images/ (a procedure page light and dark, owners)
screenshots: install browser
	KBTOOL_SCREENSHOTS=docs/images $(BIN)/python -m pytest -q tests/site/test_call_page.py -k screenshots
