# Two commands for a fresh clone: `make demo` and `make test`. Each creates or updates .venv.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test lint unit integration promtool bench schemas compiled pure

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
	$(BIN)/ruff check signals streams tests bench setup.py
	$(BIN)/ruff format --check signals streams tests bench setup.py
	$(BIN)/mypy

test: $(BIN)/.installed promtool lint
	$(BIN)/pytest $(ARGS)

unit: $(BIN)/.installed
	$(BIN)/pytest -m "not integration" $(ARGS)

schemas: $(BIN)/.installed
	$(BIN)/signals schemas --write

bench: $(BIN)/.installed
	$(BIN)/python bench/run_all.py

# The detection modules compiled with mypyc, in place (setup.py lists them): the checkout then runs
# the compiled build (the tests refuse a compiled module older than its source). `make pure` undoes it.
compiled: $(BIN)/.installed
	SIGNALS_COMPILE=1 $(BIN)/python setup.py -q build_ext --inplace

pure:
	find signals -name '*.so' -delete
	rm -f *__mypyc*.so
	rm -rf build
