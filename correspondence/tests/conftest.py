"""Cases in tenant A (preset A's kinds plus preset E's complaint and water-quality kinds, every
case module on), and the same ERP ids in tenant B where a test says so."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from billing.importing import import_text
from billing.models import Customer, Invoice, Premises
from billing.services import customer_account_attach
from billing.tests.conftest import manager_of
from correspondence import services
from identity.services import user_create
from tenants.policies.conversion import dump
from tenants.presets import preset

PASSWORD = "RyBa18$05"  # noqa: S105 - a test account's password
A = "alpha.localhost"
B = "beta.localhost"

BASE = {
    "customers": "erp_id;symbol;kind;name;email;phone\n"
    "K1;L0000001;individual;Jan Sprawny;jan@example.com;600100200\n"
    "K2;L0000002;individual;Ewa Sąsiadka;ewa@example.com;\n",
    "buildings": "erp_id;estate;street;building_no;city\nB1;Osiedle Zielone;Leśna;1;Lipiny\n"
    "B2;Osiedle Zielone;Polna;2;Lipiny\n",
    "premises": "erp_id;building_erp_id;kind;street;building_no;flat_no;city\n"
    "M1;B1;residential;Leśna;1;1;Lipiny\nM2;B1;residential;Leśna;1;2;Lipiny\n"
    "M3;B2;residential;Polna;2;1;Lipiny\n",
    "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
    "T1;K1;M1;2020-01-01\nT2;K1;M3;2020-01-01\nT3;K2;M2;2020-01-01\n",
    "invoices": "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
    "F1;FV/1/2026;K1;2026-01-02;2026-01-10;350.00\nF2;FV/2/2026;K2;2026-01-02;2026-01-10;99.99\n",
}


def load(files: dict[str, str]) -> None:
    for entity, payload in files.items():
        result = import_text(entity, payload)
        assert result.errors == [], (entity, result.errors)


def png(size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("zdjęcie awarii.png", buffer.getvalue(), content_type="image/png")


def pdf() -> SimpleUploadedFile:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="Protokol")
    return SimpleUploadedFile(
        "protokół.pdf", bytes(document.output()), content_type="application/pdf"
    )


def case_kinds() -> list[dict]:
    """Preset A's kinds with preset E's complaint and water-quality kinds."""
    own = list(dump(preset("A", name="x").correspondence.kinds))
    extra = [
        k
        for k in dump(preset("E", name="x").correspondence.kinds)
        if k["slug"] in ("complaint", "water_quality")
    ]
    return own + extra


@pytest.fixture
def people(tenants, set_config):
    """Tenant A with cases on: K1 (account ``L0000001``) holds M1 and M3, K2 (``L0000002``)
    holds M2; staff ``obsluga`` answers cases."""
    connection.set_tenant(tenants.a)
    set_config(
        modules=["tickets", "failure_reports", "correspondence", "invoices", "charges"],
        correspondence__kinds=case_kinds(),
    )
    load(BASE)
    owner = user_create(login="L0000001", password=PASSWORD, email="jan@example.com")
    neighbour = user_create(login="L0000002", password=PASSWORD, email="ewa@example.com")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K2").pk], user=neighbour)
    staff = user_create(
        login="obsluga",
        password=PASSWORD,
        role="customer_service",
        email="biuro@example.com",
        first_name="Anna",
        last_name="Biurowa",
    )
    return {
        "owner": owner,
        "neighbour": neighbour,
        "staff": staff,
        "k1": Customer.objects.get(erp_id="K1"),
        "k2": Customer.objects.get(erp_id="K2"),
        "m1": Premises.objects.get(erp_id="M1"),
        "m2": Premises.objects.get(erp_id="M2"),
        "m3": Premises.objects.get(erp_id="M3"),
        "f1": Invoice.objects.get(erp_id="F1"),
        "f2": Invoice.objects.get(erp_id="F2"),
    }


@pytest.fixture
def manager(people):
    """A property manager granted M1 only (K1's other premises M3 is not covered)."""
    return manager_of("M1", password=PASSWORD)


def file_case(actor, **values):
    values.setdefault("kind", "failure")
    values.setdefault("subject", "Cieknie kaloryfer")
    values.setdefault("text", "W łazience cieknie zawór grzejnika.")
    return services.case_file(actor=actor, draft=services.CaseDraft(**values))
