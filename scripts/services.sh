#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer, starting them when they are installed but not running.
# Prints the environment to use (DATABASE_URL, REDIS_URL) as `export` lines.
# PostgreSQL: DATABASE_URL if set; else the local server on 127.0.0.1:5432 (started with
# pg_ctlcluster when installed); else the embedded pgserver in .data/pg-test.
# Redis: REDIS_URL if set; else 127.0.0.1:6379 (started with redis-server when installed);
# else none, and the tests that need a real worker say they were skipped and why.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if [ -z "${DATABASE_URL:-}" ]; then
  if ! port_open 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>/dev/null || true
    done
    for _ in $(seq 1 20); do port_open 127.0.0.1 5432 && break; sleep 0.5; done
  fi
  if port_open 127.0.0.1 5432; then
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok"
  else
    echo "scripts/services.sh: no PostgreSQL on 127.0.0.1:5432; using the embedded one" >&2
    url=$($PY -c "from pathlib import Path; from ebok.embedded import ensure_embedded_database as e; print(e(Path('.data/pg-test').resolve()))")
    echo "export DATABASE_URL='$url'"
  fi
fi

if [ -z "${REDIS_URL:-}" ]; then
  if ! port_open 127.0.0.1 6379 && command -v redis-server >/dev/null 2>&1; then
    mkdir -p .data/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "$PWD/.data/redis" --logfile "$PWD/.data/redis/redis.log" >&2 || true
    for _ in $(seq 1 20); do port_open 127.0.0.1 6379 && break; sleep 0.25; done
  fi
  if port_open 127.0.0.1 6379; then
    echo "export TEST_REDIS_URL=redis://127.0.0.1:6379/15"
  fi
else
  echo "export TEST_REDIS_URL=$REDIS_URL"
fi

# PDFs are set in DejaVu Sans (Polish letters) from Debian's fonts-dejavu-core.
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core) >&2 \
    || echo "scripts/services.sh: could not install fonts-dejavu-core" >&2
fi

# Browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/services.sh: installing Debian's chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 \
      || echo "scripts/services.sh: could not install chromium" >&2
  fi
fi
if command -v chromium >/dev/null 2>&1; then
  echo "export CHROMIUM_PATH=$(command -v chromium)"
fi

# Tenant exports are encrypted with Debian's age (tenants.sealed_files).
if ! command -v age >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/services.sh: installing Debian's age for the encrypted exports" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq age) >&2 \
      || echo "scripts/services.sh: could not install age" >&2
  fi
fi

# The load test runs the stack through a real PgBouncer (Debian's package; the tests start their
# own on a loopback port, the package's service is left stopped).
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/services.sh: installing Debian's pgbouncer for the load test" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer \
      && (service pgbouncer stop || true)) >&2 \
      || echo "scripts/services.sh: could not install pgbouncer" >&2
  fi
fi
