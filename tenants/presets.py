"""The five presets A–E, each reproducing one seed portal (PRODUCT.md), and the default preset
per organisation kind. This is the only place where a kind of organisation picks rules; everything
else reads the tenant's configuration."""

from __future__ import annotations

from tenants.policies import (
    Branding,
    Captcha,
    CredentialDelivery,
    DocumentKind,
    Language,
    LinkPolicy,
    LockoutPolicy,
    LoginIdentifier,
    Module,
    PasswordPolicy,
    RecoveryMethod,
    RegistrationField,
    RegistrationFlow,
    RegistrationSettings,
    SessionPolicy,
    TenantConfig,
    Unlock,
    Verification,
)

_ALL_LANGUAGES = (Language.PL, Language.EN, Language.UK)


def _fields(*names: str, optional: tuple[str, ...] = ()) -> tuple[RegistrationField, ...]:
    return tuple(RegistrationField(name=n, required=n not in optional) for n in names)


PRESET_LABELS = {
    "A": "Spółdzielnia – wniosek o aktywację (e-BOM / e-BOPG)",
    "B": "Spółdzielnia – samodzielna rejestracja z weryfikacją",
    "C": "Sprzedawca energii – rejestracja na podstawie umowy",
    "D": "Spółdzielnia – konto zakładane w biurze",
    "E": "Wodociągi – rejestracja numerem faktury",
}


def preset(code: str, *, name: str, short_name: str | None = None) -> TenantConfig:
    """A fresh configuration for preset ``code`` with the organisation's name in the branding."""
    builders = {"A": _preset_a, "B": _preset_b, "C": _preset_c, "D": _preset_d, "E": _preset_e}
    if code not in builders:
        raise KeyError(code)
    return builders[code](name=name, short_name=short_name or name).validate()


# The default preset for each kind of organisation; the organisation may pick another.
PRESET_FOR_KIND = {
    "housing_cooperative": "A",
    "water_utility": "E",
    "energy_seller": "C",
    "other": "B",
}


def _preset_a(*, name: str, short_name: str) -> TenantConfig:
    """Seed 000: activation request, staff activate, one-time set-password link valid one day."""
    return TenantConfig(
        branding=Branding(portal_name=f"e-BOM – {name}", short_name=short_name),
        modules=(
            Module.CHARGES,
            Module.SETTLEMENTS,
            Module.BALANCE_CONFIRMATION,
            Module.METERS,
            Module.DEBT_COLLECTION,
            Module.MEMBERSHIP,
        ),
        login_identifiers=(LoginIdentifier.CUSTOMER_SYMBOL,),
        password_policy=PasswordPolicy(
            min_length=8,
            min_uppercase=2,
            min_lowercase=2,
            min_digits=2,
            min_special=1,
            special_characters="!@#$%&*()-+",
            description=(
                "Hasło musi mieć co najmniej 8 znaków, w tym co najmniej 2 wielkie litery, "
                "2 małe litery, 2 cyfry i 1 znak specjalny (! @ # $ % & * ( ) - +)."
            ),
        ),
        lockout=LockoutPolicy(threshold=5, unlock=Unlock.STAFF_ONLY),
        session=SessionPolicy(idle_timeout_minutes=15),
        links=LinkPolicy(
            activation_hours=24,
            password_reset_hours=24,
            set_password_hours=24,
            recovery=RecoveryMethod.RESET_LINK,
        ),
        registration=RegistrationSettings(
            flow=RegistrationFlow.ACTIVATION_REQUEST,
            fields=_fields("service", "customer_symbol", "full_name", "email"),
            verification=Verification.STAFF_REVIEW,
            credentials=CredentialDelivery.SET_PASSWORD_LINK,
            captcha=Captcha.NONE,
            required_documents=(DocumentKind.E_SERVICES_POLICY,),
            customer_symbol_pattern=r"L\d{7}",
            customer_symbol_help=(
                "Symbol klienta (np. L0910850) znajdziesz w książeczce opłat. Jeśli go nie znasz, "
                "zadzwoń do działu czynszów."
            ),
            services=("e-BOM", "e-BOPG"),
        ),
        languages=_ALL_LANGUAGES,
    )


