# The two commands a newcomer needs: `make run` and `make test`. Everything CI runs is a target here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help venv run test suite lint format typecheck actionlint iam-simulate iam-proof artifact-check unit bench fuzz resilience openapi contract preview \
	portal-screenshots cost infracost \
	package terraform checkov iac-scan plan apply smoke release-gate stage-settings deploy-window checkov-where-possible approvals clean \
	sandbox-up sandbox-user sandbox-down

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# The venv is rebuilt only when the pinned requirements change: a second `make run` is fast.
# `orderctl` is installed from this checkout (editable) as a console command of the venv.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@if [ ! -x $(PY) ]; then \
		py=$$(sh scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned dependencies

run: venv ## Run the whole service locally (emulator + API + processors)
	$(PY) -m devstack

# What `make test` runs, in order; it prints each phase's time and the total.
TEST_PHASES := venv lint typecheck actionlint iac-scan iam-simulate suite checkov-where-possible

test: ## Lint, types, actionlint, the IaC scan, the suite (the IAM proof and the artefact check in it), checkov; each phase's time
	@total=$$(date +%s); times=""; for phase in $(TEST_PHASES); do \
		start=$$(date +%s); $(MAKE) --no-print-directory $$phase || exit 1; \
		times="$$times$$phase $$(( $$(date +%s) - start )) s, "; \
	done; echo "make test: passed in $$(( $$(date +%s) - total )) s ($${times%, })"

checkov-where-possible: ## make checkov where Terraform and the Lambda runtime's Python are here
	@if ! command -v terraform >/dev/null; then \
		echo "terraform is not installed: skipping make checkov (the Terraform tests skipped too)"; \
	elif ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
		echo "the venv is not Python 3.12 (the Lambda runtime): skipping make checkov (packaging refuses)"; \
	else $(MAKE) --no-print-directory checkov; fi

# The suite runs on one pytest-xdist worker per CPU; tests/conftest.py keeps the e2e tests (one
# shared stack) and the Terraform tests (one workspace, one apply) each on one worker.
suite: venv ## The whole pytest suite with the coverage gate, on a worker per CPU; its 15 slowest tests
	$(PY) -m pytest --numprocesses=auto --dist=loadgroup --durations=15

lint: venv ## ruff lint and format check; the import contracts (docs/architecture.md)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The tests too, strict like the rest: a port that changes breaks its fake here, not at run time.
typecheck: venv ## mypy (strict) on app.py, chalicelib, the dev stack, orderctl, the scripts and the tests
	$(VENV)/bin/mypy app.py chalicelib devstack orderctl scripts tests

actionlint: venv ## actionlint on every GitHub Actions workflow
	$(VENV)/bin/actionlint -color=false

# The IAM proof's policy evaluator (ADR 0027): an npm package, pinned by its lock file; a test
# tool only, never in the Lambda package.
IAM_SIMULATE := scripts/iam/node_modules/.installed
$(IAM_SIMULATE): scripts/iam/package.json scripts/iam/package-lock.json
	npm ci --prefix scripts/iam --silent --no-audit --no-fund
	@touch $@

# Where Node.js is absent the IAM proof's tests skip and say why (as the Terraform tests do).
iam-simulate: ## Install the IAM proof's evaluator (iam-simulate, npm; Node.js 20+)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(IAM_SIMULATE); \
	else echo "npm is not installed: the IAM proof's tests will skip (they need Node.js 20+)"; fi

iam-proof: venv iam-simulate ## The e2e suite, then every AWS call its functions made checked against the planned IAM policies
	$(PY) -m pytest tests/e2e tests/infrastructure/test_iam_proof.py --no-cov -q

artifact-check: venv ## Run every packaged function from deployment.zip + a twin of its layer, in a clean interpreter
	$(PY) -m pytest tests/infrastructure/test_artifact.py tests/unit/test_artifact_runtime.py --no-cov -q

unit: venv ## Fast unit tests only (no coverage gate)
	$(PY) -m pytest tests/unit --no-cov -q

preview: venv ## Render every kind of document (PDF + PNG pages) and every email to build/preview/
	$(PY) -m devstack.preview build/preview

portal-screenshots: venv ## Drive the portal and mail pages in headless Chromium; a PNG per step to build/browser/
	BROWSER_SCREENSHOTS=always $(PY) -m pytest tests/e2e/test_portal_browser.py tests/e2e/test_mail_browser.py --no-cov -q

cost: venv ## Monthly cost and capacity per environment (docs/cost/*.json); ORDERS=n prices another volume
	$(PY) -m scripts.cost_model $(if $(ORDERS),--orders $(ORDERS))

infracost: venv ## What a change costs (infracost, dev/sit/prod): needs INFRACOST_API_KEY, else says so; INFRACOST_BASE=dir diffs
	$(PY) -m scripts.infracost

openapi: venv ## Regenerate docs/openapi.json from the models
	$(PY) -m scripts.openapi docs/openapi.json

contract: venv ## Write docs/contracts/cart-api.json; THEIRS=their-openapi.json compares the Cart team's
	$(PY) -m scripts.cart_contract $(if $(THEIRS),--compare "$(THEIRS)")

bench: venv ## Run the benchmarks; write benchmarks/results.json and RESULTS.md
	@rm -rf benchmarks/results
	@# A benchmark that misses its target says so and the others still run: the report decides.
	-$(PY) benchmarks/cold_import.py
	-$(PY) benchmarks/api_calls.py
	-$(PY) benchmarks/cart_orders.py
	-$(PY) benchmarks/pdf.py
	-$(PY) benchmarks/pipeline.py
	@if $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
		$(MAKE) --no-print-directory package STAGE=dev && $(PY) benchmarks/package_size.py; \
	else echo "package sizes not measured: packaging needs Python 3.12 (the Lambda runtime)"; fi
	-RESILIENCE_REPORT=benchmarks/results/resilience.json $(MAKE) --no-print-directory resilience
	$(PY) benchmarks/report.py

fuzz: venv ## schemathesis --checks all as two tenants, 20,000+ requests; then no dead letters
	$(PY) scripts/fuzz.py --requests $${FUZZ_REQUESTS:-20000}

resilience: venv ## Kill every poller mid-batch; 2 minutes of mixed traffic (no 5xx, flat memory)
	$(PY) -m pytest tests/e2e/test_resilience.py -m resilience --no-cov -q

# STAGE=dev|sit|prod picks one environment; terraform and checkov default to all three
# (STAGE=sandbox: the developer sandbox's package, docs/sandbox.md).
STAGE  ?=
STAGES := $(if $(STAGE),$(STAGE),dev sit prod)
need-stage = @if [ -z "$(STAGE)" ]; then echo "usage: make $@ STAGE=dev|sit|prod" >&2; exit 2; fi

# A stage is repackaged only when what goes into it changed (chalice.tf.json is written last).
PACKAGE_SOURCES := app.py requirements.txt .chalice/config.json scripts/package.py \
	$(shell find chalicelib infrastructure/service -type f ! -name '*.pyc' 2>/dev/null)
packaged = infrastructure/environments/$(1)/service/chalice.tf.json

infrastructure/environments/%/service/chalice.tf.json: $(PACKAGE_SOURCES) $(STAMP)
	$(PY) scripts/package.py --stage $*

package: venv ## Package STAGE=dev|sit|prod|sandbox into infrastructure/environments/$(STAGE)/service
	$(need-stage)
	@$(MAKE) --no-print-directory $(call packaged,$(STAGE))
	@echo "$(STAGE) is packaged: $(dir $(call packaged,$(STAGE)))"

terraform: venv $(foreach s,$(STAGES),$(call packaged,$(s))) ## Package STAGE (default: all), terraform fmt -check, init + validate
	$(PY) scripts/terraform.py check $(STAGES)

CHECKOV := .venv-checkov
$(CHECKOV)/.installed: requirements-checkov.txt
	@py=$$(sh scripts/find-python) || exit 1; "$$py" -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

checkov: terraform $(CHECKOV)/.installed ## make terraform, then checkov (own venv: pydantic 2)
	$(PY) scripts/checkov_report.py $(CHECKOV)/bin/checkov $(STAGES)

# The IaC security scan beside checkov (ADR 0025): Semgrep with the Terraform rules vendored in
# infrastructure/security-rules (scripts/vendor_semgrep_rules.py), over the Terraform source of
# every environment; offline: no registry, no metrics, no version check.
SEMGREP := .venv-semgrep
$(SEMGREP)/.installed: requirements-semgrep.txt
	@py=$$(sh scripts/find-python) || exit 1; "$$py" -m venv $(SEMGREP)
	$(SEMGREP)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-semgrep.txt
	@touch $@

iac-scan: $(SEMGREP)/.installed ## The security scan beside checkov: Semgrep's Terraform rules over infrastructure/
	@mkdir -p build
	$(SEMGREP)/bin/semgrep scan --metrics=off --disable-version-check \
		--error --config infrastructure/security-rules/semgrep-terraform.yaml \
		--json-output=build/semgrep.json infrastructure

# Deployment: what the GitHub workflows run, and what an operator with the account's role runs.
plan: venv ## STAGE=…: init on the S3 state, save the plan (needs make package, AWS access)
	$(need-stage)
	$(PY) scripts/terraform.py plan $(STAGE)

apply: venv ## STAGE=…: apply the saved plan of make plan, record the outputs
	$(need-stage)
	$(PY) scripts/terraform.py apply $(STAGE)

# A developer's own copy in their own account (docs/sandbox.md): names end in sbx-$(SANDBOX).
need-sandbox = @if [ -z "$(SANDBOX)" ]; then echo "usage: make $@ SANDBOX=<id, e.g. your initials> $(1)" >&2; exit 2; fi

sandbox-up: venv ## Deploy your sandbox: SANDBOX=id EMAIL=you@… [SES_IDENTITY=…] [CART_API_URL=…] [YES=1]
	$(call need-sandbox,EMAIL=you@example.com)
	@if [ -z "$(EMAIL)" ]; then echo "usage: make $@ SANDBOX=$(SANDBOX) EMAIL=you@example.com" >&2; exit 2; fi
	@$(MAKE) --no-print-directory $(call packaged,sandbox)
	$(PY) -m scripts.sandbox up --id "$(SANDBOX)" --email "$(EMAIL)" \
		$(if $(SES_IDENTITY),--ses-identity "$(SES_IDENTITY)") $(if $(CART_API_URL),--cart-api-url "$(CART_API_URL)") \
		$(if $(REGION),--region "$(REGION)") $(if $(YES),--yes)

sandbox-user: venv ## A user in your sandbox's pool: SANDBOX=id EMAIL=a@b TENANT=t [GROUP=admin|payments]
	$(call need-sandbox,EMAIL=alice@example.com TENANT=tenant-a)
	$(PY) -m scripts.sandbox user --id "$(SANDBOX)" --user "$(EMAIL)" --tenant "$(TENANT)" \
		$(if $(GROUP),--group "$(GROUP)")

sandbox-down: venv ## Tear your sandbox down: SANDBOX=id [YES=1]
	$(call need-sandbox,)
	$(PY) -m scripts.sandbox down --id "$(SANDBOX)" $(if $(YES),--yes)

# BASE_URL defaults to the local stack; NAME labels the report (build/smoke-NAME.json).
NAME ?= local
smoke: venv ## Post-deploy smoke test: BASE_URL=… STAGE=… NAME=… (default: the local stack)
	@mkdir -p build
	$(if $(STAGE),$(PY) scripts/stage_setting.py $(STAGE) CART_API_URL > build/cart-api-$(STAGE))
	$(VENV)/bin/orderctl smoke $(if $(BASE_URL),--base-url "$(BASE_URL)") \
		$(if $(STAGE),--cart-api-url "$$(cat build/cart-api-$(STAGE))") \
		--report build/smoke-$(NAME).json --title "Smoke test: $(NAME)"

release-gate: ## PROD dispatch: branch, CONFIRM, ROLLBACK_PLAN_URL and business hours; PROD's settings
	python3 scripts/release_gate.py inputs
	python3 scripts/release_gate.py settings --stage prod

stage-settings: ## STAGE=…: refuse a stage that cannot issue a valid tax invoice (supplier, VAT number, Reply-To, portal)
	$(need-stage)
	python3 scripts/release_gate.py settings --stage $(STAGE)

deploy-window: ## PROD: business hours, checked again right before the apply
	python3 scripts/release_gate.py window

approvals: ## This run's environment gates: MIN distinct approvers (GitHub API)
	@if [ -z "$(MIN)" ]; then echo "usage: make approvals MIN=n" >&2; exit 2; fi
	python3 scripts/release_gate.py approvals --min $(MIN)

clean: ## Remove the venv, local state and caches
	rm -rf $(VENV) $(CHECKOV) $(SEMGREP) .local build .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
