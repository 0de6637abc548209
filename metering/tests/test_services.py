"""reading_submit and reading_review: windows, monotonic values, plausibility, one reading per
window, photos; each refusal with its exact code and nothing stored."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from core.errors import ApplicationError
from core.outbox.models import Message
from metering import services
from metering.models import Meter, Reading, ReadingWindow

pytestmark = pytest.mark.django_db


def _refused(code: str, **kwargs) -> ApplicationError:
    before = Reading.objects.count()
    with pytest.raises(ApplicationError) as caught:
        services.reading_submit(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert Reading.objects.count() == before  # a refusal stores nothing
    return caught.value


def test_a_reading_inside_the_window_is_stored_accepted(meters):
    reading = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="134.5"
    )
    assert (reading.value, reading.status, reading.source) == (
        Decimal("134.500"),
        "accepted",
        "customer",
    )
    assert reading.window == meters["window"]
    assert reading.submitted_by == meters["owner"]


def test_outside_every_window_is_refused_saying_when_the_next_opens(meters):
    today = timezone.localdate()
    ReadingWindow.objects.all().update(
        opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1)
    )
    ReadingWindow.objects.create(
        name="Wiosna", opens_on=today + timedelta(days=30), closes_on=today + timedelta(days=40)
    )
    error = _refused(
        "outside_reading_window", actor=meters["owner"], meter_id=meters["w1"].pk, value="134"
    )
    assert error.status == 400
    assert (
        error.extra["data"]["next_window"]["opens_on"] == (today + timedelta(days=30)).isoformat()
    )


def test_the_window_boundaries_count_both_days(meters):
    today = timezone.localdate()
    ReadingWindow.objects.all().update(opens_on=today, closes_on=today)  # last day = first day
    assert services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="134"
    ).window
    ReadingWindow.objects.all().update(
        opens_on=today + timedelta(days=1), closes_on=today + timedelta(days=5)
    )
    _refused(
        "outside_reading_window", actor=meters["neighbour"], meter_id=meters["w2"].pk, value="1"
    )


def test_a_window_for_another_building_or_kind_does_not_open_this_meter(meters):
    today = timezone.localdate()
    w = meters["window"]
    w.building = meters["e3"].premises.building  # B2, while W1 is in B1
    w.save()
    _refused("outside_reading_window", actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    w.building, w.meter_kinds = None, [Meter.Kind.ELECTRICITY]
    w.save()
    _refused("outside_reading_window", actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    w.meter_kinds, w.estate = [Meter.Kind.COLD_WATER], "Osiedle Zielone"
    w.save()
    assert services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    assert w.opens_on <= today


def test_lower_than_the_previous_reading_is_refused(meters):
    error = _refused(
        "lower_than_previous", actor=meters["owner"], meter_id=meters["w1"].pk, value="132.999"
    )
    assert error.extra["data"]["previous"]["value"] == "133.000"
    # The same value as before is not lower: accepted (boundary).
    assert services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="133")


def test_after_a_replacement_the_new_meter_starts_from_its_own_initial_reading(meters, tenants):
    from identity.services import user_create

    staff = user_create(login="technik", password="x", role="technician")
    new = services.meter_replace(
        actor=staff,
        meter_id=meters["w1"].pk,
        replaced_on=timezone.localdate() - timedelta(days=1),
        final_values={"1": "134"},
        serial_number="ZW-NEW",
        initial_values={"1": "0.5"},
    )
    # Lower than the old meter's 134, but above the new one's 0.5: accepted.
    reading = services.reading_submit(actor=meters["owner"], meter_id=new.pk, value="1.2")
    assert reading.register.meter == new
    _refused("meter_removed", actor=meters["owner"], meter_id=meters["w1"].pk, value="140")


def test_far_above_usual_use_is_refused_with_the_range_then_kept_flagged_when_confirmed(meters):
    error = _refused("implausible", actor=meters["owner"], meter_id=meters["w1"].pk, value="500")
    expected = error.extra["data"]["expected"]
    assert expected["min"] == "133.000"
    assert Decimal(expected["max"]) > Decimal("133")
    # Just inside the range: accepted as it is.
    inside = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value=expected["max"]
    )
    assert inside.status == "accepted"
    inside.delete()
    confirmed = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="500", confirm=True
    )
    assert (confirmed.status, confirmed.flag) == ("flagged", "implausible")


def test_a_second_reading_in_the_same_window_is_a_conflict(meters):
    services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    error = _refused(
        "already_submitted", actor=meters["owner"], meter_id=meters["w1"].pk, value="135"
    )
    assert error.status == 409


def test_a_two_zone_meter_needs_the_zone(meters):
    e3 = meters["e3"].pk
    _refused("register_required", actor=meters["owner"], meter_id=e3, value="510")
    _refused(
        "unknown_register", actor=meters["owner"], meter_id=e3, value="510", register_code="peak"
    )
    day = services.reading_submit(
        actor=meters["owner"], meter_id=e3, value="510", register_code="day"
    )
    night = services.reading_submit(
        actor=meters["owner"], meter_id=e3, value="205", register_code="night"
    )
    assert {day.register.code, night.register.code} == {"day", "night"}


@pytest.mark.parametrize("value", ["-1", "1.0001", "abc", "1e12", "NaN", ""])
def test_values_that_are_not_a_meter_count_are_refused(meters, value):
    _refused("invalid_value", actor=meters["owner"], meter_id=meters["w1"].pk, value=value)


def test_a_reading_dated_in_the_future_or_long_ago_is_refused(meters):
    now = timezone.now()
    _refused(
        "in_the_future",
        actor=meters["owner"],
        meter_id=meters["w1"].pk,
        value="134",
        read_at=now + timedelta(hours=1),
    )
    _refused(
        "invalid_period",
        actor=meters["owner"],
        meter_id=meters["w1"].pk,
        value="134",
        read_at=now - timedelta(days=4),
    )


def test_another_customers_meter_is_not_found(meters):
    error = _refused("not_found", actor=meters["neighbour"], meter_id=meters["w1"].pk, value="134")
    assert error.status == 404


def test_a_manager_submits_only_for_granted_premises(meters, manager):
    assert services.reading_submit(actor=manager, meter_id=meters["w1"].pk, value="134")
    _refused("not_found", actor=manager, meter_id=meters["e3"].pk, value="510", register_code="day")


def test_without_the_readings_module_nothing_is_taken(meters, set_config):
    set_config(modules=["meters"])
    error = _refused(
        "readings_not_offered", actor=meters["owner"], meter_id=meters["w1"].pk, value="134"
    )
    assert error.status == 403


def test_a_tenant_without_windows_takes_readings_any_day_once_a_day(meters, set_config):
    ReadingWindow.objects.all().delete()
    set_config(metering__windows_required=False)
    assert (
        services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="134").window
        is None
    )
    _refused("already_submitted", actor=meters["owner"], meter_id=meters["w1"].pk, value="135")


# --- photos ----------------------------------------------------------------------------------


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


def test_a_jpeg_photo_is_kept_under_the_tenants_folder(meters):
    photo = SimpleUploadedFile("licznik.jpg", _jpeg(), content_type="image/jpeg")
    reading = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="134", photo=photo
    )
    assert reading.photo.startswith("alpha/readings/")
    assert reading.photo.endswith(".jpg")


@pytest.mark.parametrize(
    "body",
    [
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"\xff\xd8\xff\xe0 not really a jpeg",
    ],
    ids=["html", "svg", "truncated-jpeg"],
)
def test_a_file_that_is_not_a_photo_is_refused_whatever_its_name(meters, body):
    photo = SimpleUploadedFile("licznik.jpg", body, content_type="image/jpeg")
    _refused(
        "photo_not_an_image",
        actor=meters["owner"],
        meter_id=meters["w1"].pk,
        value="134",
        photo=photo,
    )


def test_a_photo_over_the_limit_is_refused(meters):
    photo = SimpleUploadedFile(
        "duze.jpg", _jpeg() + b"\0" * (50 * 1024 * 1024), content_type="image/jpeg"
    )
    error = _refused(
        "photo_too_large", actor=meters["owner"], meter_id=meters["w1"].pk, value="134", photo=photo
    )
    assert "photo" in error.extra["fields"]


def test_a_heic_photo_is_recognised_by_its_boxes(meters):
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"  # then its meta and data
    heic += b"\x00\x00\x00\x10meta" + b"\0" * 8 + b"\x00\x00\x00\x10mdat" + b"\1" * 8
    photo = SimpleUploadedFile("IMG_0001.HEIC", heic, content_type="image/heic")
    reading = services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="134", photo=photo
    )
    assert reading.photo.endswith(".heic")


# --- review ----------------------------------------------------------------------------------


@pytest.fixture
def flagged(meters):
    return services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="500", confirm=True
    )


@pytest.fixture
def clerk(meters):
    from identity.services import user_create

    return user_create(login="bok", password="x", role="customer_service")


def test_staff_correct_a_flagged_reading_with_a_reason_and_the_customer_is_told(
    flagged, clerk, meters
):
    reading = services.reading_review(
        actor=clerk,
        reading_id=flagged.pk,
        decision="correct",
        value="140",
        reason="Zdjęcie pokazuje 140",
    )
    assert (reading.status, reading.value, reading.original_value) == (
        "accepted",
        Decimal("140.000"),
        Decimal("500.000"),
    )
    mail = Message.objects.get(recipient="jan@example.com", template="reading_reviewed")
    assert "140" in mail.body_text
    assert "Zdjęcie pokazuje 140" in mail.body_text


def test_rejecting_needs_a_reason_and_a_review_happens_once(flagged, clerk):
    with pytest.raises(ApplicationError) as caught:
        services.reading_review(actor=clerk, reading_id=flagged.pk, decision="reject", reason=" ")
    assert caught.value.code == "reason_required"
    services.reading_review(
        actor=clerk, reading_id=flagged.pk, decision="reject", reason="Błędny licznik"
    )
    with pytest.raises(ApplicationError) as again:
        services.reading_review(actor=clerk, reading_id=flagged.pk, decision="accept")
    assert (again.value.code, again.value.status) == ("already_reviewed", 409)
    assert Reading.objects.get(pk=flagged.pk).status == "rejected"


def test_a_reading_waiting_for_review_does_not_move_the_meters_baseline(meters, set_config):
    from metering import selectors

    ReadingWindow.objects.all().delete()
    set_config(metering__windows_required=False)
    services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="500", confirm=True
    )
    register = meters["w1"].registers.get()
    from identity.selectors import current_config

    expected = selectors.expected_reading(
        register=register, at=timezone.now(), rules=current_config().metering
    )
    assert expected.low == Decimal("133.000")
    state = selectors.meter_states(
        actor=meters["owner"],
        meters=[meters["w1"]],
        windows_required=False,
        on=timezone.localdate(),
    )[meters["w1"].pk]
    assert [r.value for r in state.latest] == [Decimal("133.000")]


def test_without_windows_a_second_reading_the_same_day_is_refused_as_today(meters, set_config):
    ReadingWindow.objects.all().delete()
    set_config(metering__windows_required=False)
    services.reading_submit(actor=meters["owner"], meter_id=meters["w1"].pk, value="134")
    with translation.override("en"):
        error = _refused(
            "already_submitted", actor=meters["owner"], meter_id=meters["w1"].pk, value="135"
        )
    assert "already been sent today" in error.message