def _preset_b(*, name: str, short_name: str) -> TenantConfig:
    """Seed 001: seven-field form, digit-position check, background verification, temporary
    password; login by identifier or e-mail."""
    return TenantConfig(
        branding=Branding(portal_name=f"eBOK {name}", short_name=short_name),
        modules=(
            Module.CHARGES,
            Module.PAYMENTS_RECEIVED,
            Module.SETTLEMENTS,
            Module.PREMISES,
            Module.DOCUMENTS,
            Module.MEMBERSHIP,
            Module.CORRESPONDENCE,
        ),
        login_identifiers=(LoginIdentifier.CUSTOMER_SYMBOL, LoginIdentifier.EMAIL),
        password_policy=PasswordPolicy(
            min_length=6,
            min_uppercase=1,
            min_lowercase=1,
            min_letters=1,
            min_digits=1,
            min_special=1,
            special_characters='!@#$%^&*()?{}[]|":<.',
            forbid_login=True,
            history=1,
            description=(
                "Hasło musi mieć co najmniej 6 znaków, różnić się od poprzedniego, zawierać "
                'co najmniej 1 znak specjalny (!@#$%^&*()?{}[]|":<.), 1 cyfrę, 1 wielką literę, '
                "1 literę i 1 małą literę oraz nie może zawierać nazwy użytkownika."
            ),
        ),
        lockout=LockoutPolicy(
            threshold=5, unlock=Unlock.AUTOMATIC_AFTER_TIME, unlock_after_minutes=30
        ),
        session=SessionPolicy(idle_timeout_minutes=15),
        links=LinkPolicy(recovery=RecoveryMethod.ONE_TIME_PASSWORD),
        registration=RegistrationSettings(
            flow=RegistrationFlow.VERIFIED_SELF_SERVICE,
            fields=_fields(
                "customer_symbol",
                "full_name",
                "premises_address",
                "pesel_or_nip",
                "email",
                "email_repeat",
                "phone",
            ),
            verification=Verification.AUTOMATIC_MATCH,
            verify_in_background=True,
            credentials=CredentialDelivery.TEMPORARY_PASSWORD,
            captcha=Captcha.DIGIT_POSITIONS,
            required_documents=(DocumentKind.REGULATIONS,),
            gdpr_consent=True,
            customer_symbol_pattern=r"\d{6}",
            customer_symbol_help=(
                "Identyfikator to 6-cyfrowy symbol klienta z faktur i rozliczeń mediów."
            ),
            not_recognised_message=(
                "Twoje dane nie zostały rozpoznane. Wypełnij formularz o nadanie dostępu "
                "jeszcze raz lub skontaktuj się z operatorem."
            ),
        ),
        languages=_ALL_LANGUAGES,
    )


def _preset_c(*, name: str, short_name: str) -> TenantConfig:
    """Seed 002: contract-based registration, activation link 24 h, one-time password,
    5 failures lock until the office unlocks."""
    return TenantConfig(
        branding=Branding(portal_name=f"mojBOK {short_name}", short_name=short_name),
        modules=(
            Module.CONTRACTS,
            Module.SETTLEMENTS,
            Module.INVOICES,
            Module.PAYMENTS_RECEIVED,
            Module.SERVICE_POINTS,
            Module.TICKETS,
            Module.ONLINE_PAYMENTS,
        ),
        login_identifiers=(LoginIdentifier.LOGIN,),
        password_policy=PasswordPolicy(
            min_length=8,
            min_uppercase=1,
            min_digits_or_special=1,
            description=(
                "Hasło musi mieć co najmniej 8 znaków, co najmniej 1 wielką literę oraz znak "
                "specjalny lub cyfrę."
            ),
        ),
        lockout=LockoutPolicy(
            threshold=5,
            unlock=Unlock.STAFF_ONLY,
            locked_message="Konto zostało zablokowane. Skontaktuj się z Biurem Obsługi Klienta.",
        ),
        session=SessionPolicy(idle_timeout_minutes=15, remember_login=True),
        links=LinkPolicy(activation_hours=24, recovery=RecoveryMethod.ONE_TIME_PASSWORD),
        registration=RegistrationSettings(
            flow=RegistrationFlow.CONTRACT_ACTIVATION,
            fields=_fields(
                "customer_type",
                "pesel_or_nip",
                "contract_number",
                "login",
                "login_repeat",
                "mobile_phone",
                "email",
                optional=("login", "login_repeat"),
            ),
            verification=Verification.AUTOMATIC_MATCH,
            credentials=CredentialDelivery.ACTIVATION_LINK_THEN_ONE_TIME_PASSWORD,
            captcha=Captcha.NONE,
            required_documents=(DocumentKind.REGULATIONS, DocumentKind.COOKIES_POLICY),
            contract_min_status="signed_by_customer",
        ),
        languages=_ALL_LANGUAGES,
    )


