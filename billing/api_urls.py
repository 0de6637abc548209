from django.urls import path

from billing import api

urlpatterns = [
    path("premises", api.PremisesApi.as_view(), name="api-premises"),
    path("contracts", api.ContractsApi.as_view(), name="api-contracts"),
    path("balance", api.BalanceApi.as_view(), name="api-balance"),
    path("charges", api.ChargesApi.as_view(), name="api-charges"),
    path("invoices", api.InvoicesApi.as_view(), name="api-invoices"),
    path("invoices/<int:pk>", api.InvoiceApi.as_view(), name="api-invoice"),
    path("invoices/<int:pk>/pdf", api.InvoicePdfApi.as_view(), name="api-invoice-pdf"),
    path("invoices/<int:pk>/xml", api.InvoiceXmlApi.as_view(), name="api-invoice-xml"),
    path("payments-received", api.PaymentsApi.as_view(), name="api-payments-received"),
    path("settlements", api.SettlementsApi.as_view(), name="api-settlements"),
    path(
        "balance-confirmations",
        api.BalanceConfirmationsApi.as_view(),
        name="api-balance-confirmations",
    ),
    path(
        "balance-confirmations/<int:pk>/confirm",
        api.BalanceConfirmationAnswerApi.as_view(),
        name="api-balance-confirm",
    ),
    path(
        "balance-confirmations/<int:pk>/dispute",
        api.BalanceDisputeApi.as_view(),
        name="api-balance-dispute",
    ),
    path("e-invoice", api.EInvoiceApi.as_view(), name="api-e-invoice"),
    path("import/jobs/<int:pk>", api.ImportJobApi.as_view(), name="api-import-job"),
    path("export/<slug:feed>", api.ExportApi.as_view(), name="api-export"),
    path("import/invoice-xml", api.InvoiceXmlImportApi.as_view(), name="api-import-invoice-xml"),
    path("import/<slug:entity>", api.ImportApi.as_view(), name="api-import"),
]
