"""The five demo portals as data: organisations, their accounts, documents and ledger profiles."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.access import Role
from demo.ledger import LedgerProfile
from demo.metering import MeterPlan
from tenants.models import Tenant

# The README's role column -> the account's role in the platform.
USER_ROLE = {
    "customer": Role.CUSTOMER,
    "staff": Role.CUSTOMER_SERVICE,
    "admin": Role.TENANT_ADMIN,
    "manager": Role.MANAGER,
}


@dataclass(frozen=True)
class DemoAccount:
    role: str  # as the README lists it: customer, staff, admin (later manager)
    login: str
    password: str
    first_name: str
    last_name: str
    email: str
    customer_symbol: str = ""  # where the tenant's customers log in by symbol

    @property
    def user_role(self) -> str:
        return USER_ROLE[self.role]


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    preset: str
    kind: str
    name: str
    short_name: str
    primary: str
    accent: str
    phone: str
    email: str
    address: str
    hours: str
    accounts: tuple[DemoAccount, ...]
    ledger: LedgerProfile
    demo_customer: tuple[str, str]  # (name, symbol) of the customer whose history the demo shows
    meters: MeterPlan | None = None  # the meters on its premises, where it shows meters


DEMO_TENANTS: tuple[DemoTenant, ...] = (
    DemoTenant(
        slug="jezioro",
        preset="A",
        kind=Tenant.Kind.HOUSING_COOPERATIVE,
        name="Spółdzielnia Mieszkaniowa „Jezioro”",
        short_name="SM Jezioro",
        primary="#1d5c8c",
        accent="#f2b705",
        phone="+48 89 500 10 20",
        email="bok@jezioro.example",
        address="ul. Trzcinowa 4, 11-001 Nowe Lipiny",
        hours="pn.–pt. 7:30–15:30",
        accounts=(
            DemoAccount(
                "customer",
                "L0000123",
                "JeZi42#ro",
                "Marianna",
                "Trzcińska",
                "marianna.trzcinska@example.com",
                "L0000123",
            ),
            DemoAccount(
                "staff", "obsluga", "JeZi42#ro", "Tomasz", "Biurowy", "obsluga@jezioro.example"
            ),
            DemoAccount(
                "admin", "admin", "JeZi42#ro", "Ada", "Administratorka", "admin@jezioro.example"
            ),
            DemoAccount(
                "manager",
                "zarzadca",
                "JeZi42#ro",
                "Zofia",
                "Zarządczyni",
                "zarzadca@jezioro.example",
            ),
        ),
        ledger=LedgerProfile(
            contract_kind="housing",
            components=(
                ("Eksploatacja", Decimal("210.00")),
                ("Fundusz remontowy", Decimal("95.00")),
                ("Woda i ścieki", Decimal("88.40")),
            ),
            vat_rates=("zw", "zw", "8"),  # a cooperative's rent items are exempt
            symbol_format="L{:07d}",
            point_format="WOD/J/{:06d}",
            city="Nowe Lipiny",
            postcode="11-001",
            members=True,
            title_kind="spółdzielcze własnościowe prawo",
        ),
        demo_customer=("Marianna Trzcińska", "L0000123"),
        meters=MeterPlan(
            kinds=(("cold_water", "1", 0.12), ("hot_water", "1", 0.06)), allocators=True
        ),
    ),
    DemoTenant(
        slug="kopernik",
        preset="B",
        kind=Tenant.Kind.HOUSING_COOPERATIVE,
        name="Spółdzielnia Mieszkaniowa „Kopernik”",
        short_name="SM Kopernik",
        primary="#7a1f3d",
        accent="#e0a526",
        phone="+48 56 600 20 30",
        email="ebok@kopernik.example",
        address="al. Gwiezdna 10b, 87-001 Toruńsko",
        hours="pn. 8:00–17:00, wt.–pt. 7:00–15:00",
        accounts=(
            DemoAccount(
                "customer",
                "100123",
                "Kop3rnik!",
                "Zenon",
                "Gwiazdowski",
                "zenon.gwiazdowski@example.com",
                "100123",
            ),
            DemoAccount(
                "staff", "obsluga", "Kop3rnik!", "Halina", "Księgowa", "obsluga@kopernik.example"
            ),
            DemoAccount(
                "admin", "admin", "Kop3rnik!", "Ada", "Administratorka", "admin@kopernik.example"
            ),
            DemoAccount(
                "manager",
                "zarzadca",
                "Kop3rnik!",
                "Zofia",
                "Zarządczyni",
                "zarzadca@kopernik.example",
            ),
        ),
        ledger=LedgerProfile(
            contract_kind="housing",
            components=(
                ("Opłata eksploatacyjna", Decimal("240.00")),
                ("Centralne ogrzewanie", Decimal("180.00")),
            ),
            vat_rates=("zw", "8"),
            symbol_format="{:06d}",
            point_format="WOD/K/{:06d}",
            city="Toruńsko",
            postcode="87-001",
            members=True,
            title_kind="spółdzielcze własnościowe prawo",
        ),
        demo_customer=("Zenon Gwiazdowski", "100123"),
    ),
    DemoTenant(
        slug="iskra",
        preset="C",
        kind=Tenant.Kind.ENERGY_SELLER,
        name="Iskra Energia Sp. z o.o.",
        short_name="Iskra",
        primary="#0b6e4f",
        accent="#f5c400",
        phone="+48 22 700 30 40",
        email="mojbok@iskra.example",
        address="ul. Prądowa 1, 00-901 Warszawka",
        hours="pn.–pt. 8:00–18:00",
        accounts=(
            DemoAccount(
                "customer",
                "anna.wisniewska",
                "Iskra2026",
                "Anna",
                "Wiśniewska",
                "anna.wisniewska@example.com",
            ),
            DemoAccount(
                "staff", "obsluga", "Iskra2026", "Piotr", "Napięcie", "obsluga@iskra.example"
            ),
            DemoAccount(
                "admin", "admin", "Iskra2026", "Ada", "Administratorka", "admin@iskra.example"
            ),
            DemoAccount(
                "manager", "zarzadca", "Iskra2026", "Zofia", "Zarządczyni", "zarzadca@iskra.example"
            ),
        ),
        ledger=LedgerProfile(
            contract_kind="energy",
            components=(
                ("Energia czynna", Decimal("96.30")),
                ("Opłata dystrybucyjna", Decimal("61.20")),
            ),
            vat_rates=("23", "23"),
            symbol_format="K{:07d}",
            point_format="PL0037{:012d}",
            seasonal=0.3,
            city="Warszawka",
            postcode="00-901",
            due_day=20,
        ),
        demo_customer=("Anna Wiśniewska", "K0000001"),
        meters=MeterPlan(kinds=(("electricity", "1", 5.5),), two_zone_every=2),
    ),
    DemoTenant(
        slug="dabrowa",
        preset="D",
        kind=Tenant.Kind.HOUSING_COOPERATIVE,
        name="Spółdzielnia Mieszkaniowa w Dąbrowie Leśnej",
        short_name="SM Dąbrowa",
        primary="#3b4f8f",
        accent="#d97706",
        phone="+48 77 800 40 50",
        email="iok@dabrowa.example",
        address="ul. Dębowa 1A, 48-201 Dąbrowa Leśna",
        hours="pn.–pt. 7:00–15:00",
        accounts=(
            DemoAccount(
                "customer",
                "D0001234",
                "Dabrowa7",
                "Krystyna",
                "Dębowska",
                "krystyna.debowska@example.com",
            ),
            DemoAccount(
                "staff", "obsluga", "Dabrowa7", "Jerzy", "Leśniewski", "obsluga@dabrowa.example"
            ),
            DemoAccount(
                "admin", "admin", "Dabrowa7", "Ada", "Administratorka", "admin@dabrowa.example"
            ),
            DemoAccount(
                "manager",
                "zarzadca",
                "Dabrowa7",
                "Zofia",
                "Zarządczyni",
                "zarzadca@dabrowa.example",
            ),
        ),
        ledger=LedgerProfile(
            contract_kind="housing",
            components=(
                ("Eksploatacja", Decimal("190.00")),
                ("Fundusz remontowy", Decimal("80.00")),
            ),
            vat_rates=("zw", "zw"),
            symbol_format="D{:07d}",
            point_format="WOD/D/{:06d}",
            city="Dąbrowa Leśna",
            postcode="48-201",
            members=True,
            title_kind="spółdzielcze własnościowe prawo",
        ),
        demo_customer=("Krystyna Dębowska", "D0001234"),
        meters=MeterPlan(kinds=(("cold_water", "1", 0.11), ("hot_water", "1", 0.05))),
    ),
    DemoTenant(
        slug="zdroj",
        preset="E",
        kind=Tenant.Kind.WATER_UTILITY,
        name="Wodociągi Zdrój Sp. z o.o.",
        short_name="Wodociągi Zdrój",
        primary="#005b96",
        accent="#27a9e1",
        phone="+48 71 900 50 60",
        email="ebok@zdroj.example",
        address="ul. Źródlana 7, 50-999 Zdrój",
        hours="pn.–pt. 7:00–19:00",
        accounts=(
            DemoAccount(
                "customer",
                "klient.zdroj",
                "Zdroj2026x",
                "Wiesław",
                "Kranik",
                "wieslaw.kranik@example.com",
            ),
            DemoAccount(
                "staff", "obsluga", "Zdroj2026x", "Ewa", "Źródlana", "obsluga@zdroj.example"
            ),
            DemoAccount(
                "admin", "admin", "Zdroj2026x", "Ada", "Administratorka", "admin@zdroj.example"
            ),
            DemoAccount(
                "manager",
                "zarzadca",
                "Zdroj2026x",
                "Zofia",
                "Zarządczyni",
                "zarzadca@zdroj.example",
            ),
        ),
        ledger=LedgerProfile(
            contract_kind="water_sewage",
            components=(("Woda", Decimal("62.10")), ("Ścieki", Decimal("71.90"))),
            vat_rates=("8", "8"),
            symbol_format="W{:07d}",
            point_format="PW/{:06d}",
            seasonal=0.15,
            city="Zdrój",
            postcode="50-999",
            due_day=20,
        ),
        demo_customer=("Wiesław Kranik", "W0000001"),
        meters=MeterPlan(kinds=(("cold_water", "1", 0.35),), remote_leak=True),
    ),
)


DEMO_DOCUMENTS = {
    "regulations": (
        "Regulamin korzystania z portalu",
        "§ 1. Portal służy do obsługi klientów {org} przez Internet.\n"
        "§ 2. Dostęp wymaga konta; login i hasło należy chronić przed osobami trzecimi.\n"
        "§ 3. Dane są przetwarzane zgodnie z RODO. Portal jest demonstracyjny, dane są fikcyjne.",
    ),
    "e_services_policy": (
        "Polityka świadczenia usług drogą elektroniczną",
        "I. {org} świadczy usługi drogą elektroniczną na zasadach tej polityki.\n"
        "II. Usługi są bezpłatne i dostępne przez całą dobę.\n"
        "III. Portal jest demonstracyjny, dane są fikcyjne.",
    ),
    "cookies_policy": (
        "Polityka plików cookies",
        "Portal używa wyłącznie niezbędnych plików cookies: sesji i ochrony formularzy.",
    ),
    "privacy_notice": (
        "Informacja o przetwarzaniu danych osobowych",
        "Administratorem danych jest {org}. Dane są fikcyjne.",
    ),
    "marketing_consent": (
        "Zgoda na informacje i oferty",
        "Zgadzam się na otrzymywanie e-mailem i SMS-em informacji o usługach i ofert "
        "administratora portalu ({org}). Zgodę mogę wycofać w każdej chwili w portalu, "
        "na stronie Zgody, jednym kliknięciem.",
    ),
}


DEMO_DOCUMENT_TITLES = {
    "regulations": {"en": "Terms of use of the portal", "uk": "Правила користування порталом"},
    "e_services_policy": {
        "en": "Policy of services provided by electronic means",
        "uk": "Політика надання послуг електронним шляхом",
    },
    "cookies_policy": {"en": "Cookies policy", "uk": "Політика файлів cookie"},
    "privacy_notice": {
        "en": "Information on the processing of personal data",
        "uk": "Інформація про обробку персональних даних",
    },
    "marketing_consent": {
        "en": "Consent to news and offers",
        "uk": "Згода на новини та пропозиції",
    },
}


DEMO_OPERATOR = ("operator", "Operat0r!2026")


LEDGER_ENTITIES = (
    "buildings",
    "customers",
    "premises",
    "legal-titles",
    "contracts",
    "service-points",
    "charges",
    "invoices",
    "invoice-lines",
    "payments-received",
    "settlements",
    "balance-confirmations",
    "contributions",
    "deposits",
)
