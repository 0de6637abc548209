"""Tenant rules as typed values.

Each group of settings is a frozen dataclass; ``TenantSettings`` (models.py) stores them as JSON
and ``load``/``dump`` convert. Validation rejects impossible combinations. Nothing here touches
the database, so the rules can be tested as pure functions.
"""

from tenants.policies.conversion import (  # noqa: F401 - the package's names
    GROUPS,
    LIST_SETTINGS,
    config_from_json,
    config_to_json,
    dump,
    get_setting,
    load,
    setting_limits,
    setting_type,
    with_setting,
)
from tenants.policies.enums import (  # noqa: F401 - the package's names
    HEX_COLOUR,
    Assessment,
    Captcha,
    CaseField,
    Channel,
    Compliance,
    CredentialDelivery,
    DocumentKind,
    Language,
    LoginIdentifier,
    Module,
    PolicyError,
    RecoveryMethod,
    RegistrationFlow,
    Unlock,
    Verification,
)
from tenants.policies.groups import (  # noqa: F401 - the package's names
    CASE_MODULES,
    REGISTRATION_FIELD_NAMES,
    AccessibilityDeclaration,
    AccessPolicy,
    Branding,
    CaseKind,
    CorrespondenceSettings,
    EventChannels,
    LinkPolicy,
    LockoutPolicy,
    MeteringSettings,
    NotificationSettings,
    PasswordPolicy,
    PayeeSettings,
    RegistrationField,
    RegistrationSettings,
    SessionPolicy,
    TenantConfig,
    Wording,
)
from tenants.policies.texts import (  # noqa: F401 - the package's names
    LocalText,
)
