"""The customer's account with the organisation: who (customers), what (premises, contracts,
service points), and the money (charges, invoices, payments received, settlements).

Rows come from the organisation's ERP and carry its identifiers (``erp_id``), by which the import
upserts them. Amounts are ``Decimal`` in PLN with two places; the database enforces what it can.
"""

from billing.models.accounts import (  # noqa: F401 - the app's models
    Building,
    Contract,
    Customer,
    LegalTitle,
    Premises,
    ServicePoint,
)
from billing.models.base import MONEY  # noqa: F401
from billing.models.einvoice import (  # noqa: F401 - the app's models
    EInvoiceConsent,
    EInvoiceConsentEvent,
)
from billing.models.imports import (  # noqa: F401 - the app's models
    ImportJob,
)
from billing.models.ledger import (  # noqa: F401 - the app's models
    BalanceConfirmation,
    Charge,
    Contribution,
    Deposit,
    Invoice,
    InvoiceLine,
    InvoiceXml,
    PaymentReceived,
    PeriodTotal,
    Settlement,
)
from billing.models.managers import (  # noqa: F401 - the app's models
    GrantEvent,
    ManagerApplication,
    ManagerCompany,
    ManagerMembership,
    PremisesGrant,
)
