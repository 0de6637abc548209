"""Benchmark: the cost of tenancy per request.

The same one-query JSON view is served (1) through the platform's full middleware stack with
tenant routing and (2) by a plain Django setup without tenancy that reads the same table through a
fixed search_path. Requests go straight through Django's WSGI handler (no sockets), so the
figures are the server-side cost. Rounds of both modes alternate in fresh processes; the median
per-request time of each mode and the SQL statements per request are reported, and the results
are written to docs/benchmarks.md.

Time per request drifts by tens of per cent between minutes on a shared machine, more than the
difference being measured. So the same requests are also counted in CPU instructions under
valgrind's callgrind, which are the same from run to run whatever else the machine does: each
stack serves blocks of requests, and the instructions of each block are read off a dump taken
between blocks (``callgrind_control``), after a warm-up that is not counted. The platform's
stack is counted with and without its tenant routing in the same process, so the cost of routing
is separated from that of the platform's other middleware (security headers, second factor,
idle timeout, account gate).

Usage: python bench/tenancy_overhead.py [--requests N] [--rounds R] [--no-write]
(`make bench` runs it with the right services; the stock django-tenants middleware is measured
too, as the reference the issue gives.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "bench.localhost"

from bench.common import scaled  # noqa: E402


def _environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "HTTP_HOST": HOST,
        "HTTP_ACCEPT_LANGUAGE": "pl",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def measure(requests: int) -> dict:
    """Run in a child process with DJANGO_SETTINGS_MODULE set: time `requests` requests."""
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def call() -> bytes:
        body = b"".join(handler(_environ("/bench/ping"), start_response))
        return body

    for _ in range(scaled(max(200, requests // 10), 5)):  # warm up: connections, caches, imports
        call()
    assert statuses[-1].startswith("200"), (statuses[-1], call())

    counted = 0

    def counter(execute, sql, params, many, context):
        nonlocal counted
        counted += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        for _ in range(10):
            call()
    statements = counted / 10

    times = []
    cpu = []
    for _ in range(requests):
        start = time.perf_counter_ns()
        start_cpu = time.thread_time_ns()
        call()
        cpu.append(time.thread_time_ns() - start_cpu)
        times.append(time.perf_counter_ns() - start)
    times.sort()
    return {
        "median_us": statistics.median(times) / 1000,
        "p90_us": times[int(len(times) * 0.9)] / 1000,
        # the server process's own CPU time: what tenancy adds, without the database's and the
        # machine's other work (waits on the socket and time taken by other processes)
        "cpu_us": statistics.median(cpu) / 1000,
        "statements": statements,
    }


def _handlers() -> dict:
    """The WSGI handlers a child counts: one per stack its settings give (the platform's settings
    give it with and without the tenant routing)."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    full = list(settings.MIDDLEWARE)
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "bench.settings_tenant" or os.environ.get(
        "BENCH_STOCK_MIDDLEWARE"
    ):
        return {"": WSGIHandler()}
    handlers = {"": WSGIHandler()}
    settings.MIDDLEWARE = [m for m in full if m != "ebok.middleware.TenantMiddleware"]
    try:
        handlers["no_routing"] = WSGIHandler()
    finally:
        settings.MIDDLEWARE = full
    return handlers


def count_child(requests: int, blocks: int) -> None:
    """Run under callgrind with instrumentation off: warm up, then serve `blocks` + 1 blocks of
    `requests` requests per handler, stopping after each block (a line on stdout, then a line on
    stdin) so that the parent dumps the instructions counted since the last dump."""
    import django

    django.setup()
    from django.db import connection

    from tenants.registry import tenant_for_host

    handlers = _handlers()
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for name, handler in handlers.items():
        if name == "no_routing":  # the path the routing would select, once
            connection.set_tenant(tenant_for_host(HOST))
        for _ in range(200):
            b"".join(handler(_environ("/bench/ping"), start_response))
        assert statuses[-1].startswith("200"), (name, statuses[-1])
    print("ready", flush=True)
    sys.stdin.readline()
    for _block in range(blocks + 1):
        for name, handler in handlers.items():
            for _ in range(requests):
                b"".join(handler(_environ("/bench/ping"), start_response))
            print(f"block {name}", flush=True)
            sys.stdin.readline()
    assert all(s.startswith("200") for s in statuses)


