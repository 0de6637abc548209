"""The authorization matrix over every URL pattern (SECURITY.md Z1, T1, T5, Z4, C2).

Every route of the tenant and platform URLconfs is requested as anonymous, customer, property
manager, staff (customer service), tenant admin, and with a session of tenant B's administrator
replayed on A's host; GET and POST. Each route has its expected statuses below: a new route
without an entry fails the test, so no page can be forgotten. Ids in the paths belong to objects
that exist only in tenant B (T1: A's host answers as for an id that does not exist). Every
refused POST is checked to have written nothing (PostgreSQL's per-transaction tuple counters),
every HTML answer to carry the security headers (C2), and every state-changing request from a
foreign origin is refused (Z4).

Statuses: a number, or ``L`` for a redirect to the login page; ``H`` marks a refused request
that must write nothing. Order: anonymous, customer, manager, staff, admin.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing.importing import import_text
from billing.models import (
    BalanceConfirmation,
    Customer,
    ImportJob,
    Invoice,
    ManagerApplication,
    Premises,
    PremisesGrant,
)
from billing.services import customer_account_attach, grant_create, manager_company_create
from billing.tests.conftest import FILES
from core.outbox.models import Message
from core.testing import url_routes
from correspondence.models import (
    Announcement,
    CaseAttachment,
    Document,
    DocumentVersion,
    Letter,
)
from correspondence.services import CaseDraft, case_file
from identity.models import ApiKey, DataExport, ErasureRequest, RegistrationRequest
from identity.services import document_publish, user_create
from identity.tests.conftest import login_verified_staff
from metering.models import Meter, MeterAlert, Reading, ReadingWindow
from payments.models import Payment

pytestmark = pytest.mark.django_db
NOWHERE_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")
HOST = "alpha.localhost"
ROLES = ("anonymous", "customer", "manager", "staff", "admin")
PASSWORD = "BiUr42#ok"

# route name: "GET statuses | POST statuses" (anonymous, customer, manager, staff, admin)
TENANT_ROUTES = {
    "home": "200 200 200 302 302 | 200 200 200 302 302",  # staff go to the office
    "login": "200 302 302 302 302 | 200 302 302 302 302",
    "password_change_forced": "L 200 200 200 200 | LH 400 400 400 400",
    "terms_accept": "L 302 302 302 302 | LH 302 302 302 302",
    "two_factor": "L 302 302 302 302 | LH 302 302 302 302",
    "two_factor_enrol": "L 200 200 200 200 | LH 400 400 400 400",
    "session_refresh": "405 405 405 405 405 | 302 302 302 302 302",
    "login_reminder": "200 200 200 200 200 | 200 200 200 200 200",
    "password_reset": "200 200 200 200 200 | 200 200 200 200 200",
    "password_reset_complete": "410 410 410 410 410 | 410H 410H 410H 410H 410H",
    "account": "L 200 200 200 200 | LH 302 302 302 302",  # an empty form: nothing to change
    "contact_erase": "L 200 200 200 200 | LH 302 302 302 302",
    # A copy of one's data is a customer's; an empty form asks for the password.
    "data_export": "L 200 403 403 403 | LH 200H 403H 403H 403H",
    # One's own consents (customers and managers); an empty form is refused with a message.
    "consents": "L 200 200 403 403 | LH 400H 400H 403H 403H",
    "office_privacy_records": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "erasure_request": "L 200 200 403 403 | LH 200H 200H 403H 403H",
    "office_erasure_queue": "L 403 403 403 200 | LH 403H 403H 403H 400H",
    "office_erasure_carry_out": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "data_export_download": "L 404 403 403 403 | LH 405H 405H 405H 405H",
    "password_change": "L 200 200 200 200 | LH 400 400 400 400",
    "register": "200 200 200 200 200 | 400 400 400 400 400",
    "register_activate": "410 410 410 410 410 | 410H 410H 410H 410H 410H",
    "password_set": "410 410 410 410 410 | 410H 410H 410H 410H 410H",
    "email_confirm": "410 410 410 410 410 | 410H 410H 410H 410H 410H",
    "document": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "document_pdf": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "branding_logo": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "office_home": "L 403 403 200 200 | LH 403H 403H 200 200",
    "office_accounts": "L 403 403 200 200 | LH 403H 403H 200 200",
    "office_block": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_unblock": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_locked": "L 403 403 200 200 | LH 403H 403H 200 200",
    "office_unlock": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_credentials_resend": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_audit": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_settings": "L 403 403 403 200 | LH 403H 403H 403H 200",
    # The accessibility declaration: published for everyone, edited by the administrator.
    "accessibility_declaration": "200 200 200 200 200 | 405H 405H 405H 405H 405H",
    "office_accessibility": "L 403 403 403 200 | LH 403H 403H 403H 400H",
    "office_settings_section": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "office_staff": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_staff_role": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "office_staff_deactivate": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "office_staff_reactivate": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "office_staff_second_factor_reset": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "office_api_keys": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_api_key_revoke": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "office_documents": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_onboarding": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_onboarding_step": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "office_registrations": "L 403 403 200 200 | LH 403H 403H 200 200",
    "office_account_new": "L 403 403 200 200 | LH 403H 403H 200 200",
    "office_password_reissue_by_login": "405 405 405 405 405 | LH 403H 403H 302 302",
    "office_password_reissue": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_registration_decide": "405 405 405 405 405 | LH 403H 403H 302H 302H",
    "office_customers": "L 403 403 200 200 | LH 403H 403H 200 200",
    "correspondence_office_case_new": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "office_customer": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "office_customer_contact": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_access_ending": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "office_import": "L 403 403 403 200 | LH 403H 403H 403H 200H",
    "office_import_help": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_reports": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "office_report_csv": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "office_import_sample": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "office_import_job": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "office_import_job_status": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "billing_dashboard": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_switch": "405 405 405 405 405 | LH 302 302 403H 403H",
    "manager_apply": "200 200 200 200 200 | 400H 400H 400H 400H 400H",
    "office_manager_applications": "L 403 403 200 200 | LH 403H 403H 200 200",
    "office_manager_application_decide": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "office_manager_grant_revoke": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "billing_charges": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_invoices": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_invoice_pdf": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "billing_invoice_xml": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "billing_invoice": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "billing_balance_pdf": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_payments": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_settlements": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_balance_confirmations": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_balance_confirmation_answer": "405 405 405 405 405 | LH 404H 404H 403H 403H",
    "billing_premises": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_einvoice": "L 200 200 403 403 | LH 400H 400H 403H 403H",  # an empty form: errors
    "billing_membership": "L 200 200 403 403 | LH 200 200 403H 403H",
    "billing_debt_collection": "L 200 200 403 403 | LH 200 200 403H 403H",
    "metering_meters": "L 200 200 403 403 | LH 200 200 403H 403H",
    "metering_meter": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "metering_premises": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "metering_reading_submit": "405 405 405 405 405 | LH 404H 404H 403H 403H",
    "metering_readings_csv": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "metering_reading_photo": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "metering_office_review": "L 403 403 200 200 | LH 403H 403H 200 200",
    "metering_office_review_act": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "metering_office_reading_photo": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "metering_office_windows": "L 403 403 403 200 | LH 403H 403H 403H 400H",
    "metering_office_legalisation": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "metering_office_meters": "L 403 403 403 200 | LH 403H 403H 403H 200",
    "metering_office_alerts": "L 403 403 200 200 | LH 403H 403H 200 200",
    "metering_office_alert_resolve": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "metering_office_window_missing": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "metering_office_window": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "metering_office_replace": "L 403 403 403 404 | LH 403H 403H 403H 404H",
    "metering_office_window_delete": "405 405 405 405 405 | LH 403H 403H 403H 404H",
    "correspondence_cases": "L 200 200 403 403 | LH 200 200 403H 403H",
    "correspondence_case_new": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "correspondence_case": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "correspondence_case_reply": "405 405 405 405 405 | LH 404H 404H 403H 403H",
    "correspondence_case_close": "405 405 405 405 405 | LH 404H 404H 403H 403H",
    "correspondence_case_reopen": "405 405 405 405 405 | LH 404H 404H 403H 403H",
    "correspondence_case_rate": "405 405 405 405 405 | LH 404H 404H 403H 403H",
    "correspondence_attachment": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "correspondence_status": "200 200 200 200 200 | 400H 400H 400H 400H 400H",
    "correspondence_office_inbox": "L 403 403 200 200 | LH 403H 403H 200 200",
    "correspondence_office_ratings": "L 403 403 200 200 | LH 403H 403H 200 200",
    "correspondence_office_case": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "correspondence_office_case_answer": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_case_note": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_case_status": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_case_assign": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_case_change": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_attachment": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "correspondence_announcements": "L 200 200 403 403 | LH 200 200 403H 403H",
    "correspondence_outages": "200 200 200 200 200 | 200 200 200 200 200",
    "correspondence_documents": "L 200 200 403 403 | LH 200 200 403H 403H",
    "correspondence_documents_public": "200 200 200 200 200 | 200 200 200 200 200",
    "correspondence_document_file": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "correspondence_letters": "L 200 200 403 403 | LH 200 200 403H 403H",
    "correspondence_letter": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "correspondence_letter_pdf": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "correspondence_office_announcements": "L 403 403 200 200 | LH 403H 403H 400H 400H",
    "correspondence_office_announcement": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "correspondence_office_announcement_withdraw": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_documents": "L 403 403 200 200 | LH 403H 403H 400H 400H",
    "correspondence_office_document_version": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_document_withdraw": "405 405 405 405 405 | LH 403H 403H 404H 404H",
    "correspondence_office_letters": "L 403 403 200 200 | LH 403H 403H 400H 400H",
    "correspondence_office_announcement_notify": "L 403 403 404 404 | LH 403H 403H 404H 404H",
    "notifications_preferences": "L 200 200 403 403 | LH 302 302 403H 403H",
    "notifications_unsubscribe": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "notifications_office_messages": "L 403 403 200 200 | LH 403H 403H 405H 405H",
    "notifications_office_message": "L 403 403 404 404 | LH 403H 403H 405H 405H",
    "notifications_office_resend": "L 403 403 405 405 | LH 403H 403H 404H 404H",
    "notifications_office_sms": "L 403 403 403 200 | LH 403H 403H 403H 400H",
    "notifications_office_account": "L 403 403 404 404 | LH 403H 403H 405H 405H",
    "payments_return": "L 404 404 403 403 | LH 404H 404H 403H 403H",
    "payments_pay": "L 404 404 403 403 | LH 404H 404H 403H 403H",  # no merchant account in A
    "payments_office_list": "L 403 403 200 200 | LH 403H 403H 200 200",
    "payments_office_csv": "L 403 403 200 200 | LH 403H 403H 200 200",
    "payments_office_account": "L 403 403 403 200 | LH 403H 403H 403H 405H",
    "payments_office_gateway": "L 403 403 403 404 | LH 403H 403H 403H 404H",  # no gateway "x"
    "payments_office_account_test": "405 405 405 405 405 | LH 403H 403H 403H 302",
    "api-tenant": "200 200 200 200 200 | 405 405 405 405 405",
    "api-login": "405 405 405 405 405 | 400 400 400 400 400",
    "api-password-policy": "200 200 200 200 200 | 405 405 405 405 405",
    "api-password-check": "405 405 405 405 405 | 400 400 400 400 400",
    "api-password-change": "401 405 405 405 405 | 401H 400H 400H 400H 400H",
    "api-password-reset": "405 405 405 405 405 | 400 400 400 400 400",
    "api-login-reminder": "405 405 405 405 405 | 400 400 400 400 400",
    "api-terms-accept": "401 405 405 405 405 | 401H 400H 400H 400H 400H",
    "api-me": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-registration": "200 200 200 200 200 | 400 400 400 400 400",
    "api-registration-activate": "405 405 405 405 405 | 400 400 400 400 400",
    "api-me-contact": "401 405 405 405 405 | 401H 405H 405H 405H 405H",
    "api-me-export": "401 404 403 403 403 | 401H 400H 403H 403H 403H",
    "api-me-consents": "401 200 200 403 403 | 401H 405H 405H 405H 405H",
    "api-me-consent": "401 405 405 405 405 | 401H 405H 405H 405H 405H",
    "api-me-notifications": "401 200 200 403 403 | 401H 405H 405H 403H 403H",
    "api-notifications-sms-report": "404 404 404 404 404 | 405 405 405 405 405",
    "api-premises": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-contracts": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-balance": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-charges": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-invoices": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-invoice-pdf": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-invoice-xml": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-invoice": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-payments-received": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-settlements": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-balance-confirmations": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-balance-confirm": "401 405 405 405 405 | 401H 404H 404H 404H 404H",
    "api-balance-dispute": "401 405 405 405 405 | 401H 404H 404H 404H 404H",
    "api-e-invoice": "401 200 200 400 400 | 401H 405H 405H 405H 405H",
    "api-import-job": "401 401 401 401 401 | 401H 401H 401H 401H 401H",
    "api-meters": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-meter-readings": "401 404 404 404 404 | 401H 404H 404H 404H 404H",
    "api-meter-consumption": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-import": "401 401 401 401 401 | 401H 401H 401H 401H 401H",
    "api-import-invoice-xml": "401 401 401 401 401 | 401H 401H 401H 401H 401H",
    "api-export": "401 401 401 401 401 | 401H 401H 401H 401H 401H",
    "api-tickets": "401 200 200 200 200 | 401H 400H 400H 400H 400H",
    "api-announcements": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-documents": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-document-file": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-letters": "401 200 200 200 200 | 401H 405H 405H 405H 405H",
    "api-payments": "401 405 405 405 405 | 401H 400H 400H 400H 400H",
    "api-payment": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-payments-export": "401 401 401 401 401 | 401H 401H 401H 401H 401H",
    "api-payment-notify": "405 405 405 405 405 | 404H 404H 404H 404H 404H",
    "api-payments-notify": "405 405 405 405 405 | 404H 404H 404H 404H 404H",
    "api-ticket-status": "405 405 405 405 405 | 400H 400H 400H 400H 400H",
    "api-tickets-export": "401 401 401 401 401 | 401H 401H 401H 401H 401H",
    "api-ticket": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "api-ticket-messages": "401 405 405 405 405 | 401H 404H 404H 404H 404H",
    "api-ticket-attachment": "401 404 404 404 404 | 401H 405H 405H 405H 405H",
    "dev-mail": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "dev-mail-detail": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "dev-mail-html": "404 404 404 404 404 | 404H 404H 404H 404H 404H",
    "theme_css": "200 200 200 200 200 | 405 405 405 405 405",
    "set_language": "302 302 302 302 302 | 302 302 302 302 302",
    "api-schema": "200 200 200 200 200 | 405 405 405 405 405",
    "api-docs": "200 200 200 200 200 | 405 405 405 405 405",
    # Last: they end the session.
    "api-logout": "401 405 405 405 405 | 401 204 204 204 204",
    "logout": "405 405 405 405 405 | 302 302 302 302 302",
}
ENDS_SESSION = ("api-logout", "logout")

# Tables that a refused request may write to: the audit trail, throttling and lockout counters,
# sessions (an anonymous visit gets one) and API token use.
AUDIT_TABLES = {
    "identity_authevent",
    "identity_ratecounter",
    "identity_loginlock",
    "django_session",
    "identity_apitoken",
}


def _routes(urlconf: str):
    return url_routes(urlconf)


def _writes() -> dict[str, int]:
    """Rows inserted, updated or deleted per table in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del "
            "FROM pg_stat_xact_user_tables"
        )
        return {
            name: count
            for name, count in cursor.fetchall()
            if name.split(".", 1)[1] not in AUDIT_TABLES and count
        }


