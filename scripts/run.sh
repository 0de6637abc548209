#!/usr/bin/env bash
# `make run`: the simulators of the payment gateways the demo tenants pay through (Przelewy24, PayU and
# Autopay) and of the SMS provider (SMSAPI.pl) on one port, loopback only, at PAYMENT_SIMULATOR_URL,
# the address their accounts were given, then the development server; the simulators stop with it.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${1:-127.0.0.1}"
PORT="${2:-8000}"
# Links in e-mails and the gateway's notifications reach this server's port.
export PLATFORM_PORT="${PLATFORM_PORT:-$PORT}"
SIMULATOR_URL="${PAYMENT_SIMULATOR_URL:-http://127.0.0.1:8301}"
SIMULATOR_PORT="${SIMULATOR_URL##*:}"
.venv/bin/python -m demo.simulators "$SIMULATOR_PORT" .data/simulators/merchants.json &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT
sleep 2
if ! kill -0 "$simulator" 2>/dev/null; then
  echo "The simulators did not start (see above); payments and SMS would not work." >&2
  exit 1
fi
.venv/bin/python manage.py runserver "$HOST:$PORT"
