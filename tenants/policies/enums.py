"""The values a tenant's settings choose from, and the error of a setting that cannot be stored."""

from __future__ import annotations

import re
from enum import StrEnum

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class PolicyError(ValueError):
    """A setting value that cannot be stored; ``problems`` maps a field path to a message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


class Module(StrEnum):
    CHARGES = "charges"
    INVOICES = "invoices"
    PAYMENTS_RECEIVED = "payments_received"
    SETTLEMENTS = "settlements"
    BALANCE_CONFIRMATION = "balance_confirmation"
    PREMISES = "premises"
    CONTRACTS = "contracts"
    SERVICE_POINTS = "service_points"
    METERS = "meters"
    READINGS = "readings"
    E_INVOICE = "e_invoice"
    ONLINE_PAYMENTS = "online_payments"
    DEBT_COLLECTION = "debt_collection"
    MEMBERSHIP = "membership"
    DOCUMENTS = "documents"
    ANNOUNCEMENTS = "announcements"
    TICKETS = "tickets"
    FAILURE_REPORTS = "failure_reports"
    CORRESPONDENCE = "correspondence"
    PROPERTY_MANAGERS = "property_managers"


class Channel(StrEnum):
    """How a notification reaches a customer."""

    EMAIL = "email"
    SMS = "sms"


class CaseField(StrEnum):
    """The extra fields a kind of case asks for, beside its text."""

    PLACE = "place"  # where a failure is (a staircase, the basement, a street)
    URGENCY = "urgency"  # how urgent the reporter thinks it is
    INVOICE = "invoice"  # the invoice a complaint concerns
    CHANGE = "change"  # the customer data a change request changes (applied when accepted)
    PREMISES = "premises"  # the premises or point of supply concerned (chosen from the actor's)


class LoginIdentifier(StrEnum):
    CUSTOMER_SYMBOL = "customer_symbol"
    LOGIN = "login"
    EMAIL = "email"
    PESEL_OR_NIP = "pesel_or_nip"


class RegistrationFlow(StrEnum):
    ACTIVATION_REQUEST = "activation_request"
    VERIFIED_SELF_SERVICE = "verified_self_service"
    CONTRACT_ACTIVATION = "contract_activation"
    IN_PERSON = "in_person"
    INVOICE_ACTIVATION = "invoice_activation"
    CUSTOM = "custom"


class Verification(StrEnum):
    STAFF_REVIEW = "staff_review"
    AUTOMATIC_MATCH = "automatic_match"
    NONE = "none"


class CredentialDelivery(StrEnum):
    SET_PASSWORD_LINK = "set_password_link"
    TEMPORARY_PASSWORD = "temporary_password"
    ACTIVATION_LINK_THEN_ONE_TIME_PASSWORD = "activation_link_then_one_time_password"
    THREE_EMAILS = "three_emails"
    IN_PERSON_LETTER = "in_person_letter"


class Captcha(StrEnum):
    NONE = "none"
    DIGIT_POSITIONS = "digit_positions"
    IMAGE = "image"


class Unlock(StrEnum):
    STAFF_ONLY = "staff_only"
    AUTOMATIC_AFTER_TIME = "automatic_after_time"


class RecoveryMethod(StrEnum):
    RESET_LINK = "reset_link"
    ONE_TIME_PASSWORD = "one_time_password"
    STAFF_ONLY = "staff_only"


class Compliance(StrEnum):
    """How far the portal meets the accessibility law (the declaration's "status")."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class Assessment(StrEnum):
    """How the accessibility declaration was prepared."""

    SELF = "self"
    EXTERNAL = "external"


class Language(StrEnum):
    PL = "pl"
    EN = "en"
    UK = "uk"


class DocumentKind(StrEnum):
    REGULATIONS = "regulations"
    E_SERVICES_POLICY = "e_services_policy"
    PRIVACY_NOTICE = "privacy_notice"
    COOKIES_POLICY = "cookies_policy"
