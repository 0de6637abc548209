"""An invoice sent as KSeF holds it, the structured invoice FA(3): read safely (no DTD, no
entity, a size limit), checked (its totals add up, it is this organisation's), its content and
lines stored, the XML kept byte for byte for the customer to download."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from billing import fa3
from billing.importing import import_text
from billing.models import Customer, Invoice, InvoiceLine, InvoiceXml
from billing.tests.conftest import FILES, estate, ledger  # noqa: F401 - the fixtures
from identity.services import api_key_create
from identity.tests.conftest import login

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
SELLER = "5265877635"
KSEF = "5265877635-20250826-0100001AF629-AF"  # ksef-docs' example: its NIP is the seller's

ENERGY = [  # (position, name, unit, quantity, unit net, net, rate)
    (1, "Energia czynna", "kWh", "120.5", "0.61234", "73.79", "23"),
    (2, "Opłata dystrybucyjna", "okres", "1", "25.60", "25.60", "23"),
    (3, "Opłata za duplikat", "szt", "1", "5.00", "5.00", "zw"),
]
TOTALS = {"P_13_1": "99.39", "P_14_1": "22.86", "P_13_7": "5.00", "P_15": "127.25"}


def fa3_xml(
    *,
    number="FE/1/2026",
    seller=SELLER,
    lines=ENERGY,
    totals=TOTALS,
    kind="VAT",
    extra_fa="",
    due="2026-03-15",
    prolog="",
    namespace=fa3.NAMESPACE,
    gross_lines=False,
) -> bytes:
    rows = "".join(
        f"<FaWiersz><NrWierszaFa>{p}</NrWierszaFa><P_7>{name}</P_7><P_8A>{unit}</P_8A>"
        f"<P_8B>{qty}</P_8B><P_9A>{price}</P_9A>"
        + (f"<P_11A>{amount}</P_11A>" if gross_lines else f"<P_11>{amount}</P_11>")
        + f"<P_12>{rate}</P_12>{''.join(more)}</FaWiersz>"
        for p, name, unit, qty, price, amount, rate, *more in lines
    )
    sums = "".join(f"<{k}>{v}</{k}>" for k, v in totals.items() if k != "P_15")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<Faktura xmlns="{namespace}">'
        '<Naglowek><KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>'
        "<WariantFormularza>3</WariantFormularza>"
        "<DataWytworzeniaFa>2026-02-01T08:00:00Z</DataWytworzeniaFa></Naglowek>"
        f"<Podmiot1><DaneIdentyfikacyjne><NIP>{seller}</NIP><Nazwa>Energia Beta S.A.</Nazwa>"
        "</DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Prądowa 1</AdresL1>"
        "<AdresL2>00-001 Warszawa</AdresL2></Adres></Podmiot1>"
        "<Podmiot2><DaneIdentyfikacyjne><NIP>5260250274</NIP><Nazwa>Jan Testowy</Nazwa>"
        "</DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Leśna 1 m. 2</AdresL1>"
        "<AdresL2>11-111 Nowe Lipiny</AdresL2></Adres><JST>2</JST><GV>2</GV></Podmiot2>"
        "<Podmiot3><DaneIdentyfikacyjne><BrakID>1</BrakID><Nazwa>Anna Lokatorka</Nazwa>"
        "</DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Leśna 1 m. 3</AdresL1>"
        "</Adres><Rola>2</Rola></Podmiot3>"
        "<Fa><KodWaluty>PLN</KodWaluty><P_1>2026-02-01</P_1>"
        f"<P_2>{number}</P_2><OkresFa><P_6_Od>2026-01-01</P_6_Od><P_6_Do>2026-01-31</P_6_Do>"
        f"</OkresFa>{sums}<P_15>{totals['P_15']}</P_15>"
        "<Adnotacje><P_16>2</P_16><P_17>2</P_17><P_18>2</P_18><P_18A>1</P_18A>"
        "<Zwolnienie><P_19>1</P_19><P_19A>art. 43 ust. 1 pkt 37 ustawy</P_19A></Zwolnienie>"
        "<NoweSrodkiTransportu><P_22N>1</P_22N></NoweSrodkiTransportu><P_23>2</P_23>"
        "<PMarzy><P_PMarzyN>1</P_PMarzyN></PMarzy></Adnotacje>"
        f"<RodzajFaktury>{kind}</RodzajFaktury>{extra_fa}{rows}"
        + (
            f"<Platnosc><TerminPlatnosci><Termin>{due}</Termin></TerminPlatnosci>"
            "<FormaPlatnosci>6</FormaPlatnosci></Platnosc>"
            if due
            else ""
        )
        + "</Fa></Faktura>"
    ).encode()


@pytest.fixture
def erp(ledger, set_config):  # noqa: F811
    set_config(payee__nip=SELLER, modules=["invoices", "charges"])
    return api_key_create(name="ERP")


def _send(client, body, key, *, host=HOST, **params):
    query = "&".join(f"{k}={v}" for k, v in {"erp_id": "X1", **params}.items())
    return client.post(
        f"/api/v1/import/invoice-xml?{query}",
        body,
        content_type="application/xml",
        HTTP_HOST=host,
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )


def test_a_valid_invoice_is_filled_from_its_xml_which_is_kept(client, erp):
    body = fa3_xml()
    sent = _send(client, body, erp, customer="K1", ksef_number=KSEF, ksef_mode="online")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["created"] is True
    assert sent.json()["lines"] == 3
    invoice = Invoice.objects.get(erp_id="X1")
    assert (invoice.number, invoice.kind, invoice.customer.erp_id) == ("FE/1/2026", "invoice", "K1")
    assert (invoice.gross, invoice.net, invoice.vat) == (
        Decimal("127.25"),
        Decimal("104.39"),
        Decimal("22.86"),
    )
    assert str(invoice.sale_date) == "2026-01-31"  # the end of the billing period
    assert str(invoice.due_date) == "2026-03-15"
    assert invoice.buyer_nip == "5260250274"
    assert invoice.buyer_address == "ul. Leśna 1 m. 2, 11-111 Nowe Lipiny"
    assert invoice.recipient_name == "Anna Lokatorka"
    assert invoice.split_payment is True
    assert (invoice.ksef_number, invoice.ksef_mode) == (KSEF, "online")
    assert invoice.xml_sha256 == hashlib.sha256(body).hexdigest()
    assert bytes(InvoiceXml.objects.get(invoice=invoice).content) == body
    lines = list(invoice.lines.order_by("position"))
    # The invoice's VAT at 23 % (22.86) spread over its two lines so that they add up to it.
    assert [(str(x.net), str(x.vat), str(x.gross), x.vat_rate) for x in lines] == [
        ("73.79", "16.97", "90.76", "23"),
        ("25.60", "5.89", "31.49", "23"),
        ("5.00", "0.00", "5.00", "zw"),
    ]
    assert lines[0].unit_net == Decimal("0.61234")
    assert lines[0].quantity == Decimal("120.5")
    # Sent again: the same invoice, the same lines, nothing doubled.
    again = _send(client, body, erp, customer="K1")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 3
    assert Invoice.objects.get(erp_id="X1").ksef_number == KSEF  # not named again: kept


def test_lines_given_gross_are_split_into_net_and_vat(client, erp):
    lines = [(1, "Woda", "m3", "10", "12.30", "123.00", "8")]
    totals = {"P_13_2": "113.89", "P_14_2": "9.11", "P_15": "123.00"}
    sent = _send(client, fa3_xml(lines=lines, totals=totals, gross_lines=True), erp, customer="K1")
    assert sent.status_code == 201, sent.json()
    line = InvoiceLine.objects.get(invoice__erp_id="X1")
    assert (line.net, line.vat, line.gross) == (
        Decimal("113.89"),
        Decimal("9.11"),
        Decimal("123.00"),
    )


def test_an_xml_with_an_external_entity_is_refused_unread(client, erp):
    prolog = '<!DOCTYPE Faktura [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    body = fa3_xml(prolog=prolog).replace(b"Energia czynna", b"&leak;")
    sent = _send(client, body, erp, customer="K1")
    assert sent.status_code == 400
    assert sent.json()["code"] == "xml_forbidden"
    assert "root:" not in sent.content.decode()
    laughs = (
        '<!DOCTYPE Faktura [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    bomb = fa3_xml(prolog=laughs).replace(b"Energia czynna", b"&c;")
    assert _send(client, bomb, erp, customer="K1").json()["code"] == "xml_forbidden"
    assert not Invoice.objects.filter(erp_id="X1").exists()


def test_an_oversized_xml_is_refused_before_it_is_read(client, erp):
    padding = b"<!--" + b"x" * fa3.MAX_XML_BYTES + b"-->"
    body = fa3_xml().replace(b"<Naglowek>", padding + b"<Naglowek>")
    sent = _send(client, body, erp, customer="K1")
    assert sent.status_code == 413
    assert sent.json()["code"] == "too_large"
    assert not Invoice.objects.filter(erp_id="X1").exists()
    # At the limit it is read (and this one is valid).
    fitting = fa3_xml()
    filler = b"<!--" + b"x" * (fa3.MAX_XML_BYTES - len(fitting) - 7) + b"-->"
    fitting = fitting.replace(b"<Naglowek>", filler + b"<Naglowek>")
    assert len(fitting) == fa3.MAX_XML_BYTES
    assert _send(client, fitting, erp, customer="K1").status_code == 201


@pytest.mark.parametrize(
    ("totals", "lines", "reason"),
    [
        ({**TOTALS, "P_15": "127.26"}, ENERGY, "P_15"),  # a grosz too much in the total
        ({**TOTALS, "P_13_1": "99.40", "P_15": "127.26"}, ENERGY, "P_13_1"),  # lines say 99.39
        ({**TOTALS, "P_14_1": "22.89", "P_15": "127.28"}, ENERGY, "23 %"),  # 3 gr, 2 lines
        ({**TOTALS, "P_13_7": "0", "P_15": "122.25"}, ENERGY, "P_13_7"),  # an exempt line unsummed
    ],
)
def test_an_invoice_whose_totals_do_not_add_up_is_refused_with_the_reason(
    client, erp, totals, lines, reason
):
    sent = _send(client, fa3_xml(totals=totals, lines=lines), erp, customer="K1")
    assert sent.status_code == 400
    assert sent.json()["code"] == "totals_mismatch"
    assert reason in sent.json()["detail"]
    assert not Invoice.objects.filter(erp_id="X1").exists()


@pytest.mark.parametrize(
    ("kwargs", "params", "status", "code"),
    [
        ({"seller": "7251801126"}, {}, 400, "seller_mismatch"),  # another seller's invoice
        ({}, {"ksef_number": "7251801126-20250826-0100001AF629-AF"}, 400, "invalid_ksef_number"),
        ({}, {"ksef_number": KSEF[:-2] + "AE"}, 400, "invalid_ksef_number"),
        ({"namespace": "http://crd.gov.pl/wzor/2023/06/29/12648/"}, {}, 400, "not_fa3"),  # FA(2)
        ({"kind": "KOR"}, {}, 400, "invalid_invoice"),  # a correction naming nothing
        ({"lines": [(1, "X", "szt", "1", "1", "1.00", "22")]}, {}, 400, "invalid_invoice"),
        ({"due": ""}, {}, 400, "invalid_invoice"),
        ({}, {"customer": "K9"}, 400, "unknown_reference"),
        ({}, {"customer": ""}, 400, "customer_required"),
        ({}, {"ksef_mode": "sometimes"}, 400, "invalid_parameter"),
    ],
)
def test_what_cannot_be_taken_is_refused_and_changes_nothing(
    client, erp, kwargs, params, status, code
):
    sent = _send(client, fa3_xml(**kwargs), erp, **{"customer": "K1", **params})
    assert (sent.status_code, sent.json()["code"]) == (status, code), sent.json()
    assert sent.json()["detail"]
    assert not Invoice.objects.filter(erp_id="X1").exists()


def test_broken_xml_and_another_tenants_key(client, erp, tenants):
    broken = _send(client, fa3_xml()[:-20], erp, customer="K1")
    assert (broken.status_code, broken.json()["code"]) == (400, "invalid_xml")
    assert _send(client, fa3_xml(), "nope", customer="K1").status_code == 401
    # Tenant A's key at tenant B's address: refused, and B has nothing new.
    assert _send(client, fa3_xml(), erp, host="beta.localhost", customer="K1").status_code == 401
    connection.set_tenant(tenants.b)
    assert not Invoice.objects.filter(erp_id="X1").exists()


def test_the_xml_completes_the_erps_invoice_but_cannot_replace_it(client, erp):
    # F1 (FV/1/2026) came from the invoices file; its XML fills in the rest.
    body = fa3_xml(number="FV/1/2026")
    sent = _send(client, body, erp, erp_id="F1")
    assert sent.status_code == 200, sent.json()
    invoice = Invoice.objects.get(erp_id="F1")
    assert invoice.customer.erp_id == "K1"
    assert invoice.paid == Decimal("350.00")
    assert invoice.lines.count() == 3
    # Another invoice's number under this erp_id: refused.
    other = _send(client, fa3_xml(number="FV/9/2026"), erp, erp_id="F1")
    assert (other.status_code, other.json()["code"]) == (409, "conflict")
    # F2's number on a new invoice: refused.
    taken = _send(client, fa3_xml(number="FV/2/2026"), erp, erp_id="X2", customer="K1")
    assert (taken.status_code, taken.json()["code"]) == (409, "conflict")
    # Once KSeF has accepted it, a different XML is not the same invoice.
    assert _send(client, body, erp, erp_id="F1", ksef_number=KSEF).status_code == 200
    changed = body.replace(b"Energia czynna", b"Energia czynna (zmieniona)")
    swapped = _send(client, changed, erp, erp_id="F1")
    assert (swapped.status_code, swapped.json()["code"]) == (409, "xml_hash_mismatch")
    assert bytes(InvoiceXml.objects.get(invoice=invoice).content) == body


def test_a_dry_run_checks_and_writes_nothing(client, erp):
    sent = _send(client, fa3_xml(), erp, customer="K1", dry_run="1")
    assert sent.status_code == 200
    assert sent.json()["dry_run"] is True
    assert sent.json()["lines"] == 3
    assert sent.json()["invoice"] is None
    assert not Invoice.objects.filter(erp_id="X1").exists()
    assert not InvoiceXml.objects.exists()


def test_a_corrective_invoice_refers_to_the_one_it_corrects_with_the_difference(client, erp):
    assert _send(client, fa3_xml(), erp, customer="K1", ksef_number=KSEF).status_code == 201
    was = "<StanPrzed>1</StanPrzed>"
    before = [(1, "Energia czynna", "kWh", "120.5", "0.61234", "73.79", "23", was)]
    after = [(1, "Energia czynna", "kWh", "98", "0.61234", "60.00", "23")]
    reference = (
        "<PrzyczynaKorekty>Błędny odczyt licznika</PrzyczynaKorekty><TypKorekty>2</TypKorekty>"
        "<DaneFaKorygowanej><DataWystFaKorygowanej>2026-02-01</DataWystFaKorygowanej>"
        f"<NrFaKorygowanej>FE/1/2026</NrFaKorygowanej><NrKSeF>1</NrKSeF>"
        f"<NrKSeFFaKorygowanej>{KSEF}</NrKSeFFaKorygowanej></DaneFaKorygowanej>"
    )
    # 60.00 - 73.79 = -13.79 net; its VAT -3.17; the total -16.96.
    body = fa3_xml(
        number="KOR/1/2026",
        kind="KOR",
        lines=before + after,
        totals={"P_13_1": "-13.79", "P_14_1": "-3.17", "P_15": "-16.96"},
        extra_fa=reference,
    )
    sent = _send(client, body, erp, erp_id="X2", customer="K1")
    assert sent.status_code == 201, sent.json()
    correction = Invoice.objects.get(erp_id="X2")
    assert correction.kind == "correction"
    assert correction.corrects.erp_id == "X1"
    assert correction.correction_reason == "Błędny odczyt licznika"
    assert correction.gross == Decimal("-16.96")
    # Its net and VAT are differences too, as its total due is (FA(3)'s P_13_1, P_14_1, P_15).
    assert (correction.net, correction.vat) == (Decimal("-13.79"), Decimal("-3.17"))
    owner = Client()
    login(owner, HOST, "L0000001", "RyBa18$05")
    page = owner.get(f"/invoices/{correction.pk}/", HTTP_HOST=HOST).content.decode()
    assert "Do zwrotu" in page
    # the amount to return is not shown as a negative one
    assert '<dd class="big-amount">16,96' in page.replace("\xa0", " ")
    assert "Termin płatności" not in page  # nothing for the customer to pay by a date
    import io

    from pypdf import PdfReader

    pdf = owner.get(f"/invoices/{correction.pk}/pdf", HTTP_HOST=HOST).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Do zwrotu" in text
    assert "Do zapłaty" not in text
    from billing.selectors import correction_differences

    [difference] = correction_differences(correction)
    assert (difference.net, difference.vat, difference.gross) == (
        Decimal("-13.79"),
        Decimal("-3.17"),
        Decimal("-16.96"),
    )


# --- the customer's download ------------------------------------------------------------------


@pytest.fixture
def with_xml(client, erp):
    body = fa3_xml(number="FV/1/2026")
    assert _send(Client(), body, erp, erp_id="F1", ksef_number=KSEF).status_code == 200
    return Invoice.objects.get(erp_id="F1"), body


def test_the_owner_downloads_the_xml_from_the_page_and_the_api(with_xml):
    invoice, body = with_xml
    owner = Client()
    login(owner, HOST, "L0000001", "RyBa18$05")
    page = owner.get(f"/invoices/{invoice.pk}/", HTTP_HOST=HOST).content.decode()
    assert f'href="/invoices/{invoice.pk}/xml"' in page
    download = owner.get(f"/invoices/{invoice.pk}/xml", HTTP_HOST=HOST)
    assert download.status_code == 200
    assert download.content == body
    assert download["Content-Type"] == "application/xml"
    assert download["Content-Disposition"] == f'attachment; filename="{KSEF}.xml"'
    assert download["Content-Security-Policy"] == "sandbox"
    detail = owner.get(f"/api/v1/invoices/{invoice.pk}", HTTP_HOST=HOST).json()
    assert detail["xml_url"].endswith(f"/api/v1/invoices/{invoice.pk}/xml")
    assert owner.get(f"/api/v1/invoices/{invoice.pk}/xml", HTTP_HOST=HOST).content == body
    # An invoice without XML has no link and no download.
    plain = Invoice.objects.get(erp_id="F2")
    plain.customer = invoice.customer
    plain.save()
    assert "/xml" not in owner.get(f"/invoices/{plain.pk}/", HTTP_HOST=HOST).content.decode()
    assert owner.get(f"/invoices/{plain.pk}/xml", HTTP_HOST=HOST).status_code == 404
    assert owner.get(f"/api/v1/invoices/{plain.pk}", HTTP_HOST=HOST).json()["xml_url"] is None


def test_nobody_else_downloads_it(with_xml, tenants):
    invoice, body = with_xml
    neighbour = Client()
    login(neighbour, HOST, "L0000002", "RyBa18$05")
    assert neighbour.get(f"/invoices/{invoice.pk}/xml", HTTP_HOST=HOST).status_code == 404
    assert neighbour.get(f"/api/v1/invoices/{invoice.pk}/xml", HTTP_HOST=HOST).status_code == 404
    anonymous = Client()
    assert anonymous.get(f"/invoices/{invoice.pk}/xml", HTTP_HOST=HOST).status_code == 302
    assert anonymous.get(f"/api/v1/invoices/{invoice.pk}/xml", HTTP_HOST=HOST).status_code == 401
    # The owner's session at tenant B, where an invoice with the same id has its own XML.
    connection.set_tenant(tenants.b)
    assert not import_text("customers", FILES["customers"]).errors
    Invoice.objects.create(
        pk=invoice.pk,
        erp_id="F1",
        number="FV/1/2026",
        customer=Customer.objects.get(erp_id="K1"),
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        gross=1,
    )
    InvoiceXml.objects.create(invoice_id=invoice.pk, content=b"<b/>", sha256="0" * 64)
    connection.set_tenant(tenants.a)
    owner = Client()
    login(owner, HOST, "L0000001", "RyBa18$05")
    at_b = owner.get(f"/invoices/{invoice.pk}/xml", HTTP_HOST="beta.localhost")
    assert at_b.status_code == 302
    assert b"<b/>" not in at_b.content
    api_at_b = owner.get(f"/api/v1/invoices/{invoice.pk}/xml", HTTP_HOST="beta.localhost")
    assert api_at_b.status_code == 401
    assert b"<b/>" not in api_at_b.content


def test_a_manager_downloads_only_within_the_grant(estate, set_config, client):  # noqa: F811
    set_config(payee__nip=SELLER, modules=["invoices", "charges"])
    key = api_key_create(name="ERP")
    for erp_id, number in (("F1", "F1"), ("F2", "F2")):  # F1 on M1, F2 on M2 (both K1's)
        assert _send(client, fa3_xml(number=number), key, erp_id=erp_id).status_code == 200
    partial = Client()
    partial.force_login(estate["partial"])  # holds M1 only
    f1, f2 = Invoice.objects.get(erp_id="F1"), Invoice.objects.get(erp_id="F2")
    assert partial.get(f"/invoices/{f1.pk}/xml", HTTP_HOST=HOST).status_code == 200
    assert partial.get(f"/invoices/{f2.pk}/xml", HTTP_HOST=HOST).status_code == 404


# --- an invoice issued offline: KOD II ---------------------------------------------------------


def _kod2(body: bytes, *, nip=SELLER, host="https://qr.ksef.mf.gov.pl") -> str:
    from demo.fa3 import offline_kod2

    return offline_kod2(body, nip).replace("https://qr.ksef.mf.gov.pl", host)


def test_an_offline_invoice_carries_kod_ii_beside_kod_i_on_the_page_and_pdf(client, erp):
    import io

    from pypdf import PdfReader

    from billing.tests.test_ksef import _expected, _qr_codes

    body = fa3_xml()
    kod2 = _kod2(body)
    sent = _send(client, body, erp, customer="K1", ksef_mode="offline", kod2_url=kod2)
    assert sent.status_code == 201, sent.json()
    invoice = Invoice.objects.get(erp_id="X1")
    owner = Client()
    login(owner, HOST, "L0000001", "RyBa18$05")
    page = owner.get(f"/invoices/{invoice.pk}/", HTTP_HOST=HOST).content.decode()
    assert "OFFLINE" in page
    assert "CERTYFIKAT" in page
    assert f'href="{kod2}"' in page
    detail = owner.get(f"/api/v1/invoices/{invoice.pk}", HTTP_HOST=HOST).json()
    assert (detail["kod1_label"], detail["kod2_url"]) == ("OFFLINE", kod2)
    pdf = owner.get(f"/invoices/{invoice.pk}/pdf", HTTP_HOST=HOST).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "OFFLINE" in text
    assert "CERTYFIKAT" in text
    codes = set(_qr_codes(pdf))
    assert _expected(detail["kod1_url"]) in codes
    assert _expected(kod2) in codes


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"nip": "7251801126"}, "innego sprzedawcę"),  # in the tenant's language
        ({"host": "https://qr.example.com"}, "/certificate/"),
        ({"body": b"other"}, "innej faktury"),
    ],
)
def test_a_kod_ii_of_another_seller_host_or_invoice_is_refused(client, erp, change, reason):
    body = fa3_xml()
    kod2 = _kod2(
        change.get("body", body),
        nip=change.get("nip", SELLER),
        host=change.get("host", "https://qr.ksef.mf.gov.pl"),
    )
    sent = _send(client, body, erp, customer="K1", ksef_mode="offline", kod2_url=kod2)
    assert (sent.status_code, sent.json()["code"]) == (400, "invalid_kod2")
    assert reason in sent.json()["detail"]
    assert not Invoice.objects.filter(erp_id="X1").exists()


def test_the_documented_kod_ii_example_has_the_right_form(settings):
    from billing import ksef

    settings.KSEF_QR_URL = "https://qr-test.ksef.mf.gov.pl"
    # ksef-docs, kody-qr.md: context Nip 1111111111, seller 1111111111, certificate
    # 01F20A5D352AE590, the hash of KOD I's example, and its signature.
    example = (
        "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/"
        "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/mSkm_XmM9fq7PgAJwiL32L9ujhyguOEV48cDB0ncemD2r9"
        "TMGa3lr0iRoFk588agCi8QPsOuscUY1rZ7ff76STbGquO-gZtQys5_fHdf2HUfDqPqVTnUS6HknBu0zLkyf9ygoW"
        "7WbH06Ty_8BgQTlOmJFzNWSt9WZa7tAGuAE9JOooNps-KG2PYkkIP4q4jPMp3FKypAygHVnXtS0RDGgOxhhM7LWtF"
        "P7D-dWINbh5yXD8Lr-JVbeOpyQjHa6WmMYavCDQJ3X_Z-iS01LZu2s1B3xuOykl1h0sLObCdADrbxOONsXrvQa61X"
        "t_rxyprVraj2Uf9pANQgR4-12HEcMw"
    )
    digest = "52d429f46a5ce75cbebb7c40a598c88e0929674d63b3e27c29f9523d6f16cc81"
    assert ksef.kod2_problem(example, seller_nip="1111111111", sha256_hex=digest) is None
    assert ksef.kod2_problem(example, seller_nip="5265877635") is not None
    assert ksef.kod2_problem(example.replace("/Nip/", "/Pesel/")) is not None
    assert ksef.kod2_problem(example[:-60]) is None  # a shorter (ECDSA) signature is fine
    assert ksef.kod2_problem(example.rsplit("/", 1)[0]) is not None  # no signature
