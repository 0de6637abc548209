# The two commands: `make run` (the product with five demo tenants) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Loopback: the demo accounts' passwords are published (HOST=0.0.0.0 to share the server).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install migrate demo bench worker clean-data

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate_schemas --shared
	$(BIN)/python manage.py bootstrap_platform
	$(BIN)/python manage.py migrate_tenants --changes-only

demo: migrate
	$(BIN)/python manage.py load_demo

## The product: embedded PostgreSQL when DATABASE_URL is unset, five demo tenants at
## http://<slug>.localhost:8000/ and the landing page at http://localhost:8000/.
run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	scripts/run.sh $(HOST) $(PORT)

## The tests: starts PostgreSQL/Redis when they are not running, then pytest.
test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The structure's own checks (no database): imports point down only; error codes are enums;
	# the services and selectors type-check.
	$(BIN)/pytest -q -p no:cacheprovider ebok/tests/test_layers.py ebok/tests/test_error_codes.py
	$(BIN)/mypy
	# The deployment files, offline (the suite also renders the chart and validates it against
	# Kubernetes' schemas).
	$(BIN)/hadolint --config .hadolint.yaml deploy/Dockerfile
	$(BIN)/yamllint -c .yamllint.yaml deploy/compose.yaml helm/ebok/Chart.yaml helm/ebok/values.yaml helm/ebok/values-production.yaml
	$(BIN)/helm lint --strict --quiet helm/ebok -f helm/ebok/values-production.yaml

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A ebok worker --beat --loglevel=INFO

bench: install
	scripts/test.sh --bench

clean-data:
	rm -rf .data
