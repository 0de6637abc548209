"""Every benchmark runs to its end: `make bench` once crashed at its first step and nobody saw.
Each script is run as `make bench` runs it, at a toy size (``BENCH_QUICK=1``: its figures mean
nothing and docs/benchmarks.md is not written), in a scratch database of its own, two at a time.
The scratch databases are copies of one migrated here once (``BENCH_TEMPLATE_DB``): each
benchmark still runs its own migration, which then has nothing to do (a migration from nothing is
what every test run's own database does)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(
    p.stem
    for p in (ROOT / "bench").glob("*.py")
    if p.read_text().rstrip().endswith('if __name__ == "__main__":\n    main()')
)


def test_make_bench_runs_every_benchmark():
    """The list `make bench` runs is every benchmark in bench/ (a new one is not forgotten)."""
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert BENCHMARKS
    for name in BENCHMARKS:
        assert f"bench/{name}.py" in script, name


TEMPLATE = "ebok_benchtest_template"


def _migrated_template() -> None:
    """The database every benchmark's scratch database is copied from: the platform migrated
    and bootstrapped (the tenants' schema template made), then left with no connection."""
    _drop(TEMPLATE)
    base = os.environ["DATABASE_URL"]
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_tenant",
        "BENCH_DB": TEMPLATE,
        "PYTHONPATH": str(ROOT),
    }
    for command in (["migrate_schemas", "--shared"], ["bootstrap_platform"]):
        subprocess.run(  # noqa: S603 - this project's own command
            [
                sys.executable,
                str(ROOT / "manage.py"),
                *command,
                "--verbosity",
                "0",
                "--skip-checks",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )


def _run(name: str) -> tuple[str, int, str]:
    database = f"ebok_benchtest_{name}"
    env = {
        **os.environ,
        "BENCH_QUICK": "1",
        "BENCH_DB": database,
        "BENCH_TEMPLATE_DB": TEMPLATE,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # each benchmark chooses its own
    try:
        done = subprocess.run(  # noqa: S603 - this project's own scripts
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--no-write"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return name, done.returncode, done.stdout[-2000:] + done.stderr[-4000:]
    finally:
        _drop(database)


def _drop(database: str) -> None:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok")
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "{database}_plain" WITH (FORCE)')


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="the benchmarks need a server")
def test_every_benchmark_runs_to_its_end_at_a_toy_size():
    _migrated_template()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(_run, BENCHMARKS))
    finally:
        _drop(TEMPLATE)
    failed = [f"{name} (exit {code}):\n{output}" for name, code, output in results if code != 0]
    assert not failed, "\n\n".join(failed)
    for name, _code, output in results:
        assert "|" in output, f"{name} printed no table:\n{output}"
