# Two commands for a newcomer: `make run` (demo on the embedded defaults) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test init clean assets translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,production]'
	touch $@ $(VENV)/.installed

# `make run` is development, said explicitly: demo data, outbox, the FranceConnect stand-in
# and plain HTTP are refused in production (the default; idp/config/production.py).
DEV = IDP_SERVER_ENVIRONMENT=development

config.toml: | $(VENV)/.installed
	$(BIN)/python -m idp.config.bootstrap --development config.example.toml config.toml

# The DSFR (npm @gouvfr/dsfr): the files the pages use are copied into idp/static/dsfr/,
# committed and shipped in the package (assets/copy_dsfr.py says which). `make assets`
# refreshes that copy from assets/package-lock.json; `make assets DSFR_VERSION=1.x.y` moves
# to another release first. Then look at the pages and commit idp/static/dsfr.
DSFR_VERSION ?=
assets:
	cd assets && { [ -z "$(DSFR_VERSION)" ] || npm install --save-exact --no-audit --no-fund --ignore-scripts \
	  @gouvfr/dsfr@$(DSFR_VERSION); } && npm ci --no-audit --no-fund --ignore-scripts
	$(PYTHON) assets/copy_dsfr.py assets/node_modules/@gouvfr/dsfr idp/static/dsfr

init: $(VENV)/.installed config.toml
	$(DEV) IDP_CONFIG=config.toml $(BIN)/idp init --demo

# The FranceConnect simulator (devtools/fc_standin, development only) runs beside the IdP on
# :5001 when config.toml points [providers.franceconnect] at it; it stops with the IdP.
# Served as in production (`idp serve`: Granian), with one worker: development has no Redis.
run: init
	@echo "Fournisseur d'identité : http://127.0.0.1:5000/  (Ctrl+C pour arrêter)"
	@$(BIN)/python -m devtools.fc_standin.for_idp config.toml & standin=$$!; \
	  trap 'kill $$standin 2>/dev/null' EXIT INT TERM; \
	  $(DEV) IDP_CONFIG=config.toml $(BIN)/idp serve --host 127.0.0.1 --port 5000 --workers 1

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache

# Benchmarks (bench/README.md): e.g. make bench WORKERS=1 DURATION=10
# PostgreSQL/Redis: make bench DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/idp_bench REDIS_URL=redis://127.0.0.1:6379/14
WORKERS ?= 1 2
DURATION ?= 10
ACCOUNTS ?= 1000
DATABASE_URL ?=
REDIS_URL ?=
BENCH_ARGS ?=

$(VENV)/.installed-bench: bench/requirements.txt $(VENV)/.installed-test
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@

bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund

.PHONY: bench
bench: $(VENV)/.installed-bench bench/node_modules/.package-lock.json
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)); } || \
	    { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
	$(BIN)/python bench/run.py --workers "$(WORKERS)" --duration $(DURATION) --accounts $(ACCOUNTS) \
	    --database-url "$(DATABASE_URL)" --redis-url "$(REDIS_URL)" $(BENCH_ARGS)

# Translations: extract the French texts, update the English catalogue, compile it.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/idp-messages.pot .
	$(BIN)/pybabel update -i /tmp/idp-messages.pot -d idp/translations
	$(BIN)/pybabel compile -d idp/translations
