# groupkeeper: `make run` starts the bot, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Running needs the project alone; the checks add the dev tools on top.
RUNTIME := $(VENV)/.runtime-stamp
STAMP := $(VENV)/.dev-stamp
# Empty, the command picks the config as documented: $$GROUPKEEPER_CONFIG,
# then config.yaml, then config.example.yaml. `make run CONFIG=x.yaml` pins one.
CONFIG ?=
CONFIG_ARG := $(if $(CONFIG),--config $(CONFIG))

.PHONY: run test lint typecheck imports pytest bench install scorer clean

run: $(RUNTIME)
	$(BIN)/groupkeeper db upgrade $(CONFIG_ARG)
	$(BIN)/groupkeeper run $(CONFIG_ARG)

test: lint typecheck imports pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The compiled spam scorer is built by the install: an edit of its source rebuilds it.
$(RUNTIME): pyproject.toml bot/features/risk/spam/_scorer.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The compiled spam scorer alone, built in place from pyproject.toml's
# ext-modules: for a checkout run with another checkout's venv
# (PYTHONPATH=.), which `pip install -e .` here would take over.
scorer: | $(BIN)/python
	$(BIN)/python -c "import tomllib; from setuptools import Distribution, Extension; \
	exts = tomllib.load(open('pyproject.toml', 'rb'))['tool']['setuptools']['ext-modules']; \
	d = Distribution({'ext_modules': [Extension(**e) for e in exts]}); \
	d.get_command_obj('build_ext').inplace = True; d.run_command('build_ext')"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot rules storage adapters

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache groupkeeper.db
