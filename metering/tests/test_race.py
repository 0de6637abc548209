"""Two submissions of the same register in the same period at the same moment, from two real
transactions on two connections: one is stored, the other gets 409 (SECURITY R8)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.testing import in_thread

pytestmark = pytest.mark.django_db


_in_thread = in_thread


def test_two_concurrent_submissions_store_one_and_refuse_the_other(tenants):
    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from identity.models import User
    from identity.services import user_create
    from metering import services
    from metering.models import Meter, Reading, ReadingWindow

    files = {
        "customers": "erp_id;symbol;kind;name\nRACE1;RACE0001;individual;Wyścig\n",
        "premises": "erp_id;kind;street;building_no;flat_no;city\nRACEM;residential;Szybka;1;1;X\n",
        "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\nRACET;RACE1;RACEM;2020-01-01\n",
        "meters": "erp_id;serial_number;kind;premises_erp_id\nRACEW;RACE-W;cold_water;RACEM\n",
    }

    def setup():
        for entity, payload in files.items():
            assert import_text(entity, payload).errors == []
        user = user_create(login="wyscig", password="x")
        customer_account_attach(customer_ids=[Customer.objects.get(erp_id="RACE1").pk], user=user)
        today = timezone.localdate()
        window = ReadingWindow.objects.create(
            name="wyścig", opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1)
        )
        return user.pk, Meter.objects.get(erp_id="RACEW").pk, window.pk

    def cleanup():
        Reading.objects.filter(register__meter__erp_id="RACEW").delete()
        Meter.objects.filter(erp_id="RACEW").delete()
        ReadingWindow.objects.filter(name="wyścig").delete()
        Customer.objects.filter(erp_id="RACE1").delete()
        from billing.models import Premises

        Premises.objects.filter(erp_id="RACEM").delete()
        User.objects.filter(username="wyscig").delete()

    # Tenant B (an energy seller's preset) takes readings on any day, once a day per register.
    assert tenants.b.configuration.has_module("readings")
    user_id, meter_id, _window = _in_thread(tenants.b, setup)
    try:
        start = threading.Barrier(2)
        results: list = []

        def submit(value):
            def work():
                actor = User.objects.get(pk=user_id)
                start.wait(10)
                try:
                    services.reading_submit(actor=actor, meter_id=meter_id, value=value)
                    return 201
                except ApplicationError as exc:
                    return exc.status

            results.append(_in_thread(tenants.b, work))

        threads = [threading.Thread(target=submit, args=(v,)) for v in ("5", "6")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == [201, 409]
        assert (
            _in_thread(
                tenants.b, lambda: Reading.objects.filter(register__meter_id=meter_id).count()
            )
            == 1
        )
    finally:
        _in_thread(tenants.b, cleanup)
