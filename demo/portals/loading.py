"""Loading the demo portals: each tenant from its preset, its accounts and documents, and its
ledger through the ERP import."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from billing.importing import import_text
from billing.models import Customer, Invoice, ManagerCompany, Premises
from billing.services import (
    customer_account_attach,
    grant_create,
    invoice_xml_import,
    manager_company_create,
)
from core.access import Role
from demo.correspondence import load_demo_correspondence
from demo.fa3 import invoice_fa3, offline_kod2
from demo.ledger import demo_files, nip_for, nrb_for
from demo.metering import MeterPlan, metering_files
from demo.notifications import load_demo_sms
from demo.payments import load_demo_payments
from demo.portals.catalogue import (
    DEMO_DOCUMENT_TITLES,
    DEMO_DOCUMENTS,
    DEMO_OPERATOR,
    DEMO_TENANTS,
    LEDGER_ENTITIES,
    DemoTenant,
)
from identity.models import Document, User
from identity.services import document_publish, user_create
from metering.services import window_save
from tenants.models import Tenant
from tenants.policies import AccessibilityDeclaration, Compliance, LocalText
from tenants.presets import preset
from tenants.services import tenant_create

_DAYS = {
    "en": (("pn.", "Mon"), ("wt.", "Tue"), ("pt.", "Fri")),
    "uk": (("pn.", "пн"), ("wt.", "вт"), ("pt.", "пт")),
}


def _hours(polish: str) -> LocalText:
    """Office hours as written in Polish ("pn.–pt. 7:30–15:30"), with the days in English and
    Ukrainian."""
    other = {}
    for language, days in _DAYS.items():
        text = polish
        for pl, day in days:
            text = text.replace(pl, day)
        other[language] = text
    return LocalText(pl=polish, **other)


def demo_config(demo: DemoTenant):
    config = preset(demo.preset, name=demo.name, short_name=demo.short_name)
    branding = dataclasses.replace(
        config.branding,
        primary_colour=demo.primary,
        accent_colour=demo.accent,
        contact_phone=demo.phone,
        contact_email=demo.email,
        contact_address=demo.address,
        office_hours=_hours(demo.hours),
        footer=LocalText(
            pl="Portal demonstracyjny: wszystkie dane są fikcyjne.",
            en="A demo portal: all data are invented.",
            uk="Демонстраційний портал: усі дані вигадані.",
        ),
    )

    seed = sum(map(ord, demo.slug))
    payee = dataclasses.replace(
        config.payee,
        name=demo.name,  # the legal name: it is printed on invoices
        nip=nip_for(random.Random(seed)),  # noqa: S311 - invented demo data
        account=nrb_for("10205561", f"{seed:016d}"),
        address=demo.address,
    )
    # The accessibility declaration a public body publishes (the demo's, prepared at the
    # beginning of the year and reviewed in March, as the law asks).
    accessibility = AccessibilityDeclaration(
        published_on="2024-01-15",
        updated_on="2026-10-01",
        status=Compliance.PARTIAL,
        exceptions=(
            "Część uchwał i sprawozdań z lat 2010–2018 to skany bez warstwy tekstowej; "
            "ich treść udostępniamy na żądanie w innej formie."
        ),
        prepared_on="2025-03-20",
        reviewed_on="2026-03-16",
        contact_person="Koordynator do spraw dostępności",
        contact_email=demo.email,
        contact_phone=demo.phone,
        architecture=(
            f"Biuro obsługi klienta: {demo.address}. Wejście główne z poziomu chodnika, bez "
            "progów; sala obsługi na parterze; przed budynkiem miejsce parkingowe dla osób z "
            "niepełnosprawnościami. Do budynku można wejść z psem asystującym."
        ),
    )
    return dataclasses.replace(
        config, branding=branding, payee=payee, accessibility=accessibility
    ).validate()


def _publish_demo_documents(demo: DemoTenant, config) -> None:
    """The documents the tenant's customers accept, its privacy notice, and the wording of the
    consent to news and offers (which makes the portal ask for it)."""
    kinds = dict.fromkeys(
        [*map(str, config.registration.required_documents), "privacy_notice", "marketing_consent"]
    )
    for kind in kinds:
        if not Document.objects.filter(kind=str(kind)).exists():
            title, body = DEMO_DOCUMENTS[str(kind)]
            document_publish(
                kind=str(kind),
                title=title,
                titles=DEMO_DOCUMENT_TITLES[str(kind)],
                body=body.format(org=demo.name),
            )


def load_demo_tenants(stdout=None, slugs: tuple[str, ...] | None = None) -> list[Tenant]:
    """Create the demo tenants (all, or those in ``slugs``) with their accounts and documents to
    accept; tenants that exist are left as they are."""

    created = []
    if slugs is None:
        # The platform's demo operator (console at the root host; TOTP enrolment at first login).
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            user_create(
                login=DEMO_OPERATOR[0],
                password=DEMO_OPERATOR[1],
                role=Role.OPERATOR,
                email="operator@ebok.example",
                first_name="Olga",
                last_name="Operatorka",
                if_exists="keep",
            )
    for demo in DEMO_TENANTS:
        if slugs is not None and demo.slug not in slugs:
            continue
        tenant = Tenant.objects.filter(slug=demo.slug).first()
        if tenant is None:
            with transaction.atomic():
                tenant = tenant_create(
                    name=demo.name,
                    slug=demo.slug,
                    kind=demo.kind,
                    preset_code=demo.preset,
                    config=demo_config(demo),
                    actor="load_demo",
                )
            created.append(tenant)
        with schema_context(tenant.schema_name):
            _publish_demo_documents(demo, tenant.configuration)
            load_demo_payments(
                slug=demo.slug, number=DEMO_TENANTS.index(demo), config=tenant.configuration
            )
            load_demo_sms(slug=demo.slug, config=tenant.configuration)
            for account in demo.accounts:
                user_create(
                    login=account.login,
                    password=account.password,
                    role=account.user_role,
                    first_name=account.first_name,
                    last_name=account.last_name,
                    email=account.email,
                    customer_symbol=account.customer_symbol,
                    if_exists="keep",
                )
        if stdout:
            stdout.write(f"{demo.slug}: {'created' if tenant in created else 'present'}")
    return created


def load_demo_ledger(slug: str, *, customers: int = 2000, months: int = 24) -> str:
    """Load a demo tenant's billing history through the ERP import and give the demo customer's
    account the first customer's history. Skipped when the tenant already has the customers."""

    demo = next(d for d in DEMO_TENANTS if d.slug == slug)
    tenant = Tenant.objects.get(slug=slug)
    account = next(a for a in demo.accounts if a.role == "customer")
    with tenant_context(tenant):  # the tenant's configuration is read, not only its schema
        if Customer.objects.count() >= customers:
            load_demo_correspondence(config=tenant.configuration, customer_login=account.login)
            return "present"
        files = demo_files(
            profile=demo.ledger,
            customers=customers,
            months=months,
            first=demo.demo_customer,
            seed=sum(map(ord, slug)),
            seller_nip=tenant.configuration.payee.nip,
        )
        for entity in LEDGER_ENTITIES:
            result = import_text(entity, files[entity])
            if entity == "invoices" and not result.errors:  # then the corrections of them
                result = import_text("invoices", files["corrections"])
            if result.errors:
                raise RuntimeError(f"{slug} {entity}: {result.errors[:3]}")
        _demo_einvoices(tenant.configuration.payee)
        user = User.objects.get(username=account.login)
        customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K0").pk], user=user)
        _demo_manager(demo)
        if demo.meters is not None:
            _demo_meters(
                demo, demo.meters, customers=customers, months=months, config=tenant.configuration
            )
        load_demo_correspondence(config=tenant.configuration, customer_login=account.login)
    return "loaded"


