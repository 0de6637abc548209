"""The five fictional demo tenants, one per preset. Names, people and numbers are invented."""

from demo.portals.catalogue import (  # noqa: F401 - the package's names
    DEMO_DOCUMENT_TITLES,
    DEMO_DOCUMENTS,
    DEMO_OPERATOR,
    DEMO_TENANTS,
    LEDGER_ENTITIES,
    USER_ROLE,
    DemoAccount,
    DemoTenant,
)
from demo.portals.loading import (  # noqa: F401 - the package's names
    demo_config,
    load_demo_ledger,
    load_demo_tenants,
)
