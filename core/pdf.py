"""Branded PDF documents (invoices, balance statements, credentials letters).

fpdf2 writes the PDF; the font is DejaVu Sans from Debian's fonts-dejavu-core (Polish letters);
QR codes are drawn from segno's module matrix as vector squares, so no image library is needed.
"""

from __future__ import annotations

from pathlib import Path

import segno
from fpdf import FPDF

from core.colours import readable_text_on

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font(name: str) -> str:
    for folder in FONT_DIRS:
        path = folder / name
        if path.exists():
            return str(path)
    raise FileNotFoundError(f"{name} (install Debian's fonts-dejavu-core)")


def _hex(colour: str) -> tuple[int, int, int]:
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class BrandedDocument(FPDF):
    def __init__(self, branding, title: str):
        super().__init__(format="A4")
        self.branding = branding
        self.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(branding.portal_name)
        self.set_auto_page_break(auto=True, margin=20)
        self.add_page()

    def header(self) -> None:
        r, g, b = _hex(self.branding.primary_colour)
        self.set_fill_color(r, g, b)
        self.rect(0, 0, 210, 22, style="F")

        self.set_text_color(*_hex(readable_text_on(self.branding.primary_colour)))
        self.set_font("DejaVu", "B", 14)
        self.set_xy(12, 7)
        self.cell(0, 8, self.branding.portal_name)
        self.set_text_color(0, 0, 0)
        self.set_y(30)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(80, 80, 80)
        parts = [
            self.branding.short_name,
            self.branding.contact_address,
            self.branding.contact_phone,
            self.branding.contact_email,
        ]
        self.cell(0, 5, " · ".join(p for p in parts if p), align="C")

    def qr(self, payload: str, x: float, y: float, size: float) -> None:
        code = segno.make(payload, error="m")
        matrix = list(code.matrix)
        cell = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for row, line in enumerate(matrix):
            for col, dark in enumerate(line):
                if dark:
                    self.rect(x + col * cell, y + row * cell, cell, cell, style="F")
