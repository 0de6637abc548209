"""KSeF numbers (structure, date and CRC-8 check digits) and the KOD I verification link, against
the Ministry of Finance's documented examples; invoices import their VAT content and KSeF data."""

import base64
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from billing import ksef
from billing.importing import import_text
from billing.models import Invoice
from billing.tests.conftest import FILES, ledger  # noqa: F401 - the fixture

EXAMPLE = "5265877635-20250826-0100001AF629-AF"  # ksef-docs, faktury/numer-ksef.md


def test_the_documented_number_is_valid_and_its_check_digits_right():
    assert ksef.ksef_number_problem(EXAMPLE) is None
    assert ksef.checksum(EXAMPLE[:32]) == "AF"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (EXAMPLE[:-2] + "AE", "check digits"),  # a wrong check
        ("5265877635-20250826-0100001AF628-AF", "check digits"),  # a character changed
        (EXAMPLE[:-1], "35 characters"),  # too short
        (EXAMPLE + "0", "35 characters"),  # too long
        ("5265877635-20251326-0100001AF629-AF", "date"),  # month 13
        ("5265877635-20250826-0100001af629-AF".replace("A", "Z", 1), "NIP-YYYYMMDD"),
    ],
)
def test_wrong_numbers_are_refused_with_the_reason(value, why):
    assert why in ksef.ksef_number_problem(value)


def test_kod_i_link_matches_the_documented_example(settings):
    # ksef-docs, kody-qr.md: NIP 1111111111, 01-02-2026, hash UtQp9G…WzIE on the test host.
    settings.KSEF_QR_URL = "https://qr-test.ksef.mf.gov.pl"
    digest = base64.urlsafe_b64decode("UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE=").hex()
    assert ksef.kod1_url(
        seller_nip="1111111111", issue_date=date(2026, 2, 1), sha256_hex=digest
    ) == (
        "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/"
        "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
    )


@pytest.mark.django_db
def test_invoices_and_their_lines_import_with_vat_and_ksef_data(tenants):
    connection.set_tenant(tenants.a)
    for entity in ("customers", "premises"):
        assert not import_text(entity, FILES[entity]).errors
    header = (
        "erp_id;number;customer_erp_id;issue_date;sale_date;due_date;gross;buyer_nip;"
        "split_payment;ksef_number;ksef_mode;xml_sha256\n"
    )
    digest = "ab" * 32
    assert not import_text(
        "invoices",
        header
        + f"F1;FV/1/2026;K1;2026-01-31;2026-01-31;2026-02-14;123.00;5260250274;1;{EXAMPLE};online;{digest}\n",
    ).errors
    lines = (
        "erp_id;invoice_erp_id;position;name;unit;quantity;unit_net;vat_rate;net;vat;gross\n"
        "L1;F1;1;Woda;m3;10.000;5.0000;8;50.00;4.00;54.00\n"
        "L2;F1;2;Ścieki;m3;10.000;6.2037;8;62.04;4.96;67.00\n"
        "L3;F1;3;Opłata zwolniona;szt;1;2.0000;zw;2.00;0.00;2.00\n"
    )
    assert not import_text("invoice-lines", lines).errors
    invoice = Invoice.objects.get(erp_id="F1")
    assert (invoice.net, invoice.vat) == (Decimal("114.04"), Decimal("8.96"))
    assert invoice.split_payment is True
    assert invoice.ksef_number == EXAMPLE
    assert invoice.lines.count() == 3
    bad = import_text(
        "invoices",
        header + f"F2;FV/2/2026;K1;2026-01-31;;2026-02-14;1.00;;0;{EXAMPLE[:-2]}00;online;xyz\n",
    )
    assert {e["field"] for e in bad.errors} == {"ksef_number", "xml_sha256"}
    not_adding_up = import_text(
        "invoice-lines",
        "erp_id;invoice_erp_id;position;name;vat_rate;net;vat;gross\nL9;F1;9;X;23;10.00;2.30;12.40\n",
    )
    assert not_adding_up.errors[0]["code"] == "conflict"
    assert invoice.lines.count() == 3


