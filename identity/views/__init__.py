"""Login, logout, forced password change, documents to accept, recovery, session refresh."""

from identity.views.account import (  # noqa: F401 - the package's names
    account_view,
    contact_erase_view,
    email_confirm_view,
)
from identity.views.common import (  # noqa: F401 - the package's names
    ABSOLUTE_SESSION_SECONDS,
    AFTER_LOGIN,
    REMEMBER_COOKIE,
    add_form_errors,
    request_info,
    start_session,
)
from identity.views.consents import (  # noqa: F401 - the package's names
    consents_view,
)
from identity.views.documents import (  # noqa: F401 - the package's names
    accessibility_declaration,
    document_pdf,
    document_view,
)
from identity.views.login import (  # noqa: F401 - the package's names
    login_view,
    logout_view,
    session_refresh_view,
    terms_view,
)
from identity.views.passwords import (  # noqa: F401 - the package's names
    login_reminder_view,
    password_change_view,
    password_reset_complete_view,
    password_reset_request_view,
    password_set_view,
)
from identity.views.privacy import (  # noqa: F401 - the package's names
    data_export_download_view,
    data_export_view,
    erasure_request_view,
)
from identity.views.twofactor import (  # noqa: F401 - the package's names
    ENROLLING_DEVICE,
    two_factor_enrol_view,
    two_factor_view,
)
