"""Benchmark: the whole stack under a billing-day load, every response checked to be its tenant's.

The stack: gunicorn with the production settings (``ebok.settings.production``: DEBUG off, secure
cookies, the manifest static storage; the generator sends ``X-Forwarded-Proto: https`` and a
client address in ``X-Forwarded-For`` as the ingress does), Redis as the cache and the broker, a
Celery worker, the simulators of the payment gateways, and the demo's tenants with a small ledger
each. A bounded generator (threads with keep-alive connections, a fixed time per setup) plays
customers of every tenant: log in, the dashboard, the tenant and the invoices in the API, an
invoice's PDF, the meters and a reading, a payment started for an invoice. Every page and every
API answer that names its tenant must name the tenant it was asked for and no other (SECURITY.md
T4); a 5xx, a refused connection or an answer no customer should get is an error.

Three setups: gunicorn straight to PostgreSQL, then through a real PgBouncer (Debian's, session
pooling, as docs/operations.md recommends) started on a loopback port, then straight again with
PostgreSQL restarted halfway. The load test runs a PostgreSQL server of its own for that (the
embedded extra's binaries, on a loopback port); where they are missing, every connection is cut
instead. Reports requests/s, p50/p95/p99, errors and mismatches per setup; exits 1 on any error
or mismatch (other than during the restart and two seconds after it).

Usage: python bench/load.py [--no-write] (``make bench``; the suite runs it at a toy size: two
tenants, a few seconds per setup).
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "ebok_bench_load")

from bench.common import scaled, scratch_database, write_section  # noqa: E402

TENANTS = scaled(5, 2)
CLIENTS = scaled(40, 4)  # concurrent customers
SECONDS = scaled(60, 4)  # of load per setup
WORKERS = scaled(4, 2)  # gunicorn processes
CUSTOMERS, MONTHS = scaled(300, 3), scaled(12, 2)
REDIS_DB = 13
PASSWORD = "Obci4zenie!Test2026"  # the simulated customers' accounts (made by the benchmark)
FAULT_SECONDS = 2.0  # after the fault is over, errors this much longer are still the fault's
TODAY = datetime.now(UTC).date().isoformat()
PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def _database_url(port: int | None = None) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok")
    parsed = urllib.parse.urlsplit(base.rsplit("/", 1)[0])
    netloc = parsed.netloc if port is None else f"{parsed.username or 'postgres'}@127.0.0.1:{port}"
    return f"{parsed.scheme}://{netloc}/{os.environ['BENCH_DB']}"


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


@contextmanager
def _process(args: list[str], env: dict, log: Path):
    with log.open("w") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _pgbouncer(folder: Path) -> tuple[list[str], int]:
    """PgBouncer's command line for a pooler on a free loopback port in front of the server."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise SystemExit("pgbouncer is not installed (scripts/services.sh installs Debian's)")
    server = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    )
    port = _free_port()
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server.hostname or '127.0.0.1'} port={server.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = session\nmax_client_conn = 500\n"
        f"default_pool_size = {WORKERS * 2 + 8}\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
    )
    # PgBouncer refuses to run as root: it runs as postgres and reads (and logs in) this folder.
    os.chmod(folder, 0o755)  # noqa: S103 - a temporary folder of the benchmark
    for name in ("users.txt", "pgbouncer.ini"):
        os.chmod(folder / name, 0o644)
    (folder / "pgbouncer.log").touch()
    os.chmod(folder / "pgbouncer.log", 0o666)  # noqa: S103
    user = ["-u", "postgres"] if os.geteuid() == 0 else []
    return [binary, *user, str(folder / "pgbouncer.ini")], port


