"""Invoice and balance PDFs, branded per tenant, with the transfer QR code (billing.transfer).

fpdf2 writes the PDF; the font is DejaVu Sans from Debian's fonts-dejavu-core (Polish letters);
the QR code is drawn from segno's module matrix as vector squares, so no image library is needed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import segno
from fpdf import FPDF

from billing.transfer import format_account, zbp_2d_payload
from ebok.templatetags.ebok_format import money

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font(name: str) -> str:
    for folder in FONT_DIRS:
        path = folder / name
        if path.exists():
            return str(path)
    raise FileNotFoundError(f"{name} (install Debian's fonts-dejavu-core)")


def _hex(colour: str) -> tuple[int, int, int]:
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class _Document(FPDF):
    def __init__(self, branding, title: str):
        super().__init__(format="A4")
        self.branding = branding
        self.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(branding.portal_name)
        self.set_auto_page_break(auto=True, margin=20)
        self.add_page()

    def header(self) -> None:
        r, g, b = _hex(self.branding.primary_colour)
        self.set_fill_color(r, g, b)
        self.rect(0, 0, 210, 22, style="F")
        from ebok.colours import readable_text_on

        self.set_text_color(*_hex(readable_text_on(self.branding.primary_colour)))
        self.set_font("DejaVu", "B", 14)
        self.set_xy(12, 7)
        self.cell(0, 8, self.branding.portal_name)
        self.set_text_color(0, 0, 0)
        self.set_y(30)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(80, 80, 80)
        parts = [
            self.branding.short_name,
            self.branding.contact_address,
            self.branding.contact_phone,
            self.branding.contact_email,
        ]
        self.cell(0, 5, " · ".join(p for p in parts if p), align="C")

    def qr(self, payload: str, x: float, y: float, size: float) -> None:
        code = segno.make(payload, error="m")
        matrix = list(code.matrix)
        cell = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for row, line in enumerate(matrix):
            for col, dark in enumerate(line):
                if dark:
                    self.rect(x + col * cell, y + row * cell, cell, cell, style="F")


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
    doc = _Document(branding, f"Faktura {invoice.number}")
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, f"Faktura {invoice.number}", new_x="LMARGIN", new_y="NEXT")
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
