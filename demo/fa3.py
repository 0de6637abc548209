"""The demo ERP's e-invoices: the structured invoice FA(3) it would have sent to KSeF for an
invoice of the demo ledger, written from the invoice and its lines as the e-BOK holds them, so
the demo customer's invoices can be sent to the e-BOK as KSeF holds them."""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from decimal import Decimal
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings

from billing.fa3 import NAMESPACE, PERCENT, TOTALS
from billing.models import Invoice

CODES = {"23": "23", "8": "8", "5": "5", "0": "0 KR", "zw": "zw", "np": "np I", "oo": "oo"}


def _e(value: object) -> str:
    return escape(str(value))


def _address(line1: str, line2: str) -> str:
    second = f"<AdresL2>{_e(line2)}</AdresL2>" if line2 else ""
    return f"<Adres><KodKraju>PL</KodKraju><AdresL1>{_e(line1)}</AdresL1>{second}</Adres>"


def invoice_fa3(invoice: Invoice, payee) -> bytes:
    """``invoice`` (with its lines) as FA(3) XML, the seller being ``payee``."""
    customer = invoice.customer
    flat = f"/{customer.flat_no}" if customer.flat_no else ""
    buyer_id = f"<NIP>{customer.nip}</NIP>" if customer.nip else "<BrakID>1</BrakID>"
    seller_street, _, seller_city = payee.address.partition(", ")
    lines = list(invoice.lines.all())
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = []
    for line in lines:
        sign = -1 if line.before else 1
        totals[line.vat_rate][0] += sign * line.net
        totals[line.vat_rate][1] += sign * line.vat
        rows.append(
            f"<FaWiersz><NrWierszaFa>{line.position}</NrWierszaFa><P_7>{_e(line.name)}</P_7>"
            + (f"<P_8A>{_e(line.unit)}</P_8A>" if line.unit else "")
            + (f"<P_8B>{line.quantity.normalize():f}</P_8B>" if line.quantity is not None else "")
            + (f"<P_9A>{line.unit_net.normalize():f}</P_9A>" if line.unit_net is not None else "")
            + f"<P_11>{line.net}</P_11><P_11Vat>{line.vat}</P_11Vat>"
            + f"<P_12>{CODES[line.vat_rate]}</P_12>"
            + ("<StanPrzed>1</StanPrzed>" if line.before else "")
            + "</FaWiersz>"
        )
    sums = []
    for rate, (net_fields, vat_field) in TOTALS.items():
        if rate in totals:
            sums.append(f"<{net_fields[0]}>{totals[rate][0]}</{net_fields[0]}>")
            if vat_field and rate in PERCENT:
                sums.append(f"<{vat_field}>{totals[rate][1]}</{vat_field}>")
    correction = ""
    if invoice.kind == Invoice.Kind.CORRECTION and invoice.corrects:
        corrected = invoice.corrects
        ksef = (
            f"<NrKSeF>1</NrKSeF><NrKSeFFaKorygowanej>{corrected.ksef_number}</NrKSeFFaKorygowanej>"
            if corrected.ksef_number
            else "<NrKSeFN>1</NrKSeFN>"
        )
        correction = (
            f"<PrzyczynaKorekty>{_e(invoice.correction_reason)}</PrzyczynaKorekty>"
            "<TypKorekty>2</TypKorekty><DaneFaKorygowanej>"
            f"<DataWystFaKorygowanej>{corrected.issue_date}</DataWystFaKorygowanej>"
            f"<NrFaKorygowanej>{_e(corrected.number)}</NrFaKorygowanej>{ksef}"
            "</DaneFaKorygowanej>"
        )
    account = (
        f"<RachunekBankowy><NrRB>{customer.bank_account}</NrRB></RachunekBankowy>"
        if customer.bank_account
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Faktura xmlns="{NAMESPACE}">'
        '<Naglowek><KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>'
        "<WariantFormularza>3</WariantFormularza>"
        f"<DataWytworzeniaFa>{invoice.issue_date}T08:00:00Z</DataWytworzeniaFa>"
        "<SystemInfo>ebok demo</SystemInfo></Naglowek>"
        f"<Podmiot1><DaneIdentyfikacyjne><NIP>{payee.nip}</NIP><Nazwa>{_e(payee.name)}</Nazwa>"
        f"</DaneIdentyfikacyjne>{_address(seller_street, seller_city)}</Podmiot1>"
        f"<Podmiot2><DaneIdentyfikacyjne>{buyer_id}<Nazwa>{_e(customer.name)}</Nazwa>"
        "</DaneIdentyfikacyjne>"
        + _address(
            f"{customer.street} {customer.building_no}{flat}",
            f"{customer.postcode} {customer.city}",
        )
        + "<JST>2</JST><GV>2</GV></Podmiot2>"
        f"<Fa><KodWaluty>PLN</KodWaluty><P_1>{invoice.issue_date}</P_1>"
        f"<P_2>{_e(invoice.number)}</P_2>"
        + (f"<P_6>{invoice.sale_date}</P_6>" if invoice.sale_date else "")
        + "".join(sums)
        + f"<P_15>{invoice.gross}</P_15>"
        "<Adnotacje><P_16>2</P_16><P_17>2</P_17><P_18>2</P_18>"
        f"<P_18A>{1 if invoice.split_payment else 2}</P_18A>"
        + (
            # Residential letting is exempt (art. 43 ust. 1 pkt 36 of the VAT act).
            "<Zwolnienie><P_19>1</P_19><P_19A>art. 43 ust. 1 pkt 36 ustawy o VAT</P_19A>"
            "</Zwolnienie>"
            if "zw" in totals
            else "<Zwolnienie><P_19N>1</P_19N></Zwolnienie>"
        )
        + "<NoweSrodkiTransportu><P_22N>1</P_22N></NoweSrodkiTransportu><P_23>2</P_23>"
        "<PMarzy><P_PMarzyN>1</P_PMarzyN></PMarzy></Adnotacje>"
        f"<RodzajFaktury>{'KOR' if invoice.kind == Invoice.Kind.CORRECTION else 'VAT'}"
        f"</RodzajFaktury>{correction}{''.join(rows)}"
        f"<Platnosc><TerminPlatnosci><Termin>{invoice.due_date}</Termin></TerminPlatnosci>"
        f"<FormaPlatnosci>6</FormaPlatnosci>{account}</Platnosc></Fa></Faktura>\n"
    ).encode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def offline_kod2(raw: bytes, nip: str) -> str:
    """KOD II of an invoice issued offline, as the demo ERP's issuer would sign it: the link's
    path (without ``https://``) signed by ECDSA P-256 with SHA-256, the signature as r || s
    (IEEE P1363), base64url (ksef-docs, kody-qr.md). The demo's certificate is invented: its key
    is made here, and KSeF would not know it."""
    host = settings.KSEF_QR_URL.removeprefix("https://")
    serial = hashlib.sha256(nip.encode()).hexdigest()[:16].upper()
    path = f"{host}/certificate/Nip/{nip}/{nip}/{serial}/{_b64url(hashlib.sha256(raw).digest())}"
    key = ec.generate_private_key(ec.SECP256R1())
    r, s = decode_dss_signature(key.sign(path.encode(), ec.ECDSA(hashes.SHA256())))
    return f"https://{path}/{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