def _b_only_objects(tenants) -> dict[str, int]:
    """Objects of tenant B whose ids do not exist in A (B's sequences start far above A's)."""
    connection.set_tenant(tenants.b)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(c.oid, 700000) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = %s",
            [tenants.b.schema_name],
        )
    for entity, payload in FILES.items():
        assert import_text(entity, payload).errors == [], entity
    user = user_create(login="klient-b", password=PASSWORD)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
    company = manager_company_create(name="Zarządca B", nip="5260250274", users=[])
    grant_create(
        company=company,
        premises_ids=[Premises.objects.get(erp_id="M1").pk],
        valid_from=timezone.localdate(),
        actor="test",
    )
    assert not import_text(
        "meters", "erp_id;serial_number;kind;premises_erp_id\nW1;B-1;gas;M1\n"
    ).errors
    assert not import_text(
        "readings", "erp_id;meter_erp_id;read_at;value\nR1;W1;2026-01-01;5\n"
    ).errors
    b_case = case_file(
        actor=user, draft=CaseDraft(kind="complaint", subject="B", text="Sprawa w B")
    )
    b_attachment = CaseAttachment.objects.create(
        message=b_case.messages.get(),
        path="beta/cases/x.png",
        name="x.png",
        content_type="image/png",
        size=1,
    )
    b_document = Document.objects.create(
        title="B", audience="public", published_on=timezone.localdate()
    )
    b_version = DocumentVersion.objects.create(
        document=b_document,
        number=1,
        path="beta/documents/x.pdf",
        name="x.pdf",
        content_type="application/pdf",
        size=1,
    )
    ids = {
        "payment": Payment.objects.create(
            gateway="przelewy24",
            customer=Customer.objects.get(erp_id="K1"),
            amount_grosze=100,
            title="B",
        ).public_id,
        "case": b_case.pk,
        "customer": Customer.objects.get(erp_id="K1").pk,
        "apikey": ApiKey.objects.create(name="B", prefix="bbbbbbbb", key_hash="b" * 64).pk,
        "doc": b_document.pk,
        "version": b_version.pk,
        "letter": Letter.objects.create(
            subject="B", body="B", target="everyone", pdf_path="beta/letters/x.pdf"
        ).pk,
        "announcement": Announcement.objects.create(
            title="B", body="B", visible_from=timezone.now()
        ).pk,
        "attachment": b_attachment.pk,
        "meter": Meter.objects.get(erp_id="W1").pk,
        "premises": Premises.objects.get(erp_id="M1").pk,
        "reading": Reading.objects.get(erp_id="R1").pk,
        "alert": MeterAlert.objects.create(
            meter=Meter.objects.get(erp_id="W1"),
            kind="meter_alarm",
            detected_on=timezone.localdate(),
        ).pk,
        "window": ReadingWindow.objects.create(
            name="B", opens_on=timezone.localdate(), closes_on=timezone.localdate()
        ).pk,
        "invoice": Invoice.objects.get(erp_id="F1").pk,
        "confirmation": BalanceConfirmation.objects.get(erp_id="B1").pk,
        "job": ImportJob.objects.create(entity="customers", payload="x").pk,
        "document": document_publish(kind="regulations", title="Regulamin B").pk,
        "user": user.pk,
        "registration": RegistrationRequest.objects.create(flow="A", email="b@example.com").pk,
        "application": ManagerApplication.objects.create(
            company_name="B", nip="5260250274", contact_person="B", email="b@e.x", addresses="x"
        ).pk,
        "grant": PremisesGrant.objects.get(company=company).pk,
        "message": Message.objects.create(
            recipient="b@example.com", template="-", subject="B", body_text="B"
        ).pk,
        "erasure": ErasureRequest.objects.create(
            user=user, deadline=timezone.localdate(), asked_by="customer"
        ).pk,
        "export": DataExport.objects.create(
            user=user,
            status=DataExport.Status.READY,
            path="beta/exports/x.zip",
            expires_at=timezone.now() + timedelta(days=1),
        ).pk,
    }
    connection.set_tenant(tenants.a)
    return ids


