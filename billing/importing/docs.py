"""What each entity of the ERP import takes, in words: its columns (required or not, their
format), the ERP ids it refers to, and a sample file. The office's help page, its sample files
and the OpenAPI document are made from this, so they never differ from what the import does."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from billing.importing.columns import column_example, column_format
from billing.importing.engine import ENTITIES, entity_label

# Examples a sample file shows where a column's name says more than its format.
NAME_EXAMPLES = {
    "symbol": "L0000001",
    "name": "Jan Kowalski",
    "street": "Modrzewiowa",
    "building_no": "1",
    "flat_no": "7",
    "city": "Dąbrowa Leśna",
    "number": "FV/1/2026",
    "code": "PPE-0001",
    "serial_number": "WOD-4411",
    "component": "Eksploatacja",
    "title": "Czynsz za styczeń",
    "kind": "",
    "estate": "Osiedle Leśne",
    "location": "łazienka",
    "phone": "+48 600 100 200",
    "register_codes": "1",
    "register": "1",
    "net": "100.00",
    "vat": "8.00",
    "gross": "108.00",
    "vat_rate": "8",
}
REFERENCE_EXAMPLES = {"customer": "K1", "premises": "M1", "building": "B1", "contract": "U1"}


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    required: bool
    format: str
    example: str


def _id_example(model) -> str:
    """The same example id wherever a record is named (its own row, and rows referring to it)."""
    name = model._meta.model_name or ""
    return REFERENCE_EXAMPLES.get(name, f"{name[:1].upper()}1")


def columns(entity: str) -> list[ColumnDoc]:
    spec = ENTITIES[entity]
    out = []
    for column in spec.columns:
        example = NAME_EXAMPLES.get(column.name) or column_example(column.parse)
        if not column.required and column.name not in NAME_EXAMPLES:
            example = ""  # an optional column may stay empty
        if column.name == "erp_id":
            example = _id_example(spec.model)
        out.append(
            ColumnDoc(
                column.name,
                column.required,
                _("the ERP's own id of the row (a re-sent row changes nothing)")
                if column.name == "erp_id"
                else column_format(column.parse),
                example,
            )
        )
    labels = {other.model: entity_label(name) for name, other in ENTITIES.items()}
    for ref in spec.references:
        what = labels.get(ref.model, str(ref.model._meta.verbose_name))
        described = (
            _("the ERP id of a row of “%(what)s”, imported before") % {"what": what}
            if ref.key == "erp_id"
            else _("the %(field)s of a row of “%(what)s”") % {"field": ref.key, "what": what}
        )
        example = _id_example(ref.model) if ref.required and ref.key == "erp_id" else ""
        out.append(ColumnDoc(ref.column, ref.required, described, example))
    return out


def sample_csv(entity: str) -> str:
    """A file of one row the import takes: a header, and an example in every column."""
    docs = columns(entity)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([d.name for d in docs])
    writer.writerow([d.example for d in docs])
    return out.getvalue()


def entities() -> list[tuple[str, str, list[ColumnDoc]]]:
    return [(name, entity_label(name), columns(name)) for name in ENTITIES]


def openapi_description() -> str:
    """The entities and their columns, as Markdown for the import's OpenAPI operation."""
    lines = ["Entities and their columns (* required):", ""]
    for name, _label, docs in entities():
        shown = ", ".join(f"`{d.name}`{'*' if d.required else ''} ({d.format})" for d in docs)
        lines.append(f"- **{name}**: {shown}")
    return "\n".join(lines)
