"""django-tenants' PostgreSQL backend that does not repeat a `SET search_path` the open
connection already has.

django-tenants forgets the search path at every tenant switch (every request calls
``set_tenant``) and issues ``SET search_path`` on the next cursor. With persistent connections
(``CONN_MAX_AGE``) the same tenant is usually served again on the same connection, so that
statement is a round trip that changes nothing. This backend remembers the search path in force
on the *open* connection and forgets it whenever PostgreSQL may have dropped it: on connect,
close, rollback and rollback to a savepoint (a SET is transactional). Disable it with
``TENANT_REUSE_SEARCH_PATH = False`` behind a transaction-mode pooler, where consecutive
transactions may run on different server sessions (see docs/operations.md).

A PostgreSQL backend keeps the catalogue entries of every table it has touched (about 0.3 MB per
tenant schema): a persistent connection that served hundreds of tenants holds hundreds of MB.
So a connection is recycled once it has served ``TENANT_CONNECTION_MAX_SCHEMAS`` different
schemas (default 100): it is marked obsolete and Django closes it at the end of the request
(or Celery task), as it does when ``CONN_MAX_AGE`` runs out; the next request opens a fresh one.
"""

import time

from django.conf import settings
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._search_path_in_force = None
        self._schemas_served: set[str] = set()

    def _count_schema(self) -> None:
        """Remember the schema this connection serves; past the limit, close it after this
        request (Django's close_if_unusable_or_obsolete reads close_at)."""
        schema = self.schema_name
        if schema in self._schemas_served:
            return
        self._schemas_served.add(schema)
        limit = getattr(settings, "TENANT_CONNECTION_MAX_SCHEMAS", 100)
        if limit and len(self._schemas_served) > limit:
            self.close_at = time.monotonic()  # obsolete now: closed when the request ends

    def set_tenant(self, tenant, include_public=True):
        """Select ``tenant``; when the open connection already serves its schema with the path in
        force, only the tenant object is replaced: django-tenants would forget the path (and the
        content types, which are the same within one schema) on every request."""
        if (
            self.search_path_set_schemas is not None
            and self._search_path_in_force is not None
            and tenant.schema_name == self.schema_name
            and include_public == self.include_public_schema
            and getattr(settings, "TENANT_REUSE_SEARCH_PATH", True)
        ):
            self.tenant = tenant
            return
        super().set_tenant(tenant, include_public)

    def _handle_search_path(self, cursor=None):
        if (
            self.search_path_set_schemas is None
            and not self._setting_search_path
            and self._search_path_in_force is not None
            and getattr(settings, "TENANT_REUSE_SEARCH_PATH", True)
            and self._search_path_in_force == self._get_cursor_search_paths()
        ):
            self.search_path_set_schemas = self._search_path_in_force
            return
        super()._handle_search_path(cursor)
        self._search_path_in_force = self.search_path_set_schemas
        self._count_schema()

    def get_new_connection(self, conn_params):
        self._search_path_in_force = None
        self._schemas_served = set()
        return super().get_new_connection(conn_params)

    def close(self):
        self._search_path_in_force = None
        super().close()

    # Cleared after the parent's rollback, not before: issuing ROLLBACK TO SAVEPOINT goes through
    # _cursor(), which would record the path again just before the rollback discards it.
    def rollback(self):
        try:
            super().rollback()
        finally:
            self._search_path_in_force = None

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            self._search_path_in_force = None
