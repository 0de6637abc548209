"""The credentials letter printed at the office (flow D): login and first-login password."""

from __future__ import annotations

from django.utils import timezone

from core.pdf import BrandedDocument


def credentials_letter(*, branding, login: str, password: str, name: str, login_url: str) -> bytes:
    doc = BrandedDocument(branding, "Dane do logowania")
    doc.set_font("DejaVu", "B", 16)
    doc.cell(0, 10, "Dane do pierwszego logowania", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 11)
    doc.multi_cell(
        0,
        6,
        f"{name}\n\nWitamy w {branding.portal_name}. Aby się zalogować, otwórz {login_url} i "
        "wpisz poniższe dane. Przy pierwszym logowaniu system poprosi o ustawienie własnego hasła.",
    )
    doc.ln(4)
    for label, value in (("Identyfikator", login), ("Hasło pierwszego logowania", password)):
        doc.set_font("DejaVu", "", 11)
        doc.cell(75, 9, f"{label}:")
        doc.set_font("DejaVu", "B", 14)
        doc.cell(0, 9, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("DejaVu", "", 9)
    doc.multi_cell(
        0,
        5,
        "Nie przekazuj tych danych innym osobom. Jeśli zgubisz hasło, biuro wyda nowe hasło "
        f"pierwszego logowania. Wydano {timezone.localtime():%d.%m.%Y %H:%M}.",
    )
    return bytes(doc.output())
