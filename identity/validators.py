"""The tenant's password policy as a Django password validator: every path that sets a password
(forms, services, the admin, createsuperuser) obeys it."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from identity import policies
from identity.selectors import tenant_config
from identity.services import password_history_hashes, password_history_record
from tenants.policies import PasswordPolicy


class TenantPasswordValidator:
    def _policy(self):
        config = tenant_config()
        if config is not None:
            return config.password_policy

        # The public schema (operators): a strong default.
        return PasswordPolicy(min_length=12, history=5)

    def validate(self, password: str, user=None) -> None:
        policy = self._policy()
        errors = [
            ValidationError(policies.problem_text(v.code, v.value, policy), code=v.code)
            for v in self.verdicts(password, user, policy)
            if not v.met
        ]
        if errors:
            raise ValidationError(errors)

    def verdicts(self, password: str, user=None, policy=None) -> list[policies.Verdict]:
        """Every rule's verdict for ``user`` (their login names and earlier passwords)."""
        policy = policy or self._policy()
        hashes: list[str] = []
        if user is not None and user.pk and policy.history:
            hashes = password_history_hashes(user, policy.history)
            if user.has_usable_password() and user.password not in hashes:
                hashes = [user.password, *hashes]

        def reused(candidate: str) -> bool:
            return any(check_password(candidate, h) for h in hashes[: policy.history])

        return policies.evaluate(
            password, policy, login=user.login_names if user is not None else None, reused=reused
        )

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk:
            password_history_record(user)

    def get_help_text(self) -> str:
        policy = self._policy()
        return str(policy.description) or "; ".join(r.detail for r in policies.describe(policy))
