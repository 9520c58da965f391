# Two commands set up everything on a fresh machine (Python 3.11): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEED := seeds/000_4934cb18e678b5bb.txt
SEED_TARGETS := -t "NATO troops deployed to Ukraine" -t "supplying weapons to Ukraine" \
	-t "starting peace negotiations with Russia now" -t "higher defence spending by NATO members"
export HF_HUB_OFFLINE := 1

.PHONY: setup demo test lint clean

setup: $(STAMP)

# torch is pinned first: the CPU build of 2.13.0 lies on disk; an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test,lint]"
	touch $(STAMP)

demo: $(STAMP)
	@if $(BIN)/python -c "import sys, stancesum.models.labeler_config as m; sys.exit(not m.default_model_available())"; then \
		$(BIN)/stancesum analyze $(SEED) $(SEED_TARGETS); \
	else \
		echo "No trained default model yet (models/default is empty): no labels are shown rather than invented ones."; \
		echo "Sentence split of $(SEED):"; \
		$(BIN)/stancesum split $(SEED); \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest -q

# ruff (lint, import order, formatting) and mypy over the installed layout (scripts/typecheck.py)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/typecheck.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
