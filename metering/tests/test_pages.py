"""The customer's meter pages and the office's review, through the browser's forms."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from metering.models import Reading

pytestmark = pytest.mark.django_db
A = "alpha.localhost"


def test_the_meters_page_lists_own_meters_with_the_open_window(client, meters):
    client.force_login(meters["owner"])
    page = client.get("/meters/", HTTP_HOST=A).content.decode()
    assert "ZW-001" in page
    assert "EL-003" in page
    assert "ZW-002" not in page
    assert f'href="/meters/{meters["w1"].pk}/#reading"' in page  # the window is open: send


def test_a_reading_sent_from_the_form_is_saved_and_shown(client, meters):
    client.force_login(meters["owner"])
    url = f"/meters/{meters['w1'].pk}/"
    page = client.get(url, HTTP_HOST=A)
    assert page.status_code == 200
    assert 'name="value"' in page.content.decode()
    sent = client.post(f"/meters/{meters['w1'].pk}/reading", {"value": "134,5"}, HTTP_HOST=A)
    assert sent.status_code == 302
    assert Reading.objects.filter(register__meter=meters["w1"], value="134.5").exists()


def test_an_implausible_reading_shows_the_range_and_the_confirmation(client, meters):
    client.force_login(meters["owner"])
    response = client.post(f"/meters/{meters['w1'].pk}/reading", {"value": "900"}, HTTP_HOST=A)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="confirm"' in page
    confirmed = client.post(
        f"/meters/{meters['w1'].pk}/reading", {"value": "900", "confirm": "on"}, HTTP_HOST=A
    )
    assert confirmed.status_code == 302
    assert Reading.objects.get(value="900").status == "flagged"


def test_another_customers_meter_page_is_not_found(client, meters):
    client.force_login(meters["neighbour"])
    assert client.get(f"/meters/{meters['w1'].pk}/", HTTP_HOST=A).status_code == 404
    assert (
        client.post(f"/meters/{meters['w1'].pk}/reading", {"value": "134"}, HTTP_HOST=A).status_code
        == 404
    )


def test_the_csv_holds_the_readings_and_months(client, meters):
    client.force_login(meters["owner"])
    response = client.get(f"/meters/{meters['w1'].pk}/readings.csv", HTTP_HOST=A)
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "meter;register;read_at;value;unit;source;status"
    assert len(re.findall(r"^ZW-001;1;", body, re.M)) == 12


def test_the_chart_pairs_each_month_with_the_year_before_and_leaves_out_partial_ones(
    client, meters
):
    """Readings on the 15th of twelve months cover ten months whole: the chart shows those ten
    (not the current month, known only in part), each beside the year before."""
    client.force_login(meters["owner"])
    page = client.get(f"/meters/{meters['w1'].pk}/", HTTP_HOST=A).content.decode()
    svg = re.search(r'<svg class="bar-chart".*?</svg>', page, re.S).group(0)
    assert svg.count("bar bar-previous") == 10
    assert svg.count('class="bar"') == 10
    this_month = timezone.localdate().strftime("%m.%Y")
    assert f"<title>{this_month}:" not in svg


def test_staff_review_a_flagged_reading_from_the_office(client, meters, tenants):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering import services

    flagged = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="900", confirm=True
    )
    clerk = user_create(login="bok", password="BiUr42#ok", role="customer_service")
    login_verified_staff(client, A, clerk, "BiUr42#ok")
    queue = client.get("/office/readings/", HTTP_HOST=A)
    assert queue.status_code == 200
    assert "ZW-001" in queue.content.decode()
    client.post(
        f"/office/readings/{flagged.pk}/review",
        {f"r{flagged.pk}-decision": "reject", f"r{flagged.pk}-reason": "Zdjęcie nieczytelne"},
        HTTP_HOST=A,
    )
    assert Reading.objects.get(pk=flagged.pk).status == "rejected"


def test_a_customer_cannot_open_the_review_queue(client, meters):
    client.force_login(meters["owner"])
    assert client.get("/office/readings/", HTTP_HOST=A).status_code == 403


def test_a_refused_value_is_tied_to_its_field_for_screen_readers(client, meters):
    client.force_login(meters["owner"])
    page = client.post(
        f"/meters/{meters['w1'].pk}/reading", {"value": "900"}, HTTP_HOST=A
    ).content.decode()
    field = re.search(r'<input[^>]+name="value"[^>]*>', page).group(0)
    assert 'aria-describedby="id_value_error"' in field
    assert "autofocus" in field
    assert 'id="id_value_error"' in page


def test_a_two_zone_meter_makes_the_customer_choose_the_zone(client, meters):
    client.force_login(meters["owner"])
    url = f"/meters/{meters['e3'].pk}/"
    form = client.get(url, HTTP_HOST=A).content.decode()
    assert re.search(r'<option value="" selected>', form)  # nothing chosen for them
    refused = client.post(f"{url}reading", {"value": "510"}, HTTP_HOST=A)
    assert refused.status_code == 400
    assert not Reading.objects.filter(register__meter=meters["e3"], source="customer").exists()


def test_once_sent_the_pages_say_so_instead_of_asking_again(client, meters):
    client.force_login(meters["owner"])
    client.post(f"/meters/{meters['w1'].pk}/reading", {"value": "134"}, HTTP_HOST=A)
    listing = client.get("/meters/", HTTP_HOST=A).content.decode()
    assert f'href="/meters/{meters["w1"].pk}/#reading"' not in listing
    detail = client.get(f"/meters/{meters['w1'].pk}/", HTTP_HOST=A).content.decode()
    assert 'name="value"' not in detail


def test_a_reading_kept_for_review_says_the_office_will_check_it(client, meters):
    client.force_login(meters["owner"])
    response = client.post(
        f"/meters/{meters['w1'].pk}/reading",
        {"value": "900", "confirm": "on"},
        HTTP_HOST=A,
        follow=True,
    )
    assert (
        "odczyt różni się od zwykłego zużycia" in response.content.decode()
    )  # in Polish: the office checks it


def test_a_technician_replaces_a_meter_and_use_runs_on_across_it(client, meters, tenants):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering.models import Meter

    technician = user_create(login="technik", password="BiUr42#ok", role="technician")
    login_verified_staff(client, A, technician, "BiUr42#ok")
    found = client.get("/office/meters/?q=ZW-001", HTTP_HOST=A).content.decode()
    assert f"/office/meters/{meters['w1'].pk}/replace" in found
    day = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    url = f"/office/meters/{meters['w1'].pk}/replace"
    lower = client.post(
        url,
        {"replaced_on": day, "serial_number": "ZW-NEW", "final_1": "100", "initial_1": "0"},
        HTTP_HOST=A,
    )
    assert lower.status_code == 400  # below the last reading (133): nothing changes
    assert not Meter.objects.filter(serial_number="ZW-NEW").exists()
    done = client.post(
        url,
        {"replaced_on": day, "serial_number": "ZW-NEW", "final_1": "135", "initial_1": "0.5"},
        HTTP_HOST=A,
    )
    assert done.status_code == 302
    new = Meter.objects.get(serial_number="ZW-NEW")
    assert new.replaces_id == meters["w1"].pk
    assert Meter.objects.get(pk=meters["w1"].pk).removed_on is not None


def test_a_two_zone_meter_takes_each_zone_once_and_a_repeat_is_told(client, tenants, meters):
    client.force_login(meters["owner"])
    url = f"/meters/{meters['e3'].pk}/"
    client.post(f"{url}reading", {"register": "day", "value": "510"}, HTTP_HOST=A)
    page = client.get(url, HTTP_HOST=A).content.decode()
    assert 'name="value"' in page  # the night zone is still to send
    assert '<option value="day"' not in page
    client.post(f"{url}reading", {"register": "night", "value": "205"}, HTTP_HOST=A)
    assert 'name="value"' not in client.get(url, HTTP_HOST=A).content.decode()
    again = client.post(
        f"{url}reading", {"register": "night", "value": "206"}, HTTP_HOST=A, follow=True
    )
    assert "został już wysłany" in again.content.decode()  # said above the page, not lost


def test_the_office_reports_every_missing_field_of_a_correction(client, meters):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering import services

    flagged = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="900", confirm=True
    )
    clerk = user_create(login="bok", password="BiUr42#ok", role="customer_service")
    login_verified_staff(client, A, clerk, "BiUr42#ok")
    response = client.post(
        f"/office/readings/{flagged.pk}/review", {f"r{flagged.pk}-decision": "correct"}, HTTP_HOST=A
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_r{flagged.pk}-value_error"' in page
    assert f'id="id_r{flagged.pk}-reason_error"' in page
    assert Reading.objects.get(pk=flagged.pk).status == "flagged"


def test_staff_see_open_alerts_and_close_them(client, meters):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering.models import MeterAlert

    alert = MeterAlert.objects.create(
        meter=meters["w1"], kind="night_flow", detected_on=timezone.localdate()
    )
    clerk = user_create(login="bok", password="BiUr42#ok", role="customer_service")
    login_verified_staff(client, A, clerk, "BiUr42#ok")
    listing = client.get("/office/meters/alerts/", HTTP_HOST=A).content.decode()
    assert "ZW-001" in listing
    client.post(f"/office/meters/alerts/{alert.pk}/resolve", HTTP_HOST=A)
    alert.refresh_from_db()
    assert alert.resolved_by == clerk
    assert "ZW-001" not in client.get("/office/meters/alerts/", HTTP_HOST=A).content.decode()
    assert client.post(f"/office/meters/alerts/{alert.pk}/resolve", HTTP_HOST=A).status_code == 404


def test_the_office_lists_the_meters_still_unread_in_a_period(client, meters):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering import services

    services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    admin = user_create(login="admin", password="BiUr42#ok", role="tenant_admin")
    login_verified_staff(client, A, admin, "BiUr42#ok")
    page = client.get(
        f"/office/readings/windows/{meters['window'].pk}/missing", HTTP_HOST=A
    ).content.decode()
    assert "ZW-002" in page
    assert "EL-003" in page
    assert "ZW-001" not in page


def test_the_premises_chart_adds_up_its_water_meters(client, meters):
    from billing.importing import import_text
    from metering.tests.conftest import history_csv, months_ago

    import_text("meters", "erp_id;serial_number;kind;premises_erp_id\nH1;CW-001;hot_water;M1\n")
    rows = [(f"H{i}", "H1", "", (months_ago(12 - i), f"{50 + i}.000")) for i in range(12)]
    assert import_text("readings", history_csv(rows)).errors == []
    client.force_login(meters["owner"])
    page = client.get(f"/meters/premises/{meters['w1'].premises_id}/", HTTP_HOST=A).content.decode()
    assert page.count('<svg class="bar-chart"') == 1  # cold and hot water: one chart in m³
    titles = re.findall(r"<title>(\d\d\.\d{4}): ([\d,]+)</title>", page)
    month, shown = titles[-1]  # the newest whole month
    from metering import selectors
    from metering.models import Meter

    def used(meter):
        rows = selectors.monthly_use(actor=meters["owner"], meter=meter, months=24)
        return next(r["used"] for r in rows if r["month"].strftime("%m.%Y") == month)

    together = used(meters["w1"]) + used(Meter.objects.get(erp_id="H1"))
    assert shown == f"{together:.3f}".replace(".", ",")
    client.force_login(meters["neighbour"])
    assert (
        client.get(f"/meters/premises/{meters['w1'].premises_id}/", HTTP_HOST=A).status_code == 404
    )


def test_an_admin_moves_a_reading_period_and_a_wrong_one_changes_nothing(client, meters):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering.models import ReadingWindow

    admin = user_create(login="admin", password="BiUr42#ok", role="tenant_admin")
    login_verified_staff(client, A, admin, "BiUr42#ok")
    window = meters["window"]
    url = f"/office/readings/windows/{window.pk}/"
    wrong = client.post(
        url, {"name": "Jesień", "opens_on": "2026-12-10", "closes_on": "2026-12-01"}, HTTP_HOST=A
    )
    assert wrong.status_code == 400
    assert ReadingWindow.objects.get(pk=window.pk).closes_on == window.closes_on
    moved = client.post(
        url,
        {
            "name": "Zima",
            "opens_on": "2026-12-01",
            "closes_on": "2026-12-10",
            "meter_kinds": ["cold_water"],
        },
        HTTP_HOST=A,
    )
    assert moved.status_code == 302
    window.refresh_from_db()
    assert (window.name, str(window.closes_on), window.meter_kinds) == (
        "Zima",
        "2026-12-10",
        ["cold_water"],
    )


def test_the_meters_page_asks_the_same_number_of_queries_for_a_page_of_many_meters(client, meters):
    from metering.tests.conftest import assert_queries_flat_with_more_meters

    client.force_login(meters["owner"])
    assert_queries_flat_with_more_meters(client, "/meters/", A)


def test_the_reading_periods_page_lists_periods_and_creates_one(client, meters):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff
    from metering.models import ReadingWindow

    admin = user_create(login="admin", password="BiUr42#ok", role="tenant_admin")
    login_verified_staff(client, A, admin, "BiUr42#ok")
    page = client.get("/office/readings/windows/", HTTP_HOST=A)
    assert page.status_code == 200
    assert "Jesień" in page.content.decode()
    created = client.post(
        "/office/readings/windows/",
        {"name": "Wiosna", "opens_on": "2027-03-01", "closes_on": "2027-03-15"},
        HTTP_HOST=A,
    )
    assert created.status_code == 302
    assert ReadingWindow.objects.filter(name="Wiosna", meter_kinds=[]).exists()
