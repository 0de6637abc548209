"""Benchmark: the office's customer search at 100,000 customers.

A tenant gets 100,000 customers with Polish names, addresses with flats, phones and e-mails, and
premises held by title, through the ERP import (which builds the search documents). Then each
kind of query the desk types is run 200 times (different customers each time): a surname as
written, a surname without Polish letters and one letter wrong, "street house/flat", a phone as
spoken, a customer symbol. The reference, in the same run, is the lookup of one customer by its
symbol through its unique index: the floor of any search.

Usage: python bench/search.py [--no-write]; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_search")

from bench.common import scaled, scratch_database, write_section  # noqa: E402

CUSTOMERS = scaled(100_000, 300)
RUNS = scaled(200, 5)
FIRST = "Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Zofia Łucja Piotr Jan Andrzej Krzysztof Tomasz Paweł Józef Marcin Michał Grzegorz".split()
LAST = "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski Stępień Malinowski Jaworski Adamczyk Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora Baran Rutkowski Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Marciniak Wróblewski Żółw Łęcki Ślusarczyk Źrebiec".split()
STREETS = "Modrzewiowa Lipowa Sosnowa Dębowa Brzozowa Klonowa Jesionowa Akacjowa Świerkowa Wierzbowa Polna Leśna Łąkowa Ogrodowa Słoneczna Źródlana Żeromskiego Kościuszki Mickiewicza Słowackiego".split()


def _feminine(surname: str) -> str:
    return surname[:-1] + "a" if surname.endswith("ski") or surname.endswith("cki") else surname


def _misspell(word: str, rnd: random.Random) -> str:
    """Without Polish letters, and one letter dropped or two swapped."""
    from billing.search import fold

    word = fold(word)
    i = rnd.randrange(1, len(word) - 1)
    if rnd.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def main() -> None:
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from billing import search
    from billing.importing import import_text
    from billing.models import Customer
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    tenant = tenant_create(name="Search", slug="search", preset_code="A")
    rnd = random.Random(18)
    people = []
    customers = ["erp_id;symbol;kind;name;street;building_no;flat_no;postcode;city;email;phone"]
    premises = ["erp_id;kind;street;building_no;flat_no;city"]
    titles = ["erp_id;customer_erp_id;premises_erp_id;valid_from"]
    for i in range(CUSTOMERS):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        if first.endswith("a"):
            last = _feminine(last)
        street, house, flat = rnd.choice(STREETS), rnd.randint(1, 60), rnd.randint(1, 80)
        phone = f"{rnd.randint(500, 899)} {rnd.randint(100, 999)} {rnd.randint(100, 999)}"
        people.append((last, f"{street} {house}/{flat}", phone, f"L{i:07d}"))
        customers.append(
            f"K{i};L{i:07d};individual;{first} {last};{street};{house};{flat};00-{i % 1000:03d};"
            f"Dąbrowa;k{i}@example.com;{phone}"
        )
        premises.append(f"M{i};residential;{street};{house};{flat};Dąbrowa")
        titles.append(f"T{i};K{i};M{i};2020-01-01")
    lines = []
    with schema_context(tenant.schema_name):
        started = time.perf_counter()
        for entity, rows in (("customers", customers), ("premises", premises)):
            assert not import_text(entity, "\n".join(rows) + "\n").errors
        imported = time.perf_counter() - started
        started = time.perf_counter()
        assert not import_text("legal-titles", "\n".join(titles) + "\n").errors
        titled = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE billing_customer")
            cursor.execute("SELECT pg_size_pretty(pg_relation_size('billing_customer_search'))")
            index_size = cursor.fetchone()[0]

        def timed(queries, run):
            times = []
            for query in queries:
                started = time.perf_counter()
                run(query)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            return statistics.median(times), times[int(len(times) * 0.95) - 1]

        sample = [rnd.choice(people) for _ in range(RUNS)]
        reference = timed([p[3] for p in sample], lambda s: list(Customer.objects.filter(symbol=s)))
        kinds = {
            "surname as written": [p[0] for p in sample],
            "surname without Polish letters, one letter wrong": [
                _misspell(p[0], rnd) for p in sample
            ],
            "street house/flat": [p[1] for p in sample],
            "phone as spoken": [p[2] for p in sample],
            "customer symbol": [p[3] for p in sample],
        }
        found_first = {}
        rows = []
        for kind, queries in kinds.items():
            median, p95 = timed(queries, search.search)
            rows.append((kind, median, p95))
            hits = 0
            for query, person in zip(queries[:50], sample[:50], strict=True):
                top = search.search(query)
                ids = [h.customer_id for h in top]
                target = Customer.objects.get(symbol=person[3]).pk
                hits += target in ids
            found_first[kind] = hits / 50
    lines.append(
        f"{CUSTOMERS:,} customers; import of customers and premises {imported:.1f} s, of the "
        f"legal titles (which rebuilds every customer's document with the premises' address) "
        f"{titled:.1f} s; GIN index {index_size}. {RUNS} queries of each kind, each for another "
        f"customer; the reference is one customer by its symbol through the unique index "
        f"(median {reference[0]:.2f} ms, p95 {reference[1]:.2f} ms)."
    )
    lines.append("")
    lines.append(
        "| query | median ms | p95 ms | p95 / reference | the customer among the 20 shown |"
    )
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for kind, median, p95 in rows:
        lines.append(
            f"| {kind} | {median:.1f} | {p95:.1f} | {p95 / reference[1]:.0f}× | "
            f"{found_first[kind]:.0%} |"
        )
    table = "\n".join(lines)
    print(table)
    if "--no-write" not in sys.argv:
        write_section("search", table, "## Customer search at the office")


if __name__ == "__main__":
    main()
