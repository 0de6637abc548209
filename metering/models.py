"""Meters on premises, the registers they count in, readings per register, the windows in which
customers submit readings, and the alerts unusual consumption raises."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Meter(models.Model):
    class Kind(models.TextChoices):
        COLD_WATER = "cold_water", _("Cold water")
        HOT_WATER = "hot_water", _("Hot water")
        HEAT = "heat", _("Heat")
        HEAT_COST_ALLOCATOR = "heat_cost_allocator", _("Heat cost allocator")
        ELECTRICITY = "electricity", _("Electricity")
        GAS = "gas", _("Gas")

    class Unit(models.TextChoices):
        M3 = "m3", "m³"
        KWH = "kWh", "kWh"
        GJ = "GJ", "GJ"
        UNITS = "units", _("units")

    erp_id = models.CharField(max_length=64, unique=True)
    serial_number = models.CharField(_("serial number"), max_length=64)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    premises = models.ForeignKey(
        "billing.Premises", on_delete=models.PROTECT, related_name="meters"
    )
    service_point = models.ForeignKey(
        "billing.ServicePoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meters",
    )
    location = models.CharField(_("location"), max_length=120, blank=True)  # "bathroom"
    installed_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    legalisation_valid_until = models.DateField(null=True, blank=True)
    is_main = models.BooleanField(default=True)  # a main meter, or a sub-meter behind one
    # The meter this one replaced: its final reading and this one's initial reading bound the
    # chain, so consumption never jumps at a replacement.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    # The registers it counts in, as the ERP lists them ("1"; "day,night" for G12).
    register_codes = models.CharField(max_length=120, default="1")
    # The radio (wM-Bus/LoRaWAN) id a collector reports it under.
    remote_id = models.CharField(max_length=32, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["premises_id", "kind", "serial_number"]
        indexes = [models.Index(fields=["serial_number"], name="metering_meter_serial")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "cold_water",
                        "hot_water",
                        "heat",
                        "heat_cost_allocator",
                        "electricity",
                        "gas",
                    ]
                ),
                name="meter_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["m3", "kWh", "GJ", "units"]), name="meter_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True)
                | Q(installed_on__isnull=True)
                | Q(removed_on__gte=models.F("installed_on")),
                name="meter_removed_after_installed",
            ),
            models.CheckConstraint(
                condition=~Q(replaces=models.F("id")), name="meter_not_its_own_predecessor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_number}"

    @property
    def in_service(self) -> bool:
        return self.removed_on is None


class Register(models.Model):
    """What a meter counts in: one register for most, two or more for a multi-zone electricity
    meter (G12: day and night). ``erp_id`` is the meter's and the code, so readings refer to it
    by the ERP's names."""

    erp_id = models.CharField(max_length=96, unique=True)
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="registers")
    code = models.CharField(max_length=16, default="1")

    class Meta:
        ordering = ["meter_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "code"], name="register_code_unique")
        ]

    def __str__(self) -> str:
        return self.erp_id


class ReadingWindow(models.Model):
    """When customers submit readings: for the whole tenant, an estate or a building, for every
    kind of meter or some (seed D: "terminy odczytu wodomierzy"). Both days count."""

    name = models.CharField(_("name"), max_length=120)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    meter_kinds = ArrayField(
        models.CharField(max_length=24, choices=Meter.Kind.choices), default=list, blank=True
    )  # empty: every kind
    estate = models.CharField(_("estate"), max_length=120, blank=True)  # empty: every estate
    building = models.ForeignKey(
        "billing.Building",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reading_windows",
    )  # empty: every building
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the customers were told it opens, and reminded that it closes (once each).
    opening_notice_sent_at = models.DateTimeField(null=True, blank=True)
    closing_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="window_period_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    class Source(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        STAFF = "staff", _("Office")
        REMOTE = "remote", _("Remote read")
        ESTIMATE = "estimate", _("Estimate")
        ERP = "erp", _("Billing system")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("a reading", "Accepted")
        FLAGGED = "flagged", pgettext_lazy("a reading", "Waiting for review")
        REJECTED = "rejected", pgettext_lazy("a reading", "Rejected")

    # The ERP's id for imported readings; made up for the others (``portal:…``, ``remote:…``)
    # so that every reading can be sent again without being stored twice.
    erp_id = models.CharField(max_length=128, unique=True)
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(max_digits=14, decimal_places=3)
    read_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ERP)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    flag = models.CharField(max_length=32, blank=True)  # why it waits for review (a code)
    reason = models.CharField(max_length=500, blank=True)  # staff's reason to correct or reject
    original_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    photo = models.CharField(max_length=200, blank=True)  # a storage path, served by a view
    window = models.ForeignKey(
        ReadingWindow, null=True, blank=True, on_delete=models.SET_NULL, related_name="readings"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # A remote read: the meter's own alarms, and the value it stored on its billing date.
    alarms = models.CharField(max_length=200, blank=True)
    billing_date = models.DateField(null=True, blank=True)
    billing_date_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-read_at", "-id"]
        # The unique (register, read_at) index also serves "the latest readings of a register"
        # (scanned backwards): a second index would only slow the import down.
        constraints = [
            models.UniqueConstraint(
                fields=["register", "read_at"], name="reading_one_per_register_moment"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_value_not_negative"),
            models.CheckConstraint(
                condition=Q(source__in=["customer", "staff", "remote", "estimate", "erp"]),
                name="reading_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["accepted", "flagged", "rejected"]),
                name="reading_status_valid",
            ),
            # A customer submits once per register and window (two at once: one is stored).
            models.UniqueConstraint(
                fields=["register", "window"],
                condition=Q(window__isnull=False, source="customer") & ~Q(status="rejected"),
                name="reading_one_per_register_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.register_id} {self.value} @ {self.read_at:%Y-%m-%d %H:%M}"


class MeterAlert(models.Model):
    """Unusual consumption found on a meter (a leak's signs or the meter's own alarm). One per
    meter, kind and day, so finding it again changes nothing."""

    class Kind(models.TextChoices):
        HIGH_USE = "high_use", _("Consumption well above usual")
        CONTINUOUS_FLOW = "continuous_flow", _("Water flowing in every hour of a day")
        NIGHT_FLOW = "night_flow", _("Water flowing through the whole night")
        METER_ALARM = "meter_alarm", _("The meter reports an alarm")

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detected_on = models.DateField()
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-detected_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "kind", "detected_on"], name="meter_alert_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["high_use", "continuous_flow", "night_flow", "meter_alarm"]),
                name="meter_alert_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.meter_id} {self.detected_on}"
