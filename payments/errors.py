"""Every code the payments app raises."""

from enum import StrEnum


class PaymentsErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    NOT_OFFERED = "payments_not_offered"
    INVALID_AMOUNT = "invalid_amount"
    INVOICES_NOT_PAYABLE = "invoices_not_payable"
    CUSTOMER_REQUIRED = "customer_required"
    NOTHING_TO_PAY = "nothing_to_pay"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    GATEWAY_REFUSED = "gateway_refused"
    INVALID_BLIK_CODE = "invalid_blik_code"
