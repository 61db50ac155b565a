# Two commands for a fresh clone: `make demo` and `make test`. Each creates or updates .venv.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test lint unit integration promtool bench schemas

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/signals demo $(ARGS)

# Debian's prometheus package gives promtool and the server the dashboard tests query.
# Debian's docker-compose validates docker-compose.yml (`docker-compose config -q`); no engine needed.
promtool:
	@command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 \
	  && command -v docker-compose >/dev/null 2>&1 || { \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus docker-compose) >/dev/null; }

lint: $(BIN)/.installed
	$(BIN)/ruff check signals streams tests bench
	$(BIN)/ruff format --check signals streams tests bench
	$(BIN)/mypy

test: $(BIN)/.installed promtool lint
	$(BIN)/pytest $(ARGS)

unit: $(BIN)/.installed
	$(BIN)/pytest -m "not integration" $(ARGS)

schemas: $(BIN)/.installed
	$(BIN)/signals schemas --write

bench: $(BIN)/.installed
	$(BIN)/python bench/run_all.py
