from django.urls import path

from billing import desk, office_views, views
from billing.managers import views as managers

urlpatterns = [
    path("office/customers/", desk.customer_search, name="office_customers"),
    path("office/customers/<int:pk>/", desk.customer_card, name="office_customer"),
    path("office/customers/access-ending/", desk.access_ending, name="office_access_ending"),
    path(
        "office/customers/<int:pk>/contact", desk.customer_contact, name="office_customer_contact"
    ),
    path("office/reports/", desk.office_reports, name="office_reports"),
    path("office/reports/<slug:key>.csv", desk.office_report_csv, name="office_report_csv"),
    path("office/import/", office_views.import_upload, name="office_import"),
    path("office/import/help/", office_views.import_help, name="office_import_help"),
    path(
        "office/import/sample/<slug:entity>.csv",
        office_views.import_sample,
        name="office_import_sample",
    ),
    path("office/import/<int:pk>/", office_views.import_job, name="office_import_job"),
    path(
        "office/import/<int:pk>/status",
        office_views.import_job_status,
        name="office_import_job_status",
    ),
    path("dashboard/", views.dashboard, name="billing_dashboard"),
    path("switch/", views.switch_focus, name="billing_switch"),
    path("managers/apply/", managers.apply_view, name="manager_apply"),
    path("office/managers/", managers.office_applications, name="office_manager_applications"),
    path(
        "office/managers/<int:pk>/decide/",
        managers.office_application_decide,
        name="office_manager_application_decide",
    ),
    path(
        "office/managers/grants/<int:pk>/revoke/",
        managers.office_grant_revoke,
        name="office_manager_grant_revoke",
    ),
    path("charges/", views.charges, name="billing_charges"),
    path("invoices/", views.invoices, name="billing_invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="billing_invoice"),
    path("invoices/<int:pk>/pdf", views.invoice_pdf_view, name="billing_invoice_pdf"),
    path("invoices/<int:pk>/xml", views.invoice_xml_view, name="billing_invoice_xml"),
    path("balance.pdf", views.balance_pdf_view, name="billing_balance_pdf"),
    path("payments/", views.payments, name="billing_payments"),
    path("settlements/", views.settlements, name="billing_settlements"),
    path(
        "balance-confirmation/", views.balance_confirmations, name="billing_balance_confirmations"
    ),
    path(
        "balance-confirmation/<int:pk>/<str:answer>/",
        views.balance_confirmation_answer,
        name="billing_balance_confirmation_answer",
    ),
    path("premises/", views.premises, name="billing_premises"),
    path("e-invoice/", views.einvoice, name="billing_einvoice"),
    path("membership/", views.membership, name="billing_membership"),
    path("debt-collection/", views.debt_collection, name="billing_debt_collection"),
]
