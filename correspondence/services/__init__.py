"""Writes of correspondence, by sub-domain: cases; announcements and outages; the
organisation's documents; letters."""

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
    case_status_set,
    cases_close_answered,
    kind_name,
    offered_kinds,
)

__all__ = [
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
    "case_status_set",
    "cases_close_answered",
    "kind_name",
    "offered_kinds",
]
