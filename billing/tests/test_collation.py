"""Names and streets listed in their reader's alphabet (#21 item 3): in Polish Ł follows L and Ś
follows S, where the database's own byte order put every Polish letter after Z."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation

from billing import selectors
from billing.importing import import_text
from billing.models import Customer
from billing.services import customer_account_attach
from identity.services import user_create

pytestmark = pytest.mark.django_db
STREETS = ("Źródlana", "Zielona", "Śliwkowa", "Sosnowa", "Łąkowa", "Lipowa")


@pytest.fixture
def owner(tenants):
    connection.set_tenant(tenants.a)
    premises = "".join(f"M{n};residential;{s};1;1;Kraków\n" for n, s in enumerate(STREETS))
    titles = "".join(f"T{n};K1;M{n};2020-01-01\n" for n in range(len(STREETS)))
    for entity, payload in (
        ("customers", "erp_id;symbol;kind;name\nK1;L0000001;individual;Jan Wielolokalowy\n"),
        ("premises", "erp_id;kind;street;building_no;flat_no;city\n" + premises),
        ("legal-titles", "erp_id;customer_erp_id;premises_erp_id;valid_from\n" + titles),
    ):
        assert import_text(entity, payload).errors == [], entity
    user = user_create(login="L0000001", password="RyBa18$05", customer_symbol="L0000001")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
    return user


def _streets(owner, language: str) -> list[str]:
    with translation.override(language):
        return [p.street for p in selectors.premises_list(actor=owner)]


def test_premises_in_the_polish_alphabet(owner):
    assert _streets(owner, "pl") == [
        "Lipowa",
        "Łąkowa",
        "Sosnowa",
        "Śliwkowa",
        "Zielona",
        "Źródlana",
    ]


def test_the_order_follows_the_readers_language(owner):
    """In English Ł and Ś are L and S with a mark (so Łąkowa comes before Lipowa): the order is
    the language's, not one fixed list."""
    assert _streets(owner, "en") == [
        "Łąkowa",
        "Lipowa",
        "Śliwkowa",
        "Sosnowa",
        "Zielona",
        "Źródlana",
    ]
