"""Queueing background work so that a broker outage never fails the request that asked for it."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django_tenants.utils import tenant_context

logger = logging.getLogger(__name__)


def queue_after_commit(task, /, *, run_here_if_broker_down: bool = False, **kwargs) -> None:
    """Queue ``task`` with ``kwargs`` once the current transaction commits (so the worker finds
    the rows it is given). When the broker cannot take it, the request still succeeds: work
    that is stored (an import job, an outbox message) is picked up by its periodic sweep; work
    that is not (``run_here_if_broker_down``, e.g. a password-reset e-mail) runs in this
    process instead, later than usual but not lost."""
    name = getattr(task, "name", repr(task))
    tenant = getattr(connection, "tenant", None)  # the task runs in the tenant it was asked from

    def _send() -> None:
        with tenant_context(tenant):
            try:
                task.delay(**kwargs)
            except Exception:  # noqa: BLE001 - the broker being down must not fail the request
                if not run_here_if_broker_down:
                    logger.warning("could not queue %s; its periodic sweep will run it", name)
                    return
                logger.warning("could not queue %s; running it in this process", name)
                try:
                    task.run(**kwargs)
                except Exception:  # noqa: BLE001
                    logger.exception("%s failed when run in process", name)

    transaction.on_commit(_send)
