"""Registration: the form and its checks (``rules``, re-exported here), the pipeline
(``services``), how first credentials are sent (``credentials``), the human check (``captcha``)
and the pages and API (``views``)."""

from identity.registration.rules import (  # noqa: F401 - the package's names
    DETAIL_LABELS,
    IDENTIFIER_BY_TYPE,
    Checked,
    FieldDefinition,
    Matcher,
    MatchResult,
    attach,
    check,
    check_captcha,
    details_for_people,
    match,
    owner_email,
    register_attacher,
    register_matcher,
    registration_form,
    required_message,
)
