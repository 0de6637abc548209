"""SMS through SMSAPI.pl's REST API (``POST /sms.do`` with an OAuth bearer token), and what a
text costs in parts.

Each message is sent with ``idx`` (its stable identity) and ``check_idx=1``: the provider
refuses a second message with the same ``idx`` (error 53), so a message sent again after a
worker died between the provider's answer and our commit is recognised, not sent twice.
Delivery reports come back to ``notify_url`` (the tenant's callback address with its secret).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import phonenumbers
import requests
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.http import tenant_base_url
from core.outbox.models import Message
from core.outbox.services import (
    DeliveryFailed,
    NotYet,
    Sent,
    Undeliverable,
    batch_resource,
    batch_resource_drop,
    message_identity,
)
from core.sealing import unseal
from notifications import selectors
from notifications.errors import NotificationErrorCode

logger = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)

# GSM 03.38: the basic alphabet takes one septet per character, the extension table two; a text
# with any other character goes as UCS-2.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")
MAX_PARTS = 10

# Errors after which another attempt cannot help (SMSAPI's codes): a bad number, text or
# sender, a number that opted out; 53 is a repeated idx (the message was sent before).
PERMANENT_ERRORS = {11, 12, 13, 14, 17, 18, 20, 57, 59, 101, 102, 105, 110}
DUPLICATE_IDX = 53


# Polish letters outside GSM-7 written plain, as Polish utilities' texts are: one SMS holds
# 160 such characters instead of 70.
PLAIN = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def plain_letters(text: str) -> str:
    return text.translate(PLAIN).replace("„", '"').replace("”", '"').replace("–", "-")


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def length(text: str) -> tuple[int, bool]:
    """The text's length in the units an SMS counts, and whether it fits GSM-7."""
    if is_gsm(text):
        return sum(2 if ch in GSM_EXTENDED else 1 for ch in text), True
    # UCS-2 counts UTF-16 code units (a character outside the BMP takes two).
    return len(text.encode("utf-16-le")) // 2, False


def parts(text: str) -> int:
    """How many SMS the text takes: one up to 160 GSM-7 units (70 UCS-2), else 153 (67) each."""
    units, gsm = length(text)
    single, multi = (160, 153) if gsm else (70, 67)
    if units <= single:
        return 1
    return -(-units // multi)


def fit(text: str, *, max_parts: int) -> tuple[str, int]:
    """The text, shortened with an ellipsis if it needs more than ``max_parts`` parts, and the
    parts it takes."""
    if parts(text) <= max_parts:
        return text, parts(text)
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if parts(text[:middle].rstrip() + "…") <= max_parts:
            low = middle
        else:
            high = middle - 1
    shortened = text[:low].rstrip() + "…"
    return shortened, parts(shortened)


@lru_cache(maxsize=8192)
def number_of(phone: str | None) -> str:
    """A mobile number as the provider takes it (country code and number, digits only), or ""
    for something that is not a valid number. Numbers without a country code are Polish."""
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, "PL")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return ""
    return f"{parsed.country_code}{parsed.national_number}"