# Which of B's objects each route's id names.
ID_OF = {
    "data_export_download": "export",
    "office_erasure_carry_out": "erasure",
    "notifications_office_message": "message",
    "notifications_office_resend": "message",
    "notifications_office_account": "user",
    "correspondence_office_announcement_notify": "announcement",
    "document": "document",
    "document_pdf": "document",
    "office_unlock": "user",
    "office_credentials_resend": "user",
    "office_block": "user",
    "office_unblock": "user",
    "office_password_reissue": "user",
    "office_registration_decide": "registration",
    "office_import_job": "job",
    "office_customer": "customer",
    "correspondence_office_case_new": "customer",
    "office_staff_role": "user",
    "office_staff_deactivate": "user",
    "office_staff_reactivate": "user",
    "office_staff_second_factor_reset": "user",
    "office_api_key_revoke": "apikey",
    "office_customer_contact": "customer",
    "office_import_job_status": "job",
    "office_manager_application_decide": "application",
    "office_manager_grant_revoke": "grant",
    "billing_invoice_pdf": "invoice",
    "billing_invoice_xml": "invoice",
    "billing_invoice": "invoice",
    "billing_balance_confirmation_answer": "confirmation",
    "api-invoice-pdf": "invoice",
    "api-invoice-xml": "invoice",
    "api-invoice": "invoice",
    "api-balance-confirm": "confirmation",
    "api-balance-dispute": "confirmation",
    "api-import-job": "job",
    "dev-mail-detail": "message",
    "dev-mail-html": "message",
    "metering_meter": "meter",
    "metering_premises": "premises",
    "metering_reading_submit": "meter",
    "metering_readings_csv": "meter",
    "metering_reading_photo": "reading",
    "metering_office_reading_photo": "reading",
    "metering_office_review_act": "reading",
    "metering_office_replace": "meter",
    "metering_office_window_delete": "window",
    "metering_office_window_missing": "window",
    "metering_office_window": "window",
    "metering_office_alert_resolve": "alert",
    "api-meter-readings": "meter",
    "api-meter-consumption": "meter",
    "correspondence_case": "case",
    "correspondence_case_reply": "case",
    "correspondence_case_close": "case",
    "correspondence_case_reopen": "case",
    "correspondence_case_rate": "case",
    "correspondence_attachment": "attachment",
    "correspondence_office_case": "case",
    "correspondence_office_case_answer": "case",
    "correspondence_office_case_note": "case",
    "correspondence_office_case_status": "case",
    "correspondence_office_case_assign": "case",
    "correspondence_office_case_change": "case",
    "correspondence_office_attachment": "attachment",
    "api-ticket": "case",
    "api-ticket-messages": "case",
    "api-ticket-attachment": "attachment",
    "correspondence_document_file": "version",
    "correspondence_letter": "letter",
    "correspondence_letter_pdf": "letter",
    "correspondence_office_announcement": "announcement",
    "correspondence_office_announcement_withdraw": "announcement",
    "correspondence_office_document_version": "doc",
    "correspondence_office_document_withdraw": "doc",
    "api-document-file": "version",
    "payments_return": "payment",
    "api-payment": "payment",
    "api-payment-notify": "payment",
}