def _demo_einvoices(payee) -> None:
    """The ERP sends the demo customer's invoices as KSeF holds them (FA(3) XML): their hashes
    (KOD I) are those of real files, which the customer can download."""
    if not payee.nip:
        return
    invoices = (
        Invoice.objects.filter(customer__erp_id="K0", lines__isnull=False)
        .distinct()
        .select_related("customer", "corrects")
        .prefetch_related("lines")
    )
    for invoice in invoices:
        raw = invoice_fa3(invoice, payee)
        offline = invoice.ksef_mode == Invoice.KsefMode.OFFLINE
        invoice_xml_import(
            raw=raw,
            erp_id=invoice.erp_id,
            seller_nip=payee.nip,
            kod2_url=offline_kod2(raw, payee.nip) if offline else "",
        )


def _demo_meters(demo: DemoTenant, plan: MeterPlan, *, customers: int, months: int, config) -> None:
    """Meters with their history, the demo customer's open reading window (where the tenant
    takes readings in windows) and the next one; a radio meter's leak-like night raises an
    alert through the collector's own file."""
    files = metering_files(
        plan=plan, customers=customers, months=max(months, 25), seed=sum(map(ord, demo.slug))
    )
    for entity in ("meters", "readings", "remote-reads"):
        if files[entity].strip():
            result = import_text(entity, files[entity])
            if result.errors:
                raise RuntimeError(f"{demo.slug} {entity}: {result.errors[:3]}")
    if config.metering.windows_required:
        admin = User.objects.filter(role=Role.TENANT_ADMIN).first()
        today = timezone.localdate()
        for name, opens, closes in (
            (
                "Odczyt wodomierzy – bieżący okres",
                today - timedelta(days=5),
                today + timedelta(days=14),
            ),
            (
                "Odczyt wodomierzy – następny okres",
                today + timedelta(days=180),
                today + timedelta(days=194),
            ),
        ):
            window_save(actor=admin, name=name, opens_on=opens, closes_on=closes)


def _demo_manager(demo: DemoTenant) -> None:
    """The demo manager company: part of customer K1's premises (its flat, not its parking space)
    and all of customer K2's."""

    account = next(a for a in demo.accounts if a.role == "manager")
    if ManagerCompany.objects.exists():
        return
    user = User.objects.get(username=account.login)
    company = manager_company_create(
        name=f"Zarządca Nieruchomości {demo.short_name}",
        nip=nip_for(random.Random(sum(map(ord, demo.slug)) + 1)),  # noqa: S311 - invented demo data
        users=[user],
    )
    premises = list(Premises.objects.filter(erp_id__in=["M1", "M2"]).values_list("pk", flat=True))
    grant_create(
        company=company, premises_ids=premises, valid_from=date(2020, 1, 1), actor="load_demo"
    )
