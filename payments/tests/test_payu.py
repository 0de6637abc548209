"""Online payment through PayU's protocol (OpenPayU v2.1) against the simulator over real HTTP:
an OAuth token per point of sale and tenant, the order's notifications accepted only when signed
by the configured algorithm with the point of sale's second key, statuses that only move forward,
a BLIK code typed on our page through the BLIK point of sale (SECURITY.md P3–P6)."""

from __future__ import annotations

import pytest
from django.db import connection

from core.errors import ApplicationError
from payments import services
from payments.models import GatewayAccount, Notification, Payment
from payments.tests.conftest import BLIK_POS, POS, A, B, payu_account_save, same_payment_in_b

pytestmark = pytest.mark.django_db


def _start(shop, invoices, **kwargs) -> tuple[Payment, str | None]:
    return services.payment_start(
        actor=shop["owner"], invoice_ids=[i.pk for i in invoices], gateway="payu", **kwargs
    )


def _notify(client, payment: Payment, raw: bytes, headers: dict, host: str = A) -> int:
    return client.post(
        f"/api/v1/payments/notify/payu/{payment.public_id}",
        raw,
        content_type="application/json",
        HTTP_HOST=host,
        HTTP_OPENPAYU_SIGNATURE=headers["OpenPayu-Signature"],
    ).status_code


def _settled(order, notifications: int) -> None:
    """Waits (at most 10 s) until the simulator has sent ``notifications`` for the order (the
    bank's answer to a BLIK code comes from a thread of its own)."""
    import time

    deadline = time.monotonic() + 10
    while len(order.notifications) < notifications and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(order.notifications) >= notifications


def _told(client, simulator, payment: Payment, status: str, **forged) -> int:
    simulator.orders[payment.token].status = status
    raw, headers = simulator.notification(payment.token, **forged)
    return _notify(client, payment, raw, headers)


def test_an_order_is_paid_through_its_statuses_and_booked_once(client, payu_shop, payu_simulator):
    payment, redirect = _start(payu_shop, [payu_shop["f1"], payu_shop["f2"]])
    order = payu_simulator.orders[payment.token]
    assert redirect == f"{payu_simulator.base_url}/pay/?orderId={payment.token}"
    assert (order.body["totalAmount"], order.body["extOrderId"]) == (
        "47055",
        str(payment.public_id),
    )
    assert order.body["notifyUrl"].endswith(f"/api/v1/payments/notify/payu/{payment.public_id}")
    assert _told(client, payu_simulator, payment, "PENDING") == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert _told(client, payu_simulator, payment, "COMPLETED") == 200
    assert _told(client, payu_simulator, payment, "COMPLETED") == 200  # PayU repeats itself
    payment.refresh_from_db()
    assert (payment.status, payment.provider_transaction_id) == ("completed", payment.token)
    outcomes = list(payment.notifications.order_by("id").values_list("outcome", "reason"))
    assert outcomes == [
        ("noted", "PENDING"),
        ("booked", "COMPLETED"),
        ("already_booked", "COMPLETED"),
    ]


@pytest.mark.parametrize("stale", ["PENDING", "CANCELED", "WAITING_FOR_CONFIRMATION"])
def test_a_stale_status_after_completed_changes_nothing(client, payu_shop, payu_simulator, stale):
    payment, _redirect = _start(payu_shop, [payu_shop["f1"]])
    assert _told(client, payu_simulator, payment, "COMPLETED") == 200
    assert _told(client, payu_simulator, payment, stale) == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED


def test_a_cancelled_order_is_not_paid(client, payu_shop, payu_simulator):
    payment, _redirect = _start(payu_shop, [payu_shop["f1"]])
    assert _told(client, payu_simulator, payment, "CANCELED") == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert _told(client, payu_simulator, payment, "COMPLETED") == 400  # no way back
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-512", "sha1"])
def test_a_notification_signed_by_another_algorithm_is_refused(
    client, payu_shop, payu_simulator, algorithm
):
    """The tenant set SHA-256: an MD5 signature (right key, right body) is refused, as is one
    by an algorithm PayU does not use."""
    payment, _redirect = _start(payu_shop, [payu_shop["f1"]])
    payu_simulator.orders[payment.token].status = "COMPLETED"
    raw, headers = payu_simulator.notification(payment.token, algorithm=algorithm)
    assert _notify(client, payment, raw, headers) == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Notification.objects.get(payment=payment).reason.endswith("not the configured algorithm")
    # The same tenant set for MD5 takes it.
    GatewayAccount.objects.filter(gateway="payu").update(options={"algorithm": "MD5"})
    if algorithm == "MD5":
        assert _notify(client, payment, raw, headers) == 200


