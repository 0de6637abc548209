"""Billing's entities of the ERP import: customers, buildings, premises, legal titles, contracts,
points of supply, charges, invoices, payments received, settlements, deposits, contributions
and balance confirmations."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy

from billing import models, search, totals
from billing.importing.columns import (
    Column,
    EntitySpec,
    Reference,
    area,
    choice,
    day,
    digits,
    email,
    flag,
    line_quantity,
    moment,
    money,
    nip,
    pesel_number,
    postcode,
    price,
    sha256_hex,
    text,
    whole,
)
from billing.importing.engine import register_entity
from billing.ksef import kod2_link, ksef_number
from identity import pesel


def _customer_transform(row: dict) -> dict:
    number = row.pop("pesel", "")
    if number:
        row["pesel_hash"] = pesel.hashed(number)
        row["pesel_masked"] = pesel.masked(number)
    else:
        row["pesel_hash"] = row["pesel_masked"] = ""
    return row


def _search_of_customers(customer_ids: list[int]) -> None:
    search.documents_refresh(customer_ids)


def _search_of_premises(premises_ids: list[int]) -> None:
    search.documents_refresh(
        models.LegalTitle.objects.filter(premises_id__in=premises_ids).values_list(
            "customer_id", flat=True
        )
    )


def _search_of_titles(title_ids: list[int]) -> None:
    search.documents_refresh(
        models.LegalTitle.objects.filter(pk__in=title_ids).values_list("customer_id", flat=True)
    )


def _search_of_moved_titles(rows: list[dict]):
    """A title given to another customer: the one it leaves loses the premises' address."""
    new = {row["erp_id"]: row.get("customer_id") for row in rows}
    left = [
        customer_id
        for erp_id, customer_id in models.LegalTitle.objects.filter(
            erp_id__in=list(new)
        ).values_list("erp_id", "customer_id")
        if new.get(erp_id) != customer_id
    ]
    return (lambda: search.documents_refresh(left)) if left else None


def _invoice_totals(line_ids: list[int]) -> None:
    """An invoice's net and VAT are its lines' (a correction's: after minus before, the
    difference, as its gross amount is)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_invoice AS i SET net = t.net, vat = t.vat
            FROM (SELECT l.invoice_id,
                         SUM(CASE WHEN l.before THEN -l.net ELSE l.net END) AS net,
                         SUM(CASE WHEN l.before THEN -l.vat ELSE l.vat END) AS vat
                  FROM billing_invoiceline l
                  WHERE l.invoice_id IN (
                      SELECT invoice_id FROM billing_invoiceline WHERE id = ANY(%s))
                  GROUP BY l.invoice_id) AS t
            WHERE i.id = t.invoice_id
              AND (i.net, i.vat) IS DISTINCT FROM (t.net, t.vat)
            """,
            [line_ids],
        )


def _first_of_month(row: dict) -> dict:
    row["period"] = row["period"].replace(day=1)
    return row


def _refresh_invoice_paid(payment_ids: list[int]) -> None:
    """Invoices' paid amounts = the sum of the payments allocated to them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_invoice AS i SET paid = COALESCE(p.total, 0)
            FROM (SELECT inv.id, SUM(pay.amount) AS total
                  FROM billing_invoice inv
                  LEFT JOIN billing_paymentreceived pay ON pay.invoice_id = inv.id
                  WHERE inv.id IN (
                      SELECT invoice_id FROM billing_paymentreceived WHERE id = ANY(%s))
                  GROUP BY inv.id) AS p
            WHERE i.id = p.id AND i.paid IS DISTINCT FROM COALESCE(p.total, 0)
            """,
            [payment_ids],
        )


OPTIONAL_TEXT = lambda name, n: Column(name, text(n), required=False)  # noqa: E731

