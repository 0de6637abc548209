"""Organisation signup, background provisioning and the operators' actions on a tenant.

The tenant's first account (its administrator) and the invitation e-mail belong to identity, which
registers them here (``register_administrator_hooks`` in its AppConfig.ready), so tenants never
imports identity.
"""

from tenants.provisioning.common import (  # noqa: F401 - the package's names
    DOMAIN_RE,
    PLATFORM_TERMS_VERSION,
    SIGNUP_FIELDS,
    SIGNUP_LINK_HOURS,
    AdministratorHooks,
    _administrator_hooks,
    _hash,
    logger,
    platform_event,
    register_administrator_hooks,
    tenant_base_url,
)
from tenants.provisioning.lifecycle import (  # noqa: F401 - the package's names
    ExportPurpose,
    export_directory,
    tenant_custom_domain_add,
    tenant_delete,
    tenant_export,
    tenant_export_download,
    tenant_export_request,
    tenant_exports,
    tenant_invitation_resend,
    tenant_publish,
    tenant_reactivate,
    tenant_restore,
    tenant_suspend,
)
from tenants.provisioning.signup import (  # noqa: F401 - the package's names
    _progress,
    _queue_provisioning,
    signup_confirm,
    signup_peek,
    signup_provision,
    signup_request,
    signups_to_resume,
    signups_unconfirmed_purge,
)