def test_a_tampered_amount_or_missing_signature_is_refused(client, payu_shop, payu_simulator):
    payment, _redirect = _start(payu_shop, [payu_shop["f1"]])
    assert _told(client, payu_simulator, payment, "COMPLETED", totalAmount="100") == 400
    raw, _headers = payu_simulator.notification(payment.token)
    bare = client.post(
        f"/api/v1/payments/notify/payu/{payment.public_id}",
        raw,
        content_type="application/json",
        HTTP_HOST=A,
    )
    assert bare.status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    reasons = sorted(Notification.objects.values_list("reason", flat=True))
    assert reasons == ["no signature", "the signature does not match"]


def test_the_oauth_token_is_kept_per_point_of_sale_and_never_shared_between_tenants(
    payu_shop, payu_simulator, tenants
):
    from django.core.cache import cache

    cache.clear()  # no token kept from an earlier test
    before = payu_simulator.tokens_issued
    _start(payu_shop, [payu_shop["f1"]])
    _start(payu_shop, [payu_shop["f2"]])
    assert payu_simulator.tokens_issued == before + 1  # one token, cached, for both orders
    _start(payu_shop, [payu_shop["f1"]], blik_code="777123")
    assert payu_simulator.tokens_issued == before + 2  # the BLIK point of sale has its own
    connection.set_tenant(tenants.b)  # B, with the same point of sale's credentials
    from billing.importing import import_text

    assert not import_text("customers", "erp_id;symbol;kind;name\nK1;X1;individual;B\n").errors
    payu_account_save(payu_simulator.base_url)
    from payments.gateways.payu import PayU

    client_b = services.client_for(GatewayAccount.objects.get(gateway="payu"))
    assert isinstance(client_b, PayU)
    client_b._token()  # noqa: SLF001 - the token B would use
    assert payu_simulator.tokens_issued == before + 3  # not A's cached one


def test_a_blik_code_typed_here_goes_through_the_blik_point_of_sale(
    client, payu_shop, payu_simulator
):
    payment, redirect = _start(payu_shop, [payu_shop["f1"]], blik_code="777 123")
    assert redirect is None  # PayU answered 201: nothing to open, the bank's app asks
    order = payu_simulator.orders[payment.token]
    assert order.pos.pos_id == BLIK_POS["pos_id"]
    assert order.body["payMethods"]["payMethod"] == {
        "type": "BLIK_AUTHORIZATION_CODE",
        "value": "777123",
    }
    assert payment.point_of_sale == "blik"
    _settled(order, 2)  # PENDING, then COMPLETED (sent to no server: posted here instead)
    assert order.status == "COMPLETED"
    raw, headers = payu_simulator.notification(payment.token)  # signed with the BLIK POS's key
    assert _notify(client, payment, raw, headers) == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED


def test_a_refused_or_malformed_blik_code(client, payu_shop, payu_simulator):
    for code in ("12345", "1234567", "12a456"):
        with pytest.raises(ApplicationError) as refused:
            _start(payu_shop, [payu_shop["f1"]], blik_code=code)
        assert refused.value.code == "invalid_blik_code"
    assert not Payment.objects.exists()  # nothing started for a code that cannot be one
    payment, _redirect = _start(payu_shop, [payu_shop["f1"]], blik_code="000000")
    _settled(payu_simulator.orders[payment.token], 1)
    assert payu_simulator.orders[payment.token].status == "CANCELED"  # the bank refused it
    raw, headers = payu_simulator.notification(payment.token)
    assert _notify(client, payment, raw, headers) == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED


def test_without_a_blik_point_of_sale_no_code_is_taken(payu_shop, payu_simulator):
    payu_account_save(payu_simulator.base_url, blik=None)
    with pytest.raises(ApplicationError) as refused:
        _start(payu_shop, [payu_shop["f1"]], blik_code="777123")
    assert refused.value.code == "invalid_blik_code"
    assert services.blik_code_gateways(services.enabled_clients()) == ["przelewy24"]


