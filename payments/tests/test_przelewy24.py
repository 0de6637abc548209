"""Online payment through Przelewy24's protocol against the simulator over real HTTP: a payment
starts pending, only a notification whose sign holds and which the gateway verifies books it,
once; every forgery and failure leaves it pending and is logged (SECURITY.md P1–P7, R7)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.errors import ApplicationError
from core.outbox.models import Message
from payments import services
from payments.gateways import przelewy24
from payments.models import Notification, Payment
from payments.tests.conftest import MERCHANT, A, B, same_payment_in_b

pytestmark = pytest.mark.django_db


def _start(shop, invoices) -> tuple[Payment, str]:
    return services.payment_start(actor=shop["owner"], invoice_ids=[i.pk for i in invoices])


def _paid(simulator, payment: Payment, **changed) -> dict:
    """The simulator's customer paid: the order has its number; the signed notification."""
    transaction = simulator.transactions[payment.token]
    transaction.order_id = transaction.order_id or 310_000_999
    return simulator.notification_body(payment.token, **changed)


def _notify(client, payment: Payment, body, host: str = A) -> int:
    raw = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(
        f"/api/v1/payments/notify/przelewy24/{payment.public_id}",
        raw,
        content_type="application/json",
        HTTP_HOST=host,
    ).status_code