def _path(route: str, name: str, b_ids: dict[str, int]) -> str:
    if "<int:" in route or "<uuid:" in route:
        assert name in ID_OF, f"{name}: say which object its id names (ID_OF)"
        route = re.sub(r"<(int|uuid):[^>]+>", str(b_ids[ID_OF[name]]), route)
    route = re.sub(r"<(str|slug):[^>]+>", "x", route)
    return "/" + route


def _expected(spec: str) -> tuple[list[str], list[str]]:
    get, post = spec.split("|")
    return get.split(), post.split()


def _matches(response, expected: str) -> bool:
    status = expected.rstrip("H")
    if status.startswith("L"):
        return response.status_code == 302 and response["Location"].startswith("/login/")
    return response.status_code == int(status)


@pytest.fixture
def actors(tenants, django_capture_on_commit_callbacks):
    """A's clients per role (every module on, so the refusals are the roles', not the
    modules'); customer K1, a manager granted one of K1's flats."""
    from tenants.policies import Module
    from tenants.services import tenant_setting_set

    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a, key="modules", actor="test", value=[m.value for m in Module]
        )
    connection.set_tenant(tenants.a)
    for entity, payload in FILES.items():
        assert import_text(entity, payload).errors == [], entity
    customer = user_create(login="L0000001", password=PASSWORD)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=customer)
    manager = user_create(login="zarzadca", password=PASSWORD, role="manager")
    company = manager_company_create(name="Zarządca A", nip="7251801126", users=[manager])
    grant_create(
        company=company,
        premises_ids=[Premises.objects.get(erp_id="M1").pk],
        valid_from=timezone.localdate(),
        actor="test",
    )
    clients = {"anonymous": Client()}
    for role, user in (("customer", customer), ("manager", manager)):
        clients[role] = Client()
        clients[role].force_login(user)
    for role, login, kind in (
        ("staff", "obsluga", "customer_service"),
        ("admin", "admin", "tenant_admin"),
    ):
        clients[role] = Client()
        login_verified_staff(
            clients[role], HOST, user_create(login=login, password=PASSWORD, role=kind), PASSWORD
        )
    return clients


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return "<stream>"
    text = response.content.decode(errors="replace")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def _check_headers(response, where: str) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp, where
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0], where
    assert "frame-ancestors 'none'" in csp, where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    if response.status_code == 200 and "/theme.css" not in where:
        assert response["Cache-Control"] == "no-store", where


