"""Invoice and balance PDFs, branded per tenant, with the transfer QR code (billing.transfer).

The branded page (header, footer, fonts, QR drawing) is core.pdf.BrandedDocument.
"""

from __future__ import annotations

from decimal import Decimal

from billing.transfer import format_account, zbp_2d_payload
from core.pdf import BrandedDocument as _Document
from core.templatetags.ebok_format import money

# Official documents are in Polish (a document's title follows its kind).
PDF_TITLES = {
    "invoice": "Faktura",
    "correction": "Faktura korygująca",
    "debit_note": "Nota obciążeniowa",
    "interest_note": "Nota odsetkowa",
}


def _payment_box(doc: _Document, *, payee, account: str, amount: Decimal, title: str) -> None:
    if amount <= 0 or not account:
        return
    y = doc.get_y() + 6
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
    for i, line in enumerate(lines):
        doc.set_xy(12, y + 8 + i * 6)
        doc.cell(120, 6, line)
    payload = zbp_2d_payload(
        nip=payee.nip, account=account, amount=amount, recipient=payee.name, title=title
    )
    doc.qr(payload, x=150, y=y, size=42)
    doc.set_xy(140, y + 43)
    doc.set_font("DejaVu", "", 7)
    doc.multi_cell(62, 3.5, "Zeskanuj kod w aplikacji banku, aby zapłacić.", align="C")


def invoice_pdf(*, invoice, customer, lines, branding, payee) -> bytes:
    title = f"{PDF_TITLES.get(invoice.kind, 'Faktura')} {invoice.number}"
    doc = _Document(branding, title)
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    for label, value in (
        ("Data wystawienia", invoice.issue_date.strftime("%d.%m.%Y")),
        ("Termin płatności", invoice.due_date.strftime("%d.%m.%Y")),
        ("Nabywca", customer.name),
        ("Symbol klienta", customer.symbol),
    ):
        doc.cell(45, 6, f"{label}:")
        doc.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    if payee.name:
        doc.cell(45, 6, "Sprzedawca:")
        doc.cell(
            0,
            6,
            f"{payee.name}{', NIP ' + payee.nip if payee.nip else ''}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.ln(4)
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
    )
    return bytes(doc.output())


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
