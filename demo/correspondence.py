"""Demo correspondence: cases of every kind the tenant offers in every state (the demo customer's
and its neighbours'), announcements with a failure now in the demo customer's building, the
organisation's documents (members-only ones where the tenant shows documents) and letters
(where it keeps correspondence). Written through the services, as people would."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from billing.models import Customer, LegalTitle
from core.pdf import BrandedDocument
from correspondence import services
from correspondence.deadlines import add_business_days
from correspondence.models import (
    Announcement,
    Case,
    CaseMessage,
    CaseStatus,
    Document,
    Letter,
)
from identity.models import User
from identity.permissions import staff_with_permission
from tenants.policies import CaseField, Module

# (subject, first message, office's answer) per kind; a kind without an entry gets the last.
STORIES = {
    "failure": (
        "Cieknący pion w łazience",
        "Od wczoraj z pionu w łazience kapie woda, pod wanną jest mokro.",
        "Hydraulik będzie jutro między 8 a 12. Prosimy o dostęp do łazienki.",
    ),
    "complaint": (
        "Zawyżona faktura",
        "Faktura jest dwa razy wyższa niż zwykle, a zużycie się nie zmieniło.",
        "Sprawdziliśmy odczyt: był błędnie wpisany. Wystawimy korektę faktury.",
    ),
    "water_quality": (
        "Brązowa woda z kranu",
        "Od rana z kranu leci brązowa woda, po spuszczeniu nadal mętna.",
        "Po płukaniu sieci woda jest czysta. Badanie próbki nie wykazało zagrożenia.",
    ),
    "data_change": (
        "Zmiana adresu do korespondencji",
        "Proszę o zmianę miejscowości w adresie do korespondencji.",
        "Dane zostały zmienione.",
    ),
    "question": (
        "Termin walnego zgromadzenia",
        "Kiedy odbędzie się najbliższe walne zgromadzenie?",
        "Walne zgromadzenie odbędzie się w czerwcu, zawiadomienie wyślemy listem.",
    ),
}
STATES = (
    CaseStatus.NEW,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING,
    CaseStatus.ANSWERED,
    CaseStatus.CLOSED,
)


def load_demo_correspondence(*, config, customer_login: str) -> None:
    """Everything above for the tenant on the connection; each part only where the tenant has
    none of it yet (a load stopped half-way is completed by the next)."""
    customer_user = User.objects.get(username=customer_login)
    staff = staff_with_permission("cases.answer").order_by("role", "pk").first()
    if staff is None:
        return
    parts = (
        (Case, _cases),
        (Announcement, _announcements),
        (Document, _documents),
        (Letter, _letters),
    )
    for model, load in parts:
        if not model.objects.exists():
            load(config, customer_user, staff)


def _draft(kind, customer_user, n: int, *, subject: str, text: str) -> services.CaseDraft:
    premises = LegalTitle.objects.filter(customer__user=customer_user).values_list(
        "premises_id", flat=True
    )
    return services.CaseDraft(
        kind=kind.slug,
        subject=subject if n == 0 else f"{subject} ({n + 1})",
        text=text if n == 0 else f"{text} [{n + 1}]",
        premises_id=premises.first() if CaseField.PREMISES in kind.fields else None,
        place="łazienka" if CaseField.PLACE in kind.fields else "",
        urgency=Case.Urgency.URGENT if CaseField.URGENCY in kind.fields else "",
        change={"city": "Nowe Lipiny Dolne"} if CaseField.CHANGE in kind.fields else {},
    )


def _backdate(case: Case, days: int, business_days: int) -> None:
    """Demo history: the case was filed ``days`` ago, its deadline counted from then (and the
    daily cap counts today only)."""
    filed = timezone.localdate() - timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(
        created_at=F("created_at") - timedelta(days=days),
        due_on=add_business_days(filed, business_days),
    )
    CaseMessage.objects.filter(case=case).update(created_at=F("created_at") - timedelta(days=days))


def _cases(config, customer_user: User, staff: User) -> None:
    kinds = services.offered_kinds(config)
    for k, kind in enumerate(kinds):
        subject, text, answer = STORIES.get(kind.slug, STORIES["question"])
        for n, state in enumerate(STATES):
            draft = _draft(kind, customer_user, n, subject=subject, text=text)
            case = services.case_file(actor=customer_user, draft=draft)
            _advance(case, state, staff=staff, customer=customer_user, answer=answer)
            _backdate(case, days=(len(STATES) - n) * 3 + k, business_days=kind.answer_business_days)
    # Neighbours' cases, for an office inbox with more than one customer in it.
    others = User.objects.filter(
        customers__in=Customer.objects.exclude(user=customer_user).exclude(user=None)
    ).distinct()[:3]
    for i, other in enumerate(others):
        for kind in kinds[:2]:
            subject, text, _answer = STORIES.get(kind.slug, STORIES["question"])
            draft = _draft(kind, other, 0, subject=subject, text=f"{text} (lokal sąsiada {i + 1})")
            draft.change = {"city": f"Lipiny {i + 1}"} if draft.change else {}
            filed = services.case_file(actor=other, draft=draft)
            _backdate(filed, days=i + 1, business_days=kind.answer_business_days)


def _advance(case: Case, state: str, *, staff: User, customer: User, answer: str) -> None:
    if state == CaseStatus.NEW:
        return
    if state == CaseStatus.IN_PROGRESS:
        services.case_note_add(
            actor=staff, case_id=case.pk, text="Przekazano do działu technicznego."
        )
        services.case_status_set(actor=staff, case_id=case.pk, status=CaseStatus.IN_PROGRESS)
        return
    if state == CaseStatus.WAITING:
        services.case_answer(
            actor=staff,
            case_id=case.pk,
            text="Prosimy o przesłanie zdjęcia lub dokładniejszego opisu.",
            status=CaseStatus.WAITING,
        )
        return
    services.case_answer(actor=staff, case_id=case.pk, text=answer)
    if state == CaseStatus.CLOSED:
        services.case_close(actor=customer, case_id=case.pk)
        services.case_rate(actor=customer, case_id=case.pk, rating=5, comment="Dziękuję.")


def _announcements(config, customer_user: User, staff: User) -> None:
    if not (config.has_module(Module.ANNOUNCEMENTS) or config.has_module(Module.FAILURE_REPORTS)):
        return
    title = LegalTitle.objects.filter(customer__user=customer_user).select_related("premises")
    building_id = next((t.premises.building_id for t in title if t.premises.building_id), None)
    now = timezone.now()
    draft = services.AnnouncementDraft
    services.announcement_publish(
        actor=staff,
        draft=draft(
            title="Zmiana godzin pracy biura",
            body="W okresie świątecznym biuro obsługi klienta pracuje w godzinach 8:00–14:00.",
            visible_until=now + timedelta(days=30),
        ),
    )
    if building_id is not None:
        services.announcement_publish(
            actor=staff,
            draft=draft(
                kind="failure",
                title="Awaria instalacji wodnej",
                body="Trwa usuwanie awarii. Woda może być niedostępna lub mieć obniżone ciśnienie.",
                target="buildings",
                building_ids=[building_id],
                starts_at=now - timedelta(hours=2),
                expected_end_at=now + timedelta(hours=6),
                visible_until=now + timedelta(days=1),
            ),
        )
        services.announcement_publish(
            actor=staff,
            draft=draft(
                kind="planned_works",
                title="Przegląd instalacji w budynku",
                body="Coroczny przegląd instalacji w budynku. Prosimy o dostęp do lokali.",
                target="buildings",
                building_ids=[building_id],
                starts_at=now + timedelta(days=7),
                expected_end_at=now + timedelta(days=7, hours=8),
            ),
        )


def _pdf(config, title: str, text: str) -> SimpleUploadedFile:
    document = BrandedDocument(config.branding, title)
    document.set_font("DejaVu", "B", 14)
    document.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    document.set_font("DejaVu", "", 11)
    document.multi_cell(0, 6, text)
    return SimpleUploadedFile(f"{title}.pdf", bytes(document.output()))


DOCUMENTS = (
    ("statute", "public", "Statut spółdzielni", "Tekst jednolity statutu spółdzielni."),
    ("reports", "public", "Sprawozdanie finansowe za 2025 rok", "Bilans i rachunek wyników."),
    ("resolutions", "members", "Uchwała nr 12/2026 Rady Nadzorczej", "W sprawie zaliczek."),
    ("minutes", "members", "Protokół z walnego zgromadzenia 2026", "Przebieg obrad i głosowania."),
    ("price_lists", "customers", "Cennik opłat od 1 stycznia", "Stawki opłat za lokale."),
)


def _documents(config, _customer_user: User, staff: User) -> None:
    if not config.has_module(Module.DOCUMENTS):
        return
    for category, audience, title, text in DOCUMENTS:
        services.document_publish(
            actor=staff,
            title=title,
            category=category,
            audience=audience,
            file=_pdf(config, title, text),
        )


def _letters(config, customer_user: User, staff: User) -> None:
    if not config.has_module(Module.CORRESPONDENCE):
        return
    customer = Customer.objects.filter(user=customer_user).first()
    if customer is None:
        return
    services.letter_send(
        actor=staff,
        subject="Rozliczenie mediów za poprzedni rok",
        body="W załączeniu przesyłamy rozliczenie zużycia wody i ciepła w Państwa lokalu.",
        target="customer",
        customer_id=customer.pk,
        pdf=_pdf(config, "Rozliczenie mediów", "Zużycie wody i ciepła w lokalu."),
    )
    first = services.letter_send(
        actor=staff,
        subject="Zawiadomienie o walnym zgromadzeniu",
        body="Zarząd zawiadamia o walnym zgromadzeniu członków w czerwcu.",
        target="everyone",
    )
    services.letter_read(actor=customer_user, letter_id=first.pk)
