"""The five presets A–E, each reproducing one seed portal (PRODUCT.md), and the default preset
per organisation kind. This is the only place where a kind of organisation picks rules; everything
else reads the tenant's configuration."""

from __future__ import annotations

from dataclasses import replace

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from tenants.policies import (
    AccessPolicy,
    Branding,
    Captcha,
    CaseField,
    CaseKind,
    Channel,
    CorrespondenceSettings,
    CredentialDelivery,
    DocumentKind,
    EventChannels,
    Language,
    LinkPolicy,
    LocalText,
    LockoutPolicy,
    LoginIdentifier,
    MeteringSettings,
    Module,
    NotificationSettings,
    PasswordPolicy,
    RecoveryMethod,
    RegistrationField,
    RegistrationFlow,
    RegistrationSettings,
    SessionPolicy,
    TenantConfig,
    Unlock,
    Verification,
    Wording,
)

_ALL_LANGUAGES = (Language.PL, Language.EN, Language.UK)


def _fields(*names: str, optional: tuple[str, ...] = ()) -> tuple[RegistrationField, ...]:
    return tuple(RegistrationField(name=n, required=n not in optional) for n in names)


PRESET_LABELS = {
    "A": gettext_lazy("Housing cooperative – activation request (e-BOM / e-BOPG)"),
    "B": gettext_lazy("Housing cooperative – self-service registration with verification"),
    "C": gettext_lazy("Energy seller – registration by contract"),
    "D": gettext_lazy("Housing cooperative – account opened at the office"),
    "E": gettext_lazy("Water utility – registration by invoice number"),
}


def preset_choices() -> list[tuple[str, object]]:
    """The presets as form choices ("A: …"), translated when the form is shown."""
    return [(code, format_lazy("{}: {}", code, label)) for code, label in PRESET_LABELS.items()]


def preset(code: str, *, name: str, short_name: str | None = None) -> TenantConfig:
    """A fresh configuration for preset ``code`` with the organisation's name in the branding."""
    builders = {"A": _preset_a, "B": _preset_b, "C": _preset_c, "D": _preset_d, "E": _preset_e}
    if code not in builders:
        raise KeyError(code)
    return builders[code](name=name, short_name=short_name or name).validate()


# Energy sellers and water utilities take a customer's reading on any day (cooperatives collect
# them in announced windows: the default).
_READINGS_ANY_TIME = MeteringSettings(windows_required=False)

# Kinds of case (zgłoszenia) the seeds name; a preset offers those its modules show.
_FAILURE = CaseKind(
    slug="failure",
    prefix="AW",
    name=LocalText(pl="Zgłoszenie awarii", en="Failure report", uk="Повідомлення про аварію"),
    module=Module.FAILURE_REPORTS,
    answer_business_days=3,
    fields=(CaseField.PREMISES, CaseField.PLACE, CaseField.URGENCY),
)
_QUESTION = CaseKind(
    slug="question",
    prefix="PYT",
    name=LocalText(pl="Pytanie do biura", en="Question to the office", uk="Питання до офісу"),
    module=Module.CORRESPONDENCE,
    answer_business_days=14,
)
_COMPLAINT = CaseKind(
    slug="complaint",
    prefix="REK",
    name=LocalText(pl="Reklamacja", en="Complaint", uk="Скарга"),
    module=Module.TICKETS,
    answer_business_days=14,
    fields=(CaseField.PREMISES, CaseField.INVOICE),
)
_WATER_QUALITY = CaseKind(
    slug="water_quality",
    prefix="JW",
    name=LocalText(
        pl="Reklamacja jakości wody", en="Water quality complaint", uk="Скарга на якість води"
    ),
    module=Module.TICKETS,
    answer_business_days=14,
    fields=(CaseField.PREMISES, CaseField.PLACE),
)
_DATA_CHANGE = CaseKind(
    slug="data_change",
    prefix="ZD",
    name=LocalText(
        pl="Wniosek o zmianę danych umowy",
        en="Contract data change request",
        uk="Заява про зміну даних договору",
    ),
    module=Module.TICKETS,
    answer_business_days=14,
    fields=(CaseField.CHANGE,),
)
_COOPERATIVE_CASES = CorrespondenceSettings(
    kinds=(
        _FAILURE,
        replace(
            _QUESTION,
            name=LocalText(
                pl="Sprawa do administracji",
                en="Message to the administration",
                uk="Звернення до адміністрації",
            ),
        ),
        _DATA_CHANGE,
    ),
)
_QUESTION_AS_TICKET = replace(_QUESTION, module=Module.TICKETS)

