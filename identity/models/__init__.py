"""Identity's models by sub-domain: accounts, documents, security (log, tokens, keys), second-factor
devices and registration requests. One user model for every schema (``User``)."""

from identity.models.accounts import (  # noqa: F401 - the package's names
    CorrespondenceAddress,
    LoginLock,
    PasswordHistory,
    StaffAccess,
    User,
)
from identity.models.consents import (  # noqa: F401 - the package's names
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
)
from identity.models.devices import (  # noqa: F401 - the package's names
    BackupCode,
    BackupCodeDevice,
    SealedTOTPDevice,
)
from identity.models.documents import (  # noqa: F401 - the package's names
    Document,
    DocumentAcceptance,
    document_upload_path,
)
from identity.models.privacy import (  # noqa: F401 - the package's names
    DataExport,
    ErasureRequest,
    RetentionRun,
)
from identity.models.registration import (  # noqa: F401 - the package's names
    RegistrationRequest,
)
from identity.models.security import (  # noqa: F401 - the package's names
    ApiKey,
    ApiToken,
    AuthEvent,
    OneTimeToken,
)
