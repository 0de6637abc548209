"""Online payment through Autopay's protocol against the simulator over real HTTP: the start's
Hash taken by the gateway, the ITN (base64 XML) parsed with entities refused and checked by its
hash with the tenant's algorithm, answered with the confirmation the protocol expects
(SECURITY.md P5, P7)."""

from __future__ import annotations

import base64

import pytest
import requests
from defusedxml.ElementTree import fromstring

from payments import services
from payments.gateways.autopay import hash_of, leaf_values
from payments.models import GatewayAccount, Notification, Payment
from payments.tests.conftest import SERVICE, A, B, same_payment_in_b

pytestmark = pytest.mark.django_db
ITN = "/api/v1/payments/notify/autopay"


def _start(shop, invoices) -> tuple[Payment, str]:
    return services.payment_start(
        actor=shop["owner"], invoice_ids=[i.pk for i in invoices], gateway="autopay"
    )


def _opened(redirect: str) -> str:
    """The customer's browser opens the start address: the gateway takes its Hash."""
    page = requests.get(redirect, timeout=10)
    assert page.status_code == 200, page.text
    return page.text


def _itn(client, form: dict | bytes, host: str = A):
    data = form if isinstance(form, bytes) else "transactions=" + form["transactions"]
    response = client.post(
        ITN, data, content_type="application/x-www-form-urlencoded", HTTP_HOST=host
    )
    return response


def _confirmation(response, key: str = SERVICE["shared_key"], algorithm: str = "sha256"):
    root = fromstring(response.content)
    assert root.findtext("hash") == hash_of(leaf_values(root), key, algorithm)
    return [
        (t.findtext("orderID"), t.findtext("confirmation"))
        for t in root.iterfind("transactionsConfirmations/transactionConfirmed")
    ]


def _order(payment: Payment) -> str:
    return payment.public_id.hex


def test_a_payment_is_started_paid_and_confirmed_once(client, autopay_shop, autopay_simulator):
    payment, redirect = _start(autopay_shop, [autopay_shop["f1"], autopay_shop["f2"]])
    assert redirect.startswith(f"{autopay_simulator.base_url}/payment?ServiceID=")
    assert "470,55 PLN" in _opened(redirect)
    order = _order(payment)
    autopay_simulator.transactions[(SERVICE["service_id"], order)].status = "SUCCESS"
    itn = autopay_simulator.itn_form(SERVICE["service_id"], order)
    answered = _itn(client, itn)
    assert answered.status_code == 200
    assert _confirmation(answered) == [(order, "CONFIRMED")]
    assert _confirmation(_itn(client, itn)) == [(order, "CONFIRMED")]  # sent again: no change
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert payment.notifications.filter(outcome="booked").count() == 1


