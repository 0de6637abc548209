"""The password policy engine: pure functions over a tenant's typed rules.

``evaluate`` returns one verdict per rule the policy has, with the rule codes of API.md
(``min_length`` … ``common``); ``unmet_codes`` is the list the API and forms report. Nothing here
touches the database: the caller passes the login and a ``reused`` predicate.
"""

from __future__ import annotations

import gzip
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import django.contrib.auth
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from tenants.policies import PasswordPolicy

DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class Verdict:
    code: str
    value: int | None
    met: bool


def is_special(ch: str, policy: PasswordPolicy) -> bool:
    """A special character: one of the tenant's list, or (no list) any character that is neither a
    letter, a digit nor white space."""
    if policy.special_characters:
        return ch in policy.special_characters
    return not ch.isalpha() and ch not in DIGITS and not ch.isspace() and not ch.isdigit()


def count_upper(password: str) -> int:
    return sum(1 for ch in password if ch.isupper())


def count_lower(password: str) -> int:
    return sum(1 for ch in password if ch.islower())


def count_letters(password: str) -> int:
    return sum(1 for ch in password if ch.isalpha())


def count_digits(password: str) -> int:
    return sum(1 for ch in password if ch in DIGITS)


def count_special(password: str, policy: PasswordPolicy) -> int:
    return sum(1 for ch in password if is_special(ch, policy))


def has_non_alphanumeric(password: str) -> bool:
    return any(not (ch.isalpha() or ch in DIGITS) for ch in password)


def has_non_ascii_letter(password: str) -> bool:
    return any(ch.isalpha() and not ch.isascii() for ch in password)


def contains_login(password: str, login: str | Sequence[str] | None) -> bool:
    """Whether ``password`` contains the login, or any of the names the account logs in with
    (a customer symbol as well as a chosen login); names shorter than 3 characters do not count."""
    names = [login] if isinstance(login, str) else list(login or ())
    fold = lambda s: unicodedata.normalize("NFKC", s).casefold()  # noqa: E731
    return any(fold(name) in fold(password) for name in names if name and len(name) >= 3)


@cache
def common_passwords() -> frozenset[str]:
    """Django's list of 20,000 common passwords (shipped with Django, no download)."""

    path = Path(django.contrib.auth.__file__).parent / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def evaluate(
    password: str,
    policy: PasswordPolicy,
    *,
    login: str | Sequence[str] | None = None,
    reused: Callable[[str], bool] | None = None,
) -> list[Verdict]:
    """Every rule of ``policy`` with its verdict on ``password`` (rules the policy does not use
    are left out). Length counts characters, not bytes: nothing is truncated."""
    p = policy
    out = [Verdict("min_length", p.min_length, len(password) >= p.min_length)]
    out.append(Verdict("max_length", p.max_length, len(password) <= p.max_length))
    if p.min_uppercase:
        out.append(
            Verdict("min_uppercase", p.min_uppercase, count_upper(password) >= p.min_uppercase)
        )
    if p.min_lowercase:
        out.append(
            Verdict("min_lowercase", p.min_lowercase, count_lower(password) >= p.min_lowercase)
        )
    if p.min_letters:
        out.append(Verdict("min_letters", p.min_letters, count_letters(password) >= p.min_letters))
    if p.min_digits:
        out.append(Verdict("min_digits", p.min_digits, count_digits(password) >= p.min_digits))
    if p.min_special:
        out.append(
            Verdict("min_special", p.min_special, count_special(password, p) >= p.min_special)
        )
    if p.min_digits_or_special:
        either = count_digits(password) + count_special(password, p)
        out.append(
            Verdict(
                "min_digits_or_special", p.min_digits_or_special, either >= p.min_digits_or_special
            )
        )
    if p.no_special:
        out.append(Verdict("no_special", None, not has_non_alphanumeric(password)))
    if p.ascii_only:
        out.append(Verdict("ascii_only", None, not has_non_ascii_letter(password)))
    if p.forbid_login:
        out.append(Verdict("contains_login", None, not contains_login(password, login)))
    if p.history and reused is not None:
        out.append(Verdict("reused", p.history, not reused(password)))
    if p.reject_common:
        out.append(Verdict("common", None, password.casefold() not in common_passwords()))
    return out


def unmet_codes(password: str, policy: PasswordPolicy, **kwargs) -> list[str]:
    return [v.code for v in evaluate(password, policy, **kwargs) if not v.met]


