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
"""

from django.conf import settings
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._search_path_in_force = None

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

    def get_new_connection(self, conn_params):
        self._search_path_in_force = None
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