def test_every_tenant_route_answers_each_role_as_expected_and_refusals_write_nothing(
    tenants, actors
):
    b_ids = _b_only_objects(tenants)
    routes = _routes("ebok.urls_tenant")
    names = {name for _route, name in routes}
    assert names == set(TENANT_ROUTES), (
        "routes without an entry: "
        f"{sorted(names - set(TENANT_ROUTES))}; entries without a route: "
        f"{sorted(set(TENANT_ROUTES) - names)}"
    )
    routes.sort(
        key=lambda r: (
            r[1] in ENDS_SESSION,
            ENDS_SESSION.index(r[1]) if r[1] in ENDS_SESSION else 0,
        )
    )
    observed, wrong = {}, []
    for route, name in routes:
        path = _path(route, name, b_ids)
        get_expected, post_expected = _expected(TENANT_ROUTES[name])
        for role, get_status, post_status in zip(ROLES, get_expected, post_expected, strict=True):
            client = actors[role]
            response = client.get(path, HTTP_HOST=HOST)
            _check_headers(response, f"GET {path} as {role}")
            got = [response.status_code]
            if not _matches(response, get_status):
                wrong.append(f"GET {path} as {role}: {response.status_code}, expected {get_status}")
            before = _writes()
            response = client.post(path, {}, content_type="application/json", HTTP_HOST=HOST)
            got.append(response.status_code)
            if not _matches(response, post_status):
                wrong.append(
                    f"POST {path} as {role}: {response.status_code}, expected {post_status}"
                )
            if post_status.endswith("H"):
                after = _writes()
                if after != before:
                    wrong.append(f"refused POST {path} as {role} wrote {after} (was {before})")
            if name in ID_OF:
                # T1: B's id answers exactly as an id that exists nowhere (no B data leaks).
                nowhere = re.sub(r"/\d{6,}(/|$)", r"/999999\1", path)
                nowhere = nowhere.replace(str(b_ids[ID_OF[name]]), str(NOWHERE_UUID))
                for method in ("get", "post"):
                    kwargs = {"content_type": "application/json"} if method == "post" else {}
                    seen_b = getattr(client, method)(path, HTTP_HOST=HOST, **kwargs)
                    seen_none = getattr(client, method)(nowhere, HTTP_HOST=HOST, **kwargs)
                    if (seen_b.status_code, _body(seen_b)) != (
                        seen_none.status_code,
                        _body(seen_none)
                        .replace("999999", str(b_ids[ID_OF[name]]))
                        .replace(str(NOWHERE_UUID), str(b_ids[ID_OF[name]])),
                    ):
                        wrong.append(f"{method.upper()} {path} as {role} differs from a missing id")
            observed.setdefault(name, []).append(got)
    if os.environ.get("EBOK_PRINT_MATRIX"):
        for name, rows in observed.items():
            print(name, rows)
    assert wrong == [], "\n".join(wrong)


