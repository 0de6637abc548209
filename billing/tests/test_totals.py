"""The monthly totals the dashboard reads (billing.totals) always equal the sums of the charges
and payments themselves: after an import, a re-import, a row moved to another month or customer,
and two imports of the same months at once."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models.functions import TruncMonth

from billing import selectors, totals
from billing.importing import import_text
from billing.models import Charge, Customer, PaymentReceived, PeriodTotal, Premises
from core.testing import in_thread

pytestmark = pytest.mark.django_db

CHARGES = "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\n"
PAYMENTS = "erp_id;customer_erp_id;premises_erp_id;paid_on;amount\n"


def from_rows() -> dict:
    """(customer, premises, month) -> [charged, paid], summed from the rows themselves."""
    sums: dict = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for c, p, month, amount in Charge.objects.values_list(
        "customer_id", "premises_id", "period", "amount"
    ):
        sums[(c, p, month)][0] += amount
    for c, p, month, amount in PaymentReceived.objects.annotate(
        month=TruncMonth("paid_on")
    ).values_list("customer_id", "premises_id", "month", "amount"):
        sums[(c, p, month)][1] += amount
    return {k: v for k, v in sums.items()}


def stored() -> dict:
    return {
        (t.customer_id, t.premises_id, t.period): [t.charged, t.paid]
        for t in PeriodTotal.objects.all()
    }


def test_totals_follow_imports_moves_and_re_imports(ledger):
    assert stored() == from_rows()
    k1, m1 = Customer.objects.get(erp_id="K1").pk, Premises.objects.get(erp_id="M1").pk
    february = Charge.objects.get(erp_id="C3").period
    before = stored()
    assert before[(k1, m1, february)] == [Decimal("300.00"), Decimal("0.00")]
    assert before[(k1, None, february)] == [Decimal("0.00"), Decimal("100.00")]  # P2: no premises

    # The ERP moves C3 to the other customer and month, and P2 to March: the old months lose them.
    moved = import_text("charges", CHARGES + "C3;K2;M2;Eksploatacja;2026-03-01;300.00;2026-03-10\n")
    assert moved.errors == []
    assert moved.updated == 1
    import_text("payments-received", PAYMENTS + "P2;K1;M1;2026-03-02;100.00\n")
    assert stored() == from_rows()
    owner = ledger["owner"]
    balance = selectors.balance(actor=owner)
    assert (balance.charged, balance.paid) == (Decimal("350.00"), Decimal("450.00"))
    months = {m["period"].month: m for m in selectors.balance_by_month(actor=owner)}
    assert sorted(months) == [1, 3]  # February had only C3 and P2: nothing is left there
    assert (months[3]["charged"], months[3]["paid"]) == (Decimal("0.00"), Decimal("100.00"))

    # Sending the same rows again changes nothing.
    snapshot = stored()
    import_text("charges", CHARGES + "C3;K2;M2;Eksploatacja;2026-03-01;300.00;2026-03-10\n")
    assert stored() == snapshot

    # A repair from scratch gives the same figures.
    PeriodTotal.objects.update(charged=0, paid=0)
    totals.rebuild()
    assert stored() == snapshot


def test_a_month_whose_charges_cancel_out_still_shows(ledger):
    import_text(
        "charges",
        CHARGES
        + "Z1;K1;M1;Korekta;2025-06-01;10.00;2025-06-10\nZ2;K1;M1;Korekta;2025-06-01;-10.00;2025-06-10\n",
    )
    months = {m["period"]: m for m in selectors.balance_by_month(actor=ledger["owner"])}
    june = [m for p, m in months.items() if (p.year, p.month) == (2025, 6)]
    assert june
    assert june[0]["charged"] == Decimal("0.00")
    assert stored() == from_rows()


def test_two_imports_of_the_same_month_at_once_both_count(tenants):
    """A charges and a payments import touch the same (customer, month) in two transactions at
    the same time: the second waits for the first, and the total holds both."""
    tenant = tenants.a

    def setup():
        import_text(
            "customers", "erp_id;symbol;kind;name\nRACE1;RACE0001;individual;Wyścig Totals\n"
        )

    def cleanup():
        Customer.objects.filter(erp_id="RACE1").delete()  # its rows and totals go with it

    in_thread(tenant, setup)
    charged = threading.Event()
    errors: list = []

    def charges():
        def work():
            with transaction.atomic():
                import_text("charges", CHARGES + "RC1;RACE1;;Woda;2026-05-01;70.00;2026-05-10\n")
                charged.set()
                time.sleep(1.0)  # the payments import starts meanwhile and must wait for this

        try:
            in_thread(tenant, work)
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(repr(exc))

    def payments():
        def work():
            assert charged.wait(10)
            import_text("payments-received", PAYMENTS + "RP1;RACE1;;2026-05-07;20.00\n")

        try:
            in_thread(tenant, work)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=charges), threading.Thread(target=payments)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        found = in_thread(
            tenant,
            lambda: list(
                PeriodTotal.objects.filter(customer__erp_id="RACE1").values_list(
                    "period", "charged", "paid"
                )
            ),
        )
        assert len(found) == 1
        assert (found[0][0].month, found[0][1], found[0][2]) == (
            5,
            Decimal("70.00"),
            Decimal("20.00"),
        )
    finally:
        in_thread(tenant, cleanup)


def test_invoices_overview_matches_the_plain_queries(ledger):
    """The dashboard's one-statement overview says what the three plain queries say."""
    from datetime import date

    rows = [
        # erp, issue, due, gross, paid by payment
        ("O1", "2026-03-01", "2026-03-20", "100.00", None),  # overdue on 2026-04-01
        ("O2", "2026-03-05", "2026-03-10", "50.00", "50.00"),  # paid
        ("O3", "2026-03-07", "2026-05-01", "70.00", "20.00"),  # partly paid, not yet due
        ("O4", "2026-03-09", "2026-03-12", "0.00", None),  # nothing to pay
        ("O5", "2026-02-01", "2026-02-15", "30.00", None),  # overdue, due first
    ]
    import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
        + "".join(f"{e};FV/{e};K1;{i};{d};{g}\n" for e, i, d, g, _p in rows),
    )
    import_text(
        "payments-received",
        PAYMENTS.replace("premises_erp_id", "invoice_erp_id")
        + "".join(f"OP{e};K1;{e};2026-03-15;{p}\n" for e, _i, _d, _g, p in rows if p),
    )
    owner = ledger["owner"]
    for today in (date(2026, 1, 1), date(2026, 3, 16), date(2026, 4, 1), date(2027, 1, 1)):
        overview = selectors.invoices_overview(actor=owner, today=today)
        unpaid = selectors.unpaid_invoices(actor=owner)
        assert overview.next_due == unpaid.order_by("due_date", "id").first()
        assert overview.overdue_count == (
            selectors.overdue_invoices(actor=owner, today=today).count()
        )
        assert overview.recent == list(selectors.invoice_list(actor=owner)[:3])
    assert selectors.invoices_overview(actor=ledger["neighbour"], today=date(2027, 1, 1)).recent
    assert selectors.invoices_overview(actor=owner, today=date(2027, 1, 1)).overdue_count == 3
