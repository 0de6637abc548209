"""Delivery with real parts: a Celery worker over Redis, an SMTP server (aiosmtpd) that, as
RFC 5321 has it, takes a message only by answering 250 to it. A worker killed (SIGKILL) in the
middle of a delivery and restarted sends each message exactly once; with the mail server down
for a while, nothing is lost and everything arrives later.

The messages are committed in tenant A's schema through a connection of their own (the worker
is another process), as if written some minutes ago while the broker was down, and removed
afterwards."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from email.policy import default as default_policy
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from conftest import TEST_REDIS_URL, CeleryWorker

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db,
    pytest.mark.skipif(not TEST_REDIS_URL, reason="no Redis: scripts/services.sh found none"),
]
MARK = "worker-delivery-test"


class Sink:
    """Takes a message only if it can still answer 250 after ``stall`` seconds (the client may
    have died meanwhile); with ``nth``, only the ``nth`` DATA waits, ``entered`` is set when it
    arrives and the wait ends early when ``release`` is set: the worker is killed inside that
    wait however slowly the test's thread gets to it (a loaded machine once took longer than
    a fixed stall)."""

    def __init__(self, stall: float = 0.0, nth: int = 0):
        self.stall, self.nth = stall, nth
        self.ids: list[str] = []
        self.seen = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.seen += 1
        if self.seen == self.nth:
            self.entered.set()
        if self.stall and not self.nth:
            await asyncio.sleep(self.stall)
        elif self.stall and self.seen == self.nth:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, self.stall)
            await asyncio.sleep(0.5)  # the dead client's socket is seen closed
        transport = server.transport
        if transport is None or transport.is_closing():
            return "421 Connection lost before the message was accepted"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.ids.append(message["Message-ID"])
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raw():
    configured = urlsplit(settings.DATABASE_URL)
    url = urlunsplit(configured._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    return psycopg.connect(url, autocommit=True)


@pytest.fixture
def committed(tenants):
    """A function writing ``n`` pending e-mails in tenant A, committed; their ids."""
    db = _raw()
    db.execute(f"SET search_path TO {tenants.a.schema_name}")

    def write(n: int) -> list[int]:
        ids = []
        for i in range(n):
            row = db.execute(
                "INSERT INTO outbox_message (channel, recipient, template, language, subject,"
                " body_text, body_html, headers, event, user_id, idempotency_key, status,"
                " attempts, last_error, next_attempt_at, created_at, sent_at, provider_id,"
                " parts, delivery_status, delivered_at) VALUES ('email', %s, 'notice', 'pl',"
                " %s, 'Tekst', '', '{}', %s, NULL, %s, 'pending', 0, '', NULL,"
                " now() - interval '10 minutes', NULL, '', 0, '', NULL) RETURNING id",
                [f"r{i}@example.com", f"{MARK} {i}", MARK, f"{MARK}:{time.time_ns()}:{i}"],
            ).fetchone()
            ids.append(row[0])
        return ids

    write.db = db
    yield write
    db.execute("DELETE FROM outbox_message WHERE event = %s", [MARK])
    # The worker counted its deliveries against the tenant's pace (committed, in A's schema).
    db.execute("DELETE FROM identity_ratecounter WHERE scope = 'outbox_pace'")
    db.close()


def _statuses(db, ids) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM outbox_message WHERE id = ANY(%s) GROUP BY status", [ids]
    ).fetchall()
    return dict(rows)


def _wait(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _send(worker, tenants, task: str, **kwargs):
    connection.set_tenant(tenants.a)
    return worker.client.send_task(task, kwargs=kwargs)


def test_a_worker_killed_mid_delivery_and_restarted_sends_each_message_once(tenants, committed):
    ids = committed(8)
    sink = Sink(stall=60.0, nth=4)
    smtp = Controller(sink, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    worker = CeleryWorker({"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}).start()
    try:
        _send(worker, tenants, "core.outbox.tasks.outbox_deliver_batch", message_ids=ids)
        assert sink.entered.wait(30), "the fourth message never reached the mail server"
        worker.kill()  # in the middle of the fourth message's SMTP conversation
        assert _statuses(committed.db, ids).get("sent", 0) == 3
        sink.release.set()
        worker.start()  # the flush job finds what is still pending and sends it
        _send(worker, tenants, "core.outbox.tasks.outbox_flush").get(timeout=30)
        assert _wait(lambda: _statuses(committed.db, ids) == {"sent": 8})
    finally:
        worker.stop()
        smtp.stop()
    assert len(sink.ids) == 8
    assert len(set(sink.ids)) == 8  # each Message-ID once: nothing sent twice
    assert sink.seen == 9  # the fourth was offered twice and taken once


def test_with_the_mail_server_down_nothing_is_lost_and_all_arrives_later(tenants, committed):
    ids = committed(3)
    port = _free_port()
    worker = CeleryWorker({"EMAIL_URL": f"smtp://127.0.0.1:{port}"}).start()
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    try:
        result = _send(worker, tenants, "core.outbox.tasks.outbox_deliver_batch", message_ids=ids)
        assert result.get(timeout=30)["failed"] == 3
        waiting = committed.db.execute(
            "SELECT status, attempts, next_attempt_at > now() FROM outbox_message"
            " WHERE id = ANY(%s)",
            [ids],
        ).fetchall()
        assert waiting == [("pending", 1, True)] * 3
        # Before the backoff has passed, the flush job leaves them waiting.
        assert _send(worker, tenants, "core.outbox.tasks.outbox_flush").get(timeout=30) == 0
        smtp.start()
        committed.db.execute(
            "UPDATE outbox_message SET next_attempt_at = now() WHERE id = ANY(%s)", [ids]
        )  # the backoff has passed
        assert _send(worker, tenants, "core.outbox.tasks.outbox_flush").get(timeout=30) == 3
        assert _wait(lambda: _statuses(committed.db, ids) == {"sent": 3})
    finally:
        worker.stop()
        smtp.stop()
    assert len(sink.ids) == 3
