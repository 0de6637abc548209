"""The registry of personal data covers every model that holds or names a customer or an
account, and every declaration still matches its model."""

import pytest
from django.apps import apps
from django.db import models

from billing.models import Customer
from core import personal_data
from core.personal_data import (
    WHILE_CUSTOMER,
    Basis,
    Category,
    Erasure,
    Holding,
    undeclared_links,
)
from identity.models import User

PEOPLE = (Customer, User)


def test_every_model_linked_to_a_customer_or_an_account_is_declared():
    assert undeclared_links(PEOPLE, apps.get_models()) == []


def test_every_declaration_names_fields_and_paths_its_model_has():
    assert personal_data.check_declarations() == []


def _probe(model_name: str, **fields):
    """A model of a module that forgot to declare what it holds (not an installed app)."""
    meta = type("Meta", (), {"app_label": "personal_data_probe"})
    return type(model_name, (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


def test_a_new_link_is_found_whether_direct_indirect_or_a_plain_id():
    direct = _probe("Direct", owner=models.ForeignKey(User, on_delete=models.CASCADE))
    indirect = _probe("Indirect", parent=models.ForeignKey(direct, on_delete=models.CASCADE))
    plain = _probe("PlainId", customer_id=models.IntegerField())
    unrelated = _probe("Unrelated", title=models.CharField(max_length=10))
    assert undeclared_links(PEOPLE, [direct, indirect, plain, unrelated]) == [
        "personal_data_probe.Direct.owner",
        "personal_data_probe.Indirect",
        "personal_data_probe.PlainId.customer_id",
    ]


def test_a_declared_model_with_a_new_undeclared_link_is_found():
    """Case is declared (its customer, its author, the member of staff it is assigned to): a link
    added later must be declared too."""
    from correspondence.models import Case

    covered = personal_data._registry.covered["correspondence.Case"]
    assert {"customer", "created_by", "assigned_to"} <= covered
    covered.discard("assigned_to")
    try:
        assert undeclared_links(PEOPLE, [Case]) == ["correspondence.Case.assigned_to"]
    finally:
        covered.add("assigned_to")


def test_a_declaration_must_say_how_rows_lead_to_a_person_and_what_erasure_blanks():
    with pytest.raises(ValueError, match="say how a row leads"):
        Holding(Customer, (Category.CONTACT,), "x", Basis.CONTRACT, WHILE_CUSTOMER, Erasure.DELETE)
    with pytest.raises(ValueError, match="name the fields to anonymise"):
        Holding(
            Customer,
            (Category.CONTACT,),
            "x",
            Basis.CONTRACT,
            WHILE_CUSTOMER,
            Erasure.ANONYMISE,
            customer=("id",),
        )
    with pytest.raises(ValueError, match="from which field"):
        Holding(
            Customer,
            (Category.CONTACT,),
            "x",
            Basis.CONTRACT,
            personal_data.ACCOUNTING,
            Erasure.KEEP,
            customer=("id",),
        )


def test_declaring_the_same_model_twice_is_refused():
    holding = personal_data.holding_for(Customer)
    with pytest.raises(ValueError, match="declared twice"):
        personal_data.declare(holding)


def test_retention_periods_run_to_the_first_day_after_them():
    import datetime as dt

    assert personal_data.ACCOUNTING.runs_out(dt.date(2026, 1, 1)) == dt.date(2032, 1, 1)
    assert personal_data.ACCOUNTING.runs_out(dt.date(2026, 12, 31)) == dt.date(2032, 1, 1)
    assert personal_data.SECURITY_LOG_1Y.runs_out(dt.date(2026, 3, 1)) == dt.date(2027, 3, 2)


@pytest.mark.django_db
def test_the_administrator_reads_the_record_of_processing_and_exports_it(tenants):
    """One entry per purpose, from the declarations (art. 30(1)); the CSV has the same entries;
    a clerk may not read it."""
    import csv
    import io

    from django.db import connection
    from django.test import Client

    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff

    connection.set_tenant(tenants.a)
    host, password = "alpha.localhost", "BiUr42#ok"
    admin = Client()
    login_verified_staff(
        admin,
        host,
        user_create(login="rodo-admin", password=password, role="tenant_admin"),
        password,
    )
    page = admin.get("/office/privacy/records/", HTTP_HOST=host)
    assert page.status_code == 200
    activities = personal_data.processing_activities()
    purposes = {str(h.purpose) for h in personal_data.holdings()}
    assert len(activities) == len(purposes) > 10
    text = page.content.decode()
    from billing.models import Invoice

    invoices = next(
        a for a in activities if a["purpose"] == str(personal_data.holding_for(Invoice).purpose)
    )
    assert any("74" in r for r in invoices["retention"])
    for activity in activities:
        assert activity["purpose"][:1].upper() + activity["purpose"][1:] in text
    exported = admin.get("/office/privacy/records/?format=csv", HTTP_HOST=host)
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(exported.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == len(activities) + 1
    assert any("art. 74" in cell for row in rows for cell in row)

    clerk = Client()
    login_verified_staff(
        clerk,
        host,
        user_create(login="rodo-clerk", password=password, role="customer_service"),
        password,
    )
    assert clerk.get("/office/privacy/records/", HTTP_HOST=host).status_code == 403


def test_every_holding_is_named_in_peoples_words():
    """The record of processing and the copy's README name what is kept; a table's name is not
    an answer to a person."""
    assert [h.label for h in personal_data.holdings() if not h.title] == []
