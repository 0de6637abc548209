"""The customer matcher of the registration pipeline (registered in BillingConfig.ready).

Proof is matched against the imported records: PESEL (hashed) or NIP, the customer symbol, a
contract number (at least the tenant's minimum status), an invoice number (its customer must have
such a contract), and for the verified self-service flow the name and the premises address. Every
payer record of the same person (same PESEL hash or NIP) is attached to the account.
"""

from __future__ import annotations

import re

from django.db.models import Q

from billing.models import Contract, Customer, Invoice, Premises
from billing.services import customer_account_attach
from identity.errors import IdentityErrorCode
from identity.registration import MatchResult
from tenants.policies import RegistrationSettings

STATUS_ORDER = ["draft", "signed_by_customer", "active"]  # terminated contracts never qualify


def _normal(text: str) -> str:
    return re.sub(r"[^0-9a-ząćęłńóśźż]+", "", text.casefold())


def _contract_ok(contract: Contract, minimum: str) -> bool:
    if contract.status not in STATUS_ORDER:
        return False
    return STATUS_ORDER.index(contract.status) >= STATUS_ORDER.index(minimum)


def match_customer(proof: dict, settings: RegistrationSettings) -> MatchResult:
    customers = Customer.objects.all()
    identified = False
    if proof.get("pesel_hash"):
        customers, identified = customers.filter(pesel_hash=proof["pesel_hash"]), True
    elif proof.get("nip"):
        customers, identified = customers.filter(nip=proof["nip"]), True
    if proof.get("symbol"):
        customers, identified = customers.filter(symbol__iexact=proof["symbol"]), True
    if proof.get("invoice_number"):
        invoice = (
            Invoice.objects.filter(number=proof["invoice_number"])
            .select_related("customer")
            .first()
        )
        if invoice is None:
            return MatchResult()
        customers, identified = customers.filter(pk=invoice.customer_id), True
        contracts = Contract.objects.filter(customer_id=invoice.customer_id)
        if not any(_contract_ok(c, settings.contract_min_status) for c in contracts):
            return MatchResult(refusal=IdentityErrorCode.CONTRACT_NOT_SIGNED)
    if not identified:
        return MatchResult()
    found = list(customers[:5])
    if len(found) != 1 and not proof.get("pesel_hash") and not proof.get("nip"):
        return MatchResult()
    if not found:
        return MatchResult()
    if proof.get("contract_number"):
        contract = Contract.objects.filter(
            number=proof["contract_number"], customer__in=found
        ).first()
        if contract is None:
            return MatchResult()
        if not _contract_ok(contract, settings.contract_min_status):
            return MatchResult(refusal=IdentityErrorCode.CONTRACT_NOT_SIGNED)
    if proof.get("full_name") and not any(
        _normal(c.name) == _normal(proof["full_name"]) for c in found
    ):
        return MatchResult()
    if proof.get("premises_address"):
        typed = _normal(proof["premises_address"])
        premises = Premises.objects.filter(legal_titles__customer__in=found)
        if not any(_normal(f"{p.street}{p.building_no}{p.flat_no}") in typed for p in premises):
            return MatchResult()
    # every payer record of the same person
    person = Q(pk__in=[c.pk for c in found])
    if proof.get("pesel_hash"):
        person |= Q(pesel_hash=proof["pesel_hash"])
    if proof.get("nip"):
        person |= Q(nip=proof["nip"])
    everyone = list(Customer.objects.filter(person).order_by("pk"))
    first = everyone[0]
    return MatchResult(
        customer_ids=tuple(c.pk for c in everyone),
        already_registered=any(c.user_id for c in everyone),
        symbol=first.symbol,
        name=first.name,
    )


def attach_customers(customer_ids: list[int], user) -> None:

    customer_account_attach(customer_ids=customer_ids, user=user)


def owner_email(customer_ids: list[int]) -> str | None:
    """The e-mail of the account that already holds these customers (to tell its owner)."""
    customer = (
        Customer.objects.filter(pk__in=customer_ids, user__isnull=False)
        .select_related("user")
        .first()
    )
    return customer.user.email if customer and customer.user.email else None
