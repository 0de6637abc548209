"""Reads of customer data. Every function takes the acting user and returns only what that actor
may see: ``scope_for`` is the one place that decides it (property-manager grants plug in there)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    BalanceConfirmation,
    Charge,
    Contract,
    Customer,
    Deposit,
    EInvoiceConsent,
    EInvoiceConsentEvent,
    Invoice,
    InvoiceLine,
    LegalTitle,
    ManagerMembership,
    PaymentReceived,
    PeriodTotal,
    Premises,
    PremisesGrant,
    ServicePoint,
    Settlement,
)
from core.access import Role
from core.collation import in_language_order
from identity.models import User
from identity.profile import Section

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Scope:
    """What an actor may see: customers (None = every customer of the tenant) and, within them,
    premises (None = all of those customers' premises)."""

    customer_ids: frozenset[int] | None
    premises_ids: frozenset[int] | None = None

    @property
    def is_empty(self) -> bool:
        return self.customer_ids is not None and not self.customer_ids

    @property
    def covers_whole_customers(self) -> bool:
        return self.premises_ids is None


NOTHING = Scope(customer_ids=frozenset())


Focus = dict  # a manager's chosen {"customer": id} or {"building": id}; None = all it manages


def scope_for(actor: User | None, *, focus: Focus | None = None) -> Scope:
    """What ``actor`` may see, narrowed to ``focus`` (never widened). Worked out once per user
    object and focus (a request's user lives for that request), since every selector of a page
    starts here."""
    key = repr(sorted((focus or {}).items()))
    cache = _cache(actor, "_billing_scopes")
    if key not in cache:
        cache[key] = _focused(unfocused_scope(actor), focus)
    return cache[key]


def _cache(actor: User | None, name: str) -> dict:
    """A per-request memo kept on the user object (a request's user lives for that request);
    an anonymous or missing actor gets a fresh one each time."""
    if actor is None or not actor.is_authenticated:
        return {}
    return actor.__dict__.setdefault(name, {})


def unfocused_scope(actor: User | None) -> Scope:
    """All the actor may see, whatever customer or building it is looking at now (cached on the
    user object like ``scope_for``, so a manager's page works out its grants once)."""
    cache = _cache(actor, "_billing_unfocused_scope")
    if "scope" not in cache:
        cache["scope"] = _scope_for(actor)
    return cache["scope"]


def _focused(scope: Scope, focus: dict | None) -> Scope:
    """A manager's chosen customer or building narrows what it sees (never widens it)."""

    if not focus or scope.premises_ids is None or scope.customer_ids is None:
        return scope  # staff and customers see what they see; only a manager's grants narrow
    if focus.get("customer") in scope.customer_ids:
        premises = set(
            LegalTitle.objects.filter(customer_id=focus["customer"]).values_list(
                "premises_id", flat=True
            )
        )
        return Scope(
            customer_ids=frozenset({focus["customer"]}), premises_ids=scope.premises_ids & premises
        )
    if focus.get("building"):
        premises = set(
            Premises.objects.filter(building_id=focus["building"]).values_list("pk", flat=True)
        )
        narrowed = scope.premises_ids & premises
        customers = set(
            LegalTitle.objects.filter(premises_id__in=narrowed).values_list(
                "customer_id", flat=True
            )
        )
        return Scope(
            customer_ids=frozenset(customers & scope.customer_ids), premises_ids=frozenset(narrowed)
        )
    return scope


def _scope_for(actor: User | None) -> Scope:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return NOTHING
    if getattr(actor, "is_tenant_staff", False):
        return Scope(customer_ids=None)
    if actor.role == Role.CUSTOMER:
        ids = Customer.objects.filter(user=actor).order_by().values_list("pk", flat=True)
        return Scope(customer_ids=frozenset(ids))
    if actor.role == Role.MANAGER:
        return _manager_scope(actor)
    return NOTHING


def active_grants(*, company_id: int | None = None, on: date | None = None):
    """The grants in force on ``on`` (today): of one company, or of every one. The one rule of
    what "in force" means, for the managers' scope and the office's list alike."""

    on = on or timezone.localdate()
    rows = PremisesGrant.objects.filter(revoked_at__isnull=True, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    return rows if company_id is None else rows.filter(company_id=company_id)


def _manager_scope(actor: User) -> Scope:
    """A manager sees the premises its company holds active grants for, and within them the
    customers with a legal title to those premises (and nothing of their other premises)."""

    membership = ManagerMembership.objects.filter(user=actor).first()
    if membership is None:
        return NOTHING
    premises = frozenset(
        active_grants(company_id=membership.company_id).values_list("premises_id", flat=True)
    )
    customers = frozenset(
        LegalTitle.objects.filter(premises_id__in=premises)
        .order_by()
        .values_list("customer_id", flat=True)
    )
    return Scope(customer_ids=customers, premises_ids=premises)


def fully_covered_customer_ids(scope: Scope) -> frozenset[int] | None:
    """Customers all of whose premises the scope covers (None: every customer the scope has)."""

    if scope.premises_ids is None or scope.customer_ids is None:
        return scope.customer_ids
    titles = LegalTitle.objects.filter(customer_id__in=scope.customer_ids).values_list(
        "customer_id", "premises_id"
    )
    uncovered = {customer for customer, premises in titles if premises not in scope.premises_ids}
    return frozenset(scope.customer_ids - uncovered)


def _scoped(
    queryset: QuerySet, scope: Scope, *, premises_field: str | None = "premises_id"
) -> QuerySet:
    if scope.customer_ids is not None:
        queryset = queryset.filter(customer_id__in=scope.customer_ids)
    if scope.premises_ids is not None and premises_field:
        queryset = queryset.filter(**{f"{premises_field}__in": scope.premises_ids})
    return queryset


def customer_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    scope = scope_for(actor, focus=focus)
    rows = Customer.objects.all()
    return rows if scope.customer_ids is None else rows.filter(pk__in=scope.customer_ids)


def premises_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    scope = scope_for(actor, focus=focus)
    rows = Premises.objects.select_related("building")
    if scope.customer_ids is not None:
        rows = rows.filter(legal_titles__customer_id__in=scope.customer_ids).distinct()
    if scope.premises_ids is not None:
        rows = rows.filter(pk__in=scope.premises_ids)
    return rows.order_by(*in_language_order("city", "street"), "building_no", "flat_no", "pk")


def contract_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    scope = scope_for(actor, focus=focus)
    rows = _scoped(Contract.objects.all(), scope, premises_field=None)
    if scope.premises_ids is not None:  # a manager: contracts of the granted premises only
        rows = rows.filter(service_points__premises_id__in=scope.premises_ids).distinct()
    return rows.order_by("-valid_from", "pk")


def charge_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    return _scoped(
        Charge.objects.select_related("premises"), scope_for(actor, focus=focus)
    ).order_by("-period", "-id")


def invoice_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    return _scoped(Invoice.objects.all(), scope_for(actor, focus=focus)).order_by(
        "-issue_date", "-id"
    )


def unpaid_invoices(*, actor: User, focus: Focus | None = None) -> QuerySet:
    """Invoices not paid in full, of what the actor may see."""
    return invoice_list(actor=actor, focus=focus).filter(paid__lt=F("gross"))


def overdue_invoices(*, actor: User, focus: Focus | None = None, today: date | None = None):
    """Unpaid invoices past their due date (today, in the portal's time zone)."""
    today = today or timezone.localdate()
    return unpaid_invoices(actor=actor, focus=focus).filter(due_date__lt=today)


@dataclass(frozen=True)
class InvoicesOverview:
    recent: list[Invoice]  # the latest issued, newest first
    next_due: Invoice | None  # the unpaid invoice due first
    overdue_count: int


def invoices_overview(
    *, actor: User, focus: Focus | None = None, today: date, recent: int = 3
) -> InvoicesOverview:
    """What the dashboard says of invoices, in one statement however many there are: the
    ``recent`` latest, the next one to pay and how many are overdue (window functions over the
    actor's invoices, filtered to the few rows shown)."""
    unpaid = ExpressionWrapper(Q(paid__lt=F("gross")), output_field=BooleanField())
    rows = (
        invoice_list(actor=actor, focus=focus)
        .annotate(
            is_unpaid=unpaid,
            recent_rank=Window(RowNumber(), order_by=[F("issue_date").desc(), F("id").desc()]),
            due_rank=Window(
                RowNumber(), partition_by=[unpaid], order_by=[F("due_date").asc(), F("id").asc()]
            ),
            overdue=Window(Count("id", filter=Q(paid__lt=F("gross"), due_date__lt=today))),
        )
        .filter(Q(recent_rank__lte=recent) | Q(is_unpaid=True, due_rank=1))
        .order_by("recent_rank")
    )
    rows = list(rows)
    return InvoicesOverview(
        recent=[r for r in rows if r.recent_rank <= recent],
        next_due=next((r for r in rows if r.is_unpaid and r.due_rank == 1), None),
        overdue_count=rows[0].overdue if rows else 0,
    )


def einvoice_history(*, customer_id: int, limit: int = 50) -> QuerySet:
    """A customer's e-invoice consent events, newest first (the page and the API alike)."""
    return EInvoiceConsentEvent.objects.filter(customer_id=customer_id)[:limit]


def invoice_get(*, actor: User, focus: Focus | None = None, invoice_id: int) -> Invoice | None:
    return invoice_list(actor=actor, focus=focus).filter(pk=invoice_id).first()


def invoice_xml(
    *, actor: User, focus: Focus | None = None, invoice_id: int
) -> tuple[Invoice, bytes] | None:
    """An invoice the actor may see with its FA(3) XML as KSeF holds it (None: no such invoice
    for the actor, or no XML), in one query."""
    invoice = (
        invoice_list(actor=actor, focus=focus)
        .filter(pk=invoice_id, xml__isnull=False)
        .select_related("xml")
        .first()
    )
    return (invoice, bytes(invoice.xml.content)) if invoice is not None else None


def payment_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    return _scoped(PaymentReceived.objects.all(), scope_for(actor, focus=focus)).order_by(
        "-paid_on", "-id"
    )


def settlement_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    return _scoped(Settlement.objects.all(), scope_for(actor, focus=focus)).order_by(
        "-issued_on", "-id"
    )


def balance_confirmation_list(*, actor: User, focus: Focus | None = None) -> QuerySet:
    """A balance is the whole customer's: only who covers all its premises sees it."""
    scope = scope_for(actor, focus=focus)
    rows = BalanceConfirmation.objects.all()
    covered = fully_covered_customer_ids(scope)
    return rows if covered is None else rows.filter(customer_id__in=covered)


@dataclass(frozen=True)
class Balance:
    charged: Decimal
    paid: Decimal
    # Paid online in the portal and not yet in the ERP's payments (apps above tell, through
    # ``register_pending_credit``): counted at once, shown apart until the ERP confirms it.
    paid_online: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """What is owed: positive = debt, negative = overpayment."""
        return self.charged - self.paid - self.paid_online


# (customer ids the actor sees, or None for every customer) -> money paid but not yet booked.
PendingCredit = Callable[[frozenset[int] | None], Decimal]
_PENDING_CREDITS: list[PendingCredit] = []


def register_pending_credit(source: PendingCredit) -> None:
    """An app above adds money paid through it that the ERP has not booked yet."""
    if source not in _PENDING_CREDITS:
        _PENDING_CREDITS.append(source)


def pending_credit(customer_ids: frozenset[int] | None) -> Decimal:
    """Paid online by these customers (None: by anyone) and not yet booked by the ERP."""
    return sum((credit(customer_ids) for credit in _PENDING_CREDITS), ZERO)


# invoice ids -> those of them an app above knows paid in full though the ERP has not booked it.
PaidOnline = Callable[[list[int]], set[int]]
_PAID_ONLINE: list[PaidOnline] = []


def register_paid_online(source: PaidOnline) -> None:
    """An app above names invoices paid through it that the ERP has not booked yet (they are
    neither offered for payment again, nor shown or reminded of as due)."""
    if source not in _PAID_ONLINE:
        _PAID_ONLINE.append(source)


@dataclass(frozen=True)
class RateTotal:
    rate: str
    label: str
    net: Decimal
    vat: Decimal
    gross: Decimal


def invoice_rate_totals(invoice: Invoice, *, before: bool = False) -> list[RateTotal]:
    """An invoice's totals per VAT rate (the state after a correction, or with ``before`` the
    state it corrects), as the law lists them."""
    labels = dict(InvoiceLine.Rate.choices)
    order = [r.value for r in InvoiceLine.Rate]
    rows = (
        InvoiceLine.objects.filter(invoice=invoice, before=before)
        .values("vat_rate")
        .annotate(net=Sum("net"), vat=Sum("vat"), gross=Sum("gross"))
    )
    return sorted(
        (
            RateTotal(r["vat_rate"], str(labels[r["vat_rate"]]), r["net"], r["vat"], r["gross"])
            for r in rows
        ),
        key=lambda t: order.index(t.rate),
    )


def correction_differences(invoice: Invoice) -> list[RateTotal]:
    """A corrective invoice's difference per rate: after minus before (empty when it has no
    lines of the state before)."""
    before = {t.rate: t for t in invoice_rate_totals(invoice, before=True)}
    if not before:
        return []
    after = {t.rate: t for t in invoice_rate_totals(invoice)}
    out = []
    for rate in [r.value for r in InvoiceLine.Rate]:
        if rate not in before and rate not in after:
            continue
        old, new = before.get(rate), after.get(rate)
        label = (old or new).label  # type: ignore[union-attr]
        out.append(
            RateTotal(
                rate,
                label,
                (new.net if new else ZERO) - (old.net if old else ZERO),
                (new.vat if new else ZERO) - (old.vat if old else ZERO),
                (new.gross if new else ZERO) - (old.gross if old else ZERO),
            )
        )
    return out


def paid_online(invoice_ids: list[int]) -> set[int]:
    """Of ``invoice_ids``, those paid online in full and waiting for the ERP's booking."""
    if not invoice_ids:
        return set()
    return set().union(*(source(invoice_ids) for source in _PAID_ONLINE)) if _PAID_ONLINE else set()


def balance(*, actor: User, focus: Focus | None = None, until: date | None = None) -> Balance:
    """Charges minus payments over everything the actor may see: today's from the monthly
    totals (one query, whatever the history's length, and one per app that reports payments
    not yet booked); a past day's from the charges and payments themselves (two queries)."""
    scope = scope_for(actor, focus=focus)
    if until is None:
        sums = _scoped(PeriodTotal.objects.all(), scope).aggregate(
            all_charged=Coalesce(Sum("charged"), ZERO), all_paid=Coalesce(Sum("paid"), ZERO)
        )
        charged, paid = sums["all_charged"], sums["all_paid"]
    else:
        charges = charge_list(actor=actor, focus=focus).filter(period__lte=until)
        payments = payment_list(actor=actor, focus=focus).filter(paid_on__lte=until)
        charged = charges.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        paid = payments.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    online = ZERO
    if until is None and scope.covers_whole_customers:
        online = pending_credit(scope.customer_ids)
    return Balance(charged=charged, paid=paid, paid_online=online)


def balance_by_month(*, actor: User, focus: Focus | None = None, months: int = 24) -> list[dict]:
    """Charged and paid per month (payments by the month they were made), the latest
    ``months`` months that have either, newest first: one query over the monthly totals."""
    rows = (
        _scoped(PeriodTotal.objects.all(), scope_for(actor, focus=focus))
        .values("period")
        .annotate(month_charged=Sum("charged"), month_paid=Sum("paid"))
        .order_by("-period")[:months]
    )
    return [
        {
            "period": r["period"],
            "charged": r["month_charged"],
            "paid": r["month_paid"],
            "balance": r["month_charged"] - r["month_paid"],
        }
        for r in rows
    ]


def einvoice_consent(
    *, actor: User, focus: Focus | None = None, customer_id: int
) -> EInvoiceConsent | None:
    if not customer_list(actor=actor, focus=focus).filter(pk=customer_id).exists():
        return None
    return EInvoiceConsent.objects.filter(customer_id=customer_id).first() or EInvoiceConsent(
        customer_id=customer_id
    )


def invoice_lines(
    *, actor: User, focus: Focus | None = None, invoice: Invoice
) -> list[tuple[str, Decimal]]:
    """The charges an invoice bills: the customer's (and premises') charges of its month."""
    rows = charge_list(actor=actor, focus=focus).filter(
        customer_id=invoice.customer_id, period=invoice.issue_date.replace(day=1)
    )
    if invoice.premises_id:
        rows = rows.filter(premises_id=invoice.premises_id)
    return list(rows.order_by("component").values_list("component", "amount"))


def deposit_list(*, actor: User, focus: Focus | None = None) -> QuerySet:

    return _scoped(Deposit.objects.all(), scope_for(actor, focus=focus)).order_by(
        "-received_on", "-id"
    )


def service_point_list(*, actor: User, focus: Focus | None = None) -> QuerySet:

    return (
        ServicePoint.objects.filter(premises__in=premises_list(actor=actor, focus=focus))
        .select_related("contract")
        .order_by("code")
    )


def account_sections(user) -> list:
    """The customer records an account holds, as its account page shows them (seed A: symbol,
    membership number and the address on record, field by field)."""

    if user.role != Role.CUSTOMER:
        return []  # a manager's account page is not the list of everyone they manage
    sections = []
    for c in customer_list(actor=user).order_by("symbol"):
        rows = [
            (_("Customer symbol"), c.symbol),
            (_("Name"), c.name),
            (_("Membership number"), c.membership_number),
            (_("Country"), _("Poland") if c.city else ""),
            (_("Postcode"), c.postcode),
            (_("Post office"), c.city),
            (_("Town"), c.city),
            (_("Street"), c.street),
            (_("House number"), c.building_no),
            (_("Flat number"), c.flat_no),
            (_("Individual account number"), c.bank_account),
        ]
        sections.append(Section(title=f"{c.name} ({c.symbol})", rows=[r for r in rows if r[1]]))
    return sections