def test_a_session_of_tenant_b_is_anonymous_on_tenant_a(tenants, client):
    """T5: B's administrator's session cookie, replayed against A's host, opens nothing."""
    connection.set_tenant(tenants.b)
    admin_b = user_create(login="admin", password=PASSWORD, role="tenant_admin")
    login_verified_staff(client, "beta.localhost", admin_b, PASSWORD)
    assert client.get("/office/", HTTP_HOST="beta.localhost").status_code == 200
    connection.set_tenant(tenants.a)
    user_create(login="admin", password=PASSWORD, role="tenant_admin")  # same login in A
    for path in ("/office/", "/account/", "/office/audit/"):
        response = client.get(path, HTTP_HOST=HOST)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert client.get("/api/v1/me", HTTP_HOST=HOST).status_code == 401


def _refused_by_csrf(response) -> bool:
    return response.status_code == 403 and bool(response.context and response.context.get("csrf"))


def test_state_changing_requests_from_a_foreign_origin_are_refused(tenants, actors):
    """Z4: with CSRF checks on (as browsers are), every POST route refuses a request without
    the token, and one with the token but another site's Origin; the same request from the
    portal's own origin is not refused for that reason."""
    strict = Client(enforce_csrf_checks=True)
    strict.get("/login/", HTTP_HOST=HOST)
    token = strict.cookies["csrftoken"].value
    foreign = {"HTTP_ORIGIN": "https://evil.example", "HTTP_HOST": HOST}
    for route, name in _routes("ebok.urls_tenant"):
        if name in ENDS_SESSION or "<" in route:
            continue
        path = "/" + route
        if path.startswith("/api/"):
            response = strict.post(path, {}, content_type="application/json", **foreign)
            assert response.status_code in (403, 405), path  # 405: the route takes no POST
            if response.status_code == 403:
                assert response.json()["code"] in ("foreign_origin", "permission_denied"), path
            continue
        no_token = strict.post(path, {}, HTTP_HOST=HOST)
        assert _refused_by_csrf(no_token), f"{path} without a CSRF token"
        with_token = strict.post(path, {"csrfmiddlewaretoken": token}, **foreign)
        assert _refused_by_csrf(with_token), f"{path} from a foreign origin"
        own = strict.post(
            path,
            {"csrfmiddlewaretoken": token},
            HTTP_HOST=HOST,
            HTTP_ORIGIN="http://alpha.localhost",
        )
        assert not _refused_by_csrf(own), f"{path} from its own origin"