def count_instructions(mode: str, db_name: str, requests: int, blocks: int) -> dict[str, float]:
    """Instructions per request of each handler of `mode` (median over blocks; the first block
    of each, the first under instrumentation, is left out)."""
    import re
    import tempfile

    env = {
        **os.environ,
        **MODES[mode],
        "BENCH_DB": db_name,
        "PYTHONPATH": str(ROOT),
        "PYTHONHASHSEED": "0",
        # the registry's once-a-second check would run every few requests at valgrind's speed;
        # at full speed it is one cache read a second, shared by all that second's requests
        "TENANT_REGISTRY_CHECK_SECONDS": "86400",
    }
    if env.pop("USE_REDIS", None):
        env["BENCH_REDIS_URL"] = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    if env.pop("STOCK_MIDDLEWARE", None):
        env["BENCH_STOCK_MIDDLEWARE"] = "1"
    counts: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out_file = Path(tmp) / "callgrind.out"
        child = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out_file}",
                sys.executable,
                __file__,
                "--count-child",
                "--requests",
                str(requests),
                "--rounds",
                str(blocks),
            ],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdin is not None
        assert child.stdout is not None
        dumps = 0
        try:
            for line in child.stdout:
                word, _, name = line.strip().partition(" ")
                if word == "ready":
                    control = ["callgrind_control", "--instr=on", str(child.pid)]
                elif word == "block":
                    control = ["callgrind_control", "--dump", str(child.pid)]
                else:
                    continue
                subprocess.run(control, check=True, capture_output=True, timeout=120)
                if word == "block":
                    dumps += 1
                    text = Path(f"{out_file}.{dumps}").read_text()
                    total = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
                    counts.setdefault(name, []).append(total)
                child.stdin.write("\n")
                child.stdin.flush()
        finally:
            child.stdin.close()
            if child.wait(timeout=600) != 0:
                raise SystemExit(f"{mode}: the counted child failed")
    return {
        (f"{mode}_{name}" if name else mode): statistics.median(c[1:]) / requests
        for name, c in counts.items()
    }


