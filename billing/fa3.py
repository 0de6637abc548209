"""An invoice as KSeF holds it: the structured invoice FA(3) (the Ministry of Finance's schema
``http://crd.gov.pl/wzor/2025/06/25/13775/``), read safely and checked before anything of it is
stored.

- The file is read by ``defusedxml`` with DTDs refused: an FA(3) invoice has no DOCTYPE, so no
  entity (external or expanding) is ever resolved; the size is capped before parsing (KSeF's
  own limit is 1 MB for an invoice, 3 MB with attachments).
- What the e-BOK shows is taken from it: number, kind, dates, seller's NIP, buyer and recipient,
  the corrected invoice, split payment, due date, lines (``FaWiersz``) and totals per rate.
- Its figures must add up as KSeF's schema defines them: the lines' net per rate equals the
  invoice's ``P_13_x`` (for a corrective invoice, the state after minus the state before), the
  VAT per rate (``P_14_x``) is that net at the rate (within a grosz per line), and ``P_15`` is the
  sum of all of them. A file that does not add up is refused with the reason.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - only for its ParseError; parsing is defusedxml's
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext_noop

from billing.errors import BillingErrorCode
from billing.importing.columns import Text

NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
MAX_XML_BYTES = 3 * 1024 * 1024
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# FA(3)'s rate codes (P_12) as the e-BOK's rates; 22 %, 7 %, 4 %, 3 % and the special
# procedures are not the rates of the services the e-BOK's organisations sell.
RATES = {
    "23": "23",
    "8": "8",
    "5": "5",
    "0 KR": "0",
    "0 WDT": "0",
    "0 EX": "0",
    "zw": "zw",
    "oo": "oo",
    "np I": "np",
    "np II": "np",
}
PERCENT = {"23": Decimal(23), "8": Decimal(8), "5": Decimal(5)}
# The invoice's totals (net, VAT) per e-BOK rate; ``None``: a total the e-BOK does not take.
TOTALS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "23": (("P_13_1",), "P_14_1"),
    "8": (("P_13_2",), "P_14_2"),
    "5": (("P_13_3",), "P_14_3"),
    "0": (("P_13_6_1", "P_13_6_2", "P_13_6_3"), None),
    "zw": (("P_13_7",), None),
    "np": (("P_13_8", "P_13_9"), None),
    "oo": (("P_13_10",), None),
}
UNSUPPORTED_TOTALS = ("P_13_4", "P_14_4", "P_13_5", "P_14_5", "P_13_11")
CORRECTIONS = {"KOR", "KOR_ZAL", "KOR_ROZ"}
KINDS = CORRECTIONS | {"VAT", "ZAL", "ROZ", "UPR"}


class Refused(Exception):
    """The file is not taken; ``code`` says why (the API's error code) and ``detail`` how."""

    def __init__(self, code: BillingErrorCode, detail: Text):
        super().__init__(str(detail))
        self.code, self.detail = code, detail


@dataclass
class Line:
    position: int
    name: str
    unit: str
    quantity: Decimal | None
    unit_net: Decimal | None
    vat_rate: str
    net: Decimal
    vat: Decimal
    gross: Decimal
    before: bool


@dataclass
class Fa3Invoice:
    number: str
    kind: str  # "invoice" or "correction"
    issue_date: date
    sale_date: date | None
    due_date: date | None
    seller_nip: str
    buyer_name: str
    buyer_address: str
    buyer_nip: str
    recipient_name: str
    recipient_address: str
    corrected_number: str
    corrected_ksef_number: str
    correction_reason: str
    split_payment: bool
    gross: Decimal
    net: Decimal
    vat: Decimal
    sha256: str
    lines: list[Line] = field(default_factory=list)


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _path(path: str) -> str:
    return "/".join(_tag(part) for part in path.split("/"))


class _Reader:
    """Reads values out of the parsed document, refusing what is missing or malformed with the
    element's name."""

    def __init__(self, element):
        self.element = element

    def text(self, path: str, *, required: bool = False, limit: int = 256) -> str:
        found = self.element.find(_path(path))
        value = " ".join((found.text or "").split()) if found is not None else ""
        if required and not value:
            raise _invalid(gettext_noop("The invoice has no %(element)s."), element=path)
        if len(value) > limit:
            raise _invalid(
                gettext_noop("%(element)s is longer than %(n)d characters."),
                element=path,
                n=limit,
            )
        return value

    def day(self, path: str, *, required: bool = False) -> date | None:
        value = self.text(path, required=required)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise _invalid(
                gettext_noop("%(element)s is not a date: %(v)s."), element=path, v=value
            ) from exc

    def number(self, path: str, *, decimals: int = 2, required: bool = False) -> Decimal | None:
        value = self.text(path, required=required)
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if (
            amount is None
            or not amount.is_finite()
            or abs(amount) >= Decimal("1e16")
            or amount != amount.quantize(Decimal(1).scaleb(-decimals))
        ):
            raise _invalid(
                gettext_noop("%(element)s is not a number of the schema: %(v)s."),
                element=path,
                v=value,
            )
        return amount

    def all(self, path: str) -> list[_Reader]:
        return [_Reader(e) for e in self.element.findall(_path(path))]

    def first(self, path: str) -> _Reader | None:
        found = self.element.find(_path(path))
        return _Reader(found) if found is not None else None


def parse(raw: bytes) -> Fa3Invoice:
    """The invoice in an FA(3) file, checked; raises Refused with the reason otherwise."""
    if len(raw) > MAX_XML_BYTES:
        raise Refused(
            BillingErrorCode.TOO_LARGE,
            Text(
                gettext_noop("The XML is larger than %(mb)d MB, KSeF's own limit."),
                mb=MAX_XML_BYTES // (1024 * 1024),
            ),
        )
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Refused(
            BillingErrorCode.XML_FORBIDDEN,
            Text(
                gettext_noop(
                    "The XML declares a DTD or entities, which an FA(3) invoice never has; "
                    "it was not read."
                )
            ),
        ) from exc
    except (ET.ParseError, ValueError) as exc:
        raise Refused(
            BillingErrorCode.INVALID_XML,
            Text(gettext_noop("This is not well-formed XML: %(e)s."), e=str(exc)),
        ) from exc
    if root.tag != _tag("Faktura"):
        raise Refused(
            BillingErrorCode.NOT_FA3,
            Text(
                gettext_noop(
                    "This is not a structured invoice FA(3): its root element is %(tag)s."
                ),
                tag=root.tag,
            ),
        )
    doc = _Reader(root)
    if doc.text("Naglowek/KodFormularza") != "FA" or doc.text("Naglowek/WariantFormularza") != "3":
        raise Refused(
            BillingErrorCode.NOT_FA3,
            Text(gettext_noop("This is not a structured invoice FA(3) (form FA, variant 3).")),
        )
    fa = doc.first("Fa")
    if fa is None:
        raise _invalid(gettext_noop("The invoice has no %(element)s."), element="Fa")
    currency = fa.text("KodWaluty", required=True)
    if currency != "PLN":
        raise _invalid(
            gettext_noop("The invoice is in %(c)s; the e-BOK takes invoices in PLN."),
            c=currency,
        )
    kind_code = fa.text("RodzajFaktury", required=True)
    if kind_code not in KINDS:
        raise _invalid(gettext_noop("Unknown kind of invoice: %(v)s."), v=kind_code)
    correction = kind_code in CORRECTIONS
    for name in UNSUPPORTED_TOTALS:
        if fa.number(name):
            raise _invalid(
                gettext_noop(
                    "%(element)s is a total the e-BOK does not take (a special procedure)."
                ),
                element=name,
            )
    lines = _lines(fa, correction)
    totals = _check_totals(fa, lines, correction)
    buyer, recipient = doc.first("Podmiot2"), _recipient(doc)
    corrected = fa.first("DaneFaKorygowanej")
    if correction and corrected is None:
        raise _invalid(gettext_noop("The invoice has no %(element)s."), element="DaneFaKorygowanej")
    return Fa3Invoice(
        number=fa.text("P_2", required=True, limit=64),
        kind="correction" if correction else "invoice",
        issue_date=fa.day("P_1", required=True),  # type: ignore[arg-type]
        sale_date=fa.day("P_6") or fa.day("OkresFa/P_6_Do"),
        due_date=fa.day("Platnosc/TerminPlatnosci/Termin"),
        seller_nip=doc.text("Podmiot1/DaneIdentyfikacyjne/NIP", required=True, limit=10),
        buyer_name=buyer.text("DaneIdentyfikacyjne/Nazwa") if buyer else "",
        buyer_address=_address(buyer),
        buyer_nip=buyer.text("DaneIdentyfikacyjne/NIP", limit=10) if buyer else "",
        recipient_name=recipient.text("DaneIdentyfikacyjne/Nazwa") if recipient else "",
        recipient_address=_address(recipient),
        corrected_number=corrected.text("NrFaKorygowanej", limit=64) if corrected else "",
        corrected_ksef_number=corrected.text("NrKSeFFaKorygowanej", limit=35) if corrected else "",
        correction_reason=fa.text("PrzyczynaKorekty") if correction else "",
        split_payment=fa.text("Adnotacje/P_18A") == "1",
        gross=totals["gross"],
        # As the invoice states them (a correction: the differences, as its total due is)
        net=totals["net"],
        vat=totals["vat"],
        sha256=hashlib.sha256(raw).hexdigest(),
        lines=lines,
    )


def _address(party: _Reader | None) -> str:
    if party is None:
        return ""
    parts = [party.text("Adres/AdresL1", limit=512), party.text("Adres/AdresL2", limit=512)]
    return ", ".join(p for p in parts if p)[:256]


def _recipient(doc: _Reader) -> _Reader | None:
    """The third party whose role is the recipient (``Rola`` 2, "Odbiorca")."""
    for party in doc.all("Podmiot3"):
        if party.text("Rola") == "2":
            return party
    return None


def _lines(fa: _Reader, correction: bool) -> list[Line]:
    """The lines with each one's VAT: given per line (``P_11Vat``), or the invoice's VAT at the
    rate spread over its lines in proportion to their amounts, so that they add up to it."""
    raw: list[dict] = []
    seen: set[tuple[bool, int]] = set()
    for row in fa.all("FaWiersz"):
        position = row.text("NrWierszaFa", required=True)
        if not position.isdigit() or not 0 < int(position) <= 9999:
            raise _invalid(
                gettext_noop("Line number %(v)s is not a number from 1 to 9999."), v=position
            )
        code = row.text("P_12")
        if code not in RATES:
            raise _invalid(
                gettext_noop("Line %(n)s: the VAT rate %(v)s is not one the e-BOK takes."),
                n=position,
                v=code or "-",
            )
        net, gross = row.number("P_11"), row.number("P_11A")
        if (net is None) == (gross is None):
            raise _invalid(
                gettext_noop("Line %(n)s needs either its net (P_11) or its gross (P_11A) value."),
                n=position,
            )
        before = row.text("StanPrzed") == "1"
        if (before, int(position)) in seen:
            raise _invalid(gettext_noop("Line number %(n)s appears twice."), n=position)
        seen.add((before, int(position)))
        if before and not correction:
            raise _invalid(
                gettext_noop(
                    "Line %(n)s is marked as the state before a correction, but this is not "
                    "a corrective invoice."
                ),
                n=position,
            )
        raw.append(
            {
                "position": int(position),
                "name": row.text("P_7", required=True),
                "unit": row.text("P_8A", limit=20),
                "quantity": row.number("P_8B", decimals=6),
                "unit_net": row.number("P_9A", decimals=8),
                "rate": RATES[code],
                "net": net,
                "gross": gross,
                "vat": row.number("P_11Vat"),
                "before": before,
            }
        )
    groups: dict[tuple[str, bool], list[dict]] = defaultdict(list)
    for item in raw:
        groups[(item["rate"], item["before"])].append(item)
    # The state before a correction first: the VAT after is the VAT before plus the difference
    # the corrective invoice declares.
    before_vat: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (rate, before), items in sorted(groups.items(), key=lambda g: not g[0][1]):
        declared = None
        if rate in PERCENT and not before:
            declared = (fa.number(TOTALS[rate][1] or "") or ZERO) + before_vat[rate]
        _spread_vat(rate, items, declared)
        if before:
            before_vat[rate] = sum((i["vat"] for i in items), ZERO)
    return [
        Line(
            position=i["position"],
            name=i["name"],
            unit=i["unit"],
            quantity=i["quantity"],
            unit_net=i["unit_net"],
            vat_rate=i["rate"],
            net=i["net"],
            vat=i["vat"],
            gross=i["net"] + i["vat"],
            before=i["before"],
        )
        for i in raw
    ]


def _spread_vat(rate: str, items: list[dict], declared: Decimal | None) -> None:
    """Fill each line's net and VAT. Lines that give their own VAT keep it. Otherwise the
    group's VAT (``declared`` by the invoice, or the rate applied to the group's sum: art. 106e
    ust. 10) is spread over the lines in proportion, the rounding remainder going to the lines
    with the largest remainders, so the lines add up to it exactly."""
    given = [i["vat"] is not None for i in items]
    if any(given) and not all(given):
        raise _invalid(gettext_noop("Lines at one rate give their VAT (P_11Vat) all or none."))
    if all(given):
        for i in items:
            if i["net"] is None:
                i["net"] = i["gross"] - i["vat"]
        return
    from_gross = items[0]["net"] is None
    if any((i["net"] is None) != from_gross for i in items):
        raise _invalid(gettext_noop("Lines at one rate are all net (P_11) or all gross (P_11A)."))
    percent = PERCENT.get(rate, ZERO)
    base = [i["gross"] if from_gross else i["net"] for i in items]
    total = sum(base, ZERO)
    factor = percent / (100 + percent) if from_gross else percent / 100
    target = declared if declared is not None else (total * factor).quantize(CENT, ROUND_HALF_UP)
    if total:
        shares = [target * b / total for b in base]
    else:
        shares = [target if k == 0 else ZERO for k in range(len(base))]
    floors = [s.quantize(CENT, rounding=ROUND_FLOOR) for s in shares]
    left = int(((target - sum(floors, ZERO)) / CENT).quantize(Decimal(1), ROUND_HALF_UP))
    order = sorted(range(len(items)), key=lambda k: shares[k] - floors[k], reverse=True)
    for k in order[: max(left, 0)]:
        floors[k] += CENT
    for i, amount, vat in zip(items, base, floors, strict=True):
        i["vat"] = vat
        if from_gross:
            i["net"] = amount - vat


def _invalid(message: str, **params) -> Refused:
    return Refused(BillingErrorCode.INVALID_INVOICE, Text(message, **params))


def _mismatch(message: str, **params) -> Refused:
    return Refused(BillingErrorCode.TOTALS_MISMATCH, Text(message, **params))


def _check_totals(fa: _Reader, lines: list[Line], correction: bool) -> dict[str, Decimal]:
    """The invoice's own totals, checked against its lines and one another; returns them."""
    net_total = vat_total = ZERO
    count: dict[str, int] = defaultdict(int)
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    vats: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        sign = -1 if line.before else 1
        sums[line.vat_rate] += sign * line.net
        vats[line.vat_rate] += sign * line.vat
        count[line.vat_rate] += 1
    for rate, (net_fields, vat_field) in TOTALS.items():
        net = sum((fa.number(name) or ZERO for name in net_fields), ZERO)
        vat = (fa.number(vat_field) or ZERO) if vat_field else ZERO
        net_total += net
        vat_total += vat
        label = f"{rate} %" if rate in PERCENT or rate == "0" else rate
        if lines and sums[rate] != net:  # (a correction: after minus before)
            raise _mismatch(
                gettext_noop(
                    "The lines at %(rate)s add up to %(lines)s net, but the invoice says "
                    "%(total)s (%(fields)s)."
                ),
                rate=label,
                lines=str(sums[rate]),
                total=str(net),
                fields=", ".join(net_fields),
            )
        if rate in PERCENT:
            expected = (net * PERCENT[rate] / 100).quantize(CENT, ROUND_HALF_UP)
            # VAT rounded line by line (or from gross amounts) may be a grosz per line away.
            if abs(vat - expected) > CENT * max(1, count[rate]):
                raise _mismatch(
                    gettext_noop(
                        "The VAT at %(rate)s is %(vat)s, but %(rate)s of %(net)s is %(expected)s."
                    ),
                    rate=label,
                    vat=str(vat),
                    net=str(net),
                    expected=str(expected),
                )
            if count[rate] and vats[rate] != vat:
                raise _mismatch(
                    gettext_noop(
                        "The lines' VAT at %(rate)s adds up to %(lines)s, but the invoice "
                        "says %(total)s (%(field)s)."
                    ),
                    rate=label,
                    lines=str(vats[rate]),
                    total=str(vat),
                    field=vat_field,
                )
    gross = fa.number("P_15", required=True) or ZERO
    if gross != net_total + vat_total:
        raise _mismatch(
            gettext_noop(
                "The total due (P_15) is %(total)s, but the net amounts and VAT add up to %(sum)s."
            ),
            total=str(gross),
            sum=str(net_total + vat_total),
        )
    return {"net": net_total, "vat": vat_total, "gross": gross}
