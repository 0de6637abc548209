"""Invoice and balance PDFs, branded per tenant, with the transfer QR code (billing.transfer).

The branded page (header, footer, fonts, QR drawing) is core.pdf.BrandedDocument.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from billing.transfer import format_account, zbp_2d_payload
from core.pdf import BrandedDocument as _Document
from core.templatetags.ebok_format import money as shown_money

# Official documents are in Polish (a document's title follows its kind).
PDF_TITLES = {
    "invoice": "Faktura",
    "correction": "Faktura korygująca",
    "debit_note": "Nota obciążeniowa",
    "interest_note": "Nota odsetkowa",
}


def money(value) -> str:
    """An amount of the invoice, a Polish document, in Polish whoever prints it."""
    with translation.override("pl"):
        return shown_money(value)


def _payment_box(
    doc: _Document,
    *,
    payee,
    account: str,
    amount: Decimal,
    title: str,
    ksef_number: str = "",
    kod1: dict | None = None,
) -> None:
    if (amount <= 0 or not account) and not kod1:
        return
    y = doc.get_y() + 6
    if kod1:
        # KOD I: the copy's verification code, labelled with the KSeF number (or OFFLINE).
        doc.qr(kod1["url"], x=12 if amount <= 0 or not account else 104, y=y, size=40)
        doc.set_xy(12 if amount <= 0 or not account else 96, y + 41)
        doc.set_font("DejaVu", "", 6.5)
        doc.multi_cell(56, 3.2, kod1["label"], align="C")
    if amount <= 0 or not account:
        return
    doc.set_font("DejaVu", "B", 11)
    doc.set_xy(12, y)
    doc.cell(0, 6, "Dane do przelewu")
    doc.set_font("DejaVu", "", 10)
    lines = [
        f"Odbiorca: {payee.name}",
        f"Rachunek: {format_account(account)}",
        f"Kwota: {money(amount)}",
        f"Tytuł: {title}",
    ]
    if ksef_number:
        # The transfer's title has no room for it (art. 108g: a business payer gives it).
        lines.append(f"Numer KSeF: {ksef_number}")
    width = 80 if kod1 else 120
    doc.set_font("DejaVu", "", 9 if kod1 else 10)
    for i, line in enumerate(lines):
        doc.set_xy(12, y + 8 + i * 6)
        doc.cell(width, 6, line)
    payload = zbp_2d_payload(
        nip=payee.nip, account=account, amount=amount, recipient=payee.name, title=title
    )
    doc.qr(payload, x=150, y=y, size=42)
    doc.set_xy(140, y + 43)
    doc.set_font("DejaVu", "", 7)
    doc.multi_cell(62, 3.5, "Zeskanuj kod w aplikacji banku, aby zapłacić.", align="C")


def _buyer(invoice, customer) -> str:
    address = invoice.buyer_address or ", ".join(
        part
        for part in (
            f"{customer.street} {customer.building_no}"
            + (f"/{customer.flat_no}" if customer.flat_no else ""),
            f"{customer.postcode} {customer.city}",
        )
        if part.strip()
    )
    nip = invoice.buyer_nip or customer.nip
    return "; ".join(
        p for p in (invoice.buyer_name or customer.name, address, f"NIP {nip}" if nip else "") if p
    )


def _plain(value) -> str:
    """A quantity or price as written in Polish: no trailing zeros, a decimal comma."""
    return "" if value is None else f"{value.normalize():f}".replace(".", ",")


def _vat_table(doc: _Document, vat_lines, totals) -> None:
    """The lines as a Polish VAT invoice lists them, and the totals per rate."""
    widths = (8, 62, 22, 20, 14, 22, 18, 22)
    heads = ("Lp.", "Nazwa", "Ilość", "Cena netto", "VAT", "Netto", "Kwota VAT", "Brutto")
    doc.set_font("DejaVu", "B", 8)
    for width, head in zip(widths, heads, strict=True):
        doc.cell(width, 6, head, border="B", align="L" if head == "Nazwa" else "R")
    doc.ln(6)
    doc.set_font("DejaVu", "", 8)
    for line in vat_lines:
        quantity = f"{_plain(line.quantity)} {line.unit}".strip()
        price = _plain(line.unit_net)
        cells = (
            str(line.position),
            line.name[:40],
            quantity,
            price,
            line.get_vat_rate_display(),
            money(line.net),
            money(line.vat),
            money(line.gross),
        )
        for width, text in zip(widths, cells, strict=True):
            doc.cell(width, 5.5, text, align="L" if width == 62 else "R")
        doc.ln(5.5)
    doc.ln(2)
    doc.set_font("DejaVu", "B", 8)
    doc.cell(126, 6, "Podsumowanie według stawek VAT", border="T")
    for label in ("Netto", "Kwota VAT", "Brutto"):
        doc.cell(22 if label != "Kwota VAT" else 18, 6, label, border="T", align="R")
    doc.ln(6)
    doc.set_font("DejaVu", "", 8)
    for total in totals:
        doc.cell(126, 5.5, f"Stawka {total.label}")
        doc.cell(22, 5.5, money(total.net), align="R")
        doc.cell(18, 5.5, money(total.vat), align="R")
        doc.cell(22, 5.5, money(total.gross), align="R")
        doc.ln(5.5)


def _before_and_difference(doc: _Document, lines_before, differences) -> None:
    """A corrective invoice: the lines as they were, and the difference per rate."""
    doc.ln(3)
    doc.set_font("DejaVu", "B", 9)
    doc.cell(0, 6, "Przed korektą", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 8)
    for line in lines_before:
        doc.cell(8, 5.5, str(line.position), align="R")
        doc.cell(118, 5.5, line.name[:60])
        doc.cell(22, 5.5, money(line.net), align="R")
        doc.cell(18, 5.5, money(line.vat), align="R")
        doc.cell(22, 5.5, money(line.gross), align="R")
        doc.ln(5.5)
    doc.set_font("DejaVu", "B", 9)
    doc.cell(0, 6, "Różnica wynikająca z korekty", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 8)
    for total in differences:
        doc.cell(126, 5.5, f"Stawka {total.label}")
        doc.cell(22, 5.5, money(total.net), align="R")
        doc.cell(18, 5.5, money(total.vat), align="R")
        doc.cell(22, 5.5, money(total.gross), align="R")
        doc.ln(5.5)


def invoice_pdf(
    *,
    invoice,
    customer,
    lines,
    branding,
    payee,
    vat_lines=(),
    totals=(),
    kod1=None,
    kod2=None,
    lines_before=(),
    differences=(),
) -> bytes:
    title = f"{PDF_TITLES.get(invoice.kind, 'Faktura')} {invoice.number}"
    doc = _Document(branding, title)
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    seller = "; ".join(
        p for p in (payee.name, payee.address, f"NIP {payee.nip}" if payee.nip else "") if p
    )
    recipient = "; ".join(p for p in (invoice.recipient_name, invoice.recipient_address) if p)
    ksef_shown = invoice.ksef_number  # an offline invoice's has no number yet: KOD I says OFFLINE
    details = [
        ("Data wystawienia", invoice.issue_date.strftime("%d.%m.%Y")),
        ("Data sprzedaży", invoice.sale_date.strftime("%d.%m.%Y") if invoice.sale_date else ""),
        ("Termin płatności", invoice.due_date.strftime("%d.%m.%Y") if invoice.gross > 0 else ""),
        ("Sprzedawca", seller),
        ("Nabywca", _buyer(invoice, customer)),
        ("Odbiorca", recipient),
        ("Symbol klienta", customer.symbol),
        ("Numer KSeF", ksef_shown),
        (
            "Koryguje fakturę",
            f"{invoice.corrects.number}"
            + (f" (KSeF {invoice.corrects.ksef_number})" if invoice.corrects.ksef_number else "")
            + (f": {invoice.correction_reason}" if invoice.correction_reason else "")
            if invoice.corrects_id
            else "",
        ),
        ("Uwagi", "mechanizm podzielonej płatności" if invoice.split_payment else ""),
    ]
    for label, value in details:
        if not value:
            continue
        doc.cell(45, 6, f"{label}:")
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    if vat_lines:
        _vat_table(doc, vat_lines, totals)
        if lines_before:
            _before_and_difference(doc, lines_before, differences)
    else:
        doc.set_font("DejaVu", "B", 10)
        doc.cell(130, 7, "Pozycja", border="B")
        doc.cell(0, 7, "Kwota", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "", 10)
        for component, amount in lines:
            doc.cell(130, 6, component)
            doc.cell(0, 6, money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "B", 11)
    doc.cell(130, 8, "Razem brutto", border="T")
    doc.cell(0, 8, money(invoice.gross), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "B", 11)
    if invoice.gross < 0:  # a correction that lowers the amount: the seller owes the difference
        doc.cell(130, 7, "Do zwrotu")
        doc.cell(0, 7, money(-invoice.gross), align="R", new_x="LMARGIN", new_y="NEXT")
    else:
        doc.set_font("DejaVu", "", 10)
        doc.cell(130, 6, "Zapłacono")
        doc.cell(0, 6, money(invoice.paid), align="R", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "B", 11)
        doc.cell(130, 7, "Do zapłaty")
        doc.cell(0, 7, money(invoice.outstanding), align="R", new_x="LMARGIN", new_y="NEXT")
    account = customer.bank_account or payee.account
    _payment_box(
        doc,
        payee=payee,
        account=account,
        amount=invoice.outstanding,
        title=f"{invoice.number} {customer.symbol}",
        ksef_number=invoice.ksef_number if customer.kind == "business" else "",
        kod1=None if kod2 else kod1,
    )
    if kod2:
        _offline_codes(doc, kod1, kod2)
    return bytes(doc.output())


def _offline_codes(doc: _Document, kod1: dict, kod2: dict) -> None:
    """An invoice issued offline carries both codes side by side: KOD I (OFFLINE, or its KSeF
    number once accepted) and KOD II (CERTYFIKAT), the issuer's signed certificate link."""
    y = doc.get_y() + 6
    if y > 230:
        doc.add_page()
        y = doc.get_y()
    for x, code in ((12, kod1), (62, kod2)):
        doc.qr(code["url"], x=x + 4, y=y, size=40)
        doc.set_xy(x - 4, y + 41)
        doc.set_font("DejaVu", "", 6.5)
        doc.multi_cell(56, 3.2, code["label"], align="C")


def balance_pdf(*, customers, balance, months, branding, payee, as_of) -> bytes:
    doc = _Document(branding, "Saldo")
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, f"Saldo na dzień {as_of:%d.%m.%Y}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    for customer in customers:
        doc.cell(0, 6, f"{customer.name} ({customer.symbol})", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font("DejaVu", "B", 10)
    for label in ("Miesiąc", "Naliczono", "Zapłacono"):
        doc.cell(60, 7, label, border="B", align="L" if label == "Miesiąc" else "R")
    doc.ln()
    doc.set_font("DejaVu", "", 10)
    for row in months:
        doc.cell(60, 6, row["period"].strftime("%m.%Y"))
        doc.cell(60, 6, money(row["charged"]), align="R")
        doc.cell(60, 6, money(row["paid"]), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "B", 11)
    doc.cell(120, 8, "Saldo (do zapłaty)" if balance.balance > 0 else "Saldo", border="T")
    doc.cell(60, 8, money(balance.balance), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    if len(customers) == 1:
        account = customers[0].bank_account or payee.account
        _payment_box(
            doc,
            payee=payee,
            account=account,
            amount=balance.balance,
            title=f"Saldo {customers[0].symbol}",
        )
    return bytes(doc.output())