# The platform's root host: anonymous, operator (verified), a public account that is not an
# operator (verified), and tenant A's administrator's session replayed on the root host.
PLATFORM_ROLES = ("anonymous", "operator", "nonoperator", "tenant_admin")
PLATFORM_ROUTES = {
    "home": "200 200 200 200 | 200 200 200 200",
    "signup": "200 200 200 200 | 400H 400H 400H 400H",
    "signup_confirm": "410 410 410 410 | 410H 410H 410H 410H",
    "signup_status": "404 404 404 404 | 404H 404H 404H 404H",
    "platform_terms": "200 200 200 200 | 200 200 200 200",
    "console_home": "L 200 403 L | LH 200 403H LH",
    "console_audit": "L 200 403 L | LH 200 403H LH",
    "console_retention": "L 200 403 L | LH 405H 403H LH",
    "console_tenant": "L 200 403 L | LH 200 403H LH",
    "console_suspend": "L 405 403 L | LH 400H 403H LH",  # no reason given: refused
    "console_reactivate": "L 405 403 L | LH 409H 403H LH",  # not suspended
    "console_domain_add": "L 405 403 L | LH 400H 403H LH",
    "console_invitation_resend": "L 405 403 L | LH 409H 403H LH",
    "console_setting": "L 405 403 L | LH 400H 403H LH",
    "console_export": "L 405 403 L | LH 400H 403H LH",  # no purpose nor reason: refused
    "console_export_download": "L 404 403 L | LH 404H 403H LH",
    "console_delete": "L 405 403 L | LH 400H 403H LH",
    "login": "200 302 302 200 | 200 302 302 200",
    "password_change_forced": "L 200 200 L | LH 400H 400H LH",
    "terms_accept": "L 302 302 L | LH 302 302 LH",
    "two_factor": "L 302 302 L | LH 302 302 LH",
    "two_factor_enrol": "L 200 200 L | LH 400H 400H LH",
    "session_refresh": "405 405 405 405 | L 302 302 L",
    "api-signup": "405 405 405 405 | 400H 400H 400H 400H",
    "api-signup-availability": "200 200 200 200 | 405 405 405 405",
    "api-signup-status": "404 404 404 404 | 405 405 405 405",
    "api-operator-tenants": "401 200 403 401 | 401H 405H 403H 401H",
    "dev-mail": "404 404 404 404 | 404H 404H 404H 404H",
    "dev-mail-detail": "404 404 404 404 | 404H 404H 404H 404H",
    "dev-mail-html": "404 404 404 404 | 404H 404H 404H 404H",
    "theme_css": "200 200 200 200 | 405 405 405 405",
    "set_language": "302 302 302 302 | 302 302 302 302",
    "api-schema": "200 200 200 200 | 405 405 405 405",
    "api-docs": "200 200 200 200 | 405 405 405 405",
    "logout": "405 405 405 405 | 302 302 302 302",
}