BILLING_ENTITIES: dict[str, EntitySpec] = {
    "customers": EntitySpec(
        "customers",
        models.Customer,
        (
            Column("erp_id", text(64)),
            Column("symbol", text(32)),
            Column("kind", choice("individual", "business")),
            Column("name", text(200)),
            Column("pesel", pesel_number, required=False),
            Column("nip", nip, required=False),
            OPTIONAL_TEXT("street", 120),
            OPTIONAL_TEXT("building_no", 20),
            OPTIONAL_TEXT("flat_no", 20),
            Column("postcode", postcode, required=False),
            OPTIONAL_TEXT("city", 80),
            Column("email", email, required=False),
            OPTIONAL_TEXT("phone", 32),
            OPTIONAL_TEXT("membership_number", 32),
            Column("member_since", day, required=False),
            Column("bank_account", digits(26), required=False),
            OPTIONAL_TEXT("debt_status", 40),
        ),
        transform=_customer_transform,
        after=_search_of_customers,
        kept_erased=("email", "phone"),
        messages={
            "billing_customer_symbol_key": gettext_lazy("This symbol belongs to another customer.")
        },
    ),
    "buildings": EntitySpec(
        "buildings",
        models.Building,
        (
            Column("erp_id", text(64)),
            OPTIONAL_TEXT("estate", 120),
            Column("street", text(120)),
            Column("building_no", text(20)),
            Column("postcode", postcode, required=False),
            Column("city", text(80)),
        ),
    ),
    "premises": EntitySpec(
        "premises",
        models.Premises,
        (
            Column("erp_id", text(64)),
            Column("kind", choice("residential", "commercial", "other", "parking", "land")),
            Column("street", text(120)),
            Column("building_no", text(20)),
            OPTIONAL_TEXT("flat_no", 20),
            Column("postcode", postcode, required=False),
            Column("city", text(80)),
            Column("area", area, required=False),
        ),
        references=(Reference("building_erp_id", models.Building, "building_id", required=False),),
        after=_search_of_premises,
    ),
    "legal-titles": EntitySpec(
        "legal-titles",
        models.LegalTitle,
        (
            Column("erp_id", text(64)),
            OPTIONAL_TEXT("kind", 40),
            Column("valid_from", day),
            Column("valid_to", day, required=False),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id"),
        ),
        after=_search_of_titles,
        before=_search_of_moved_titles,
    ),
    "contracts": EntitySpec(
        "contracts",
        models.Contract,
        (
            Column("erp_id", text(64)),
            Column("number", text(64)),
            Column("kind", choice("water_sewage", "energy", "housing")),
            Column("status", choice("draft", "signed_by_customer", "active", "terminated")),
            Column("signed_on", day, required=False),
            Column("valid_from", day, required=False),
            Column("valid_to", day, required=False),
        ),
        references=(Reference("customer_erp_id", models.Customer, "customer_id"),),
        messages={
            "billing_contract_number_key": gettext_lazy(
                "This contract number belongs to another contract."
            )
        },
    ),
    "service-points": EntitySpec(
        "service-points",
        models.ServicePoint,
        (Column("erp_id", text(64)), Column("code", text(64)), OPTIONAL_TEXT("meter_number", 64)),
        references=(
            Reference("premises_erp_id", models.Premises, "premises_id"),
            Reference("contract_erp_id", models.Contract, "contract_id", required=False),
        ),
    ),
    "charges": EntitySpec(
        "charges",
        models.Charge,
        (
            Column("erp_id", text(64)),
            Column("component", text(120)),
            Column("period", day),
            Column("amount", money),
            Column("due_date", day),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        transform=_first_of_month,
        before=totals.charges_before,
    ),
    "invoices": EntitySpec(
        "invoices",
        models.Invoice,
        (
            Column("erp_id", text(64)),
            Column("number", text(64)),
            Column(
                "kind",
                choice(*models.Invoice.Kind.values),
                required=False,
                default=models.Invoice.Kind.INVOICE,
            ),
            Column("issue_date", day),
            Column("due_date", day),
            Column("gross", money),
            Column("sale_date", day, required=False),
            Column("net", money, required=False),
            Column("vat", money, required=False),
            OPTIONAL_TEXT("buyer_name", 256),
            OPTIONAL_TEXT("buyer_address", 256),
            Column("buyer_nip", nip, required=False),
            OPTIONAL_TEXT("recipient_name", 256),
            OPTIONAL_TEXT("recipient_address", 256),
            OPTIONAL_TEXT("correction_reason", 256),
            Column("split_payment", flag, required=False, default=False),
            Column("ksef_number", ksef_number, required=False),
            Column("ksef_accepted_at", moment, required=False),
            Column("ksef_mode", choice("online", "offline"), required=False),
            Column("xml_sha256", sha256_hex, required=False),
            Column("kod2_url", kod2_link, required=False),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
            # A corrective invoice names the one it corrects (imported before it).
            Reference("corrects_erp_id", models.Invoice, "corrects_id", required=False),
        ),
        messages={
            "billing_invoice_number_key": gettext_lazy(
                "This invoice number belongs to another invoice."
            ),
            "invoice_due_after_issue": gettext_lazy("The due date is before the issue date."),
        },
        # Written by two writer threads while the next batch is read (a correction naming an
        # invoice a batch before it waits for that batch: see the engine's _resolve_references).
        parallel=True,
    ),
    "invoice-lines": EntitySpec(
        "invoice-lines",
        models.InvoiceLine,
        (
            Column("erp_id", text(64)),
            Column("position", whole(1, 9999)),
            Column("name", text(256)),
            OPTIONAL_TEXT("unit", 20),
            Column("quantity", line_quantity, required=False),
            Column("unit_net", price, required=False),
            Column("vat_rate", choice(*models.InvoiceLine.Rate.values)),
            Column("net", money),
            Column("vat", money),
            Column("gross", money),
            Column("before", flag, required=False, default=False),
        ),
        references=(Reference("invoice_erp_id", models.Invoice, "invoice_id"),),
        after=_invoice_totals,
        messages={
            "invoice_line_adds_up": gettext_lazy("The gross amount is not the net plus the VAT.")
        },
    ),
    "payments-received": EntitySpec(
        "payments-received",
        models.PaymentReceived,
        (
            Column("erp_id", text(64)),
            Column("paid_on", day),
            Column("amount", money),
            OPTIONAL_TEXT("title", 200),
            # The payment gateway's transaction id of a payment made online in the portal: the
            # portal stops counting it as "paid online, not yet booked" once the ERP has it.
            OPTIONAL_TEXT("online_transaction_id", 64),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
            Reference("invoice_erp_id", models.Invoice, "invoice_id", required=False),
        ),
        after=_refresh_invoice_paid,
        before=totals.payments_before,
        messages={"payment_amount_positive": gettext_lazy("A payment must be more than zero.")},
    ),
    "settlements": EntitySpec(
        "settlements",
        models.Settlement,
        (
            Column("erp_id", text(64)),
            Column("kind", text(80)),
            Column("period_from", day),
            Column("period_to", day),
            Column("amount", money),
            Column("issued_on", day),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        messages={"settlement_period_valid": gettext_lazy("The period ends before it starts.")},
    ),
    "deposits": EntitySpec(
        "deposits",
        models.Deposit,
        (
            Column("erp_id", text(64)),
            Column("kind", text(80)),
            Column("amount", money),
            Column("received_on", day),
            Column("returned_on", day, required=False),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        messages={
            "deposit_amount_positive": gettext_lazy("A deposit must be more than zero."),
            "deposit_returned_after_received": gettext_lazy(
                "A deposit is returned after it is received."
            ),
        },
    ),
    "contributions": EntitySpec(
        "contributions",
        models.Contribution,
        (
            Column("erp_id", text(64)),
            Column("kind", text(80)),
            Column("amount", money),
            Column("paid", money),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
    ),
    "balance-confirmations": EntitySpec(
        "balance-confirmations",
        models.BalanceConfirmation,
        (Column("erp_id", text(64)), Column("as_of", day), Column("amount", money)),
        references=(Reference("customer_erp_id", models.Customer, "customer_id"),),
    ),
}


LABELS = {
    "customers": gettext_lazy("Customers"),
    "buildings": gettext_lazy("Buildings"),
    "premises": gettext_lazy("Premises"),
    "legal-titles": gettext_lazy("Legal titles to premises"),
    "invoice-lines": gettext_lazy("Lines of invoices"),
    "contracts": gettext_lazy("Contracts"),
    "service-points": gettext_lazy("Points of supply"),
    "charges": gettext_lazy("Charges"),
    "invoices": gettext_lazy("Invoices"),
    "payments-received": gettext_lazy("Payments received"),
    "settlements": gettext_lazy("Settlements"),
    "deposits": gettext_lazy("Deposits"),
    "contributions": gettext_lazy("Contributions"),
    "balance-confirmations": gettext_lazy("Balance confirmations"),
}

for _name, _spec in BILLING_ENTITIES.items():
    register_entity(_name, _spec, LABELS[_name])
