"""The demo tenants: each reproduces its preset, its accounts log in, and the README lists them."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from demo.portals import DEMO_TENANTS, load_demo_tenants
from tenants.models import Tenant
from tenants.selectors import active_tenant_schemas

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"
FLOWS = {
    "A": "activation_request",
    "B": "verified_self_service",
    "C": "contract_activation",
    "D": "in_person",
    "E": "invoice_activation",
}


@pytest.fixture
def demo(tenants):
    load_demo_tenants()
    connection.set_schema_to_public()
    return DEMO_TENANTS


def test_every_demo_tenant_has_its_branding_flow_and_working_accounts(client, demo):
    for tenant in demo:
        host = f"{tenant.slug}.localhost"
        info = client.get("/api/v1/tenant", HTTP_HOST=host).json()
        assert info["registration"]["flow"] == FLOWS[tenant.preset]
        assert info["branding"]["primary_colour"] == tenant.primary
        home = client.get("/", HTTP_HOST=host).content.decode()
        assert info["portal_name"] in home
        for account in tenant.accounts:
            response = client.post(
                "/login/", {"login": account.login, "password": account.password}, HTTP_HOST=host
            )
            assert response.status_code == 302, (tenant.slug, account.login)
            client.post("/logout/", HTTP_HOST=host)


def test_loading_the_demo_twice_changes_nothing(demo):
    schemas = sorted(active_tenant_schemas())
    load_demo_tenants()
    assert sorted(active_tenant_schemas()) == schemas


def test_readme_lists_every_demo_account():
    text = README.read_text()
    rows = set(
        re.findall(
            r"^\| `?([a-z]+\.localhost:8000)`? \| (\w+) \| `([^`]+)` \| `([^`]+)` \|$", text, re.M
        )
    )
    expected = {
        (f"{t.slug}.localhost:8000", a.role, a.login, a.password)
        for t in DEMO_TENANTS
        for a in t.accounts
    }
    assert "| host | role | login | password |" in text
    assert expected <= rows


def test_demo_customer_sees_a_full_history_through_the_import(client, demo):
    from demo.portals import load_demo_ledger

    jezioro = DEMO_TENANTS[0]
    assert load_demo_ledger("jezioro", customers=40, months=6) == "loaded"
    assert load_demo_ledger("jezioro", customers=40, months=6) == "present"
    customer = next(a for a in jezioro.accounts if a.role == "customer")
    client.post(
        "/login/",
        {"login": customer.login, "password": customer.password},
        HTTP_HOST="jezioro.localhost",
    )
    client.post(
        "/account/terms/", {}, HTTP_HOST="jezioro.localhost"
    )  # not accepted: the API is gated
    connection.set_tenant(Tenant.objects.get(slug="jezioro"))
    from identity.models import Document

    accept = {f"doc_{d.pk}": "on" for d in Document.objects.all()}
    client.post("/account/terms/", accept, HTTP_HOST="jezioro.localhost")
    invoices = client.get("/api/v1/invoices", HTTP_HOST="jezioro.localhost").json()["results"]
    corrections = [i for i in invoices if i["kind"] == "correction"]
    assert len(invoices) == 7  # six months, and a correction of one of them
    assert len(corrections) == 1
    assert float(corrections[0]["gross"]) < 0
    # Every invoice has its VAT lines and a KSeF number with right check digits, but the
    # latest, issued offline and waiting for KSeF.
    from billing.ksef import ksef_number_problem

    monthly = sorted((i for i in invoices if i["kind"] == "invoice"), key=lambda i: i["issue_date"])
    assert monthly[-1]["ksef_mode"] == "offline"
    assert monthly[-1]["ksef_number"] == ""
    for invoice in monthly[:-1]:
        assert ksef_number_problem(invoice["ksef_number"]) is None
    detail = client.get(
        f"/api/v1/invoices/{monthly[0]['id']}", HTTP_HOST="jezioro.localhost"
    ).json()
    assert {line["vat_rate"] for line in detail["lines"]} == {"zw", "8"}
    assert detail["kod1_label"] == monthly[0]["ksef_number"]
    # Every invoice of the demo customer came as KSeF holds it: its XML, whose hash KOD I
    # carries, is there to download, and it reads back as the same invoice.
    import base64
    import hashlib

    from billing import fa3

    for invoice in invoices:
        shown = client.get(f"/api/v1/invoices/{invoice['id']}", HTTP_HOST="jezioro.localhost")
        xml = client.get(shown.json()["xml_url"], HTTP_HOST="jezioro.localhost").content
        digest = base64.urlsafe_b64encode(hashlib.sha256(xml).digest()).decode().rstrip("=")
        assert shown.json()["kod1_url"].endswith(digest)
        assert fa3.parse(xml).gross == Decimal(invoice["gross"])
    # The one issued offline carries KOD II too (the issuer's signed certificate link).
    offline = client.get(f"/api/v1/invoices/{monthly[-1]['id']}", HTTP_HOST="jezioro.localhost")
    assert offline.json()["kod1_label"] == "OFFLINE"
    assert "/certificate/Nip/" in offline.json()["kod2_url"]
    assert detail["kod2_url"] is None
    invoices = monthly
    unpaid = [i for i in invoices if not i["is_paid"]]
    assert len(unpaid) == 1  # last month's, something to pay online; the rest paid
    assert unpaid[0]["issue_date"] == max(i["issue_date"] for i in invoices)
    balance = client.get("/api/v1/balance", HTTP_HOST="jezioro.localhost").json()
    assert balance["balance"] == unpaid[0]["gross"]
    assert len(balance["by_month"]) == 6


def test_demo_manager_sees_part_of_one_customer_and_all_of_another(demo):
    from billing import selectors
    from demo.portals import load_demo_ledger
    from identity.models import User

    load_demo_ledger("jezioro", customers=40, months=3)
    connection.set_tenant(Tenant.objects.get(slug="jezioro"))
    manager = User.objects.get(username="zarzadca")
    visible = set(selectors.premises_list(actor=manager).values_list("erp_id", flat=True))
    assert visible == {"M1", "M2"}  # not MP1, customer K1's parking space
    covered = selectors.fully_covered_customer_ids(selectors.scope_for(manager))
    assert set(
        selectors.customer_list(actor=manager)
        .filter(pk__in=covered)
        .values_list("erp_id", flat=True)
    ) == {"K2"}


def test_demo_correspondence_follows_each_tenants_seed(demo):
    """zdroj (E): cases of each of its kinds in every state and a failure now in the demo
    customer's building; kopernik (B): members-only documents the demo customer reads;
    dabrowa (D): letters, one of them unread."""
    from correspondence import selectors, services
    from correspondence.models import Case, CaseStatus, Document
    from demo.portals import load_demo_ledger
    from identity.models import User

    # As few customers as the other tests load there: a tenant another test already loaded is
    # "present" (a larger load over a smaller one would re-number its invoices).
    for slug in ("zdroj", "kopernik", "dabrowa"):
        load_demo_ledger(slug, customers=3, months=2)
    connection.set_tenant(Tenant.objects.get(slug="zdroj"))
    customer = User.objects.get(username="klient.zdroj")
    kinds = {k.slug for k in services.offered_kinds()}
    assert kinds == {"failure", "water_quality", "complaint", "data_change", "question"}
    mine = Case.objects.filter(customer__user=customer)
    for kind in kinds:
        assert set(mine.filter(kind=kind).values_list("status", flat=True)) == set(
            CaseStatus.values
        ), kind
    outages = selectors.announcements_for(actor=customer).filter(kind="failure")
    assert outages.count() == 1
    connection.set_tenant(Tenant.objects.get(slug="kopernik"))
    member = User.objects.get(username=next(a for a in DEMO_TENANTS[1].accounts).login)
    audiences = set(selectors.documents_for(actor=member).values_list("audience", flat=True))
    assert Document.Audience.MEMBERS in audiences
    connection.set_tenant(Tenant.objects.get(slug="dabrowa"))
    dabrowa = next(t for t in DEMO_TENANTS if t.slug == "dabrowa")
    reader = User.objects.get(username=next(a for a in dabrowa.accounts).login)
    assert selectors.letters_for(actor=reader).count() == 2
    assert selectors.unread_letters(actor=reader) == 1


def test_demo_tenants_taking_online_payments_get_an_account_at_the_simulator(
    demo, settings, tmp_path
):
    """Where a simulator is configured (make run), zdroj (which takes online payments) pays
    there through each gateway with keys of its own, written for the simulator; jezioro (which
    does not) gets no merchant account, only its SMS account (it offers SMS)."""
    import json

    from payments.models import GatewayAccount
    from payments.services import client_for

    settings.PAYMENT_SIMULATOR_URL = "http://127.0.0.1:8301"
    settings.PAYMENT_SIMULATOR_MERCHANTS = tmp_path / "merchants.json"
    load_demo_tenants(slugs=("zdroj", "jezioro"))
    merchants = json.loads(settings.PAYMENT_SIMULATOR_MERCHANTS.read_text())
    assert {slug: sorted(accounts) for slug, accounts in merchants.items()} == {
        "zdroj": ["autopay", "payu", "przelewy24", "smsapi"],
        "jezioro": ["smsapi"],
    }
    connection.set_tenant(Tenant.objects.get(slug="zdroj"))
    accounts = {a.gateway: a for a in GatewayAccount.objects.all()}
    assert set(accounts) == {"przelewy24", "payu", "autopay"}
    assert all(a.enabled and a.base_url == "http://127.0.0.1:8301" for a in accounts.values())
    keys = merchants["zdroj"]
    assert client_for(accounts["przelewy24"]).credentials.api_key == keys["przelewy24"]["api_key"]
    assert client_for(accounts["payu"]).credentials.second_key == keys["payu"][0]["second_key"]
    assert client_for(accounts["payu"], "blik").credentials.pos_id == keys["payu"][1]["pos_id"]
    assert client_for(accounts["autopay"]).credentials.shared_key == keys["autopay"]["shared_key"]
    connection.set_tenant(Tenant.objects.get(slug="jezioro"))
    assert not GatewayAccount.objects.exists()


def test_the_simulators_of_make_run_start_and_answer(tmp_path):
    """``python -m demo.simulators`` (what make run starts) serves every simulator with the
    accounts of its file: an SMS account's token opens its profile, another token does not."""
    import json
    import socket
    import subprocess
    import sys
    import time

    import requests
    from django.conf import settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"x": {"smsapi": {"token": "t-1", "username": "x"}}}))
    process = subprocess.Popen(  # noqa: S603 - our own module, our arguments
        [sys.executable, "-m", "demo.simulators", str(port), str(accounts)],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = requests.get(
                    f"http://127.0.0.1:{port}/profile",
                    headers={"Authorization": "Bearer t-1"},
                    timeout=2,
                )
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert answer is not None, process.stdout.read().decode(errors="replace")[-2000:]
        assert answer.json()["username"] == "x"
        wrong = requests.get(
            f"http://127.0.0.1:{port}/profile", headers={"Authorization": "Bearer t-2"}, timeout=2
        )
        assert wrong.status_code == 401
    finally:
        process.kill()
        process.wait(timeout=10)