class Client:
    """One customer: a keep-alive connection, its cookies, the headers an ingress adds."""

    def __init__(self, port: int, host: str, address: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.host = host
        self.cookies: dict[str, str] = {}
        self.base = {
            "Host": host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": address,
            "Accept-Language": "pl",
        }

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        sent = {**self.base, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            sent.update({"Origin": f"https://{self.host}", "Referer": f"https://{self.host}{path}"})
            if "__Host-csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["__Host-csrftoken"]
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, data, elapsed


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.errors: list[str] = []
        self.error_times: list[float] = []
        self.mismatches: list[str] = []
        self.refusals = 0  # business answers (a reading out of its window, an invoice paid)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)
            self.error_times.append(time.monotonic())

    def add(self, elapsed: float) -> None:
        with self.lock:
            self.times.append(elapsed)


def _customer(
    port: int, tenant: dict, others: list[str], number: int, deadline: float, tally: Tally
):
    address = f"10.{number // 250}.{number % 250}.{(number * 7) % 250 + 1}"
    client = Client(port, tenant["host"], address)

    def check(what: str, status: int, data: bytes, allowed=(200,), marker=True) -> bool:
        if status not in allowed:
            tally.error(f"{tenant['slug']} {what}: {status} {data[:200]!r}")
            return False
        if marker and status == 200:  # a redirect names nobody
            text = data.decode("utf-8", "replace")
            if any(m in text for m in others):
                tally.mismatches.append(f"{tenant['slug']} {what}: another tenant's answer")
            elif not any(m in text for m in tenant["markers"]):
                tally.error(f"{tenant['slug']} {what}: names no tenant")
        return True

    def call(what, method, path, body=None, headers=None, **kwargs):
        try:
            status, response_headers, data, elapsed = client.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            tally.error(f"{tenant['slug']} {what}: {exc!r}")
            return None, None, b""
        tally.add(elapsed)
        return status, response_headers, data

    status, _h, page = call("login page", "GET", "/login/")
    if status is None or not check("login page", status, page):
        return
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode() if token else "",
            "login": tenant["logins"][(number // TENANTS) % len(tenant["logins"])],
            "password": PASSWORD,
        }
    ).encode()
    status, headers, body = call(
        "login", "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status is None or not check("login", status, body, allowed=(302,), marker=False):
        return
    # A first login's obligation: the tenant's documents are accepted (as a customer would).
    location = urllib.parse.urlsplit(headers.get("Location", "")).path or "/"
    for _hop in range(3):
        status, headers, _page = call("after login", "GET", location)
        if status != 302:
            break
        location = urllib.parse.urlsplit(headers.get("Location", "")).path
    if location == "/account/terms/":
        status, _h, page = call("terms page", "GET", "/account/terms/")
        if status is None or not check("terms page", status, page, allowed=(200, 302)):
            return
        if status == 200:  # another of this account's sessions may have accepted meanwhile
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            fields = [("csrfmiddlewaretoken", token.group(1).decode() if token else "")]
            fields += [
                (name.decode(), "on")
                for name in re.findall(rb'<input type="checkbox" name="([^"]+)"', page)
            ]
            status, _h, body = call(
                "terms",
                "POST",
                "/account/terms/",
                urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            if status is None or not check("terms", status, body, allowed=(302,), marker=False):
                return
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    first = True
    while first or time.monotonic() < deadline:  # every customer does the whole round once
        first = False
        status, _h, body = call("dashboard", "GET", "/")
        if status is not None:
            check("dashboard", status, body)
        status, _h, body = call("tenant API", "GET", "/api/v1/tenant")
        if status is not None:
            check("tenant API", status, body)
        status, _h, body = call("invoices API", "GET", "/api/v1/invoices")
        invoices = []
        if status is not None and check("invoices API", status, body, marker=False):
            invoices = json.loads(body)["results"]
        if invoices:
            status, headers, body = call("PDF", "GET", f"/api/v1/invoices/{invoices[0]['id']}/pdf")
            if status is not None and check("PDF", status, body, marker=False):
                if headers.get("Content-Type") != "application/pdf":
                    tally.error(f"{tenant['slug']} PDF: {headers.get('Content-Type')}")
        meters = []
        if tenant["meters"]:
            status, _h, body = call("meters API", "GET", "/api/v1/meters")
            if status is not None and check("meters API", status, body, marker=False):
                meters = json.loads(body)["results"]
        if meters and tenant["reads"]:
            reading = json.dumps({"value": "1.000", "read_at": TODAY}).encode()
            status, _h, body = call(
                "reading",
                "POST",
                f"/api/v1/meters/{meters[0]['id']}/readings",
                reading,
                json_headers,
            )
            if status is not None and check(
                "reading", status, body, allowed=(201, 400), marker=False
            ):
                tally.refusals += status == 400
        unpaid = [i for i in invoices if i.get("status") not in ("paid",)]
        if unpaid and tenant["pays_online"]:
            payment = json.dumps({"invoice_ids": [unpaid[0]["id"]]}).encode()
            status, _h, body = call(
                "payment start", "POST", "/api/v1/payments", payment, json_headers
            )
            if status is not None and check(
                "payment start", status, body, allowed=(201, 400, 409), marker=False
            ):
                tally.refusals += status != 201
    client.connection.close()


def _private_postgres(folder: Path):
    """A PostgreSQL server of the load test's own (the binaries the embedded extra installs),
    on a free loopback port, so the drill can restart it for real: (its URL, a restart, a
    stop), or None where those binaries are not installed (then connections are cut instead)."""
    try:
        from pgserver._commands import POSTGRES_BIN_PATH  # noqa: PLC0415 - optional
    except ImportError:
        return None
    user = None
    if os.geteuid() == 0:  # PostgreSQL does not run as root: as an unprivileged user of its own
        import pwd  # noqa: PLC0415

        user = "pgserver"
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(  # noqa: S603
                ["useradd", "-M", "-s", "/usr/sbin/nologin", user],  # noqa: S607
                check=True,
                capture_output=True,
            )
    data = folder / "pgdata"
    data.mkdir()
    if user is not None:
        shutil.chown(data, user, user)
    bin_dir = Path(POSTGRES_BIN_PATH)
    subprocess.run(  # noqa: S603
        [str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"]
        + ["--encoding=utf8", "--no-sync"],
        check=True,
        capture_output=True,
        user=user,
    )
    port = _free_port()
    ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(data / "log")]
    ctl += ["-o", f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off -c max_connections=200"]

    def run(*action: str) -> None:
        subprocess.run([*ctl, *action], check=True, capture_output=True, user=user, timeout=90)  # noqa: S603

    run("start")
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def started_at():
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]

    def restart() -> None:
        before = started_at()
        run("-m", "fast", "restart")
        if started_at() == before:
            raise SystemExit("PostgreSQL did not restart")

    return url, restart, lambda: run("-m", "immediate", "stop")


def _cut_connections() -> None:
    """What a PostgreSQL restart does to its clients: every connection to the database ends."""
    import psycopg

    with psycopg.connect(_database_url(), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _load(port: int, tenants: list[dict], fault=None) -> dict:
    """``fault`` runs once, halfway: errors up to two seconds after it are the fault's; any
    later is a failure to recover."""
    tally = Tally()
    markers = [m for t in tenants for m in t["markers"]]
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(
            target=_customer,
            args=(
                port,
                tenants[n % len(tenants)],
                [m for m in markers if m not in tenants[n % len(tenants)]["markers"]],
                n,
                deadline,
                tally,
            ),
        )
        for n in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    fault_at = fault_over = None
    if fault is not None:
        time.sleep(SECONDS / 2)
        fault_at = time.monotonic()
        fault()
        fault_over = time.monotonic()
    for thread in threads:
        thread.join(SECONDS + 120)
    in_fault = [
        fault_at is not None
        and fault_over is not None
        and fault_at <= at <= fault_over + FAULT_SECONDS
        for at in tally.error_times
    ]
    elapsed = time.perf_counter() - started
    times = sorted(tally.times)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(len(times) * p))] * 1000 if times else 0.0

    return {
        "requests": len(times),
        "rps": len(times) / elapsed,
        "p50": statistics.median(times) * 1000 if times else 0.0,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": [e for e, fault in zip(tally.errors, in_fault, strict=True) if not fault],
        "fault_errors": sum(in_fault),
        "fault_seconds": (fault_over - fault_at) if fault_at and fault_over else 0.0,
        "mismatches": tally.mismatches,
        "refusals": tally.refusals,
    }


def _warm_up(port: int, tenants: list[dict]) -> None:
    """Each gunicorn worker imports and connects on its first requests: not measured."""
    for tenant in tenants:
        client = Client(port, tenant["host"], "10.255.0.1")
        for _ in range(WORKERS * 3):
            client.request("GET", "/login/")
        client.connection.close()


def _tenants(env: dict) -> list[dict]:
    """The demo tenants served, each with its customer's credentials and its marker."""
    # Each simulated customer logs in with an account of its own (the portal throttles logins
    # per account, as it should): accounts of the demo customer, made here.
    per_tenant = -(-CLIENTS // TENANTS)
    script = (
        "import json, django; django.setup()\n"
        "from django_tenants.utils import tenant_context\n"
        "from demo.portals.catalogue import DEMO_TENANTS\n"
        "from billing.models import Customer\n"
        "from billing.services import customer_account_attach\n"
        "from identity.models import User\n"
        "from identity.services import user_create\n"
        "from tenants.models import Tenant\n"
        "out = []\n"
        f"for demo in DEMO_TENANTS[:{TENANTS}]:\n"
        "    t = Tenant.objects.get(slug=demo.slug)\n"
        "    logins = []\n"
        "    with tenant_context(t):\n"
        "        customer = Customer.objects.get(symbol=demo.demo_customer[1])\n"
        f"        for n in range({per_tenant}):\n"
        "            login = f'obciazenie{n}'\n"
        "            if not User.objects.filter(username=login).exists():\n"
        "                user = user_create(login=login, password=PASSWORD)\n"
        "                customer_account_attach(customer_ids=[customer.pk], user=user)\n"
        "            logins.append(login)\n"
        "    out.append({'slug': t.slug, 'logins': logins,\n"
        "                'portal': t.configuration.branding.portal_name, 'name': t.name,\n"
        "                'pays_online': t.configuration.has_module('online_payments'),\n"
        "                'meters': t.configuration.offers_any('meters', 'readings'),\n"
        "                'reads': t.configuration.has_module('readings')})\n"
        "print(json.dumps(out))\n"
    ).replace("PASSWORD", repr(PASSWORD))
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    rows = json.loads(done.stdout.strip().splitlines()[-1])[:TENANTS]
    tenants = []
    for row in rows:
        tenants.append(
            {
                "slug": row["slug"],
                "host": f"{row['slug']}.localhost",
                # Its name or its portal's name is on every page and in the tenant API
                # (HTML-escaped in pages: „quotes” stay as they are, & would not); another
                # tenant's, never.
                "markers": (
                    html.escape(row["name"], quote=False),
                    html.escape(row["portal"], quote=False),
                ),
                "logins": row["logins"],
                # What the tenant offers (its rules are data): only that is asked for.
                "pays_online": row["pays_online"],
                "meters": row["meters"],
                "reads": row["reads"],
            }
        )
    for one in tenants:  # no tenant's marker is part of another's: a hit is a real mismatch
        for other in tenants:
            if other is not one:
                assert not any(a in b for a in one["markers"] for b in other["markers"]), (
                    one["markers"],
                    other["markers"],
                )
    return tenants


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="ebok-load-"))
    os.chmod(folder, 0o755)  # noqa: S103 - PostgreSQL and PgBouncer run as other users in it
    private = _private_postgres(folder)
    if private is not None:
        os.environ["DATABASE_URL"], restart, stop = private
        os.environ.pop("BENCH_TEMPLATE_DB", None)  # a server of its own: migrated from nothing
    try:
        _main(folder, restart if private is not None else None)
    finally:
        if private is not None:
            stop()
    shutil.rmtree(folder, ignore_errors=True)  # kept, with every log, when the test failed


def _main(folder: Path, restart) -> None:
    scratch_database(os.environ["BENCH_DB"])
    from cryptography.fernet import Fernet

    simulator_port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": _database_url(),
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "TOTP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PLATFORM_DOMAIN": "localhost",
        "NUM_PROXIES": "1",
        "EMAIL_URL": "dummymail://",
        "PAYMENT_SIMULATOR_URL": f"http://127.0.0.1:{simulator_port}",
        "PAYMENT_SIMULATOR_MERCHANTS": str(folder / "merchants.json"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    dev = {**env, "DJANGO_SETTINGS_MODULE": "ebok.settings.dev"}
    production = {**env, "DJANGO_SETTINGS_MODULE": "ebok.settings.production"}
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=False, capture_output=True)  # noqa: S607
    _manage(dev, "migrate_schemas", "--shared", "--verbosity", "0")
    _manage(dev, "bootstrap_platform", "--verbosity", "0")
    _manage(dev, "load_demo", "--customers", str(CUSTOMERS), "--months", str(MONTHS))
    _manage(production, "collectstatic", "--noinput", "--verbosity", "0")
    tenants = _tenants(dev)
    results = {}
    with ExitStack() as stack:
        stack.enter_context(
            _process(
                [
                    PYTHON,
                    "-m",
                    "demo.simulators",
                    str(simulator_port),
                    str(folder / "merchants.json"),
                ],
                dev,
                folder / "simulators.log",
            )
        )
        _wait_port(simulator_port)
        command, bouncer_port = _pgbouncer(folder)
        stack.enter_context(_process(command, env, folder / "pgbouncer.out"))
        _wait_port(bouncer_port)
        for setup, database_url, fault in (
            ("direct", _database_url(), None),
            ("pgbouncer", _database_url(bouncer_port), None),
            # PostgreSQL restarted under load (its own server: a real restart; else what its
            # clients see of one: every connection cut).
            (
                "direct, PostgreSQL restarted halfway"
                if restart is not None
                else "direct, every connection cut halfway",
                _database_url(),
                restart or _cut_connections,
            ),
        ):
            served = {**production, "DATABASE_URL": database_url}
            port = _free_port()
            with (
                _process(
                    [
                        PYTHON,
                        "-m",
                        "celery",
                        "-A",
                        "ebok",
                        "worker",
                        "--concurrency",
                        "2",
                        "--loglevel",
                        "WARNING",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    served,
                    folder / f"worker-{setup[:9]}.log",
                ),
                _process(
                    [
                        PYTHON,
                        "-m",
                        "gunicorn",
                        "ebok.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(WORKERS),
                        "--access-logfile",
                        "-",
                    ],
                    served,
                    folder / f"gunicorn-{setup[:9]}.log",
                ),
            ):
                _wait_port(port)
                _warm_up(port, tenants)
                results[setup] = _load(port, tenants, fault)
            print(
                setup,
                {k: v for k, v in results[setup].items() if k not in ("errors", "mismatches")},
                file=sys.stderr,
            )
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores, the "
        f"generator on the same cores): gunicorn with the production settings, {WORKERS} "
        f"workers, Redis, a Celery worker; {len(tenants)} demo tenants ({CUSTOMERS} customers, "
        f"{MONTHS} months each); {CLIENTS} customers for {SECONDS} s per setup.",
        "",
        "| setup | requests | requests/s | p50 | p95 | p99 | errors | tenant mismatches | "
        f"business refusals | errors during the fault and {FAULT_SECONDS:.0f} s after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for setup, r in results.items():
        lines.append(
            f"| {setup} | {r['requests']:,} | {r['rps']:.0f} | {r['p50']:.0f} ms | "
            f"{r['p95']:.0f} ms | {r['p99']:.0f} ms | {len(r['errors'])} | "
            f"{len(r['mismatches'])} | {r['refusals']} | "
            + (
                f"{r['fault_errors']} (the fault took {r['fault_seconds']:.1f} s) |"
                if "halfway" in setup
                else "– |"
            )
        )
    table = "\n".join(lines)
    print(table)
    failures = [e for r in results.values() for e in r["errors"] + r["mismatches"]]
    if failures:
        print("\n".join(failures[:20]), file=sys.stderr)
        print(f"logs in {folder}", file=sys.stderr)
        raise SystemExit(1)
    if any(r["requests"] == 0 for r in results.values()):
        raise SystemExit("a setup served no request")
    if "--no-write" not in sys.argv:
        write_section(
            "load",
            table,
            "## The whole stack under load, every answer its tenant's\n\n`bench/load.py`. "
            "Customers of every demo tenant log in and read the dashboard, the tenant and the "
            "invoices in the API, an invoice's PDF and the meters, submit a reading and start a "
            "payment; every page and tenant answer must name the tenant asked for and no other. "
            "Then the same through PgBouncer (session pooling).",
        )


if __name__ == "__main__":
    main()
