# Two commands for a newcomer: `make run` (demo on the embedded defaults) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test init clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,production]'
	touch $@ $(VENV)/.installed

config.toml: | $(VENV)/.installed
	$(BIN)/python -m idp.bootstrap config.example.toml config.toml

init: $(VENV)/.installed config.toml
	IDP_CONFIG=config.toml $(BIN)/idp init --demo

run: init
	@echo "Fournisseur d'identité : http://127.0.0.1:5000/  (Ctrl+C pour arrêter)"
	IDP_CONFIG=config.toml $(BIN)/idp serve --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
