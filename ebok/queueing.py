"""Queueing background work so that a broker outage never fails the request that asked for it."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def queue_after_commit(task, /, **kwargs) -> None:
    """Queue ``task`` with ``kwargs`` once the current transaction commits (so the worker finds
    the rows it is given). When the broker cannot take it, the request still succeeds: the work
    is already stored, and the task's periodic sweep picks it up later."""
    name = getattr(task, "name", repr(task))

    def _send() -> None:
        try:
            task.delay(**kwargs)
        except Exception:  # noqa: BLE001 - the broker being down must not fail the request
            logger.warning("could not queue %s; its periodic sweep will run it", name)

    transaction.on_commit(_send)
