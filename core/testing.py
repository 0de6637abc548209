"""Helpers the apps' tests share (imported only by tests)."""

from __future__ import annotations

import threading


def in_thread(tenant, work):
    """Run ``work`` on a new database connection in ``tenant``'s schema, in a thread: its own
    transaction, committed, outside the test's (for races between real transactions)."""
    from django.db import connection  # noqa: PLC0415 - the thread's own connection

    out: dict = {}

    def run():
        try:
            connection.set_tenant(tenant)
            out["value"] = work()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in out:
        raise out["error"]
    return out.get("value")


def url_routes(urlconf: str) -> list[tuple[str, str]]:
    """Every route of ``urlconf`` as (pattern, name), included ones flattened: what a test that
    must cover every page walks, so that a new page cannot be forgotten."""
    from django.urls import URLResolver, get_resolver  # noqa: PLC0415 - Django set up by then

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name

    return list(walk(get_resolver(urlconf).url_patterns))
