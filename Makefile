# The two commands a newcomer needs: `make run` and `make test`. Everything CI runs is a target here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help venv run test lint format typecheck unit bench openapi preview package terraform checkov clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The venv is rebuilt only when the pinned requirements change: a second `make run` is fast.
$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
		py=$$(sh scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned dependencies

run: venv ## Run the whole service locally (emulator + API + processors)
	$(PY) -m chalicelib.local

test: venv lint typecheck ## Lint, type-check, the whole suite with the coverage gate, checkov
	$(PY) -m pytest
	@if ! command -v terraform >/dev/null; then \
		echo "terraform is not installed: skipping make checkov (the Terraform tests skipped too)"; \
	elif ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
		echo "the venv is not Python 3.12 (the Lambda runtime): skipping make checkov (packaging refuses)"; \
	else $(MAKE) --no-print-directory checkov; fi

lint: venv ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: venv ## mypy on chalicelib and the packaging scripts
	$(VENV)/bin/mypy chalicelib scripts

unit: venv ## Fast unit tests only (no coverage gate)
	$(PY) -m pytest tests/unit --no-cov -q

preview: venv ## Render a sample invoice (5 and 100 items) and both emails to build/preview/
	$(PY) -m chalicelib.local.preview build/preview

openapi: venv ## Regenerate docs/openapi.json from the models
	$(PY) -m chalicelib.api.openapi docs/openapi.json

bench: venv ## Run the benchmarks and print the ratios
	$(PY) benchmarks/cold_import.py
	$(PY) benchmarks/api_calls.py
	$(PY) benchmarks/pdf.py

STAGE ?=
package: venv ## Package STAGE=dev|sit|prod into infrastructure/environments/$(STAGE)/service
	@if [ -z "$(STAGE)" ]; then echo "usage: make package STAGE=dev|sit|prod" >&2; exit 2; fi
	$(PY) scripts/package.py --stage $(STAGE)

terraform: venv ## Package every stage, then terraform fmt -check and init + validate each
	@for stage in dev sit prod; do $(PY) scripts/package.py --stage $$stage || exit 1; done
	$(PY) scripts/terraform.py check

CHECKOV := .venv-checkov
$(CHECKOV)/.installed: requirements-checkov.txt
	@py=$$(sh scripts/find-python) || exit 1; "$$py" -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

checkov: terraform $(CHECKOV)/.installed ## Package, then checkov on every environment (own venv: pydantic 2)
	$(PY) scripts/checkov_report.py $(CHECKOV)/bin/checkov

clean: ## Remove the venv, local state and caches
	rm -rf $(VENV) $(CHECKOV) .local build .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
