"""Billing's panels of the office's customer card (registered in ``BillingConfig.ready``): the
customer's record, the account and what staff may do with it, premises with legal titles and
contracts, money (for staff with ``customers.finance``), the e-invoice consent, the managers
holding grants, and the history of changes. Each reads one customer directly: the card is
staff's, who see every customer; the view checks the permission of each panel."""

from __future__ import annotations

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing import selectors
from billing.models import (
    Customer,
    EInvoiceConsent,
    EInvoiceConsentEvent,
    LegalTitle,
    PremisesGrant,
)
from core.access import Role
from core.portal import CardPanel, register_card_panel
from identity import services as identity_services
from identity.models import AuthEvent, DocumentAcceptance, StaffAccess
from identity.permissions import has_permission

LATEST = 6


def _customer(customer: Customer, actor) -> dict:
    return {"customer": customer}


def _account(customer: Customer, actor) -> dict:
    user = customer.user
    if user is None:
        return {"user": None}
    return {
        "user": user,
        "state": identity_services.account_state(user),
        "blockable": user.role in identity_services.BLOCKABLE_ROLES,
        "can_block": has_permission(actor, "accounts.block"),
        "can_unlock": has_permission(actor, "accounts.unlock"),
        "can_reissue": has_permission(actor, "accounts.create"),
        "can_edit": has_permission(actor, "customers.edit"),
        "address": getattr(user, "correspondence_address", None),
        "accepted": DocumentAcceptance.objects.filter(user=user)
        .select_related("document")
        .order_by("-accepted_at")[:LATEST],
        "other_customers": Customer.objects.filter(user=user).exclude(pk=customer.pk),
    }


def _premises(customer: Customer, actor) -> dict:
    today = timezone.localdate()
    titles = list(
        LegalTitle.objects.filter(customer=customer)
        .select_related("premises")
        .order_by("-valid_from", "pk")
    )
    return {
        "titles": [
            (t, t.valid_from <= today and (t.valid_to is None or t.valid_to >= today))
            for t in titles
        ],
        "contracts": selectors.contract_list(actor=actor)
        .filter(customer=customer)
        .order_by("-valid_from", "pk"),
    }


def _money(customer: Customer, actor) -> dict:
    # Through the actor's scope, like every read of customer data (staff see every customer).
    charges = selectors.charge_list(actor=actor).filter(customer=customer).order_by()
    payments = selectors.payment_list(actor=actor).filter(customer=customer)
    invoices = selectors.invoice_list(actor=actor).filter(customer=customer)
    charged = charges.aggregate(t=Coalesce(Sum("amount"), selectors.ZERO))["t"]
    paid = payments.order_by().aggregate(t=Coalesce(Sum("amount"), selectors.ZERO))["t"]
    online = selectors.pending_credit(frozenset({customer.pk}))
    balance = selectors.Balance(charged=charged, paid=paid, paid_online=online)
    due = list(
        invoices.filter(due_date__lt=timezone.localdate(), paid__lt=F("gross"))
        .order_by()
        .values_list("pk", "gross", "paid")
    )
    online_paid = selectors.paid_online([pk for pk, _gross, _paid in due])
    return {
        "balance": balance,
        "overdue": sum((g - p for pk, g, p in due if pk not in online_paid), selectors.ZERO),
        "invoices": invoices.order_by("-issue_date", "-pk")[:LATEST],
        "payments": payments.order_by("-paid_on", "-pk")[:LATEST],
    }


def _einvoice(customer: Customer, actor) -> dict:
    return {
        "consent": EInvoiceConsent.objects.filter(customer=customer).first(),
        "events": EInvoiceConsentEvent.objects.filter(customer=customer)
        .select_related("actor")
        .order_by("-created_at")[:LATEST],
    }


def _managers(customer: Customer, actor) -> dict | None:
    premises = LegalTitle.objects.filter(customer=customer).values("premises_id")
    grants = list(
        selectors.active_grants()
        .filter(premises_id__in=premises)
        .select_related("company", "premises")
        .order_by("company__name", "premises_id")
    )
    ended = PremisesGrant.objects.filter(premises_id__in=premises).filter(
        Q(revoked_at__isnull=False) | Q(valid_to__lt=timezone.localdate())
    )
    return {"grants": grants, "ended": ended.count()}


def _history(customer: Customer, actor) -> dict:
    events = []
    if customer.user_id:
        events = list(
            AuthEvent.objects.filter(user_id=customer.user_id).order_by("-created_at", "-pk")[:20]
        )
    shown = Q(customer_id=customer.pk)
    if customer.user_id:
        shown |= Q(subject_id=customer.user_id)
    accesses = (
        StaffAccess.objects.filter(shown)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:10]
    )
    return {"events": events, "accesses": accesses}


def register() -> None:
    for panel in (
        CardPanel("customer", _("Customer"), "billing/office/card/customer.html", _customer, 10),
        CardPanel("account", _("Account"), "billing/office/card/account.html", _account, 20),
        CardPanel(
            "premises",
            _("Premises, legal titles and contracts"),
            "billing/office/card/premises.html",
            _premises,
            30,
        ),
        CardPanel(
            "money",
            _("Balance, invoices and payments"),
            "billing/office/card/money.html",
            _money,
            40,
            permission="customers.finance",
        ),
        CardPanel(
            "einvoice",
            _("E-invoice"),
            "billing/office/card/einvoice.html",
            _einvoice,
            50,
            modules=("e_invoice",),
        ),
        CardPanel(
            "managers",
            _("Property managers holding grants"),
            "billing/office/card/managers.html",
            _managers,
            60,
            modules=("property_managers",),
        ),
        CardPanel(
            "history",
            _("History of changes and of staff access"),
            "billing/office/card/history.html",
            _history,
            200,
            # Old and new contact data and other clerks' searches: customer service and admins.
            permission="customers.edit",
        ),
    ):
        register_card_panel(panel)


# The roles of the office that see a customer's card, and those that see its money.
CARD_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.ACCOUNTANT, Role.TECHNICIAN, Role.TENANT_ADMIN})
FINANCE_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.ACCOUNTANT, Role.TENANT_ADMIN})
EDIT_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN})
REPORT_ROLES = frozenset({Role.ACCOUNTANT, Role.TENANT_ADMIN})