def test_a_payment_of_two_invoices_is_booked_once_after_verify(client, shop, simulator):
    payment, redirect = _start(shop, [shop["f1"], shop["f2"]])
    assert payment.amount_grosze == 47055  # 350.00 + 120.55, in grosze
    assert payment.status == Payment.Status.PENDING
    assert redirect == f"{simulator.base_url}/trnRequest/{payment.token}"
    registered = simulator.transactions[payment.token]
    assert (registered.amount, registered.session_id) == (47055, str(payment.public_id))
    assert registered.url_status.endswith(f"/api/v1/payments/notify/przelewy24/{payment.public_id}")
    body = _paid(simulator, payment)
    assert _notify(client, payment, body) == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert payment.provider_transaction_id == str(registered.order_id)
    assert registered.verified
    assert (
        Message.objects.filter(template="payment_received", recipient="jan@example.com").count()
        == 1
    )
    assert _notify(client, payment, body) == 200  # again: nothing more
    outcomes = list(payment.notifications.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["booked", "already_booked"]
    assert Message.objects.filter(template="payment_received").count() == 1


def test_a_tampered_amount_with_the_sign_unchanged_is_refused(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    body = _paid(simulator, payment, amount=1, originAmount=1)
    assert _notify(client, payment, body) == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    refused = Notification.objects.get(payment=payment)
    assert (refused.outcome, refused.reason) == ("refused", "the sign does not match")
    assert not simulator.transactions[payment.token].verified


def test_a_notification_for_less_than_the_payment_even_signed_is_refused(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    transaction = simulator.transactions[payment.token]
    transaction.amount = 100  # the gateway says 1.00 PLN was paid, and signs it
    body = _paid(simulator, payment)
    assert _notify(client, payment, body) == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_a_verify_that_fails_books_nothing(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    simulator.verify_fails = True
    assert _notify(client, payment, _paid(simulator, payment)) == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Notification.objects.get(payment=payment).reason.startswith("verify")


def test_a_gateway_timing_out_leaves_the_payment_pending(client, shop, simulator, monkeypatch):
    payment, _redirect = _start(shop, [shop["f1"]])
    monkeypatch.setattr(przelewy24, "TIMEOUT_SECONDS", 0.3)
    simulator.verify_delay = 1.0
    assert _notify(client, payment, _paid(simulator, payment)) == 503  # the gateway retries
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    simulator.verify_delay = 0.0
    assert _notify(client, payment, _paid(simulator, payment)) == 200  # its retry books it
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED


def test_another_transaction_for_a_paid_payment_changes_nothing(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    assert _notify(client, payment, _paid(simulator, payment)) == 200
    simulator.transactions[payment.token].order_id = 310_000_555
    assert _notify(client, payment, _paid(simulator, payment)) == 400
    payment.refresh_from_db()
    assert payment.provider_transaction_id == "310000999"


def test_hostile_bodies_are_refused_and_logged(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    for body in (b"not json", b"[1, 2]", b"{}", json.dumps({"sign": "x"}).encode()):
        assert _notify(client, payment, body) == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Notification.objects.filter(outcome="refused").count() == 4


def test_a_notification_signed_with_tenant_as_key_is_refused_by_tenant_b(
    client, shop, simulator, tenants
):
    """B has its own account and a payment with A's payment's id: A's signed body posted to
    B's notify URL is refused by B's key."""
    payment, _redirect = _start(shop, [shop["f1"]])
    body = _paid(simulator, payment)
    theirs = same_payment_in_b(
        tenants,
        payment,
        lambda: services.gateway_account_save(
            gateway="przelewy24",
            merchant_id=MERCHANT["merchant_id"],
            secrets={"api_key": "klucz-b", "crc": "crc-b"},
            base_url=simulator.base_url,
        ),
    )
    assert _notify(client, theirs, body, host=B) == 400
    theirs.refresh_from_db()
    assert theirs.status == Payment.Status.PENDING
    connection.set_tenant(tenants.a)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc", "1e9", "100000.01", "NaN"])
def test_a_wrong_amount_is_refused_before_the_gateway(shop, simulator, amount):
    before = len(simulator.transactions)
    with pytest.raises(ApplicationError) as refused:
        services.payment_start(actor=shop["owner"], amount=amount)
    assert refused.value.code == "invalid_amount"
    assert len(simulator.transactions) == before
    assert not Payment.objects.exists()


def test_an_amount_on_the_boundary_is_taken(shop, simulator):
    payment, _redirect = services.payment_start(actor=shop["owner"], amount="100000,00")
    assert payment.amount == Decimal("100000.00")


def test_another_customers_or_a_paid_invoice_is_not_payable(shop):
    for invoices in ([shop["f3"]], [shop["f1"], shop["f3"]]):
        with pytest.raises(ApplicationError) as refused:
            _start(shop, invoices)
        assert refused.value.code == "invoices_not_payable"
    shop["f1"].paid = shop["f1"].gross
    shop["f1"].save()
    with pytest.raises(ApplicationError) as refused:
        _start(shop, [shop["f1"]])
    assert refused.value.code == "invoices_not_payable"
    assert not Payment.objects.exists()


def test_a_manager_pays_within_its_scope_only(shop, manager, simulator):
    payment, _redirect = services.payment_start(actor=manager, invoice_ids=[shop["f1"].pk])
    assert payment.amount_grosze == 35000
    with pytest.raises(ApplicationError) as refused:  # F2 is for M3, not granted
        services.payment_start(actor=manager, invoice_ids=[shop["f2"].pk])
    assert refused.value.code == "invoices_not_payable"
    with pytest.raises(ApplicationError) as refused:  # K1's balance: it covers K1 in part
        services.payment_start(actor=manager, amount="10")
    assert refused.value.code == "customer_required"


def test_a_gateway_that_does_not_register_fails_the_payment(shop, simulator, monkeypatch):
    from payments.models import GatewayAccount

    GatewayAccount.objects.update(base_url="http://127.0.0.1:9")  # nobody listens there
    with pytest.raises(ApplicationError) as refused:
        _start(shop, [shop["f1"]])
    assert (refused.value.code, refused.value.status) == ("gateway_unavailable", 503)
    assert Payment.objects.get().status == Payment.Status.FAILED


def test_the_api_starts_and_reads_a_payment_and_another_customer_reads_nothing(shop, simulator):
    api = APIClient()
    api.force_authenticate(shop["owner"])
    created = api.post(
        "/api/v1/payments", {"invoice_ids": [shop["f1"].pk]}, format="json", HTTP_HOST=A
    )
    assert created.status_code == 201
    body = created.json()
    assert body["redirect_url"].startswith(simulator.base_url + "/trnRequest/")
    read = api.get(f"/api/v1/payments/{body['id']}", HTTP_HOST=A).json()
    assert (read["status"], read["amount"], read["invoice_ids"]) == (
        "pending",
        "350.00",
        [shop["f1"].pk],
    )
    from identity.services import user_create

    other = APIClient()
    other.force_authenticate(user_create(login="obcy", password="RyBa18$05x"))
    assert other.get(f"/api/v1/payments/{body['id']}", HTTP_HOST=A).status_code == 404
    empty = api.post("/api/v1/payments", {}, format="json", HTTP_HOST=A)
    assert (empty.status_code, empty.json()["code"]) == (400, "nothing_to_pay")


def test_the_return_page_never_says_paid_before_the_notification(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    client.force_login(shop["owner"])
    page = client.get(f"/payments/{payment.public_id}/", HTTP_HOST=A).content.decode()
    assert "Czekamy na potwierdzenie" in page
    assert _notify(client, payment, _paid(simulator, payment)) == 200
    page = client.get(f"/payments/{payment.public_id}/", HTTP_HOST=A).content.decode()
    assert "Zapłacono" in page


def test_the_gateway_credentials_are_sealed_at_rest(shop):
    from payments.models import GatewayAccount

    stored = GatewayAccount.objects.get().sealed_secrets
    assert MERCHANT["api_key"] not in stored
    assert MERCHANT["crc"] not in stored
    assert services.client_for(GatewayAccount.objects.get()).test_access()


def test_the_pay_page_leads_to_the_gateway_and_is_linked_only_when_ready(client, shop, simulator):
    from payments.models import GatewayAccount

    client.force_login(shop["owner"])
    invoices = client.get("/invoices/", HTTP_HOST=A).content.decode()
    assert f'href="/payments/pay/?invoice={shop["f1"].pk}"' in invoices
    page = client.get(f"/payments/pay/?invoice={shop['f1'].pk}", HTTP_HOST=A)
    assert f"form-action 'self' {simulator.base_url}" in page["Content-Security-Policy"]
    assert page.context["form"]["invoices"].value() == [shop["f1"].pk]
    empty = client.post("/payments/pay/", {}, HTTP_HOST=A)
    assert empty.status_code == 400
    started = client.post("/payments/pay/", {"invoices": [shop["f1"].pk]}, HTTP_HOST=A)
    assert started.status_code == 302
    assert started["Location"].startswith(f"{simulator.base_url}/trnRequest/")
    GatewayAccount.objects.update(enabled=False)
    assert "/payments/pay/" not in client.get("/invoices/", HTTP_HOST=A).content.decode()
    assert client.get("/payments/pay/", HTTP_HOST=A).status_code == 404


def test_the_admin_saves_and_tests_the_account_and_staff_see_refused_notifications(
    client, shop, simulator
):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from payments.models import GatewayAccount

    payment, _redirect = _start(shop, [shop["f1"]])
    assert _notify(client, payment, _paid(simulator, payment, amount=1)) == 400
    admin = user_create(login="admin", password="BiUr42#ok", role="tenant_admin")
    login_verified_staff(client, A, admin, "BiUr42#ok")
    listing = client.get("/office/payments/", HTTP_HOST=A).content.decode()
    assert "the sign does not match" in listing
    assert MERCHANT["crc"] not in listing
    page = client.get("/office/payments/account/przelewy24/", HTTP_HOST=A).content.decode()
    assert MERCHANT["api_key"] not in page  # never shown again
    wrong = {
        "merchant_id": MERCHANT["merchant_id"],
        "api_key": "zly",
        "crc": "zly",
        "enabled": "on",
    }
    assert (
        client.post("/office/payments/account/przelewy24/", wrong, HTTP_HOST=A).status_code == 302
    )
    tested = client.post("/office/payments/account/przelewy24/test", HTTP_HOST=A, follow=True)
    assert "nie akceptuje tych kluczy" in tested.content.decode()
    right = {**wrong, "api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]}
    client.post("/office/payments/account/przelewy24/", right, HTTP_HOST=A)
    tested = client.post("/office/payments/account/przelewy24/test", HTTP_HOST=A, follow=True)
    assert "akceptuje te klucze" in tested.content.decode()
    assert GatewayAccount.objects.get().base_url == simulator.base_url  # kept


def test_the_gateway_keys_rotate_with_the_sealing_keys(shop, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from payments.models import GatewayAccount

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOTP_ENCRYPTION_KEYS = [old]
    services.gateway_account_save(
        gateway="przelewy24",
        merchant_id=MERCHANT["merchant_id"],
        pos_id=MERCHANT["merchant_id"],
        secrets={"api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]},
        base_url=GatewayAccount.objects.get().base_url,
    )
    settings.TOTP_ENCRYPTION_KEYS = [new, old]  # the new key first
    call_command("totp_rekey", verbosity=0)
    settings.TOTP_ENCRYPTION_KEYS = [new]  # the old key removed
    assert services.client_for(GatewayAccount.objects.get()).credentials.crc == MERCHANT["crc"]


def test_booked_payments_go_back_to_the_erp_with_the_api_key(client, shop, simulator):
    from identity.services import api_key_create

    booked, _redirect = _start(shop, [shop["f1"], shop["f2"]])
    assert _notify(client, booked, _paid(simulator, booked)) == 200
    services.payment_start(actor=shop["owner"], amount="5")  # pending: not exported
    assert APIClient().get("/api/v1/payments/export", HTTP_HOST=A).status_code == 401
    erp = APIClient()
    erp.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_create(name='ERP')}")
    rows = erp.get("/api/v1/payments/export", HTTP_HOST=A).json()["results"]
    assert [(r["id"], r["amount"], r["customer_erp_id"]) for r in rows] == [
        (str(booked.public_id), "470.55", "K1")
    ]
    assert rows[0]["provider_transaction_id"] == "310000999"
    assert sorted(i["erp_id"] for i in rows[0]["invoices"]) == ["F1", "F2"]
    again = erp.get("/api/v1/payments/export", HTTP_HOST=A).json()["results"]
    assert again == rows  # asking again gives the same: nothing is consumed
    later = erp.get(
        "/api/v1/payments/export", {"since": "2999-01-01T00:00:00Z"}, HTTP_HOST=A
    ).json()["results"]
    assert later == []
    bad = erp.get("/api/v1/payments/export", {"since": "wczoraj"}, HTTP_HOST=A)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_staff_download_the_booked_payments_as_csv(client, shop, simulator):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff

    booked, _redirect = _start(shop, [shop["f1"], shop["f2"]])
    assert _notify(client, booked, _paid(simulator, booked)) == 200
    staff = user_create(login="ksiegowa", password="BiUr42#ok", role="accountant")
    login_verified_staff(client, A, staff, "BiUr42#ok")
    response = client.get("/office/payments/booked.csv", HTTP_HOST=A)
    lines = b"".join(response.streaming_content if response.streaming else [response.content])
    rows = [line.split(";") for line in lines.decode("utf-8-sig").strip().splitlines()]
    assert rows[0][-1] == "invoice_erp_id"
    assert sorted((r[1], r[2], r[4], r[5]) for r in rows[1:]) == [
        ("K1", "120.55", "310000999", "F2"),
        ("K1", "350.00", "310000999", "F1"),
    ]


def _age(payment: Payment, **delta) -> None:
    from datetime import timedelta

    from django.utils import timezone

    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(**delta))


def test_a_lost_notification_is_made_good_by_asking_the_gateway(client, shop, simulator):
    payment, _redirect = _start(shop, [shop["f1"]])
    assert simulator.pay(payment.token, times=0) == []  # paid, but the notification is lost
    _age(payment, minutes=14)
    assert services.payments_reconcile()["booked"] == 0  # not yet: it may still come
    _age(payment, minutes=16)
    assert services.payments_reconcile() == {"booked": 1, "failed": 0, "pending": 0}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert simulator.transactions[payment.token].verified  # verified before it was booked
    late = simulator.notification_body(payment.token)
    assert _notify(client, payment, late) == 200  # the late notification: booked before
    assert payment.notifications.filter(outcome="booked").count() == 1


def test_reconciliation_waits_for_a_gateway_that_does_not_answer_and_gives_up_a_day_later(
    shop, simulator
):
    from payments.models import GatewayAccount

    unpaid, _redirect = _start(shop, [shop["f1"]])
    _age(unpaid, hours=23)
    assert services.payments_reconcile() == {"booked": 0, "failed": 0, "pending": 1}
    real = GatewayAccount.objects.get().base_url
    GatewayAccount.objects.update(base_url="http://127.0.0.1:9")
    _age(unpaid, hours=25)
    assert services.payments_reconcile()["pending"] == 1  # no answer: no verdict
    GatewayAccount.objects.update(base_url=real)
    assert services.payments_reconcile()["failed"] == 1
    unpaid.refresh_from_db()
    assert unpaid.status == Payment.Status.FAILED


def test_a_booked_payment_counts_in_the_balance_at_once_until_the_erp_has_it(
    client, shop, simulator
):
    from billing.importing import import_text

    api = APIClient()
    api.force_authenticate(shop["owner"])
    before = api.get("/api/v1/balance", HTTP_HOST=A).json()
    payment, _redirect = _start(shop, [shop["f1"]])
    assert api.get("/api/v1/balance", HTTP_HOST=A).json() == before  # pending: nothing yet
    assert _notify(client, payment, _paid(simulator, payment)) == 200
    paid = api.get("/api/v1/balance", HTTP_HOST=A).json()
    assert paid["paid_online"] == "350.00"
    assert Decimal(paid["balance"]) == Decimal(before["balance"]) - Decimal("350.00")
    client.force_login(shop["owner"])
    summary = client.get("/dashboard/", HTTP_HOST=A).content.decode()
    assert "350,00" in summary
    assert "których biuro nie zaksięgowało jeszcze" in summary
    imported = import_text(  # the ERP books it, naming the gateway's transaction
        "payments-received",
        "erp_id;customer_erp_id;invoice_erp_id;paid_on;amount;online_transaction_id\n"
        "P9;K1;F1;2026-11-30;350.00;310000999\n",
    )
    assert imported.errors == []
    after = api.get("/api/v1/balance", HTTP_HOST=A).json()
    assert after["paid_online"] == "0.00"  # counted once, now as the ERP's payment
    assert after["balance"] == paid["balance"]


def test_staff_get_the_days_online_payments_in_one_email(client, shop, simulator):
    from datetime import timedelta

    from django.utils import timezone

    from identity.services import user_create

    user_create(login="ksiegowa", password="BiUr42#ok", role="accountant", email="k@x.pl")
    booked, _redirect = _start(shop, [shop["f1"], shop["f2"]])
    assert _notify(client, booked, _paid(simulator, booked)) == 200
    pending, _redirect = services.payment_start(actor=shop["owner"], amount="5")
    assert _notify(client, pending, _paid(simulator, pending, amount=1)) == 400  # refused
    today = timezone.localdate()
    assert services.payments_daily_report(day=today) == 1
    report = Message.objects.get(template="payments_daily")
    assert report.recipient == "k@x.pl"
    assert "1 płatność zaksięgowana, razem 470,55 zł." in report.body_text
    assert "Niezapłacone: 0. Odrzucone powiadomienia: 1. Wciąż oczekujące: 1." in report.body_text
    assert services.payments_daily_report(day=today - timedelta(days=400)) == 0  # a quiet day


def test_a_page_asks_once_whether_the_tenant_takes_payments(client, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(shop["owner"])
    client.get("/dashboard/", HTTP_HOST=A)  # the session and the tenant's caches are warm
    for path in ("/dashboard/", "/invoices/"):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path, HTTP_HOST=A)
        assert 'href="/payments/pay/' in page.content.decode(), path
        asked = [q for q in queries.captured_queries if "payments_gatewayaccount" in q["sql"]]
        assert len(asked) == 1, path  # the navigation and the page's "Pay" share the answer


def test_a_blik_code_typed_here_is_charged_after_registering(client, shop, simulator):
    """Przelewy24's charge-by-code: registered, then the code charged; the customer confirms in
    the bank's app and the notification books it as any other."""
    payment, redirect = services.payment_start(
        actor=shop["owner"],
        invoice_ids=[shop["f1"].pk],
        blik_code="777123",
        customer_ip="10.1.2.3",
        user_agent="Telefon",
    )
    assert redirect is None
    registered = simulator.transactions[payment.token]
    assert registered.order_id  # the code was charged
    assert _notify(client, payment, simulator.notification_body(payment.token)) == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    with pytest.raises(ApplicationError) as refused:  # a code the bank does not know
        services.payment_start(actor=shop["owner"], invoice_ids=[shop["f2"].pk], blik_code="000000")
    assert (refused.value.code, refused.value.status) == ("gateway_refused", 400)
    assert Payment.objects.get(allocations__invoice=shop["f2"]).status == Payment.Status.FAILED


def test_an_invoice_paid_online_is_not_offered_again_until_the_erp_books_it(
    client, shop, simulator
):
    """Paid online, F1 is no longer on the pay page nor payable through the API (no second
    charge while the ERP has not booked the payment); F2, unpaid, still is."""
    payment, _redirect = _start(shop, [shop["f1"]])
    client.force_login(shop["owner"])
    offered = client.get("/payments/pay/", HTTP_HOST=A).context["form"].fields["invoices"]
    assert shop["f1"].pk in dict(offered.choices)  # pending: not paid yet
    assert _notify(client, payment, _paid(simulator, payment)) == 200
    offered = client.get("/payments/pay/", HTTP_HOST=A).context["form"].fields["invoices"]
    assert dict(offered.choices).keys() == {shop["f2"].pk}
    with pytest.raises(ApplicationError) as refused:
        _start(shop, [shop["f1"]])
    assert refused.value.code == "invoices_not_payable"
