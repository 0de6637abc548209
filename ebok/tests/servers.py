"""A real gunicorn serving the project on a loopback port, for tests of what only a real server
shows (its access log, persistent database connections)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_database_url() -> str:
    """The test database (its tenants are committed by the session fixture)."""
    parts = {k: connection.settings_dict[k] or "" for k in ("USER", "HOST", "PORT", "NAME")}
    return "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**parts)


@contextmanager
def gunicorn_running(log_dir: Path, *, settings_module: str = "ebok.settings.test", **env_extra):
    """Yield the port of one sync gunicorn worker; its access log is log_dir/access.log."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": served_database_url(),
        **env_extra,
    }
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ebok.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log_dir / "access.log"),
            "--error-logfile",
            str(log_dir / "error.log"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def get(port: int, path: str, host: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
