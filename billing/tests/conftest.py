"""Billing data for tests, created through the import (the ERP's path) in tenant A."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing.importing import import_text
from billing.models import Customer, Premises
from billing.services import customer_account_attach, grant_create, manager_company_create
from identity.services import user_create

FILES = {
    "customers": "erp_id;symbol;kind;name;pesel;city\n"
    "K1;L0000001;individual;Jan Testowy;44051401359;Nowe Lipiny\n"
    "K2;L0000002;individual;Ewa Sąsiadka;;Nowe Lipiny\n",
    "premises": "erp_id;kind;street;building_no;flat_no;city;area\n"
    "M1;residential;Leśna;1;2;Nowe Lipiny;48.5\nM2;residential;Leśna;1;3;Nowe Lipiny;51.0\n",
    "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2020-01-01\nT2;K2;M2;2020-01-01\n",
    "contracts": "erp_id;number;customer_erp_id;kind;status\nU1;U/1/2020;K1;housing;active\nU2;U/2/2020;K2;housing;active\n",
    "charges": "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\n"
    "C1;K1;M1;Eksploatacja;2026-01-01;300.00;2026-01-10\n"
    "C2;K1;M1;Woda;2026-01-01;50.00;2026-01-10\n"
    "C3;K1;M1;Eksploatacja;2026-02-01;300.00;2026-02-10\n"
    "C4;K2;M2;Eksploatacja;2026-01-01;999.99;2026-01-10\n",
    "invoices": "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
    "F1;FV/1/2026;K1;2026-01-02;2026-01-10;350.00\nF2;FV/2/2026;K2;2026-01-02;2026-01-10;999.99\n",
    "payments-received": "erp_id;customer_erp_id;invoice_erp_id;paid_on;amount;title\n"
    "P1;K1;F1;2026-01-08;350.00;styczeń\nP2;K1;;2026-02-09;100.00;luty częściowo\nP3;K2;F2;2026-01-09;999.99;x\n",
    "settlements": "erp_id;customer_erp_id;kind;period_from;period_to;amount;issued_on\n"
    "S1;K1;Rozliczenie wody 2025;2025-01-01;2025-12-31;-42.10;2026-01-20\n",
    "balance-confirmations": "erp_id;customer_erp_id;as_of;amount\nB1;K1;2025-12-31;0.00\nB2;K2;2025-12-31;0.00\n",
    "service-points": "erp_id;code;premises_erp_id;contract_erp_id;meter_number\nSP1;PPE-1;M1;U1;WM-111\nSP2;PPE-2;M2;U2;WM-222\n",
    "deposits": "erp_id;customer_erp_id;kind;amount;received_on;returned_on\nD1;K1;Kaucja za wodomierz;120.00;2020-01-01;\nD2;K2;Kaucja sąsiada;777.77;2020-01-01;\n",
}


@pytest.fixture
def ledger(tenants):
    """Two customers of tenant A with a month or two of history; K1 belongs to account L0000001."""
    connection.set_tenant(tenants.a)
    for entity, payload in FILES.items():
        result = import_text(entity, payload)
        assert result.errors == [], (entity, result.errors)
    owner = user_create(login="L0000001", password="RyBa18$05", customer_symbol="L0000001")
    neighbour = user_create(login="L0000002", password="RyBa18$05", customer_symbol="L0000002")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K2").pk], user=neighbour)
    return {"owner": owner, "neighbour": neighbour}


@pytest.fixture
def estate(tenants):
    """K1 owns M1 and M2, K2 owns M3; charges, invoices, payments and contracts on each."""
    connection.set_tenant(tenants.a)
    files = {
        "customers": "erp_id;symbol;kind;name\nK1;L0000001;individual;Jan Dwalokale\nK2;L0000002;individual;Ewa Jednolokalowa\n",
        "premises": "erp_id;kind;street;building_no;flat_no;city\nM1;residential;Leśna;1;1;X\nM2;residential;Leśna;1;2;X\nM3;residential;Polna;2;1;X\n",
        "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2020-01-01\nT2;K1;M2;2020-01-01\nT3;K2;M3;2020-01-01\n",
        "contracts": "erp_id;number;customer_erp_id;kind;status\nU1;U1;K1;housing;active\nU2;U2;K1;housing;active\nU3;U3;K2;housing;active\n",
        "service-points": "erp_id;code;premises_erp_id;contract_erp_id\nS1;S1;M1;U1\nS2;S2;M2;U2\nS3;S3;M3;U3\n",
        "charges": "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\n"
        "C1;K1;M1;Eksploatacja;2026-01-01;100.00;2026-01-10\nC2;K1;M2;Eksploatacja;2026-01-01;200.00;2026-01-10\n"
        "C3;K2;M3;Eksploatacja;2026-01-01;300.00;2026-01-10\nC4;K1;;Opłata ogólna;2026-01-01;50.00;2026-01-10\n",
        "invoices": "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross\n"
        "F1;F1;K1;M1;2026-01-01;2026-01-10;100.00\nF2;F2;K1;M2;2026-01-01;2026-01-10;200.00\nF3;F3;K2;M3;2026-01-01;2026-01-10;300.00\n",
        "payments-received": "erp_id;customer_erp_id;premises_erp_id;paid_on;amount\n"
        "P1;K1;M1;2026-01-05;60.00\nP2;K1;M2;2026-01-05;100.00\nP3;K2;M3;2026-01-05;300.00\n",
    }
    for entity, payload in files.items():
        assert import_text(entity, payload).errors == [], entity
    premises = {p.erp_id: p.pk for p in Premises.objects.all()}
    owner = user_create(login="L0000001", password="x")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)

    def manager(login, premises_codes, *, valid_to=None, nip):
        user = user_create(login=login, password="x", role="manager")
        company = manager_company_create(name=f"Zarządca {login}", nip=nip, users=[user])
        grant_create(
            company=company,
            premises_ids=[premises[c] for c in premises_codes],
            valid_from=timezone.localdate() - timedelta(days=30),
            valid_to=valid_to,
            actor="test",
        )
        return user

    return {
        "customer": owner,
        "full": manager("zarzadca-pelny", ["M1", "M2"], nip="5260250274"),
        "partial": manager("zarzadca-czesc", ["M1"], nip="7251801126"),
        "expired": manager(
            "zarzadca-stary",
            ["M3"],
            valid_to=timezone.localdate() - timedelta(days=1),
            nip="5213017228",
        ),
        "staff": user_create(login="ksiegowa", password="x", role="accountant"),
        "premises": premises,
    }


@pytest.fixture
def set_modules(tenants, django_capture_on_commit_callbacks):
    """Turn on exactly these modules in tenant A (a setting, as an administrator would)."""
    from tenants.services import tenant_setting_set

    def _set(*modules):
        with django_capture_on_commit_callbacks(execute=True):
            tenant_setting_set(tenant=tenants.a, key="modules", actor="t", value=list(modules))
        connection.set_tenant(tenants.a)

    return _set


@pytest.fixture
def accountant(client, tenants):
    """An accountant of tenant A, logged in with a confirmed second factor (imports)."""
    from identity.tests.conftest import login_verified_staff

    connection.set_tenant(tenants.a)
    user = user_create(login="ksiegowa", password="BiUr42#ok", role="accountant")
    login_verified_staff(client, "alpha.localhost", user, "BiUr42#ok")
    return user


def manager_of(*premises_erp_ids: str, password: str = "RyBa18$05"):  # noqa: S107 - a test's
    """A property manager (login ``zarzadca``) whose company holds grants for these premises,
    from a month ago."""
    user = user_create(login="zarzadca", password=password, role="manager")
    company = manager_company_create(name="Zarządca", nip="5260250274", users=[user])
    grant_create(
        company=company,
        premises_ids=list(
            Premises.objects.filter(erp_id__in=premises_erp_ids).values_list("pk", flat=True)
        ),
        valid_from=timezone.localdate() - timedelta(days=30),
        actor="test",
    )
    return user
