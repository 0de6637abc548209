"""Reads of correspondence, by sub-domain. What a customer or manager sees starts from billing's
actor scope (``scope_for``); the office's reads are for staff only."""

from correspondence.models.cases import OPEN_STATUSES
from correspondence.selectors.cases import (
    InboxFilter,
    attachment_for,
    case_for_staff,
    case_get,
    case_history,
    case_list,
    case_ratings,
    case_status_lookup,
    inbox,
    inbox_counts,
    last_answer,
)

__all__ = [
    "OPEN_STATUSES",
    "InboxFilter",
    "attachment_for",
    "case_for_staff",
    "case_get",
    "case_history",
    "case_list",
    "case_ratings",
    "case_status_lookup",
    "inbox",
    "inbox_counts",
    "last_answer",
]
