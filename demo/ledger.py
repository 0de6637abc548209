"""Fictional billing data for the demo tenants, written as ERP files and loaded through the
import, so the demo exercises the same path as a real organisation's data.

Everything is invented: names are random pairs from common Polish first names and surnames,
streets are made up, PESEL and NIP numbers are generated to pass their checksums.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from billing.ksef import checksum

FIRST = (
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Zofia",
    "Jadwiga",
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Jan",
    "Marcin",
    "Michał",
    "Grzegorz",
    "Józef",
)
LAST = (
    "Nowak",
    "Kowalczyk",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Pawłowski",
    "Michalski",
    "Król",
)
FEMININE = {
    "Wiśniewski": "Wiśniewska",
    "Kamiński": "Kamińska",
    "Lewandowski": "Lewandowska",
    "Zieliński": "Zielińska",
    "Szymański": "Szymańska",
    "Dąbrowski": "Dąbrowska",
    "Kozłowski": "Kozłowska",
    "Jankowski": "Jankowska",
    "Kwiatkowski": "Kwiatkowska",
    "Piotrowski": "Piotrowska",
    "Grabowski": "Grabowska",
    "Pawłowski": "Pawłowska",
    "Michalski": "Michalska",
}
STREETS = (
    "Akacjowa",
    "Bursztynowa",
    "Cicha",
    "Dębowa",
    "Modrzewiowa",
    "Jaśminowa",
    "Kasztanowa",
    "Lipowa",
    "Malinowa",
    "Orzechowa",
    "Promienna",
    "Różana",
    "Słoneczna",
    "Topolowa",
    "Wrzosowa",
    "Zielona",
)
COMPANIES = (
    "Usługi Remontowe",
    "Piekarnia",
    "Kwiaciarnia",
    "Biuro Rachunkowe",
    "Sklep Spożywczy",
    "Warsztat",
)


@dataclass(frozen=True)
class LedgerProfile:
    """What a demo organisation bills (data of the demo tenant, not a rule of the platform)."""

    contract_kind: str
    components: tuple[tuple[str, Decimal], ...]  # (name, amount per 50 m² a month)
    symbol_format: str  # e.g. "L{:07d}"
    point_format: str  # service point code, e.g. "PL0037{:012d}"
    city: str
    postcode: str
    due_day: int = 10
    members: bool = False  # a cooperative's customers are members with a number
    seasonal: float = 0.0  # how much winter months differ from the average (0.3 = ±30 %)
    title_kind: str = "własność"
    # The VAT rate of each component ("23", "8", "zw"…): the invoices get lines and VAT.
    vat_rates: tuple[str, ...] = ()


def pesel_for(rng: random.Random, born: date, female: bool) -> str:
    month = born.month + (20 if born.year >= 2000 else 0)
    serial = rng.randrange(0, 1000)
    sex = rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial:03d}{sex}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def nip_for(rng: random.Random) -> str:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        body = f"{rng.randrange(100, 1000)}{rng.randrange(0, 1_000_000):06d}"
        check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
        if check != 10:
            return body + str(check)


def nrb_for(bank: str, account: str) -> str:
    """A Polish account number (NRB) with correct check digits for bank ``bank`` (8 digits)."""
    bban = f"{bank}{account}"
    check = 98 - int(bban + "252100") % 97  # "PL" = 25 21, then "00"
    return f"{check:02d}{bban}"


def _month(start: date, offset: int) -> date:
    total = start.year * 12 + start.month - 1 + offset
    return date(total // 12, total % 12 + 1, 1)


def _vat_split(gross: Decimal, rate: str) -> tuple[Decimal, Decimal]:
    """Net and VAT of a gross amount at a rate ("zw" and the like: no VAT)."""
    if not rate.isdigit() or rate == "0":
        return gross, Decimal("0.00")
    net = (gross * 100 / (100 + Decimal(rate))).quantize(Decimal("0.01"))
    return net, gross - net


def _ksef_number(nip: str, day: date, key: str) -> str:
    """An invented KSeF number of the real shape, its CRC-8 check digits right (the technical
    part taken from ``key``, so the demo's other random data stay as they were)."""
    technical = hashlib.sha256(key.encode()).hexdigest()[:12].upper()
    first = f"{nip}-{day:%Y%m%d}-{technical}"
    return f"{first}-{checksum(first)}"


def demo_files(
    *,
    profile: LedgerProfile,
    customers: int,
    months: int,
    first: tuple[str, str],
    seed: int,
    seller_nip: str = "",
) -> dict[str, str]:
    """CSV files for every billing entity. Customer 0 is the demo customer (``first`` = its
    name and symbol), with a full, tidy history; about one customer in twenty is a debtor.
    With the profile's VAT rates the invoices have lines and VAT, and with ``seller_nip`` KSeF
    numbers: the demo customer's latest invoice is one issued offline and still waiting for
    KSeF, and one of its invoices has been corrected."""
    rng = random.Random(seed)  # noqa: S311 - invented demo data, not security
    end = timezone.localdate().replace(day=1)
    start = _month(end, -months)
    out: dict[str, list[str]] = {
        "buildings": ["erp_id;estate;street;building_no;postcode;city"],
        "customers": [
            "erp_id;symbol;kind;name;pesel;nip;street;building_no;flat_no;postcode;city;email;phone;"
            "membership_number;member_since;bank_account;debt_status"
        ],
        "premises": ["erp_id;building_erp_id;kind;street;building_no;flat_no;postcode;city;area"],
        "legal-titles": ["erp_id;customer_erp_id;premises_erp_id;kind;valid_from"],
        "contracts": ["erp_id;number;customer_erp_id;kind;status;signed_on;valid_from"],
        "service-points": ["erp_id;code;premises_erp_id;contract_erp_id;meter_number"],
        "charges": ["erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date"],
        "invoices": [
            "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross;sale_date;"
            "kind;corrects_erp_id;correction_reason;ksef_number;ksef_accepted_at;ksef_mode;"
            "xml_sha256"
        ],
        # Corrective invoices name the ones they correct: a file of their own, imported after.
        "corrections": [
            "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross;sale_date;"
            "kind;corrects_erp_id;correction_reason;ksef_number;ksef_accepted_at;ksef_mode;"
            "xml_sha256"
        ],
        "invoice-lines": [
            "erp_id;invoice_erp_id;position;name;unit;quantity;unit_net;vat_rate;net;vat;gross;"
            "before"
        ],
        "payments-received": [
            "erp_id;customer_erp_id;premises_erp_id;invoice_erp_id;paid_on;amount;title"
        ],
        "settlements": [
            "erp_id;customer_erp_id;premises_erp_id;kind;period_from;period_to;amount;issued_on"
        ],
        "balance-confirmations": ["erp_id;customer_erp_id;as_of;amount"],
        "contributions": ["erp_id;customer_erp_id;premises_erp_id;kind;amount;paid"],
        "deposits": ["erp_id;customer_erp_id;premises_erp_id;kind;amount;received_on;returned_on"],
    }
    buildings = max(1, customers // 50)
    for b in range(buildings):
        out["buildings"].append(
            f"B{b};Osiedle {STREETS[b % len(STREETS)]};{STREETS[b % len(STREETS)]};"
            f"{b // len(STREETS) + 1};{profile.postcode};{profile.city}"
        )
    for i in range(customers):
        b = i % buildings
        street, number, flat = (
            STREETS[b % len(STREETS)],
            str(b // len(STREETS) + 1),
            str(i // buildings + 1),
        )
        business = i % 10 == 9
        female = rng.random() < 0.5
        surname = LAST[rng.randrange(len(LAST))]
        if i == 0:
            name, symbol = first
            business = False
        elif business:
            name, symbol = (
                f"{COMPANIES[rng.randrange(len(COMPANIES))]} {surname} Sp. z o.o.",
                profile.symbol_format.format(200000 + i),
            )
        else:
            given = FIRST[rng.randrange(10) if female else 10 + rng.randrange(10)]
            name = f"{given} {FEMININE.get(surname, surname) if female else surname}"
            symbol = profile.symbol_format.format(200000 + i)
        pesel = (
            ""
            if business
            else pesel_for(
                rng,
                date(1940 + rng.randrange(60), rng.randrange(1, 13), rng.randrange(1, 29)),
                female,
            )
        )
        nip = nip_for(rng) if business else ""
        email = f"klient{i}@example.com" if i == 0 or rng.random() < 0.6 else ""
        account = nrb_for("10901014", f"{seed % 10000:04d}{i:012d}")
        debtor = i % 20 == 7
        row = [
            f"K{i}",
            symbol,
            "business" if business else "individual",
            name,
            pesel,
            nip,
            street,
            number,
            flat,
            profile.postcode,
            profile.city,
            email,
            "",
            f"CZ/{i:05d}" if profile.members else "",
            "2012-05-01" if profile.members else "",
            account,
            "wezwanie do zapłaty" if debtor else "",
        ]
        out["customers"].append(";".join(row))
        kind = "parking" if i % 25 == 24 else "commercial" if business else "residential"
        area = Decimal(rng.randrange(2800, 9000)) / 100 if kind != "parking" else Decimal("12.50")
        out["premises"].append(
            f"M{i};B{b};{kind};{street};{number};{flat};{profile.postcode};{profile.city};{area}"
        )
        out["legal-titles"].append(f"T{i};K{i};M{i};{profile.title_kind};2015-01-01")
        status = "signed_by_customer" if i % 40 == 3 else "terminated" if i % 50 == 11 else "active"
        number_of_contract = f"UM/{2015 + i % 10}/{i:05d}"
        out["contracts"].append(
            f"U{i};{number_of_contract};K{i};{profile.contract_kind};{status};2015-01-01;2015-01-01"
        )
        out["service-points"].append(
            f"SP{i};{profile.point_format.format(i)};M{i};U{i};WM{seed % 97:02d}{i:06d}"
        )
        # A debtor owes four months; one customer in five (the demo customer among them) has
        # not paid last month's invoice yet: something to pay online.
        paid_until = months - (4 if debtor else 1 if i % 5 == 0 else 0)
        scale = area / Decimal(50)
        for m in range(months):
            period = _month(start, m)
            due = period.replace(day=profile.due_day)
            total = Decimal("0.00")
            season = Decimal(
                str(
                    round(1 + profile.seasonal * math.cos(2 * math.pi * (period.month - 1) / 12), 3)
                )
            )
            amounts = []
            for c, (component, base) in enumerate(profile.components):
                amount = (base * scale * season).quantize(Decimal("0.01"))
                total += amount
                amounts.append((component, amount))
                out["charges"].append(f"C{i}-{m}-{c};K{i};M{i};{component};{period};{amount};{due}")
            number = f"FV/{period:%Y/%m}/{i:05d}"
            ksef = ";;;"
            if seller_nip and profile.vat_rates:
                # The demo customer's invoices get their hash from their FA(3) XML, sent after.
                digest = "" if i == 0 else hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()
                offline = i == 0 and m == months - 1
                accepted = period + timedelta(days=1)
                ksef = (
                    f";;offline;{digest}"
                    if offline
                    else f"{_ksef_number(seller_nip, accepted, number)};{accepted}T09:00:00+01:00;"
                    f"online;{digest}"
                )
            out["invoices"].append(
                f"F{i}-{m};{number};K{i};M{i};{period};{due};{total};{period};invoice;;;{ksef}"
            )
            for c, (component, amount) in enumerate(amounts):
                if not profile.vat_rates:
                    break
                net, vat = _vat_split(amount, profile.vat_rates[c])
                out["invoice-lines"].append(
                    f"L{i}-{m}-{c};F{i}-{m};{c + 1};{component};mies.;1;{net};"
                    f"{profile.vat_rates[c]};{net};{vat};{amount};0"
                )
            if i == 0 and profile.vat_rates and seller_nip and m == months - 3:
                # The first component was overcharged by a tenth: a corrective invoice.
                component, amount = amounts[0]
                lower = (amount * Decimal("0.9")).quantize(Decimal("0.01"))
                rate = profile.vat_rates[0]
                net_before, vat_before = _vat_split(amount, rate)
                net_after, vat_after = _vat_split(lower, rate)
                fix = f"FK/{period:%Y/%m}/{i:05d}"
                issued = period + timedelta(days=20)
                fix_digest = ""  # (the demo customer's: from its XML)
                out["corrections"].append(
                    f"FK{i}-{m};{fix};K{i};M{i};{issued};"
                    f"{due + timedelta(days=20)};{lower - amount};{period};correction;F{i}-{m};"
                    f"Zawyżona kwota: {component};"
                    f"{_ksef_number(seller_nip, issued, fix)};{issued}T09:00:00+01:00;online;"
                    f"{fix_digest}"
                )
                out["invoice-lines"].append(
                    f"LKB{i}-{m};FK{i}-{m};1;{component};mies.;1;{net_before};{rate};"
                    f"{net_before};{vat_before};{amount};1"
                )
                out["invoice-lines"].append(
                    f"LKA{i}-{m};FK{i}-{m};1;{component};mies.;1;{net_after};{rate};"
                    f"{net_after};{vat_after};{lower};0"
                )
            if m < paid_until:
                paid_on = due - timedelta(days=rng.randrange(0, 8))
                out["payments-received"].append(
                    f"P{i}-{m};K{i};M{i};F{i}-{m};{paid_on};{total};{number}"
                )
        for year in range(start.year, end.year):
            amount = (Decimal(rng.randrange(-15000, 25000)) / 100).quantize(Decimal("0.01"))
            out["settlements"].append(
                f"S{i}-{year};K{i};M{i};Rozliczenie roczne {year};{year}-01-01;{year}-12-31;"
                f"{amount};{year + 1}-02-15"
            )
        out["balance-confirmations"].append(f"BC{i};K{i};{end.year - 1}-12-31;0.00")
        if i == 1:  # a customer with a second premises (a parking space), for the demo manager
            out["premises"].append(
                f"MP{i};B{b};parking;{street};{number};P{i};{profile.postcode};{profile.city};12.50"
            )
            out["legal-titles"].append(f"TP{i};K{i};MP{i};{profile.title_kind};2015-01-01")
        if i % 10 == 0:
            out["deposits"].append(f"D{i};K{i};M{i};Kaucja za wodomierz;120.00;2015-01-01;")
        if profile.members:
            share = (area * Decimal("850.00")).quantize(Decimal("0.01"))
            out["contributions"].append(f"W{i};K{i};M{i};Wkład budowlany;{share};{share}")
            out["contributions"].append(f"WC{i};K{i};;Wpisowe i udział członkowski;150.00;150.00")
    return {entity: "\n".join(lines) + "\n" for entity, lines in out.items()}
