"""Keyset pagination for web pages: the same cost on page 1 and page 1,000, and no count.

An offset page (``?page=801``) makes PostgreSQL read and throw away every row before it, and a
"page n of N" label counts the whole list on every request. ``keyset_page`` gives the rows after
(or before) an opaque cursor instead, by DRF's CursorPagination (the API's pagination), with
"newer"/"older" links that keep the page's other query parameters. The order is the queryset's
own (``order_by`` of field names, else the model's ``Meta.ordering``); it should end with a
unique field (``-id``) so equal values keep a stable order.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class _WebCursor(CursorPagination):
    page_size_query_param = None

    def __init__(self, per_page: int, ordering: tuple[str, ...]) -> None:
        self.page_size = per_page
        self.ordering = ordering


class KeysetPage:
    """What a pager template reads: the rows, and links to the newer and older ones."""

    def __init__(self, rows: list, next_link: str | None, previous_link: str | None) -> None:
        self.object_list = rows
        self.next_link = next_link
        self.previous_link = previous_link

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_link is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_link is not None

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _relative(link: str | None) -> str | None:
    if link is None:
        return None
    return "?" + urlsplit(link).query


def ordering_of(queryset: QuerySet) -> tuple[str, ...]:
    ordering = tuple(queryset.query.order_by) or tuple(queryset.model._meta.ordering)
    names = tuple(field for field in ordering if isinstance(field, str))
    if not names or len(names) != len(ordering):
        raise ValueError(f"keyset pagination needs an order of field names, not {ordering!r}")
    return names


def keyset_page(request: HttpRequest, queryset: QuerySet, per_page: int) -> KeysetPage:
    """The page of ``queryset`` that the request's ``cursor`` names (the first without one, or
    with a cursor that is not valid)."""
    paginator = _WebCursor(per_page, ordering_of(queryset))
    drf_request = Request(request)
    try:
        rows = paginator.paginate_queryset(queryset, drf_request) or []
    except NotFound:  # a cursor tampered with or from another list: the first page
        clean = copy.copy(request)
        query = request.GET.copy()
        query.pop(paginator.cursor_query_param, None)
        clean.GET = query  # type: ignore[assignment]  # a mutable copy, read only below
        rows = paginator.paginate_queryset(queryset, Request(clean)) or []
    return KeysetPage(
        list(rows), _relative(paginator.get_next_link()), _relative(paginator.get_previous_link())
    )