def test_every_platform_route_answers_each_role_as_expected(tenants):
    connection.set_schema_to_public()
    operator = user_create(login="olga", password=PASSWORD, role="operator", email="o@e.x")
    other = user_create(login="nieop", password=PASSWORD, role="tenant_admin", email="n@e.x")
    clients = {role: Client() for role in PLATFORM_ROLES}
    login_verified_staff(clients["operator"], "localhost", operator, PASSWORD)
    login_verified_staff(clients["nonoperator"], "localhost", other, PASSWORD)
    connection.set_tenant(tenants.a)
    admin = user_create(login="admin", password=PASSWORD, role="tenant_admin")
    login_verified_staff(clients["tenant_admin"], HOST, admin, PASSWORD)
    connection.set_schema_to_public()

    routes = _routes("ebok.urls_public")
    names = {name for _route, name in routes}
    assert names == set(PLATFORM_ROUTES), sorted(names ^ set(PLATFORM_ROUTES))
    routes.sort(key=lambda r: r[1] == "logout")
    wrong = []
    for route, name in routes:
        path = "/" + re.sub(r"<int:[^>]+>", str(tenants.b.pk), route)
        path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", path)
        path = re.sub(r"<str:[^>]+>", "x", path)
        get_expected, post_expected = _expected(PLATFORM_ROUTES[name])
        for role, get_status, post_status in zip(
            PLATFORM_ROLES, get_expected, post_expected, strict=True
        ):
            client = clients[role]
            response = client.get(path, HTTP_HOST="localhost")
            _check_headers(response, f"GET {path} as {role}")
            if not _matches(response, get_status):
                wrong.append(f"GET {path} as {role}: {response.status_code}, expected {get_status}")
            before = _writes()
            response = client.post(path, {}, content_type="application/json", HTTP_HOST="localhost")
            if not _matches(response, post_status):
                wrong.append(
                    f"POST {path} as {role}: {response.status_code}, expected {post_status}"
                )
            if post_status.endswith("H") and _writes() != before:
                wrong.append(f"refused POST {path} as {role} wrote something")
    assert wrong == [], "\n".join(wrong)


# What PUT, PATCH and DELETE may change, and for whom: everything else must answer without a 2xx
# (the API) and write nothing.
OTHER_VERBS_ALLOWED = {
    ("api-me", "patch"): set(ROLES) - {"anonymous"},  # one's own profile (an empty change)
    ("api-me-contact", "delete"): set(ROLES) - {"anonymous"},  # one's own contact data
    ("api-e-invoice", "delete"): {"customer", "manager"},  # withdrawing the e-invoice consent
    ("api-me-notifications", "put"): {"customer", "manager"},  # one's own notices (no change)
}


def test_put_patch_and_delete_on_every_route_change_only_what_the_actor_may(tenants, actors):
    """Z1's other verbs: on every tenant route and for every role, PUT, PATCH and DELETE either
    do what that role may do to its own data, or change nothing (the API refuses them)."""
    b_ids = _b_only_objects(tenants)
    wrong = []
    for route, name in _routes("ebok.urls_tenant"):
        if name in ENDS_SESSION:
            continue
        path = _path(route, name, b_ids)
        for role in ROLES:
            client = actors[role]
            for method in ("put", "patch", "delete"):
                before = _writes()
                response = getattr(client, method)(
                    path, {}, content_type="application/json", HTTP_HOST=HOST
                )
                allowed = role in OTHER_VERBS_ALLOWED.get((name, method), ())
                if response.status_code >= 500:
                    wrong.append(f"{method.upper()} {path} as {role}: {response.status_code}")
                elif path.startswith("/api/") and 200 <= response.status_code < 300 and not allowed:
                    # (pages answer other verbs like GET, with their form: checked by writes)
                    wrong.append(f"{method.upper()} {path} as {role} was accepted")
                elif not allowed and _writes() != before:
                    wrong.append(f"refused {method.upper()} {path} as {role} wrote something")
    assert wrong == [], "\n".join(wrong)