@pytest.mark.django_db
def test_the_invoice_page_shows_lines_totals_per_rate_and_kod_i(ledger, set_config, settings):  # noqa: F811
    from django.test import Client

    from identity.tests.conftest import login

    settings.KSEF_QR_URL = "https://qr-test.ksef.mf.gov.pl"
    set_config(
        modules=["invoices", "charges"],
        payee__nip="5265877635",
        payee__name="Spółdzielnia Mieszkaniowa Alfa",
    )
    digest = base64.urlsafe_b64decode("UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE=").hex()
    Invoice.objects.filter(erp_id="F1").update(ksef_number=EXAMPLE, xml_sha256=digest)
    assert not import_text(
        "invoice-lines",
        "erp_id;invoice_erp_id;position;name;unit;quantity;unit_net;vat_rate;net;vat;gross\n"
        "L1;F1;1;Woda;m3;10;20.0000;8;200.00;16.00;216.00\n"
        "L2;F1;2;Eksploatacja;m2;48.5;2.7835;zw;135.00;0.00;135.00\n",
    ).errors
    client = Client()
    login(client, "alpha.localhost", "L0000001", "RyBa18$05")
    invoice = Invoice.objects.get(erp_id="F1")
    page = client.get(f"/invoices/{invoice.pk}/", HTTP_HOST="alpha.localhost")
    html = page.content.decode()
    assert page.status_code == 200, html[html.find("<title>") : html.find("</title>")]
    for text in ("Spółdzielnia Mieszkaniowa Alfa", "5265877635", "Woda", "Eksploatacja", EXAMPLE):
        assert text in html, text
    assert "216,00" in html
    assert "135,00" in html
    assert (
        'href="https://qr-test.ksef.mf.gov.pl/invoice/5265877635/02-01-2026/'
        'UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"' in html
    )
    assert 'src="data:image/svg+xml' in html
    neighbour = Client()
    login(neighbour, "alpha.localhost", "L0000002", "RyBa18$05")
    assert neighbour.get(f"/invoices/{invoice.pk}/", HTTP_HOST="alpha.localhost").status_code == 404


def _qr_codes(pdf: bytes) -> list[frozenset]:
    """The QR codes drawn on the PDF's first page, each as the set of its dark modules (row,
    column), read back from the squares in the page's content stream."""
    import io
    from collections import defaultdict

    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    squares = defaultdict(list)
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            if abs(w - abs(h)) < 1e-6 and w < 5:  # fpdf2 draws down: a negative height
                squares[round(w, 3)].append((x, y))
    codes = []
    for size, points in squares.items():
        left, top = min(p[0] for p in points), max(p[1] for p in points)
        codes.append(
            frozenset((round((top - y) / size), round((x - left) / size)) for x, y in points)
        )
    return codes


def _expected(payload: str) -> frozenset:
    import segno

    matrix = segno.make(payload, error="m").matrix
    return frozenset((r, c) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark)


@pytest.mark.django_db
def test_the_pdf_is_an_invoice_with_both_qr_codes(ledger, set_config, settings):  # noqa: F811
    import io

    from django.test import Client
    from pypdf import PdfReader

    from billing.transfer import zbp_2d_payload
    from identity.tests.conftest import login

    settings.KSEF_QR_URL = "https://qr-test.ksef.mf.gov.pl"
    set_config(
        modules=["invoices", "charges"],
        payee__nip="5265877635",
        payee__name="Spółdzielnia Mieszkaniowa Alfa",
        payee__account="12" * 13,
    )
    digest = base64.urlsafe_b64decode("UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE=").hex()
    assert not import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;sale_date;due_date;gross;ksef_number;xml_sha256\n"
        f"F9;FV/9/2026;K1;2026-01-02;2026-01-02;2027-01-10;351.00;{EXAMPLE};{digest}\n",
    ).errors
    assert not import_text(
        "invoice-lines",
        "erp_id;invoice_erp_id;position;name;unit;quantity;unit_net;vat_rate;net;vat;gross\n"
        "L1;F9;1;Woda;m3;10;20.0000;8;200.00;16.00;216.00\n"
        "L2;F9;2;Eksploatacja;m2;48.5;2.7835;zw;135.00;0.00;135.00\n",
    ).errors
    invoice = Invoice.objects.get(erp_id="F9")
    client = Client()
    login(client, "alpha.localhost", "L0000001", "RyBa18$05")
    pdf = client.get(f"/invoices/{invoice.pk}/pdf", HTTP_HOST="alpha.localhost").content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for fragment in ("Woda", "Eksploatacja", "Stawka 8%", "216,00", "135,00", "351,00", EXAMPLE):
        assert fragment in text, fragment
    kod1 = (
        "https://qr-test.ksef.mf.gov.pl/invoice/5265877635/02-01-2026/"
        "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
    )
    transfer = zbp_2d_payload(
        nip="5265877635",
        account="12" * 13,
        amount=invoice.outstanding,
        recipient="Spółdzielnia Mieszkaniowa Alfa",
        title="FV/9/2026 L0000001",
    )
    assert set(_qr_codes(pdf)) == {_expected(kod1), _expected(transfer)}
    # the same figures as the page
    page = client.get(f"/invoices/{invoice.pk}/", HTTP_HOST="alpha.localhost").content.decode()
    for fragment in ("216,00", "135,00", "351,00"):
        assert fragment in page


