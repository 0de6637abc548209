"""What an invoice shows, the same on its page, in the API, in its PDF and in the customer's copy
of their data: the lines, the totals per VAT rate, KOD I and KOD II."""

from __future__ import annotations

from billing import ksef, selectors
from billing.models import Charge, InvoiceXml
from billing.pdf import invoice_pdf
from billing.transfer import format_account


def invoice_content(configuration, invoice) -> dict:
    """What the invoice page and its PDF both show (the same figures in both)."""
    payee = configuration.payee
    kod1 = None
    if invoice.xml_sha256 and payee.nip:
        url = ksef.kod1_url(
            seller_nip=payee.nip, issue_date=invoice.issue_date, sha256_hex=invoice.xml_sha256
        )
        kod1 = {"url": url, "label": ksef.kod1_label(invoice)}
    kod2 = None
    if (
        kod1
        and invoice.kod2_url
        and not ksef.kod2_problem(
            invoice.kod2_url, seller_nip=payee.nip, sha256_hex=invoice.xml_sha256
        )
    ):
        kod2 = {"url": invoice.kod2_url, "label": ksef.CERTIFICATE}
    lines = list(invoice.lines.filter(before=False))
    for line in lines:
        line.quantity_shown = _decimal_shown(line.quantity)
        line.unit_net_shown = _decimal_shown(line.unit_net)
    account = invoice.customer.bank_account or payee.account
    return {
        "invoice": invoice,
        "payee": payee,
        "lines": lines,
        "lines_before": list(invoice.lines.filter(before=True)),
        "totals": selectors.invoice_rate_totals(invoice),
        "differences": selectors.correction_differences(invoice),
        "account": format_account(account) if account else "",
        "kod1": kod1,
        "kod2": kod2,
        "to_return": -invoice.gross if invoice.gross < 0 else None,
        "has_xml": bool(invoice.xml_sha256) and InvoiceXml.objects.filter(invoice=invoice).exists(),
    }


def _decimal_shown(value) -> str:
    """A quantity or unit price as written in Polish (no trailing zeros, a decimal comma)."""
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")


def invoice_document(configuration, invoice, lines=None) -> bytes:
    """The invoice's PDF: with ``lines`` (the charges it bills, as the actor may see them), or
    its customer's charges of its month (the owner's own copy)."""
    content = invoice_content(configuration, invoice)
    if lines is None:
        charges = Charge.objects.filter(
            customer_id=invoice.customer_id, period=invoice.issue_date.replace(day=1)
        )
        if invoice.premises_id:
            charges = charges.filter(premises_id=invoice.premises_id)
        lines = list(charges.order_by("component").values_list("component", "amount"))
    return invoice_pdf(
        invoice=invoice,
        customer=invoice.customer,
        lines=lines,
        branding=configuration.branding,
        payee=configuration.payee,
        vat_lines=content["lines"],
        totals=content["totals"],
        kod1=content["kod1"],
        kod2=content["kod2"],
        lines_before=content["lines_before"],
        differences=content["differences"],
    )
