"""No PESEL in any log line of any logger (SECURITY.md G3, audit finding 8): the masking is in
the log record factory, so gunicorn's access log and runserver's request log are masked like the
application's own lines."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PESEL = "97080212274"
MASKED = "97*********"


def _line_from(logger_name: str, msg: str, *args, exc: Exception | None = None) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        if exc is not None:
            try:
                raise exc
            except Exception:
                logger.exception(msg, *args)
        else:
            logger.info(msg, *args)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("logger_name", "msg", "args"),
    [
        # runserver's request log (django.server has its own handler and does not propagate)
        ("django.server", '"%s" %s %s', (f"GET /customers/{PESEL}/ HTTP/1.1", "404", "179")),
        ("django.request", "Not Found: %s", (f"/customers/{PESEL}/",)),
        ("celery.app.trace", "Task %(name)s raised", {"name": f"verify[{PESEL}]"}),
        ("some.library", f"inline {PESEL} in the format string", ()),
    ],
)
def test_every_logger_masks_a_pesel(logger_name, msg, args):
    line = _line_from(logger_name, msg, *([args] if isinstance(args, dict) else args))
    assert PESEL not in line
    assert MASKED in line


def test_a_traceback_that_quotes_a_pesel_is_masked():
    line = _line_from("billing", "import failed", exc=ValueError(f"duplicate key (pesel)={PESEL}"))
    assert "ValueError" in line
    assert PESEL not in line
    assert MASKED in line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_gunicorn_access_log_masks_a_pesel_in_the_path(tenants, tmp_path):
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ebok.settings.test",
        # The test database (its tenants are committed by the session fixture).
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **{k: connection.settings_dict[k] or "" for k in ("USER", "HOST", "PORT", "NAME")}
        ),
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
            str(access_log),
            "--error-logfile",
            str(tmp_path / "error.log"),
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
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}/klienci/{PESEL}/?pesel={PESEL}",
            headers={"Host": "alpha.localhost", "Referer": f"http://alpha.localhost/?p={PESEL}"},
        )
        with pytest.raises(urllib.error.HTTPError) as answered:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
        assert answered.value.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    written = access_log.read_text()
    assert "/klienci/" in written
    assert PESEL not in written
    assert f"/klienci/{MASKED}/" in written
