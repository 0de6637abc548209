"""What billing holds of a person (core.personal_data): the customer record, premises and
contracts, and the accounts the law makes the organisation keep. Declared from
BillingConfig.ready()."""

from datetime import datetime, time

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing import models
from core.personal_data import (
    ACCOUNTING,
    CONSENT_PROOF,
    WHILE_CUSTOMER,
    Basis,
    Category,
    Erasure,
    Holding,
    Mention,
    Retention,
    declare,
    entitle,
    register_addresses,
    register_anonymiser,
    register_customers_of_account,
    register_ended,
    register_files,
)
from identity.models import User

SERVE = _("serving the customer: premises, contracts and charges")
ACCOUNTS = _("keeping the accounts (invoices, payments, balance)")
ERP = _("the organisation's accounting (ERP) system, which sends these records")


def register() -> None:
    def ledger(model, since, customer=("customer",)):
        return Holding(
            model,
            categories=(Category.FINANCIAL,),
            purpose=ACCOUNTS,
            basis=Basis.LEGAL_OBLIGATION,
            retention=ACCOUNTING,
            since=since,
            erasure=Erasure.KEEP,
            customer=customer,
            recipients=(ERP,),
            expires_here=False,
        )

    def held(model, categories, purpose=SERVE, customer=("customer",), **kw):
        kw.setdefault("basis", Basis.CONTRACT)
        kw.setdefault("retention", WHILE_CUSTOMER)
        kw.setdefault("erasure", Erasure.KEEP)
        return Holding(model, categories=categories, purpose=purpose, customer=customer, **kw)

    declare(
        held(
            models.Customer,
            (Category.IDENTIFICATION, Category.CONTACT),
            customer=("id",),
            account=("user",),
            # The record stays for the accounts that name it; what only served contact goes.
            erasure=Erasure.ANONYMISE,
            anonymise=("email", "phone", "refund_account", "user"),
            secret=("pesel_hash", "search"),
            recipients=(ERP,),
        ),
        held(models.LegalTitle, (Category.PROPERTY,), recipients=(ERP,)),
        held(models.Contract, (Category.PROPERTY,), recipients=(ERP,)),
        held(models.ServicePoint, (Category.PROPERTY,), customer=("contract__customer",)),
        held(
            models.EInvoiceConsent,
            (Category.CONSENTS, Category.CONTACT),
            _("sending invoices by e-mail (the customer's consent)"),
            basis=Basis.CONSENT,
            erasure=Erasure.DELETE,
        ),
        held(
            models.EInvoiceConsentEvent,
            (Category.CONSENTS,),
            _("proof of the consent to e-invoices given and withdrawn"),
            basis=Basis.LEGAL_OBLIGATION,
            retention=CONSENT_PROOF,
        ),
        Mention(models.EInvoiceConsentEvent, ("actor",)),
        ledger(models.Charge, "due_date"),
        ledger(models.Invoice, "issue_date"),
        ledger(models.InvoiceLine, "invoice__issue_date", customer=("invoice__customer",)),
        ledger(models.InvoiceXml, "invoice__issue_date", customer=("invoice__customer",)),
        ledger(models.PaymentReceived, "paid_on"),
        ledger(models.Settlement, "issued_on"),
        ledger(models.BalanceConfirmation, "as_of"),
        ledger(models.Deposit, "returned_on"),  # a deposit held is owed: kept until returned
        ledger(models.PeriodTotal, "period"),
        held(models.Contribution, (Category.FINANCIAL,), ACCOUNTS, recipients=(ERP,)),
        Holding(
            models.ManagerApplication,
            categories=(Category.IDENTIFICATION, Category.CONTACT),
            purpose=_("reviewing a property manager's application for access"),
            basis=Basis.CONTRACT,  # steps taken at the applicant's request before access
            retention=Retention(
                "refused_application_1y",
                _("1 year after a refused application; an accepted one while the access lasts"),
                _("art. 5(1)(e) GDPR: storage limitation; art. 6(1)(f): answering a complaint"),
                days=366,
            ),
            since="created_at",
            expires_only={"status": "rejected"},
            erasure=Erasure.ANONYMISE,
            anonymise=("contact_person", "email", "phone"),
            where=_applications_of,
            subjects=(_("contact persons of property managers applying for access"),),
        ),
        Holding(
            models.ManagerMembership,
            categories=(Category.ACCOUNT,),
            purpose=_("a property manager's access to the premises granted to their company"),
            basis=Basis.CONTRACT,
            retention=WHILE_CUSTOMER,
            erasure=Erasure.DELETE,
            account=("user",),
        ),
    )
    register_customers_of_account(_customers_of_account)
    register_files(models.Invoice, _invoice_documents)
    register_anonymiser(models.Customer, _anonymise_customers)
    register_addresses(_customer_addresses)
    register_ended(_customers_erased_before)

    register_files(models.InvoiceXml, _invoice_xml_files)
    entitle(
        {
            models.Customer: _("customer records (name, address, PESEL masked, NIP, contact)"),
            models.LegalTitle: _("legal titles to premises"),
            models.Contract: _("contracts"),
            models.ServicePoint: _("service points"),
            models.EInvoiceConsent: _("consent to e-invoices"),
            models.EInvoiceConsentEvent: _("history of the consent to e-invoices"),
            models.Charge: _("charges"),
            models.Invoice: _("invoices"),
            models.InvoiceLine: _("invoice lines"),
            models.InvoiceXml: _("invoices' KSeF files"),
            models.PaymentReceived: _("payments received"),
            models.Settlement: _("settlements"),
            models.BalanceConfirmation: _("balance confirmations"),
            models.Deposit: _("deposits"),
            models.PeriodTotal: _("monthly totals of charges and payments"),
            models.Contribution: _("contributions"),
            models.ManagerMembership: _("property managers' accounts in their company"),
            models.ManagerApplication: _("property managers' applications for access"),
        }
    )


