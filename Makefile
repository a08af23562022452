# The two commands (see README): `make run` and `make test`.
# Both create .venv with Python 3.11+ and install kbtool into it first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: run test install install-test browser lint index serve bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: install, lint the procedures, build the search index, serve the site on :8000
# The server is the recipe's last command and replaces the shell (`exec`): Ctrl-C reaches it
# and make directly, with no shell in between for make to wait on.
run: install
	$(BIN)/kbtool lint --statistics || true
	$(BIN)/kbtool index
	exec env NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

## test: install (with Debian's chromium for the browser tests) and run every test
test: install browser
	$(BIN)/python -m pytest -q

browser:
	bash .ci/install-browser

## bench: every benchmark (benchmarks/README.md); `make bench CORPUS=/path/to/corpus QUICK=1`
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py $(if $(CORPUS),--corpus-root $(CORPUS)) $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .kbtool site

## screenshots: the site's screenshots in docs/images/ (a procedure page light and dark, owners)
screenshots: install browser
	KBTOOL_SCREENSHOTS=docs/images $(BIN)/python -m pytest -q tests/site/test_call_page.py -k screenshots
