"""The office's customer search: by each key, without diacritics, with one letter wrong, with
"street no/flat", ranked; documents kept current by the import and by account changes; another
tenant's customers never found."""

import pytest
from django.db import connection

from billing import search
from billing.importing import import_text
from billing.models import Customer
from billing.services import customer_account_attach
from identity.services import user_create

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "erp_id;symbol;kind;name;street;building_no;flat_no;postcode;city;email;phone\n"
    "K1;L0000001;individual;Żółw Łucja;Modrzewiowa;1;7;00-001;Nowe Lipiny;lucja@example.com;+48 600-100-200\n"
    "K2;L0000002;individual;Anna Kowalska;Modrzewiowa;1;8;00-001;Nowe Lipiny;;\n"
    "K3;L0000003;individual;Piotr Kowalski;Sosnowa;12;;00-002;Nowe Lipiny;;501 222 333\n"
    "K4;B0000004;business;Kowal-Serwis Sp. z o.o.;Przemysłowa;5;;00-003;Nowe Lipiny;biuro@kowal.pl;\n"
)
PREMISES = (
    "erp_id;kind;street;building_no;flat_no;city\n"
    "M1;residential;Modrzewiowa;1;7;Nowe Lipiny\n"
    "M2;residential;Lipowa;3;14;Nowe Lipiny\n"
)
TITLES = (
    "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2020-01-01\nT2;K3;M2;2021-01-01\n"
)
CONTRACTS = "erp_id;number;customer_erp_id;kind;status\nU1;U/77/2024;K3;housing;active\n"
INVOICES = (
    "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
    "F1;FV/9/2026;K2;2026-01-02;2026-01-10;10.00\n"
)


@pytest.fixture
def people(tenants):
    connection.set_tenant(tenants.a)
    for entity, payload in (
        ("customers", CUSTOMERS),
        ("premises", PREMISES),
        ("legal-titles", TITLES),
        ("contracts", CONTRACTS),
        ("invoices", INVOICES),
    ):
        assert import_text(entity, payload).errors == [], entity
    return {c.erp_id: c.pk for c in Customer.objects.all()}


def found(query: str) -> list[str]:
    ids = [h.customer_id for h in search.search(query)]
    names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "erp_id"))
    return [names[i] for i in ids]


def test_folding_and_near_forms():
    assert search.fold("Żółw-Łęcka") == "zolw-lecka"
    assert "kowalka" in search.near_forms("kowalska")
    assert search.phone_digits("+48 600-100-200") == "600100200"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Żółw", "K1"),
        ("Zolw", "K1"),  # without diacritics
        ("zółw łucja", "K1"),
        ("Zolwa", "K1"),  # one letter too many
        ("Kowalka", "K2"),  # one letter missing
        ("Kowlaska", "K2"),  # two letters swapped
        ("L0000003", "K3"),  # the customer symbol
        ("b00000", "K4"),  # a symbol's beginning
        ("Modrzewiowa 1/7", "K1"),  # street and house/flat
        ("Lipowa 3/14", "K3"),  # the address of premises held
        ("600 100 200", "K1"),  # a phone as spoken
        ("+48600100200", "K1"),
        ("501222333", "K3"),
        ("lucja@example.com", "K1"),
        ("FV/9/2026", "K2"),  # an invoice number
        ("fv/9/2026", "K2"),
        ("U/77/2024", "K3"),  # a contract number
        ("Kowal-Serwis", "K4"),
    ],
)
def test_finds_by_each_key(people, query, first):
    assert found(query)[0] == first


def test_ranked_a_name_as_typed_before_a_near_one(people):
    # "Kowalska" is Anna's name; Piotr Kowalski is one letter away.
    assert found("Kowalska")[:2] == ["K2", "K3"]
    assert found("Kowalski")[:2] == ["K3", "K2"]


def test_house_and_flat_narrow_the_street(people):
    assert found("Modrzewiowa 1/8") == ["K2"]
    assert set(found("Modrzewiowa")) == {"K1", "K2"}


def test_nothing_for_nonsense_or_too_short(people):
    assert found("Xyzzyq") == []
    assert found("a") == []
    assert found("Modrzewiowa 1/9") == []
    # tsquery syntax typed by a user is only text
    assert found("kowal & | ! ( ) : * '") == []


def test_documents_follow_the_import_and_the_account(people):
    import_text(
        "customers",
        "erp_id;symbol;kind;name\nK2;L0000002;individual;Anna Nowak\n",
    )
    assert "K2" not in found("Kowalska")
    assert found("Nowak") == ["K2"]
    # an account's own phone and name count too
    user = user_create(login="L0000002", password="RyBa18$05", first_name="Hanna")
    customer_account_attach(customer_ids=[people["K2"]], user=user)
    assert found("Hanna") == ["K2"]
    user.phone = "777 888 999"
    user.save(update_fields=["phone"])
    assert found("777888999") == ["K2"]


def test_another_tenants_customers_are_not_found(people, tenants):
    connection.set_tenant(tenants.b)
    assert (
        import_text(
            "customers",
            "erp_id;symbol;kind;name\nK1;L0000001;individual;Żółw Beta\n"
            "K9;L0000009;individual;Zenon Kowalski\n",
        ).errors
        == []
    )
    connection.set_tenant(tenants.a)
    assert found("Beta") == []
    assert found("Zenon") == []
    connection.set_tenant(tenants.b)
    assert found("Zolw") == ["K1"]
    assert [h.customer_id for h in search.search("Lucja")] == []


def test_a_surname_shared_by_many_asks_for_more(people, monkeypatch, client):
    monkeypatch.setattr(search, "WEIGHED", 1)
    assert search.search("Modrzewiowa").many
    assert not search.search("Modrzewiowa 1/7").many


def test_a_title_moved_to_another_customer_moves_the_address(people):
    assert found("Lipowa 3/14") == ["K3"]
    assert not import_text(
        "legal-titles",
        "erp_id;customer_erp_id;premises_erp_id;valid_from\nT2;K2;M2;2021-01-01\n",
    ).errors
    assert found("Lipowa 3/14") == ["K2"]


def test_hostile_queries_find_nothing_and_never_fail(people):
    for query in (
        "\u3316" * 100,  # folds to six letters each: a query PostgreSQL would refuse
        "a\x00b",
        "~kowalska",
        "\\' : & | ! <-> *",
        "x" * 500,
        "👩‍👩‍👧 Kowalska",
    ):
        search.search(query)  # no exception
    assert found("~") == []
    assert found("~kowalka") == found("kowalka")


def test_an_operators_account_saved_in_public_touches_no_customer(tenants):
    from identity.models import User

    connection.set_tenant(tenants.public)
    operator = User.objects.create(username="op-search", role="operator")
    operator.first_name = "Olga"
    operator.save()  # every field: the receiver must not look for customers in public
    operator.set_password("Op3rator!x")
    operator.save(update_fields=["password", "first_name"])
    connection.set_tenant(tenants.a)


def test_house_and_flat_written_with_m_or_lok(people):
    assert found("Modrzewiowa 1 m. 7") == ["K1"]
    assert found("Modrzewiowa 1 lok. 8") == ["K2"]
    assert found("Modrzewiowa 1 / 7") == ["K1"]
