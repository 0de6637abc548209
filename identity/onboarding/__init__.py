"""A new portal's setup: the wizard's writes (``services``, re-exported here), staff
invitations (``invitations``) and the wizard's pages (``views``)."""

from identity.onboarding.services import (  # noqa: F401 - the package's names
    LOGO_FORMATS,
    LOGO_MAX_BYTES,
    MIN_PRIMARY_CONTRAST,
    RULE_GROUPS,
    branding_save,
    colour_report,
    logo_path,
    logo_store,
    rules_adjust,
    rules_from_preset,
)
