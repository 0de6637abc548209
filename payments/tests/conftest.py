"""Online payments in tenant A against the local Przelewy24 simulator, over real HTTP."""

from __future__ import annotations

import pytest
from django.db import connection

from billing.importing import import_text
from billing.models import Customer, Invoice
from billing.services import customer_account_attach
from billing.tests.conftest import manager_of
from identity.services import user_create
from payments.models import Gateway
from payments.services import gateway_account_save
from payments.simulators.przelewy24 import Simulator

PASSWORD = "RyBa18$05"  # noqa: S105 - a test account's password
A = "alpha.localhost"
B = "beta.localhost"
MERCHANT = {"merchant_id": 110011, "api_key": "a-klucz-api", "crc": "a-klucz-crc"}

BASE = {
    "customers": "erp_id;symbol;kind;name;email\n"
    "K1;L0000001;individual;Jan Płatny;jan@example.com\nK2;L0000002;individual;Ewa;\n",
    "premises": "erp_id;kind;street;building_no;flat_no;city\n"
    "M1;residential;Leśna;1;1;Lipiny\nM2;residential;Leśna;1;2;Lipiny\n"
    "M3;residential;Polna;2;1;Lipiny\n",
    "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
    "T1;K1;M1;2020-01-01\nT2;K1;M3;2020-01-01\nT3;K2;M2;2020-01-01\n",
    "invoices": "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross\n"
    "F1;FV/1/2026;K1;M1;2026-01-02;2026-01-10;350.00\n"
    "F2;FV/2/2026;K1;M3;2026-02-02;2026-02-10;120.55\n"
    "F3;FV/3/2026;K2;M2;2026-01-02;2026-01-10;99.99\n",
}


@pytest.fixture(scope="session")
def simulator():
    running = Simulator().start()
    yield running
    running.stop()


@pytest.fixture
def shop(tenants, set_config, simulator):
    """Tenant A takes online payments through its Przelewy24 account at the simulator."""
    connection.set_tenant(tenants.a)
    set_config(modules=["invoices", "charges", "online_payments"])
    for entity, payload in BASE.items():
        assert import_text(entity, payload).errors == [], entity
    simulator.verify_fails = False
    simulator.verify_delay = 0.0
    simulator.add_merchant(**MERCHANT)
    gateway_account_save(
        gateway=Gateway.PRZELEWY24,
        merchant_id=MERCHANT["merchant_id"],
        pos_id=MERCHANT["merchant_id"],
        secrets={"api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]},
        base_url=simulator.base_url,
    )
    owner = user_create(login="L0000001", password=PASSWORD, email="jan@example.com")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)
    return {
        "owner": owner,
        "f1": Invoice.objects.get(erp_id="F1"),
        "f2": Invoice.objects.get(erp_id="F2"),
        "f3": Invoice.objects.get(erp_id="F3"),
    }


@pytest.fixture
def manager(shop):
    """A property manager granted M1 only (K1's M3 and its invoice F2 are not covered)."""
    return manager_of("M1", password=PASSWORD)


POS = {
    "pos_id": 145227,
    "client_id": "145227",
    "client_secret": "sekret-a",
    "second_key": "drugi-a",
}
BLIK_POS = {
    "pos_id": 145228,
    "client_id": "145228",
    "client_secret": "sekret-blik",
    "second_key": "drugi-blik",
    "blik_codes": True,
}
SERVICE = {"service_id": 902211, "shared_key": "wspolny-klucz-a"}


@pytest.fixture(scope="session")
def payu_simulator():
    from payments.simulators.payu import Simulator as PayUSimulator

    running = PayUSimulator().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def autopay_simulator():
    from payments.simulators.autopay import Simulator as AutopaySimulator

    running = AutopaySimulator().start()
    yield running
    running.stop()


def payu_account_save(base_url: str, *, algorithm: str = "SHA-256", pos=POS, blik=BLIK_POS):
    return gateway_account_save(
        gateway=Gateway.PAYU,
        merchant_id=pos["pos_id"],
        pos_id=blik["pos_id"] if blik else 0,
        options={"algorithm": algorithm},
        secrets={
            "client_id": pos["client_id"],
            "client_secret": pos["client_secret"],
            "second_key": pos["second_key"],
            **(
                {
                    "blik_client_id": blik["client_id"],
                    "blik_client_secret": blik["client_secret"],
                    "blik_second_key": blik["second_key"],
                }
                if blik
                else {}
            ),
        },
        base_url=base_url,
    )


@pytest.fixture
def payu_shop(shop, payu_simulator):
    """Tenant A takes payments through PayU too (SHA-256 notifications, a BLIK point of sale)."""
    payu_simulator.add_point_of_sale(**POS, algorithm="SHA-256")
    payu_simulator.add_point_of_sale(**BLIK_POS, algorithm="SHA-256")
    payu_account_save(payu_simulator.base_url)
    return shop


@pytest.fixture
def autopay_shop(shop, autopay_simulator):
    """Tenant A takes payments through Autopay too (SHA-256)."""
    autopay_simulator.add_service(**SERVICE, itn_url="/api/v1/payments/notify/autopay")
    gateway_account_save(
        gateway=Gateway.AUTOPAY,
        merchant_id=SERVICE["service_id"],
        options={"algorithm": "sha256"},
        secrets={"shared_key": SERVICE["shared_key"]},
        base_url=autopay_simulator.base_url,
    )
    return shop


def same_payment_in_b(tenants, payment, save_account):
    """Tenant B with an account of its own (``save_account()``: B's keys) and a payment with A's
    payment's id and amount: A's notification posted to B must be refused by B's keys."""
    from payments.models import Payment

    connection.set_tenant(tenants.b)
    assert not import_text("customers", "erp_id;symbol;kind;name\nK1;X1;individual;B\n").errors
    save_account()
    return Payment.objects.create(
        public_id=payment.public_id,
        gateway=payment.gateway,
        customer=Customer.objects.get(erp_id="K1"),
        amount_grosze=payment.amount_grosze,
        title="B",
    )
