"""/healthz and /readyz, on any host."""

import socket

import pytest
from django.db import connections


def test_healthz_answers_on_any_host_without_the_database(client):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readyz_fails_when_the_database_is_unreachable(client, django_db_blocker):
    conn = connections["default"]
    with django_db_blocker.unblock():
        assert client.get("/readyz").status_code == 200  # same path works with the real port
        conn.close()
        saved = dict(conn.settings_dict)
        conn.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        try:
            response = client.get("/readyz")
        finally:
            conn.close()
            conn.settings_dict.clear()
            conn.settings_dict.update(saved)
        assert client.get("/readyz").status_code == 200
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}


def test_readyz_reports_redis_when_configured_and_down(client, django_db_blocker, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    with django_db_blocker.unblock():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "unavailable"}