def quiet_until(moment: datetime, *, from_hour: int, to_hour: int) -> datetime | None:
    """When the quiet hours around ``moment`` end (local time), or None outside them. Quiet
    hours may span midnight (21 to 8); equal hours mean none."""
    if from_hour == to_hour:
        return None
    local = timezone.localtime(moment)
    hour = local.hour
    inside = (
        from_hour <= hour < to_hour if from_hour < to_hour else hour >= from_hour or hour < to_hour
    )
    if not inside:
        return None
    end = local.replace(hour=to_hour, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


@dataclass(frozen=True)
class Report:
    """One delivery report from the provider."""

    message_id: str
    status: str  # DELIVERED, UNDELIVERED, EXPIRED, …
    done_at: datetime | None

    @property
    def delivered(self) -> bool:
        return self.status == "DELIVERED"


# SMSAPI's report status codes.
REPORT_STATUSES = {
    "401": "NOT_FOUND",
    "402": "EXPIRED",
    "403": "SENT",
    "404": "DELIVERED",
    "405": "UNDELIVERED",
    "406": "FAILED",
    "407": "REJECTED",
    "408": "UNKNOWN",
    "409": "QUEUE",
    "410": "ACCEPTED",
    "411": "RENEWAL",
    "412": "STOP",
}


REPORTS_AT_MOST = 100  # the provider sends up to five; more is no report of theirs


def _moment(seconds: str) -> datetime | None:
    """A report's ``donedate`` (Unix seconds), or None for anything else."""
    if not seconds.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(seconds), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def reports_from(params) -> list[Report]:
    """The reports of one callback (several at once come as comma-separated lists)."""
    ids = [v for v in (params.get("MsgId") or "").split(",") if v][:REPORTS_AT_MOST]
    statuses = (params.get("status") or "").split(",")
    done = (params.get("donedate") or "").split(",")
    out = []
    for index, message_id in enumerate(ids):
        code = statuses[index] if index < len(statuses) else ""
        when = done[index] if index < len(done) else ""
        moment = _moment(when)
        out.append(
            Report(
                message_id=message_id[:64],
                status=REPORT_STATUSES.get(code, "UNKNOWN"),
                done_at=moment,
            )
        )
    return out


class Client:
    """SMSAPI.pl's REST API for one account."""

    def __init__(self, *, base_url: str, token: str, test_mode: bool = False):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.test_mode = test_mode
        # One session: the messages of a delivery batch reuse its connections.
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def _post(self, path: str, data: dict) -> dict:
        try:
            response = self.session.post(
                f"{self.base_url}{path}",
                data=data,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(f"SMSAPI unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise DeliveryFailed(f"SMSAPI answered {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise DeliveryFailed(f"SMSAPI answered {response.status_code} without JSON") from exc
        if not isinstance(answer, dict):
            raise DeliveryFailed("SMSAPI answered an unexpected shape")
        return answer

    def send(
        self, *, to: str, text: str, sender: str, idx: str, notify_url: str, max_parts: int
    ) -> Sent:
        data = {
            "to": to,
            "message": text,
            "format": "json",
            "encoding": "utf-8",
            "idx": idx,
            "check_idx": "1",
            "notify_url": notify_url,
            "max_parts": str(max_parts),
        }
        if sender:
            data["from"] = sender
        if self.test_mode:
            data["test"] = "1"
        answer = self._post("/sms.do", data)
        if "error" in answer:
            try:
                code = int(answer.get("error") or 0)
            except (TypeError, ValueError):
                code = 0
            detail = f"SMSAPI error {code}: {str(answer.get('message') or '')[:200]}"
            if code == DUPLICATE_IDX:
                # Sent before: the worker that sent it died before recording it.
                return Sent(provider_id="", parts=0)
            if code in PERMANENT_ERRORS:
                raise Undeliverable(detail)
            raise DeliveryFailed(detail)
        try:
            sent = (answer.get("list") or [{}])[0]
            return Sent(
                provider_id=str(sent.get("id") or "")[:64], parts=int(sent.get("parts") or 1)
            )
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise DeliveryFailed("SMSAPI answered an unexpected shape") from exc

    def check(self) -> None:
        """Whether the token opens the account (``GET /profile``), else a 400."""
        try:
            response = requests.get(
                f"{self.base_url}/profile",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            message = _("The SMS provider could not be reached. Check its address.")
            raise ApplicationError(
                message,
                code=NotificationErrorCode.SMS_ACCOUNT_INVALID,
                extra={"fields": {"base_url": [message]}},
            ) from exc
        if response.status_code != 200:
            message = _("The SMS provider did not accept the token.")
            raise ApplicationError(
                message,
                code=NotificationErrorCode.SMS_PROVIDER_REFUSED,
                extra={"fields": {"token": [message]}},
            )


def token_of(account) -> str:
    return unseal(account.sealed_token).decode() if account is not None else ""


class _Channel:
    """The tenant's SMS account as one delivery batch uses it: unsealed once, one session."""

    def __init__(self):
        account = selectors.sms_account()
        if account is None:
            raise Undeliverable("the tenant has no enabled SMS account")
        self.settings = selectors.config().notifications
        self.client = Client(
            base_url=account.base_url, token=token_of(account), test_mode=account.test_mode
        )
        self.notify_url = tenant_base_url() + reverse(
            "api-notifications-sms-report", args=[account.callback_secret]
        )

    def close(self) -> None:
        self.client.close()


def transport(message: Message) -> Sent:
    """The outbox's SMS channel: the tenant's account, sender and callback address."""
    channel = batch_resource("sms", _Channel)
    config = channel.settings
    # Quiet hours hold every SMS, whenever it was written (a long queue, a retry, a resend).
    held = quiet_until(
        timezone.now(), from_hour=config.quiet_from_hour, to_hour=config.quiet_to_hour
    )
    if held is not None:
        raise NotYet(held)
    try:
        return channel.client.send(
            to=message.recipient,
            text=message.body_text,
            sender=config.sms_sender,
            idx=message_identity(message),
            notify_url=channel.notify_url,
            max_parts=max(config.sms_max_parts, message.parts or 1),
        )
    except DeliveryFailed:
        batch_resource_drop("sms")
        raise