# Cooperatives and water utilities tell residents by SMS too (seed 004's profile lets them
# choose the channel); a failure at the building goes by both unless the resident says not.
_WITH_SMS = NotificationSettings(
    channels=(Channel.EMAIL, Channel.SMS),
    defaults=(EventChannels(event="outage", email=True, sms=True),),
)

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
            description=LocalText(
                pl=(
                    "Hasło musi mieć co najmniej 8 znaków, w tym co najmniej 2 wielkie litery, "
                    "2 małe litery, 2 cyfry i 1 znak specjalny (! @ # $ % & * ( ) - +)."
                ),
                en=(
                    "The password must have at least 8 characters, including at least 2 upper-case"
                    " letters, 2 lower-case letters, 2 digits and 1 special character (! @ # $ % &"
                    " * ( ) - +)."
                ),
                uk=(
                    "Пароль повинен мати щонайменше 8 символів, зокрема щонайменше 2 великі "
                    "літери, 2 малі літери, 2 цифри та 1 спеціальний символ (! @ # $ % & * ( ) - "
                    "+)."
                ),
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
            customer_symbol_help=LocalText(
                pl=(
                    "Symbol klienta (np. L0910850) znajdziesz w książeczce opłat. Jeśli go nie "
                    "znasz, "
                    "zadzwoń do działu czynszów."
                ),
                en=(
                    "You will find the customer symbol (e.g. L0910850) in your payment book. If "
                    "you do not know it, call the rent department."
                ),
                uk=(
                    "Символ клієнта (напр. L0910850) ви знайдете в книжці платежів. Якщо ви його "
                    "не знаєте, зателефонуйте до відділу квартплати."
                ),
            ),
            services=("e-BOM", "e-BOPG"),
        ),
        wording=Wording(
            login_label=LocalText(pl="Symbol klienta", en="Customer symbol", uk="Символ клієнта"),
            reset_button=LocalText(
                pl="Prześlij nowe hasło e-mailem",
                en="Send a new password by e-mail",
                uk="Надіслати новий пароль електронною поштою",
            ),
        ),
        correspondence=_COOPERATIVE_CASES,
        notifications=_WITH_SMS,
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
            description=LocalText(
                pl=(
                    "Hasło musi mieć co najmniej 6 znaków, różnić się od poprzedniego, zawierać "
                    'co najmniej 1 znak specjalny (!@#$%^&*()?{}[]|":<.), 1 cyfrę, 1 wielką '
                    "literę, "
                    "1 literę i 1 małą literę oraz nie może zawierać nazwy użytkownika."
                ),
                en=(
                    "The password must have at least 6 characters, differ from the previous one, "
                    'contain at least 1 special character (!@#$%^&*()?{}[]|":<.), 1 digit, 1 '
                    "upper-case letter, 1 letter and 1 lower-case letter, and must not contain the"
                    " user name."
                ),
                uk=(
                    "Пароль повинен мати щонайменше 6 символів, відрізнятися від попереднього, "
                    'містити щонайменше 1 спеціальний символ (!@#$%^&*()?{}[]|":<.), 1 цифру, 1 '
                    "велику літеру, 1 літеру та 1 малу літеру і не може містити імені користувача."
                ),
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
            customer_symbol_help=LocalText(
                pl=("Identyfikator to 6-cyfrowy symbol klienta z faktur i rozliczeń mediów."),
                en=(
                    "The identifier is the 6-digit customer symbol from your invoices and utility "
                    "settlements."
                ),
                uk=(
                    "Ідентифікатор — це 6-значний символ клієнта з рахунків і розрахунків за "
                    "комунальні послуги."
                ),
            ),
            not_recognised_message=LocalText(
                pl=(
                    "Twoje dane nie zostały rozpoznane. Wypełnij formularz o nadanie dostępu "
                    "jeszcze raz lub skontaktuj się z operatorem."
                ),
                en=(
                    "Your data were not recognised. Fill in the access request form again or "
                    "contact the operator."
                ),
                uk=(
                    "Ваші дані не розпізнано. Заповніть форму запиту на доступ ще раз або "
                    "зверніться до оператора."
                ),
            ),
        ),
        wording=Wording(
            login_label=LocalText(
                pl="Identyfikator lub e-mail",
                en="Identifier or e-mail",
                uk="Ідентифікатор або e-mail",
            ),
        ),
        correspondence=_COOPERATIVE_CASES,
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
            Module.METERS,
            Module.READINGS,
            Module.TICKETS,
            Module.ONLINE_PAYMENTS,
        ),
        login_identifiers=(LoginIdentifier.LOGIN,),
        password_policy=PasswordPolicy(
            min_length=8,
            min_uppercase=1,
            min_digits_or_special=1,
            description=LocalText(
                pl=(
                    "Hasło musi mieć co najmniej 8 znaków, co najmniej 1 wielką literę oraz znak "
                    "specjalny lub cyfrę."
                ),
                en=(
                    "The password must have at least 8 characters, at least 1 upper-case letter "
                    "and a special character or a digit."
                ),
                uk=(
                    "Пароль повинен мати щонайменше 8 символів, щонайменше 1 велику літеру та "
                    "спеціальний символ або цифру."
                ),
            ),
        ),
        lockout=LockoutPolicy(
            threshold=5,
            unlock=Unlock.STAFF_ONLY,
            locked_message=LocalText(
                pl=("Konto zostało zablokowane. Skontaktuj się z Biurem Obsługi Klienta."),
                en="The account has been locked. Please contact the Customer Service Office.",
                uk="Обліковий запис заблоковано. Зверніться до Бюро обслуговування клієнтів.",
            ),
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
        wording=Wording(
            login_label=LocalText(
                pl="Login, PESEL lub NIP", en="Login, PESEL or NIP", uk="Логін, PESEL або NIP"
            ),
            premises_section=LocalText(
                pl="Punkty poboru", en="Points of supply", uk="Точки постачання"
            ),
        ),
        metering=_READINGS_ANY_TIME,
        correspondence=CorrespondenceSettings(kinds=(_COMPLAINT, _QUESTION_AS_TICKET)),
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
            description=LocalText(
                pl=(
                    "Hasło musi mieć od 6 do 20 znaków, co najmniej 1 cyfrę i 1 wielką literę. "
                    "Nie można stosować znaków specjalnych ani polskich liter."
                ),
                en=(
                    "The password must have 6 to 20 characters, at least 1 digit and 1 upper-case "
                    "letter. Special characters and Polish letters are not allowed."
                ),
                uk=(
                    "Пароль повинен мати від 6 до 20 символів, щонайменше 1 цифру та 1 велику "
                    "літеру. Не можна використовувати спеціальні символи та польські літери."
                ),
            ),
        ),
        lockout=LockoutPolicy(
            threshold=3,
            unlock=Unlock.STAFF_ONLY,
            locked_message=LocalText(
                pl=("Konto zostało zablokowane. Skontaktuj się z administratorem."),
                en="The account has been locked. Please contact the administrator.",
                uk="Обліковий запис заблоковано. Зверніться до адміністратора.",
            ),
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
        wording=Wording(
            login_label=LocalText(pl="Identyfikator", en="Identifier", uk="Ідентифікатор"),
        ),
        correspondence=_COOPERATIVE_CASES,
        notifications=_WITH_SMS,
        # Seed D: access ends when the legal title to the premises does (within 30 days).
        access=AccessPolicy(end_with_legal_title=True, legal_title_grace_days=30),
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
        wording=Wording(
            login_label=LocalText(
                pl="Login lub e-mail", en="Login or e-mail", uk="Логін або e-mail"
            ),
        ),
        metering=_READINGS_ANY_TIME,
        correspondence=CorrespondenceSettings(
            kinds=(_FAILURE, _WATER_QUALITY, _COMPLAINT, _DATA_CHANGE, _QUESTION_AS_TICKET)
        ),
        notifications=_WITH_SMS,
        languages=_ALL_LANGUAGES,
    )