def test_a_notification_of_tenant_a_is_refused_by_tenant_b(
    client, payu_shop, payu_simulator, tenants
):
    payment, _redirect = _start(payu_shop, [payu_shop["f1"]])
    payu_simulator.orders[payment.token].status = "COMPLETED"
    raw, headers = payu_simulator.notification(payment.token)
    theirs = same_payment_in_b(
        tenants,
        payment,
        lambda: payu_account_save(
            payu_simulator.base_url, pos={**POS, "second_key": "drugi-b", "client_secret": "b"}
        ),
    )
    assert _notify(client, theirs, raw, headers, host=B) == 400
    theirs.refresh_from_db()
    assert theirs.status == Payment.Status.PENDING


def test_a_lost_notification_is_made_good_by_asking_payu(payu_shop, payu_simulator):
    from datetime import timedelta

    from django.utils import timezone

    payment, _redirect = _start(payu_shop, [payu_shop["f1"]])
    payu_simulator.orders[payment.token].status = "COMPLETED"  # paid; nothing told
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    assert services.payments_reconcile() == {"booked": 1, "failed": 0, "pending": 0}
    payment.refresh_from_db()
    assert (payment.status, payment.provider_transaction_id) == ("completed", payment.token)


def test_the_customer_chooses_the_gateway_and_the_admin_sets_up_payu(
    client, payu_shop, payu_simulator
):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff

    client.force_login(payu_shop["owner"])
    page = client.get("/payments/pay/", HTTP_HOST=A)
    policy = page["Content-Security-Policy"]
    assert payu_simulator.base_url in policy
    html = page.content.decode()
    assert 'value="payu"' in html
    assert 'value="przelewy24"' in html
    assert 'name="blik_code"' in html
    started = client.post(
        "/payments/pay/", {"invoices": [payu_shop["f1"].pk], "gateway": "payu"}, HTTP_HOST=A
    )
    assert started["Location"].startswith(f"{payu_simulator.base_url}/pay/?orderId=")
    by_code = client.post(
        "/payments/pay/",
        {"invoices": [payu_shop["f2"].pk], "gateway": "payu", "blik_code": "777111"},
        HTTP_HOST=A,
    )
    paid = Payment.objects.get(allocations__invoice=payu_shop["f2"])
    assert by_code["Location"] == f"/payments/{paid.public_id}/"
    wrong = client.post(
        "/payments/pay/",
        {"invoices": [payu_shop["f1"].pk], "gateway": "payu", "blik_code": "12"},
        HTTP_HOST=A,
    )
    assert wrong.status_code == 400
    assert "BLIK ma sześć cyfr" in wrong.content.decode()
    client.logout()
    admin = user_create(login="admin", password="BiUr42#ok", role="tenant_admin")
    login_verified_staff(client, A, admin, "BiUr42#ok")
    form = {
        "merchant_id": POS["pos_id"],
        "client_id": POS["client_id"],
        "client_secret": "zly",
        "second_key": "drugi",
        "algorithm": "MD5",
        "pos_id": BLIK_POS["pos_id"],
        "enabled": "on",
        "sandbox": "on",
    }
    half = client.post("/office/payments/account/payu/", form, HTTP_HOST=A)
    assert half.status_code == 400  # a BLIK point of sale needs all four of its fields
    del form["pos_id"]
    assert client.post("/office/payments/account/payu/", form, HTTP_HOST=A).status_code == 302
    tested = client.post("/office/payments/account/payu/test", HTTP_HOST=A, follow=True)
    assert "nie akceptuje tych kluczy" in tested.content.decode()
    form["client_secret"] = POS["client_secret"]
    client.post("/office/payments/account/payu/", form, HTTP_HOST=A)
    tested = client.post("/office/payments/account/payu/test", HTTP_HOST=A, follow=True)
    assert "akceptuje te klucze" in tested.content.decode()
    account = GatewayAccount.objects.get(gateway="payu")
    assert (account.options, account.pos_id) == ({"algorithm": "MD5"}, 0)
    assert POS["client_secret"] not in account.sealed_secrets
    overview = client.get("/office/payments/account/", HTTP_HOST=A).content.decode()
    assert "PayU" in overview
    assert "Autopay" in overview
