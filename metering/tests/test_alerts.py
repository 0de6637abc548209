"""Unusual consumption found by the tenant's rules, told once; reading window notices, sent
once per window however often the job runs."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from billing.importing import import_text
from core.outbox.models import Message
from metering import alerts
from metering.models import MeterAlert, ReadingWindow

pytestmark = pytest.mark.django_db


def _hourly(meter_radio: str, day, litres: list[int]) -> str:
    """Telegrams at every full hour of ``day`` (local), ``litres[h]`` used in hour h."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    value, lines = 200.0, []
    lines.append(json.dumps({"id": meter_radio, "total_m3": value, "timestamp": start.isoformat()}))
    for hour, used in enumerate(litres, start=1):
        value += used / 1000
        at = start + timedelta(hours=hour)
        lines.append(
            json.dumps(
                {"id": meter_radio, "total_m3": round(value, 3), "timestamp": at.isoformat()}
            )
        )
    return "\n".join(lines)


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


def test_flow_in_every_hour_of_a_day_is_a_leak_sign_once(meters, yesterday):
    assert import_text("remote-reads", _hourly("11110001", yesterday, [20] * 24)).errors == []
    assert alerts.alerts_detect(day=yesterday) >= 1
    kinds = set(MeterAlert.objects.filter(meter=meters["w1"]).values_list("kind", flat=True))
    assert {"continuous_flow", "night_flow"} <= kinds
    assert alerts.alerts_detect(day=yesterday) == 0  # found again: nothing new


def test_one_hour_below_the_threshold_is_not_a_continuous_flow(meters, yesterday):
    litres = [20] * 24
    litres[14] = 19  # the boundary: 19 L in one afternoon hour
    import_text("remote-reads", _hourly("11110001", yesterday, litres))
    alerts.alerts_detect(day=yesterday)
    kinds = set(MeterAlert.objects.values_list("kind", flat=True))
    assert "continuous_flow" not in kinds
    assert "night_flow" in kinds  # the night still flowed


def test_a_dry_night_hour_is_no_night_flow(meters, yesterday):
    litres = [5] * 24
    litres[2] = 0  # 02:00–03:00 nothing
    import_text("remote-reads", _hourly("11110001", yesterday, litres))
    alerts.alerts_detect(day=yesterday)
    assert not MeterAlert.objects.filter(kind="night_flow").exists()


def test_an_alert_is_told_to_the_premises_customer_once(meters, yesterday):
    MeterAlert.objects.create(meter=meters["w1"], kind="meter_alarm", detected_on=yesterday)
    assert alerts.alerts_notify() == 1
    assert alerts.alerts_notify() == 0
    mail = Message.objects.get(template="meter_alert")
    assert mail.recipient == "jan@example.com"
    assert "/meters/" in mail.body_text


def test_window_notices_go_once_each(meters):
    today = timezone.localdate()
    window = meters["window"]
    assert alerts.window_notices_send(today=today) == 2  # both customers have a covered meter
    assert alerts.window_notices_send(today=today) == 0
    # Three days before it closes the reminder goes to those without a reading.
    from metering import services

    services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    services.reading_submit(
        actor=meters["owner"], meter_id=meters["e3"].pk, value="510", register_code="day"
    )
    services.reading_submit(
        actor=meters["owner"], meter_id=meters["e3"].pk, value="205", register_code="night"
    )
    closing_day = window.closes_on - timedelta(days=3)
    assert alerts.window_notices_send(today=closing_day) == 1
    assert (
        Message.objects.filter(template="reading_window_closing").get().recipient
        == "ewa@example.com"
    )
    assert alerts.window_notices_send(today=closing_day) == 0
    ReadingWindow.objects.filter(pk=window.pk).update(closing_reminder_sent_at=None)
    assert alerts.window_notices_send(today=closing_day - timedelta(days=1)) == 0  # too early


def test_the_summary_page_shows_the_leak_and_the_window(client, meters, yesterday):
    MeterAlert.objects.create(meter=meters["w1"], kind="continuous_flow", detected_on=yesterday)
    client.force_login(meters["owner"])
    page = client.get("/dashboard/", HTTP_HOST="alpha.localhost").content.decode()
    assert page.count('class="notice notice-error" role="alert"') == 1
    assert f'href="/meters/{meters["w1"].pk}/"' in page
    assert 'class="notice notice-info"' in page  # readings to send in the open window


def test_use_far_above_the_usual_raises_a_high_use_alert_and_usual_use_does_not(meters, yesterday):
    noon = datetime.combine(yesterday, time(12), tzinfo=timezone.get_current_timezone())
    usual = f"erp_id;meter_erp_id;read_at;value\nY1;W1;{noon.isoformat()};134.000\n"
    assert import_text("readings", usual).errors == []
    alerts.alerts_detect(day=yesterday)
    assert not MeterAlert.objects.filter(kind="high_use").exists()
    high = f"erp_id;meter_erp_id;read_at;value\nY1;W1;{noon.isoformat()};190.000\n"
    assert import_text("readings", high).errors == []  # the ERP corrects the same reading
    alerts.alerts_detect(day=yesterday)
    alert = MeterAlert.objects.get(kind="high_use")
    assert alert.meter == meters["w1"]
    assert alert.detail["unit"] == "m3"


def test_the_summary_page_asks_the_same_number_of_queries_for_many_meters(client, meters):
    from metering.tests.conftest import assert_queries_flat_with_more_meters

    client.force_login(meters["owner"])
    assert_queries_flat_with_more_meters(client, "/dashboard/", "alpha.localhost")
