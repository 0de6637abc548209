"""Correspondence between customers and their organisation: cases (zgłoszenia) with their
messages, announcements and outages, the organisation's documents and its letters."""

from correspondence.models.announcements import Announcement
from correspondence.models.cases import (
    Case,
    CaseAttachment,
    CaseCounter,
    CaseMessage,
    CaseStatus,
)
from correspondence.models.documents import Document, DocumentVersion
from correspondence.models.letters import Letter, LetterRead

__all__ = [
    "Announcement",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "CaseMessage",
    "CaseStatus",
    "Document",
    "DocumentVersion",
    "Letter",
    "LetterRead",
]