def prepare(db_name: str) -> None:
    """A fresh database with the public tenant and tenant "bench" holding the queried row."""
    import django

    from bench.common import scratch_database

    scratch_database(db_name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_tenant"
    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from identity.services import user_create
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    tenant = tenant_create(name="Bench", slug="bench", preset_code="B")
    with schema_context(tenant.schema_name):
        user_create(login="bench", password=None)


MODES = {
    "plain": {"DJANGO_SETTINGS_MODULE": "bench.settings_plain"},
    "tenant": {"DJANGO_SETTINGS_MODULE": "bench.settings_tenant"},
    "tenant_redis": {"DJANGO_SETTINGS_MODULE": "bench.settings_tenant", "USE_REDIS": "1"},
    "stock": {"DJANGO_SETTINGS_MODULE": "bench.settings_tenant", "STOCK_MIDDLEWARE": "1"},
}


def run_child(mode: str, requests: int, db_name: str) -> dict:
    env = {**os.environ, **MODES[mode], "BENCH_DB": db_name, "PYTHONPATH": str(ROOT)}
    if env.pop("USE_REDIS", None):
        env["BENCH_REDIS_URL"] = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    if env.pop("STOCK_MIDDLEWARE", None):
        env["BENCH_STOCK_MIDDLEWARE"] = "1"
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--requests", str(requests)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--requests", type=int, default=scaled(1000, 30))
    parser.add_argument("--rounds", type=int, default=scaled(9, 1))
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--count-child", action="store_true")
    args = parser.parse_args()
    if (args.child or args.count_child) and os.environ.get("BENCH_STOCK_MIDDLEWARE"):
        from django.conf import settings

        settings.MIDDLEWARE[1] = "django_tenants.middleware.main.TenantMainMiddleware"
        settings.TENANT_LIMIT_SET_CALLS = False
    if args.count_child:
        count_child(args.requests, args.rounds)
        return
    if args.child:
        print(json.dumps(measure(args.requests)))
        return

    db_name = os.environ.get("BENCH_DB", "ebok_bench")
    subprocess.run(
        [sys.executable, "-c", f"import bench.tenancy_overhead as b; b.prepare({db_name!r})"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    modes = ["plain", "tenant", "tenant_redis", "stock"]
    if not (os.environ.get("TEST_REDIS_URL") or _redis_up()):
        modes.remove("tenant_redis")
    results: dict[str, list[dict]] = {m: [] for m in modes}
    for round_no in range(args.rounds):
        for mode in modes:
            results[mode].append(run_child(mode, args.requests, db_name))
        print(f"round {round_no + 1}/{args.rounds} done", file=sys.stderr)
    # the least disturbed round of each mode: on a shared machine other work only adds time
    summary = {
        m: {
            "median_us": min(r["median_us"] for r in rs),
            "p90_us": min(r["p90_us"] for r in rs),
            "cpu_us": min(r["cpu_us"] for r in rs),
            "statements": rs[0]["statements"],
            # each round against plain Django's round next to it in time: the machine's speed
            # drifts between minutes, a pair's ratio does not
            "ratio": statistics.median(
                r["median_us"] / p["median_us"] for r, p in zip(rs, results["plain"], strict=True)
            ),
            "cpu_ratio": statistics.median(
                r["cpu_us"] / p["cpu_us"] for r, p in zip(rs, results["plain"], strict=True)
            ),
        }
        for m, rs in results.items()
    }
    table = render(summary, args.requests, args.rounds)
    if shutil.which("valgrind") and shutil.which("callgrind_control"):
        requests, blocks = scaled(30, 3), scaled(4, 1)
        counted: dict[str, float] = {}
        # at a toy size one process (both of the platform's stacks) shows the counting works
        for mode in ["plain", "tenant", "stock"] if blocks > 1 else ["tenant"]:
            counted.update(count_instructions(mode, db_name, requests, blocks))
        table += "\n\n" + render_instructions(counted, requests, blocks)
    else:
        table += "\n\n(valgrind is not installed: the instructions per request were not counted)"
    print(table)
    if not args.no_write:
        write_results(table)


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


LABELS = {
    "plain": "plain Django, no tenancy",
    "tenant": "ebok tenant stack (registry generation in local memory)",
    "tenant_redis": "ebok tenant stack (registry generation in Redis)",
    "stock": "stock django-tenants `TenantMainMiddleware` (reference)",
}


def render(summary: dict, requests: int, rounds: int) -> str:
    plain = summary["plain"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores), "
        f"{rounds} alternating rounds × {requests} requests per mode; each figure is the "
        "least disturbed round's median (other work on the machine only adds time), and the "
        "extra time and CPU compare those. CPU is the server thread's own time per request "
        "(without waiting for the database). The last column, each round against plain "
        "Django's round beside it (median over rounds), shows how much the machine drifts: "
        "the two ebok rows do the same work.",
        "",
        "| setup | median µs/request | p90 µs | CPU µs/request | SQL statements/request "
        "| extra statements | extra time | extra CPU | paired rounds (drift) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, r in summary.items():
        extra_time = (r["median_us"] / plain["median_us"] - 1) * 100
        extra_cpu = (r["cpu_us"] / plain["cpu_us"] - 1) * 100
        paired = (r["ratio"] - 1) * 100
        lines.append(
            f"| {LABELS[mode]} | {r['median_us']:.0f} | {r['p90_us']:.0f} | {r['cpu_us']:.0f} | "
            f"{r['statements']:.0f} | {r['statements'] - plain['statements']:+.0f} | "
            f"{extra_time:+.1f} % | {extra_cpu:+.1f} % | {paired:+.1f} % |"
        )
    return "\n".join(lines)


INSTRUCTION_LABELS = {
    "plain": "plain Django, no tenancy",
    "tenant_no_routing": "ebok stack without its tenant routing",
    "tenant": "ebok tenant stack",
    "stock": "stock django-tenants `TenantMainMiddleware` (reference)",
}


def render_instructions(counted: dict[str, float], requests: int, blocks: int) -> str:
    lines = [
        f"CPU instructions per request, counted by callgrind ({blocks} blocks × {requests} "
        "requests per stack after a warm-up; the same within half a per cent from run to run, whatever else the machine does). *Routing* compares "
        "the platform's stack with the same stack, in the same process, without its tenant "
        "middleware (the tenant then fixed once); *vs plain* compares with plain Django.",
        "",
        "| setup | instructions/request | vs plain Django | routing |",
        "|---|---:|---:|---:|",
    ]
    plain = counted.get("plain")
    bare = counted.get("tenant_no_routing")
    for mode, label in INSTRUCTION_LABELS.items():
        if mode not in counted:
            continue
        n = counted[mode]
        vs_plain = f"{(n / plain - 1) * 100:+.1f} %" if plain else "–"
        routing = f"{(n / bare - 1) * 100:+.1f} %" if bare and mode == "tenant" else ""
        lines.append(f"| {label} | {n:,.0f} | {vs_plain} | {routing} |")
    return "\n".join(lines)


def write_results(table: str) -> None:
    from bench.common import write_section

    write_section("tenancy-overhead", table)


if __name__ == "__main__":
    main()
