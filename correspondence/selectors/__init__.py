"""Reads of correspondence, by sub-domain. What a customer or manager sees starts from billing's
actor scope (``scope_for``); the office's reads are for staff only."""

from correspondence.models.cases import OPEN_STATUSES
from correspondence.selectors.announcements import (
    announcements_for,
    announcements_office,
    outages_public,
    standing,
)
from correspondence.selectors.cases import (
    InboxFilter,
    attachment_for,
    case_for_staff,
    case_get,
    case_history,
    case_list,
    case_list_rated,
    case_ratings,
    case_status_lookup,
    inbox,
    inbox_counts,
    last_answer,
)
from correspondence.selectors.documents import (
    documents_for,
    documents_office,
    documents_public,
    version_for,
)
from correspondence.selectors.letters import (
    letter_get,
    letters_for,
    letters_office,
    unread_letters,
)

__all__ = [
    "announcements_for",
    "announcements_office",
    "outages_public",
    "standing",
    "documents_for",
    "documents_office",
    "documents_public",
    "version_for",
    "letter_get",
    "letters_for",
    "letters_office",
    "unread_letters",
    "OPEN_STATUSES",
    "InboxFilter",
    "attachment_for",
    "case_for_staff",
    "case_get",
    "case_history",
    "case_list",
    "case_list_rated",
    "case_ratings",
    "case_status_lookup",
    "inbox",
    "inbox_counts",
    "last_answer",
]