def test_an_itn_with_an_external_entity_is_not_resolved(
    client, autopay_shop, autopay_simulator, tmp_path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("TAJNE-HASLO-BAZY")
    payment, redirect = _start(autopay_shop, [autopay_shop["f1"]])
    _opened(redirect)
    document = (
        f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file://{secret}">]>'
        f"<transactionList><serviceID>{SERVICE['service_id']}</serviceID><transactions>"
        f"<transaction><orderID>{_order(payment)}</orderID><remoteID>&x;</remoteID>"
        "<amount>350.00</amount><currency>PLN</currency><paymentStatus>SUCCESS</paymentStatus>"
        "</transaction></transactions><hash>x</hash></transactionList>"
    )
    response = _itn(client, {"transactions": base64.b64encode(document.encode()).decode()})
    assert response.status_code == 400
    assert b"TAJNE" not in response.content
    refused = Notification.objects.get()
    assert refused.outcome == "refused"
    assert "TAJNE" not in refused.reason
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_a_wrong_hash_is_not_confirmed(client, autopay_shop, autopay_simulator):
    payment, redirect = _start(autopay_shop, [autopay_shop["f1"]])
    _opened(redirect)
    order = _order(payment)
    autopay_simulator.transactions[(SERVICE["service_id"], order)].status = "SUCCESS"
    forged = autopay_simulator.itn_form(SERVICE["service_id"], order, amount="1.00")
    answered = _itn(client, forged)
    assert answered.status_code == 200
    assert _confirmation(answered) == [(order, "NOTCONFIRMED")]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Notification.objects.get().reason == "the hash does not match"


def test_the_tenants_hash_algorithm_is_the_only_one_taken(client, autopay_shop, autopay_simulator):
    payment, redirect = _start(autopay_shop, [autopay_shop["f1"]])
    _opened(redirect)
    order = _order(payment)
    autopay_simulator.transactions[(SERVICE["service_id"], order)].status = "SUCCESS"
    itn = autopay_simulator.itn_form(SERVICE["service_id"], order)  # SHA-256
    GatewayAccount.objects.filter(gateway="autopay").update(options={"algorithm": "sha512"})
    answered = _itn(client, itn)
    assert _confirmation(answered, algorithm="sha512") == [(order, "NOTCONFIRMED")]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_a_failed_payment_is_confirmed_and_not_paid(client, autopay_shop, autopay_simulator):
    payment, redirect = _start(autopay_shop, [autopay_shop["f1"]])
    _opened(redirect)
    order = _order(payment)
    autopay_simulator.transactions[(SERVICE["service_id"], order)].status = "FAILURE"
    answered = _itn(client, autopay_simulator.itn_form(SERVICE["service_id"], order))
    assert _confirmation(answered) == [(order, "CONFIRMED")]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"transactions=nie-base64!", 400),
        (b"transactions=" + base64.b64encode(b"<a>"), 400),
        (b"x" * 70000, 413),  # above 64 KB: not read at all
    ],
)
def test_hostile_itns_are_refused(client, autopay_shop, body, status):
    assert _itn(client, body).status_code == status
    assert not Payment.objects.filter(status="completed").exists()


def test_an_itn_for_tenant_a_is_not_confirmed_by_tenant_b(
    client, autopay_shop, autopay_simulator, tenants
):
    payment, redirect = _start(autopay_shop, [autopay_shop["f1"]])
    _opened(redirect)
    order = _order(payment)
    autopay_simulator.transactions[(SERVICE["service_id"], order)].status = "SUCCESS"
    itn = autopay_simulator.itn_form(SERVICE["service_id"], order)
    theirs = same_payment_in_b(
        tenants,
        payment,
        lambda: services.gateway_account_save(
            gateway="autopay",
            merchant_id=SERVICE["service_id"],
            options={"algorithm": "sha256"},
            secrets={"shared_key": "klucz-b"},
            base_url=autopay_simulator.base_url,
        ),
    )
    answered = _itn(client, itn, host=B)
    assert _confirmation(answered, key="klucz-b") == [(order, "NOTCONFIRMED")]
    theirs.refresh_from_db()
    assert theirs.status == Payment.Status.PENDING


def test_a_lost_itn_is_made_good_by_asking_autopay(autopay_shop, autopay_simulator):
    from datetime import timedelta

    from django.utils import timezone

    payment, redirect = _start(autopay_shop, [autopay_shop["f1"]])
    _opened(redirect)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    assert services.payments_reconcile()["pending"] == 1  # started, nothing paid yet
    transaction = autopay_simulator.transactions[(SERVICE["service_id"], _order(payment))]
    transaction.status = "SUCCESS"
    assert services.payments_reconcile()["booked"] == 1
    payment.refresh_from_db()
    assert (payment.status, payment.provider_transaction_id) == (
        "completed",
        transaction.remote_id,
    )
    account = GatewayAccount.objects.get(gateway="autopay")
    assert services.client_for(account).test_access()
    services.gateway_account_save(
        gateway="autopay",
        merchant_id=SERVICE["service_id"],
        secrets={"shared_key": "zly"},
        base_url=autopay_simulator.base_url,
    )
    assert not services.client_for(GatewayAccount.objects.get(gateway="autopay")).test_access()


def test_the_itn_address_is_one_per_service_and_others_need_the_payment(client, autopay_shop):
    """Autopay's ITN names its orders inside; Przelewy24's notification must come to the
    payment's own address."""
    bare = client.post("/api/v1/payments/notify/przelewy24", b"{}", "application/json", HTTP_HOST=A)
    assert bare.status_code == 400
    assert Notification.objects.get().reason == "not the payment's notify address"