def _applications_of(customer_ids, account_id):
    """A manager's applications, found by the e-mail address of their account (an application
    is made before there is an account to link it to)."""
    email = User.objects.filter(pk=account_id).values_list("email", flat=True).first()
    return Q(email__iexact=email) if account_id is not None and email else Q(pk__in=[])


def _customers_erased_before(day):
    """Customer records erased before ``day`` (their proofs of consent then run their years)."""
    bound = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    erased = models.Customer.objects.filter(erased_at__lt=bound)
    return [], list(erased.values_list("pk", flat=True))


def _customers_of_account(account_id: int):
    return models.Customer.objects.filter(user_id=account_id).values_list("pk", flat=True)


def _invoice_documents(rows):
    """Each invoice's PDF, as the portal gives it."""
    from billing import shown  # noqa: PLC0415 - loads the import's modules, not ready at declaration

    configuration = connection.tenant.configuration
    for invoice in rows.select_related("customer"):
        name = invoice.number.replace("/", "-").replace("\\", "-")
        yield f"{name}.pdf", shown.invoice_document(configuration, invoice)


def _anonymise_customers(rows) -> int:
    """A person's record stays for the accounts that name it; its contact data and its account
    go, ``erased_at`` keeps the ERP's next file from sending the contact data back, and the ERP
    is told through its feeds (``updated_at``; an active e-invoice consent is recorded as
    withdrawn). A company's record is no person's data: it only loses the link to the account.
    The search documents are built again without what went."""
    from billing import search  # noqa: PLC0415 - loads the import's modules, not ready at declaration

    now = timezone.now()
    ids = list(rows.values_list("pk", flat=True))
    for consent in models.EInvoiceConsent.objects.filter(customer_id__in=ids, active=True):
        models.EInvoiceConsentEvent.objects.create(
            customer_id=consent.customer_id, action=models.EInvoiceConsentEvent.Action.WITHDRAWN
        )
    companies = rows.filter(kind=models.Customer.Kind.BUSINESS)
    companies.update(user=None, updated_at=now)
    count = rows.exclude(kind=models.Customer.Kind.BUSINESS).update(
        email="", phone="", refund_account="", user=None, erased_at=now, updated_at=now
    )
    search.documents_refresh(ids)
    return count


def _customer_addresses(customer_ids, account_id):
    rows = models.Customer.objects.filter(pk__in=customer_ids).values("email", "phone")
    return [value for row in rows for value in row.values()]


def _invoice_xml_files(rows):
    """The KSeF XML of each invoice, as received."""
    for xml in rows.select_related("invoice"):
        name = xml.invoice.number.replace("/", "-").replace("\\", "-")
        yield f"{name}.xml", bytes(xml.content)
