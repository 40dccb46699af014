# The two set-up commands of the README: `make run` and `make test`. Both create .venv if absent.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint eval report clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "installing pinghu-ner into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]' > $(VENV)/install.log 2>&1 \
		|| (tail -30 $(VENV)/install.log; exit 1)
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/pinghu-ner run seeds --out outputs

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench

eval: $(STAMP)
	$(BIN)/python -m bench.compare

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench

report: $(STAMP)
	$(BIN)/pinghu-ner report outputs

clean:
	rm -rf outputs .pytest_cache
