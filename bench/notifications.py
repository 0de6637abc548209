"""Benchmark: an announcement to every resident of a tenant with 20,000 customers, queued and
delivered.

A tenant of preset D (e-mail and SMS) has 20,000 customers with accounts, each holding a flat;
one in three has a mobile number (a failure goes to them by e-mail and SMS, the preset's
default), one in ten takes the daily digest. The office tells the residents of a failure:
``announcement_notify`` finds the accounts, each one's channels, renders the notice once per
language and writes the messages (and digest items) with their idempotency keys, then queues
them after commit (Celery over Redis when BENCH_REDIS_URL or TEST_REDIS_URL is set, else in
memory). Target: under 20 s.

Delivery is measured through the local simulators over loopback: 2,000 e-mails through an SMTP
server (aiosmtpd) and 1,000 SMS through the SMSAPI simulator (HTTP), by the outbox's own delivery
(row lock, transport, status), in one process; the reference in the same run is the same number
of bare sends (Django's mail to the same SMTP server; plain POSTs to the simulator).

Usage: python bench/notifications.py [--no-write]; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_notifications")

from bench.common import scaled, scratch_database, write_section  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", scaled(20_000, 300)))
EMAILS, TEXTS = scaled(2_000, 20), scaled(1_000, 10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 OK"


def _ledger() -> dict[str, str]:
    rows = range(1, CUSTOMERS + 1)
    return {
        "customers": "erp_id;symbol;kind;name;email\n"
        + "".join(f"K{n};S{n:06d};individual;Mieszkaniec {n};m{n}@example.com\n" for n in rows),
        "buildings": "erp_id;estate;street;building_no;city\n"
        + "".join(f"B{b};Osiedle;Długa;{b};Miasto\n" for b in range(1, CUSTOMERS // 100 + 1)),
        "premises": "erp_id;building_erp_id;kind;street;building_no;flat_no;city\n"
        + "".join(
            f"M{n};B{(n - 1) // 100 + 1};residential;Długa;{(n - 1) // 100 + 1};{n % 100};Miasto\n"
            for n in rows
        ),
        "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
        + "".join(f"T{n};K{n};M{n};2020-01-01\n" for n in rows),
    }


def main() -> None:
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    import requests
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from billing.importing import import_text
    from core.outbox.models import Message
    from core.outbox.services import messages_deliver
    from correspondence.services import AnnouncementDraft, announcement_notify, announcement_publish
    from ebok.celery import app
    from identity.models import User
    from notifications.models import DigestChoice, DigestItem
    from notifications.services import sms_account_save
    from notifications.simulators.smsapi import Simulator
    from tenants.services import tenant_create, tenant_setting_set

    redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL", "")
    app.conf.update(task_always_eager=False, broker_url=redis or "memory://", result_backend=None)
    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    tenant = tenant_create(name="Spółdzielnia Duża", slug="duza", preset_code="D")
    tenant_setting_set(tenant=tenant, key="notifications.per_minute", value=100_000, actor="bench")
    tenant_setting_set(tenant=tenant, key="notifications.quiet_from_hour", value=0, actor="bench")
    tenant_setting_set(tenant=tenant, key="notifications.quiet_to_hour", value=0, actor="bench")
    tenant.refresh_from_db()
    tenant.__dict__.pop("_configuration", None)
    sms = Simulator().start()
    sms.report_delay = 3600  # delivery reports are not what is measured
    sms.add_account(token="bench-token", username="duza")
    smtp_sink = _Sink()
    smtp = Controller(smtp_sink, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    with tenant_context(tenant):
        for entity, payload in _ledger().items():
            assert import_text(entity, payload).errors == [], entity
        User.objects.bulk_create(
            [
                User(
                    username=f"s{n:06d}",
                    customer_symbol=f"S{n:06d}",
                    email=f"m{n}@example.com",
                    phone=f"6{n:08d}" if n % 3 == 0 else "",
                    language="uk" if n % 25 == 0 else "pl",
                    password="!",  # noqa: S106 - no password: the benchmark logs nobody in
                )
                for n in range(1, CUSTOMERS + 1)
            ],
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE billing_customer c SET user_id = u.id FROM identity_user u"
                " WHERE u.customer_symbol = c.symbol"
            )
        DigestChoice.objects.bulk_create(
            [
                DigestChoice(user_id=pk, daily=True)
                for pk in User.objects.values_list("pk", flat=True)[::10]
            ]
        )
        sms_account_save(actor=None, token="bench-token", base_url=sms.base_url, enabled=True)
        announcement = announcement_publish(
            actor=None,
            draft=AnnouncementDraft(
                title="Awaria wodociągu",
                body="Brak wody w całym osiedlu do godziny 18.",
                kind="failure",
                starts_at=timezone.now(),
            ),
        )
        began = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        with transaction.atomic():
            written = announcement_notify(actor=None, announcement_id=announcement.pk)
        queued = time.perf_counter() - began
        if os.environ.get("BENCH_PROFILE"):
            profile.disable()
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        emails = Message.objects.filter(channel="email").count()
        texts = Message.objects.filter(channel="sms").count()
        held = DigestItem.objects.count()
        assert written == emails + texts + held, (written, emails, texts, held)
        # Told again: nothing more is written.
        again_began = time.perf_counter()
        assert announcement_notify(actor=None, announcement_id=announcement.pk) == 0
        again = time.perf_counter() - again_began

        email_ids = list(
            Message.objects.filter(channel="email")
            .order_by("pk")
            .values_list("pk", flat=True)[:EMAILS]
        )
        sms_ids = list(
            Message.objects.filter(channel="sms")
            .order_by("pk")
            .values_list("pk", flat=True)[:TEXTS]
        )
        began = time.perf_counter()
        for start in range(0, len(email_ids), 200):
            messages_deliver(message_ids=email_ids[start : start + 200])
        email_seconds = time.perf_counter() - began
        began = time.perf_counter()
        for start in range(0, len(sms_ids), 200):
            messages_deliver(message_ids=sms_ids[start : start + 200])
        sms_seconds = time.perf_counter() - began
        assert Message.objects.filter(pk__in=email_ids + sms_ids, status="sent").count() == len(
            email_ids
        ) + len(sms_ids)

    began = time.perf_counter()
    for n in range(EMAILS):
        EmailMessage(
            "Awaria", "Brak wody.", "e-BOK <no-reply@localhost>", [f"m{n}@example.com"]
        ).send()
    email_reference = time.perf_counter() - began
    began = time.perf_counter()
    for n in range(TEXTS):
        requests.post(
            f"{sms.base_url}/sms.do",
            data={"to": f"48600{n:06d}", "message": "Awaria wodociagu", "format": "json"},
            headers={"Authorization": "Bearer bench-token"},
            timeout=10,
        )
    sms_reference = time.perf_counter() - began
    smtp.stop()
    sms.stop()
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores); "
            f"{CUSTOMERS:,} customers with accounts, a failure told to all of them; "
            f"{'Celery over Redis' if redis else 'an in-memory broker'} for the queue.",
            "",
            "| what | figure |",
            "|---|---:|",
            f"| written and queued: {emails:,} e-mails, {texts:,} SMS, {held:,} digest items "
            f"| {queued:.1f} s (target < 20 s) |",
            f"| told again (nothing written: every key known) | {again:.1f} s |",
            f"| e-mail delivered through the outbox to an SMTP server on loopback | "
            f"{len(email_ids) / email_seconds:,.0f} /s |",
            f"| reference: Django's mail to the same server, no outbox | "
            f"{EMAILS / email_reference:,.0f} /s ({email_reference / email_seconds:.2f}×) |",
            f"| SMS delivered through the outbox to the SMSAPI simulator | "
            f"{len(sms_ids) / sms_seconds:,.0f} /s |",
            f"| reference: bare POSTs to the simulator | "
            f"{TEXTS / sms_reference:,.0f} /s ({sms_reference / sms_seconds:.2f}×) |",
        ]
    )
    print(table)
    if "--no-write" not in sys.argv:
        write_section(
            "notifications",
            table,
            "## Notices to a whole tenant\n\n`bench/notifications.py`. The ratio in brackets is "
            "the outbox's rate over the bare send's (1.00× = no cost of its own). Delivery is one "
            "worker process: each message is locked, sent and committed as sent on its own "
            "(the price of sending it exactly once, an fsync per message); the rate grows with "
            "workers, within each tenant's pace (`notifications.per_minute`).",
        )


if __name__ == "__main__":
    main()
