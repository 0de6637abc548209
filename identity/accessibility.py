"""The accessibility declaration's values in words (its page and the office's editor)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from identity.selectors import tenant_config
from tenants.policies import Assessment, Compliance

COMPLIANCE = {
    Compliance.FULL: gettext_lazy("fully compliant"),
    Compliance.PARTIAL: gettext_lazy("partially compliant"),
    Compliance.NONE: gettext_lazy("not compliant"),
}
ASSESSMENT = {
    Assessment.SELF: gettext_lazy("a self-assessment by the organisation"),
    Assessment.EXTERNAL: gettext_lazy("an examination by an outside body"),
}


def review_due_count() -> int:
    """1 on the office's home while this year's review is not done (the law: by 31 March)."""
    config = tenant_config()
    return int(bool(config and config.accessibility.review_due(timezone.localdate())))