@pytest.mark.django_db
def test_the_api_gives_the_lines_totals_and_kod_i(ledger, set_config, settings):  # noqa: F811
    from django.test import Client

    settings.KSEF_QR_URL = "https://qr-test.ksef.mf.gov.pl"
    set_config(modules=["invoices", "charges"], payee__nip="5265877635")
    digest = "ab" * 32
    Invoice.objects.filter(erp_id="F1").update(ksef_number=EXAMPLE, xml_sha256=digest)
    assert not import_text(
        "invoice-lines",
        "erp_id;invoice_erp_id;position;name;vat_rate;net;vat;gross\nL1;F1;1;Woda;8;100.00;8.00;108.00\n",
    ).errors
    api = Client()
    token = api.post(
        "/api/v1/auth/login",
        {"login": "L0000001", "password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST="alpha.localhost",
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": "alpha.localhost"}
    invoice = Invoice.objects.get(erp_id="F1")
    body = api.get(f"/api/v1/invoices/{invoice.pk}", **auth).json()
    assert body["ksef_number"] == EXAMPLE
    assert body["lines"][0]["name"] == "Woda"
    assert body["totals"] == [{"rate": "8", "net": "100.00", "vat": "8.00", "gross": "108.00"}]
    assert body["kod1_url"].startswith("https://qr-test.ksef.mf.gov.pl/invoice/5265877635/")
    assert body["kod1_label"] == EXAMPLE
    other = Invoice.objects.get(erp_id="F2")  # the neighbour's
    assert api.get(f"/api/v1/invoices/{other.pk}", **auth).status_code == 404


@pytest.mark.django_db
def test_a_corrective_invoice_shows_its_difference(ledger, set_config):  # noqa: F811
    import io

    from django.test import Client
    from pypdf import PdfReader

    from billing import selectors
    from identity.tests.conftest import login

    set_config(modules=["invoices", "charges"])
    assert not import_text(
        "invoices",
        "erp_id;number;kind;customer_erp_id;corrects_erp_id;issue_date;due_date;gross;correction_reason\n"
        "K9;FK/1/2026;correction;K1;F1;2026-02-01;2026-02-15;-54.00;Błędny odczyt\n",
    ).errors
    assert not import_text(
        "invoice-lines",
        "erp_id;invoice_erp_id;position;name;vat_rate;net;vat;gross;before\n"
        "B1;K9;1;Woda;8;150.00;12.00;162.00;1\n"
        "A1;K9;1;Woda;8;100.00;8.00;108.00;0\n",
    ).errors
    correction = Invoice.objects.get(erp_id="K9")
    assert correction.corrects.erp_id == "F1"
    (difference,) = selectors.correction_differences(correction)
    assert (difference.net, difference.vat, difference.gross) == (
        Decimal("-50.00"),
        Decimal("-4.00"),
        Decimal("-54.00"),
    )
    # its net and VAT are the differences, as its gross amount is
    assert (correction.net, correction.vat) == (Decimal("-50.00"), Decimal("-4.00"))
    client = Client()
    login(client, "alpha.localhost", "L0000001", "RyBa18$05")
    page = client.get(f"/invoices/{correction.pk}/", HTTP_HOST="alpha.localhost").content.decode()
    assert "Przed korektą" in page
    assert "Do zwrotu" in page
    pdf = client.get(f"/invoices/{correction.pk}/pdf", HTTP_HOST="alpha.localhost").content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for fragment in ("Przed korektą", "Różnica wynikająca z korekty", "−54,00", "162,00"):
        assert fragment in text, fragment