def rule_text(code: str, value: int | None, policy: PasswordPolicy) -> str:
    """One rule in the request's language, for checklists and error messages."""
    n = value or 0
    specials = " ".join(policy.special_characters)
    texts = {
        "min_length": ngettext_lazy("At least %(n)d character", "At least %(n)d characters", n),
        "max_length": ngettext_lazy("At most %(n)d character", "At most %(n)d characters", n),
        "min_uppercase": ngettext_lazy(
            "At least %(n)d upper-case letter", "At least %(n)d upper-case letters", n
        ),
        "min_lowercase": ngettext_lazy(
            "At least %(n)d lower-case letter", "At least %(n)d lower-case letters", n
        ),
        "min_letters": ngettext_lazy("At least %(n)d letter", "At least %(n)d letters", n),
        "min_digits": ngettext_lazy("At least %(n)d digit", "At least %(n)d digits", n),
        "min_special": (
            ngettext_lazy(
                "At least %(n)d special character (%(chars)s)",
                "At least %(n)d special characters (%(chars)s)",
                n,
            )
            if specials
            else ngettext_lazy(
                "At least %(n)d special character", "At least %(n)d special characters", n
            )
        ),
        "min_digits_or_special": ngettext_lazy(
            "At least %(n)d digit or special character",
            "At least %(n)d digits or special characters",
            n,
        ),
        "no_special": _("No special characters (letters and digits only)"),
        "ascii_only": _("No Polish or other accented letters"),
        "contains_login": _("Must not contain your login"),
        "reused": ngettext_lazy(
            "Different from your previous password", "Different from your last %(n)d passwords", n
        ),
        "common": _("Not a commonly used password"),
    }
    return str(texts[code]) % {"n": n, "chars": specials}


def problem_text(code: str, value: int | None, policy: PasswordPolicy) -> str:
    """What is wrong with a password that fails rule ``code``: the checklist names the rule,
    an error tells the person what to change."""
    n = value or 0
    specials = " ".join(policy.special_characters)
    texts = {
        "min_length": ngettext_lazy(
            "The password is too short: it needs at least %(n)d character.",
            "The password is too short: it needs at least %(n)d characters.",
            n,
        ),
        "max_length": ngettext_lazy(
            "The password is too long: it may have at most %(n)d character.",
            "The password is too long: it may have at most %(n)d characters.",
            n,
        ),
        "min_uppercase": ngettext_lazy(
            "The password needs at least %(n)d upper-case letter.",
            "The password needs at least %(n)d upper-case letters.",
            n,
        ),
        "min_lowercase": ngettext_lazy(
            "The password needs at least %(n)d lower-case letter.",
            "The password needs at least %(n)d lower-case letters.",
            n,
        ),
        "min_letters": ngettext_lazy(
            "The password needs at least %(n)d letter.",
            "The password needs at least %(n)d letters.",
            n,
        ),
        "min_digits": ngettext_lazy(
            "The password needs at least %(n)d digit.",
            "The password needs at least %(n)d digits.",
            n,
        ),
        "min_special": (
            ngettext_lazy(
                "The password needs at least %(n)d special character (%(chars)s).",
                "The password needs at least %(n)d special characters (%(chars)s).",
                n,
            )
            if specials
            else ngettext_lazy(
                "The password needs at least %(n)d special character.",
                "The password needs at least %(n)d special characters.",
                n,
            )
        ),
        "min_digits_or_special": ngettext_lazy(
            "The password needs at least %(n)d digit or special character.",
            "The password needs at least %(n)d digits or special characters.",
            n,
        ),
        "no_special": _("The password has a special character: use letters and digits only."),
        "ascii_only": _("The password has a Polish or other accented letter."),
        "contains_login": _("The password contains your login."),
        "reused": (
            _("This is your previous password: choose a different one.")
            if n <= 1
            else ngettext_lazy(
                "You have used this password recently: choose one you have not used in your "
                "last %(n)d password.",
                "You have used this password recently: choose one you have not used in your "
                "last %(n)d passwords.",
                n,
            )
        ),
        "common": _("This password is too common and easy to guess: choose another."),
    }
    return str(texts[code]) % {"n": n, "chars": specials}


@dataclass(frozen=True)
class RuleDescription:
    code: str
    detail: str
    value: int | None


def describe(policy: PasswordPolicy) -> list[RuleDescription]:
    """The policy's rules as the checklist shows them (same order as ``evaluate``)."""
    verdicts = evaluate("", policy, login="x" * 3, reused=lambda _p: False)
    return [RuleDescription(v.code, rule_text(v.code, v.value, policy), v.value) for v in verdicts]
