"""Tenant A with customers who hold premises, SMS offered through an account at the local
SMSAPI simulator (over real HTTP), and tenant B with data under the same ids."""

from __future__ import annotations

import pytest
from django.db import connection

from billing.importing import import_text
from billing.models import Customer
from billing.services import customer_account_attach
from core.outbox.models import Message
from identity.services import user_create
from notifications.services import sms_account_save
from notifications.simulators.smsapi import Simulator

PASSWORD = "RyBa18$05"  # noqa: S105 - a test account's password
TOKEN = "a-token-of-alpha"  # noqa: S105 - the simulator's token for tenant A

LEDGER = {
    "customers": "erp_id;symbol;kind;name;email\n"
    "K1;L0000001;individual;Jan Kowalski;jan@example.com\n"
    "K2;L0000002;individual;Ewa Nowak;ewa@example.com\n",
    "premises": "erp_id;kind;street;building_no;flat_no;city\n"
    "M1;residential;Leśna;1;1;Lipiny\nM2;residential;Polna;2;1;Lipiny\n",
    "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
    "T1;K1;M1;2020-01-01\nT2;K2;M2;2020-01-01\n",
}


@pytest.fixture(scope="session")
def sms_simulator():
    running = Simulator().start()
    running.add_account(token=TOKEN, username="alpha", senders=("SM Alfa",))
    yield running
    running.stop()


def customer(symbol: str, *, email: str, phone: str = "", language: str = "pl"):
    user = user_create(
        login=symbol.lower(),
        password=PASSWORD,
        email=email,
        customer_symbol=symbol,
    )
    user.phone, user.language = phone, language
    user.save(update_fields=["phone", "language"])
    customer_account_attach(customer_ids=[Customer.objects.get(symbol=symbol).pk], user=user)
    return user


@pytest.fixture
def residents(tenants, set_config, sms_simulator, django_capture_on_commit_callbacks):
    """Tenant A offers e-mail and SMS (quiet hours off unless a test sets them) with its SMS
    account at the simulator; two customers with accounts, one with a mobile number."""
    connection.set_tenant(tenants.a)
    set_config(
        modules=["invoices", "charges", "meters", "readings", "announcements", "tickets"],
        notifications__channels=["email", "sms"],
        notifications__quiet_from_hour=0,
        notifications__quiet_to_hour=0,
    )
    for entity, payload in LEDGER.items():
        assert import_text(entity, payload).errors == [], entity
    sms_account_save(actor=None, token=TOKEN, base_url=sms_simulator.base_url, enabled=True)
    jan = customer("L0000001", email="jan@example.com", phone="+48 600 100 200")
    ewa = customer("L0000002", email="ewa@example.com", language="en")
    return jan, ewa


def outbox(**filters) -> list[Message]:
    return list(Message.objects.filter(**filters).order_by("pk"))