def _preset_d(*, name: str, short_name: str) -> TenantConfig:
    """Seed 004: no online registration; staff create the account and print a letter."""
    return TenantConfig(
        branding=Branding(portal_name=f"IOK {short_name}", short_name=short_name),
        modules=(
            Module.SETTLEMENTS,
            Module.PREMISES,
            Module.METERS,
            Module.READINGS,
            Module.ANNOUNCEMENTS,
            Module.FAILURE_REPORTS,
            Module.CORRESPONDENCE,
            Module.MEMBERSHIP,
            Module.ONLINE_PAYMENTS,
        ),
        login_identifiers=(LoginIdentifier.LOGIN,),
        password_policy=PasswordPolicy(
            min_length=6,
            max_length=20,
            min_uppercase=1,
            min_digits=1,
            no_special=True,
            ascii_only=True,
            description=(
                "Hasło musi mieć od 6 do 20 znaków, co najmniej 1 cyfrę i 1 wielką literę. "
                "Nie można stosować znaków specjalnych ani polskich liter."
            ),
        ),
        lockout=LockoutPolicy(
            threshold=3,
            unlock=Unlock.STAFF_ONLY,
            locked_message="Konto zostało zablokowane. Skontaktuj się z administratorem.",
        ),
        session=SessionPolicy(idle_timeout_minutes=15),
        links=LinkPolicy(recovery=RecoveryMethod.STAFF_ONLY),
        registration=RegistrationSettings(
            flow=RegistrationFlow.IN_PERSON,
            online=False,
            fields=(),
            verification=Verification.NONE,
            credentials=CredentialDelivery.IN_PERSON_LETTER,
            required_documents=(DocumentKind.REGULATIONS,),
        ),
        languages=_ALL_LANGUAGES,
    )


def _preset_e(*, name: str, short_name: str) -> TenantConfig:
    """Seed 003: invoice number + e-mail, image captcha, three e-mails; property managers."""
    return TenantConfig(
        branding=Branding(portal_name=f"e-BOK {short_name}", short_name=short_name),
        modules=(
            Module.INVOICES,
            Module.PAYMENTS_RECEIVED,
            Module.CONTRACTS,
            Module.METERS,
            Module.E_INVOICE,
            Module.ONLINE_PAYMENTS,
            Module.TICKETS,
            Module.FAILURE_REPORTS,
            Module.PROPERTY_MANAGERS,
        ),
        login_identifiers=(LoginIdentifier.LOGIN, LoginIdentifier.EMAIL),
        password_policy=PasswordPolicy(min_length=8, min_letters=1, min_digits=1),
        lockout=LockoutPolicy(
            threshold=5, unlock=Unlock.AUTOMATIC_AFTER_TIME, unlock_after_minutes=15
        ),
        session=SessionPolicy(idle_timeout_minutes=15),
        links=LinkPolicy(activation_hours=48, recovery=RecoveryMethod.RESET_LINK),
        registration=RegistrationSettings(
            flow=RegistrationFlow.INVOICE_ACTIVATION,
            fields=_fields("invoice_number", "email", "phone", optional=("phone",)),
            verification=Verification.AUTOMATIC_MATCH,
            credentials=CredentialDelivery.THREE_EMAILS,
            captcha=Captcha.IMAGE,
            required_documents=(DocumentKind.REGULATIONS,),
        ),
        languages=_ALL_LANGUAGES,
    )
