"""Writes of correspondence, by sub-domain: cases; announcements and outages; the
organisation's documents; letters."""

from correspondence.services.announcements import (
    AnnouncementDraft,
    announcement_publish,
    announcement_update,
    announcement_withdraw,
)
from correspondence.services.cases import (
    ANSWER_STATUSES,
    CASE_ROLES,
    STAFF_TRANSITIONS,
    CaseDraft,
    case_answer,
    case_assign,
    case_change_accept,
    case_close,
    case_file,
    case_note_add,
    case_rate,
    case_reminders_send,
    case_reopen,
    case_reply,
    case_status_check,
    case_status_set,
    cases_close_answered,
    kind_name,
    offered_kinds,
)
from correspondence.services.documents import (
    document_publish,
    document_version_add,
    document_withdraw,
    pdf_check,
)
from correspondence.services.letters import letter_read, letter_send

__all__ = [
    "AnnouncementDraft",
    "announcement_publish",
    "announcement_update",
    "announcement_withdraw",
    "document_publish",
    "document_version_add",
    "document_withdraw",
    "pdf_check",
    "letter_read",
    "letter_send",
    "ANSWER_STATUSES",
    "CASE_ROLES",
    "STAFF_TRANSITIONS",
    "CaseDraft",
    "case_answer",
    "case_assign",
    "case_change_accept",
    "case_close",
    "case_file",
    "case_note_add",
    "case_rate",
    "case_reminders_send",
    "case_reopen",
    "case_reply",
    "case_status_check",
    "case_status_set",
    "cases_close_answered",
    "kind_name",
    "offered_kinds",
]
