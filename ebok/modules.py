"""Where each module of the portal lives (the home page links its cards there)."""

MODULE_URLS = {
    "charges": "billing_charges",
    "invoices": "billing_invoices",
    "payments_received": "billing_payments",
    "settlements": "billing_settlements",
    "balance_confirmation": "billing_balance_confirmations",
    "premises": "billing_premises",
    "contracts": "billing_premises",
    "service_points": "billing_premises",
    "e_invoice": "billing_einvoice",
    "membership": "billing_membership",
    "debt_collection": "billing_debt_collection",
}
