# Two commands on a fresh machine: `make demo` (build the demo store and serve it) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= var/districtlens.duckdb
PORT ?= 8765

.PHONY: install system demo demo-store serve test lint bench screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,spark]'
	touch $@

install: $(VENV)/.installed assets

# The dashboard's browser assets (ECharts, Swagger UI) from the npm registry, pinned by
# package-lock.json, copied into the git-ignored src/districtlens/web/static/vendor/.
.PHONY: assets
assets:
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
	$(PYTHON) src/districtlens/web/assets.py .

# Debian packages the tests and briefings need (a JRE for Spark, LibreOffice for the Excel check,
# a CJK font for PDFs, poppler for pdftotext, Chromium for browser tests). Installed when missing
# and when we may (root with apt-get); otherwise say what is missing.
system:
	@missing=$$(for p in $$(cat .ci/debian-packages.txt); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages (install them as root): $$missing"; fi; \
	fi

$(DB): | install
	$(BIN)/districtlens demo build --db $(DB)

demo-store: $(DB)

demo: install demo-store
	$(BIN)/districtlens serve --db $(DB) --port $(PORT)

# Lint, formatting and types first (seconds), then the tests on every core (pyproject.toml's
# addopts). pytest exits 5 when no test ran, and make stops on it like on any failure.
test: install system
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/pytest

# The README's and docs/screenshots/' pictures, taken by the browser test on the demo store.
screenshots: install system
	DISTRICTLENS_SCREENSHOTS=1 $(BIN)/pytest -n 0 tests/web/test_browser.py

bench: install
	$(BIN)/pip install -q -e '.[test,spark,bench]'
	for b in benchmarks/*_bench.py; do $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
