"""What every benchmark shares: a scratch database and its section of docs/benchmarks.md."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_QUICK=1: every benchmark runs end to end at a toy size and writes nothing (the suite runs
# them so, so that none can break unnoticed); the figures mean nothing then.
QUICK = os.environ.get("BENCH_QUICK") == "1"


def scaled(full: int, quick: int) -> int:
    """``full`` for a measurement, ``quick`` for the suite's run of the benchmark."""
    return quick if QUICK else full


def scratch_database(name: str) -> None:
    """Drop and create database ``name`` on the server of DATABASE_URL: empty, or a copy of
    ``BENCH_TEMPLATE_DB`` when that is set (the suite's quick runs start from one database
    migrated once, so a benchmark's own migration finds nothing to do)."""
    import psycopg

    template = os.environ.get("BENCH_TEMPLATE_DB", "")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok")
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def write_section(marker: str, table: str, heading: str = "") -> None:
    """Replace the block between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` in
    docs/benchmarks.md, or append it (after ``heading``, when given); nothing in a quick run."""
    if QUICK:
        return
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += "\n" + (heading + "\n\n" if heading else "") + block + "\n"
    path.write_text(text)


def ledger_profile():
    """The demo generator's profile of a housing cooperative the benchmarks fill tenants with."""
    from decimal import Decimal

    from demo.ledger import LedgerProfile

    return LedgerProfile(
        contract_kind="housing",
        components=(("Eksploatacja", Decimal("210.00")), ("Fundusz remontowy", Decimal("95.00"))),
        symbol_format="{:06d}",
        point_format="W{:06d}",
        city="Benchowo",
        postcode="00-001",
    )


def in_fresh_process(script: str, *args: str) -> dict:
    """Run a benchmark script again with ``args`` in a process of its own (its peak memory is
    then its own) and return the JSON it prints last."""
    import json
    import subprocess

    done = subprocess.run(  # noqa: S603 - a benchmark script of this project
        [sys.executable, script, *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
