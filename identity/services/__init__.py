"""Writes and rules of identity, by sub-domain: base, tokens, passwords, login, documents,
recovery, profile.

Every function takes keyword arguments, runs in a transaction and raises an ApplicationError
subclass (identity.errors) that the pages and the API render alike. The names are re-exported
here, so callers write ``services.login_attempt(...)``."""

from identity.services.base import (  # noqa: F401 - the package's names
    RequestInfo,
    audit,
    user_create,
)
from identity.services.consents import (  # noqa: F401 - the package's names
    consent_given_at_registration,
    consent_record,
    consent_set,
    consents_allowed,
)
from identity.services.data_export import (  # noqa: F401 - the package's names
    data_export_allowed,
    data_export_build,
    data_export_for_download,
    data_export_request,
    data_exports_expire,
)
from identity.services.documents import (  # noqa: F401 - the package's names
    accessibility_review_remind,
    document_publish,
    documents_accept,
    register_publish_listener,
)
from identity.services.erasure import (  # noqa: F401 - the package's names
    erasure_carry_out,
    erasure_record,
    erasure_request,
    retention_apply,
)
from identity.services.login import (  # noqa: F401 - the package's names
    BLOCKABLE_ROLES,
    AccountState,
    account_block,
    account_state,
    account_unblock,
    account_unlock,
    locked_message,
    locked_users,
    login_attempt,
    staff_access_record,
)
from identity.services.passwords import (  # noqa: F401 - the package's names
    password_change,
    password_history_hashes,
    password_history_record,
    password_set,
    register_security_notifier,
    security_notice,
    temporary_password,
)
from identity.services.profile import (  # noqa: F401 - the package's names
    ADDRESS_FIELDS,
    PHONE,
    POLISH_POSTCODE,
    contact_erase,
    email_change_confirm,
    profile_update,
    reauthenticate,
)
from identity.services.recovery import (  # noqa: F401 - the package's names
    login_reminder_deliver,
    login_reminder_request,
    password_reset_complete,
    password_reset_deliver,
    password_reset_request,
)
from identity.services.staff import (  # noqa: F401 - the package's names
    api_key_issue,
    api_key_revoke,
    second_factor_reset,
    staff_deactivate,
    staff_list,
    staff_reactivate,
    staff_role_set,
)
from identity.services.tokens import (  # noqa: F401 - the package's names
    api_key_authenticate,
    api_key_create,
    api_token_authenticate,
    api_token_end,
    api_token_issue,
    api_token_revoke,
    token_consume,
    token_issue,
    token_peek,
)
