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
