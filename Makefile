# Spendlens: `make demo` runs the whole product, `make test` runs the tests.
# Both create .venv and install everything (Python and npm) on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FRONTEND := frontend
NPM_STAMP := $(FRONTEND)/node_modules/.installed

.PHONY: demo test bench lint install frontend-build frontend-test clean-var

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NPM_STAMP): $(wildcard $(FRONTEND)/package.json)
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund); \
	fi
	@mkdir -p $(FRONTEND)/node_modules && touch $(NPM_STAMP)

install: $(STAMP)

frontend-build: $(NPM_STAMP)
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm run build; fi

frontend-test: $(NPM_STAMP)
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm test; fi

demo: $(STAMP) frontend-build
	$(PY) -m backend.devstack

test: $(STAMP) frontend-build frontend-test
	$(PY) -m pytest

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean-var:
	rm -rf var
