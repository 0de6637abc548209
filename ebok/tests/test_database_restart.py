"""The application recovers from a database restart without being restarted itself (SECURITY.md
R2): gunicorn keeps persistent connections (CONN_MAX_AGE), every one of them is cut as a
PostgreSQL restart cuts them, and the next requests are answered from new connections, each
tenant with its own data."""

import json

import pytest
from django.db import connection

from ebok.tests.servers import get, gunicorn_running

pytestmark = pytest.mark.django_db


def _cut_every_other_connection() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_requests_after_the_database_connections_are_cut_succeed(tenants, tmp_path):
    with gunicorn_running(
        tmp_path,
        settings_module="ebok.settings.dev",
        DEBUG="false",
        CONN_MAX_AGE="60",
        SECRET_KEY="r" * 60,
    ) as port:
        assert get(port, "/api/v1/tenant", "alpha.localhost")[0] == 200
        assert _cut_every_other_connection() >= 1  # the worker's persistent connection
        answers = {
            host: get(port, "/api/v1/tenant", host)
            for host in ("alpha.localhost", "beta.localhost", "alpha.localhost")
        }
    assert {status for status, _ in answers.values()} == {200}
    assert json.loads(answers["alpha.localhost"][1])["name"] == "Spółdzielnia Alfa"
    assert json.loads(answers["beta.localhost"][1])["name"] == "Beta Energia"
    assert "Traceback" not in (tmp_path / "error.log").read_text()
