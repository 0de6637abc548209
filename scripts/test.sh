#!/usr/bin/env bash
# `make test`: services up, then the whole suite (or the benchmarks with --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/services.sh)"
export DATABASE_URL TEST_REDIS_URL="${TEST_REDIS_URL:-}" CHROMIUM_PATH="${CHROMIUM_PATH:-}"
if [ "${1:-}" = "--bench" ]; then
  shift
  .venv/bin/python bench/tenancy_overhead.py "$@"
  .venv/bin/python bench/registry.py "$@"
  .venv/bin/python bench/provisioning.py "$@"
  .venv/bin/python bench/billing.py "$@"
  .venv/bin/python bench/metering.py "$@"
  .venv/bin/python bench/correspondence.py "$@"
  .venv/bin/python bench/payments.py "$@"
  .venv/bin/python bench/search.py "$@"
  .venv/bin/python bench/scale.py "$@"
  .venv/bin/python bench/load.py "$@"
  exec .venv/bin/python bench/notifications.py "$@"
fi
exec .venv/bin/pytest "$@"
