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
	@# Bytecode written once, as pip does for a regular install: an editable install leaves it to
	@# the first import, which PYTHONDONTWRITEBYTECODE turns into a compile in every process.
	@$(BIN)/python -m compileall -q pipeline bench > /dev/null
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
