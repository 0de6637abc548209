"""No PESEL in any log line of any logger (SECURITY.md G3, audit finding 8): the masking is in
the log record factory, so gunicorn's access log and runserver's request log are masked like the
application's own lines."""

import io
import logging

import pytest

from ebok.tests.servers import get, gunicorn_running

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


@pytest.mark.django_db
def test_gunicorn_access_log_masks_a_pesel_in_the_path(tenants, tmp_path):
    with gunicorn_running(tmp_path) as port:
        status, _body = get(port, f"/klienci/{PESEL}/?pesel={PESEL}", "alpha.localhost")
    assert status == 404
    written = (tmp_path / "access.log").read_text()
    assert "/klienci/" in written
    assert PESEL not in written
    assert f"/klienci/{MASKED}/" in written
