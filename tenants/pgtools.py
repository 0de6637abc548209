"""PostgreSQL client tools (pg_dump) run against the configured database."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from django.db import connection

LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


def _candidates() -> list[str]:
    found = []
    # The embedded server used by `make run` ships its own binaries (found without importing
    # pgserver, which has side effects).
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            found.append(str(bundled))
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(on_path)
    return found


def _major(binary: str) -> int:
    done = subprocess.run(  # noqa: S603 - a pg_dump binary found above
        [binary, "--version"], capture_output=True, text=True, timeout=30
    )
    match = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(match.group(1)) if match else 0


@lru_cache(maxsize=4)
def _binary_for(server_major: int) -> str | None:
    """pg_dump refuses servers newer than itself: the same major version as the server if there
    is one, else the oldest newer one."""
    usable = sorted(
        (major, binary) for binary in _candidates() if (major := _major(binary)) >= server_major
    )
    return usable[0][1] if usable else None


def pg_dump_binary() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        (version,) = cursor.fetchone()
    return _binary_for(int(version) // 10000)


def pg_dump(*args: str, timeout: int = 3600) -> subprocess.CompletedProcess:
    """Run pg_dump with ``args`` against the default database; raises FileNotFoundError when
    there is no pg_dump able to read this server."""
    binary = pg_dump_binary()
    if binary is None:
        raise FileNotFoundError("pg_dump")
    # The connection's own parameters (a socket directory given as ?host= in DATABASE_URL, as the
    # embedded server's is, included), handed to pg_dump as libpq's environment variables.
    params = connection.get_connection_params()
    env = {name: value for name, value in os.environ.items() if name not in LIBPQ_ENV.values()}
    for key, variable in LIBPQ_ENV.items():
        if params.get(key) not in (None, ""):
            env[variable] = str(params[key])
    command = [binary, "--no-owner", "--no-privileges", *args]
    # The arguments are flags and schema names from our own tables.
    return subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, timeout=timeout
    )
