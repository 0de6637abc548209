"""One tenant's export and restore in seconds, whatever the number of other schemas.

``pg_dump --schema`` reads the catalogue of the whole database (about 5 ms per other schema:
~10 s at 2,000 tenants). A schema recorded at the code's migrations is described exactly by the
schema template (tenants.template), so the export writes that DDL and then each table's rows by
``COPY … TO STDOUT`` in primary-key order, all in one read-only REPEATABLE READ transaction (a
consistent snapshot), with the sequences' values. The file is plain SQL that psql restores into
any PostgreSQL (``CREATE SCHEMA``, the DDL, ``COPY … FROM stdin`` blocks, ``setval``); its first
line says what it is and its last line is a manifest: the tenant's row and domains, and per
table the number of rows and the SHA-256 of its ``COPY`` text.

``schema_restore`` reads such a file back as a tenant (its row, hosts and schema) in one
transaction, streaming the rows, and then checks every table's count and checksum against the
manifest: anything different and nothing is kept. A schema not at the code's migrations is
exported with ``pg_dump --schema-only`` for its DDL instead (slower, same file).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

from core.errors import ApplicationError
from tenants import pgtools, policies
from tenants.errors import TenantErrorCode
from tenants.models import Domain, Tenant
from tenants.sealed_files import sealed_writer
from tenants.template import (
    DATA_TABLES,
    PLACEHOLDER,
    current_template,
    migrations_fingerprint,
    schema_create_from_template,
)

FORMAT = 1
HEADER = "-- ebok tenant export "
MANIFEST = "-- ebok manifest "
_SCHEMA = re.compile(r"[a-z0-9_]{1,63}")
_TENANT_FIELDS = (
    "name",
    "slug",
    "schema_name",
    "kind",
    "status",
    "preset",
    "config",
    "nip",
    "regon",
    "address",
    "created_at",
    "published_at",
    "migrations_fingerprint",
)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    order: tuple[str, ...]  # the primary key's columns; every column when there is none

    def select(self, schema: str) -> sql.Composed:
        return sql.SQL("SELECT {} FROM {}.{} ORDER BY {}").format(
            sql.SQL(", ").join(map(sql.Identifier, self.columns)),
            sql.Identifier(schema),
            sql.Identifier(self.name),
            sql.SQL(", ").join(map(sql.Identifier, self.order)),
        )

    def copy_out(self, schema: str) -> sql.Composed:
        return sql.SQL("COPY ({}) TO STDOUT").format(self.select(schema))

    def copy_in(self, schema: str) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{schema}"."{self.name}" ({cols}) FROM stdin'


def _tables(cursor, schema: str) -> list[Table]:
    """The schema's tables, their columns and primary keys: one catalogue query that reads this
    schema's rows only."""
    cursor.execute(
        """
        SELECT c.relname,
          (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attgenerated = ''),
          (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE i.indrelid = c.oid AND i.indisprimary)
        FROM pg_class c
        WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p')
        ORDER BY c.relname
        """,
        [schema],
    )
    return [
        Table(name, tuple(columns), tuple(order or columns))
        for name, columns, order in cursor.fetchall()
    ]


def _sequences(cursor, schema: str) -> list[tuple[str, int]]:
    cursor.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s "
        "AND last_value IS NOT NULL ORDER BY sequencename",
        [schema],
    )
    return cursor.fetchall()


def _template_ddl(schema: str) -> str | None:
    """The schema's DDL from the template, when the schema is at the template's migrations."""
    template = current_template()
    if template is None:
        return None
    lines = [
        line
        for line in template.sql.splitlines()
        # The template's rows (migrations, content types) come from the tenant's own tables.
        if not line.startswith(("INSERT INTO ", "SELECT pg_catalog.setval("))
    ]
    return "\n".join(lines).replace(PLACEHOLDER, schema) + "\n"


def _dumped_ddl(schema: str) -> str:
    result = pgtools.pg_dump("--schema-only", "--schema", schema)
    if result.returncode != 0:
        raise ApplicationError(
            _("The export failed; nothing was changed. Try again later."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        )
    kept = [
        line
        for line in result.stdout.splitlines()
        if line.strip()
        and not line.startswith(("--", "\\", "SET ", "SELECT pg_catalog.set_config("))
        and not line.startswith(f"CREATE SCHEMA {schema};")
    ]
    return "\n".join(kept) + "\n"


def _copy_table(cursor, schema: str, table: Table, out: IO[bytes]) -> dict[str, Any]:
    digest = hashlib.sha256()
    rows = 0
    out.write(f"{table.copy_in(schema)};\n".encode())
    with cursor.copy(table.copy_out(schema)) as copy:
        for block in copy:
            out.write(block)
            digest.update(block)
            rows += bytes(block).count(b"\n")  # COPY's text format escapes newlines in values
    out.write(b"\\.\n")
    return {"name": table.name, "rows": rows, "sha256": digest.hexdigest(), "order": table.order}


def table_checksums(schema: str, tables: list[dict]) -> dict[str, tuple[int, str]]:
    """Rows and SHA-256 of each table's ``COPY`` text, in the order the manifest names."""
    out = {}
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        columns = {t.name: t.columns for t in _tables(cursor, schema)}
        for entry in tables:
            table = Table(entry["name"], columns.get(entry["name"], ()), tuple(entry["order"]))
            digest, rows = hashlib.sha256(), 0
            if table.columns and set(table.order) <= set(table.columns):
                with cursor.copy(table.copy_out(schema)) as copy:
                    for block in copy:
                        digest.update(block)
                        rows += bytes(block).count(b"\n")
            out[entry["name"]] = (rows, digest.hexdigest())
    return out


def schema_dump(
    tenant: Tenant, target: Path, *, sealed_to: list[str] | None = None
) -> dict[str, Any]:
    """Write ``tenant``'s export to ``target`` (encrypted to the age public keys ``sealed_to``,
    tenants.sealed_files); returns its manifest."""
    schema = tenant.schema_name
    if not _SCHEMA.fullmatch(schema) or tenant.is_public:
        raise ValueError(f"not a tenant schema: {schema!r}")
    current = tenant.migrations_fingerprint == migrations_fingerprint()
    ddl = _template_ddl(schema) if current else None
    how = "template"
    if ddl is None:
        ddl, how = _dumped_ddl(schema), "pg_dump"
    header = {"format": FORMAT, "schema": schema, "fingerprint": tenant.migrations_fingerprint}
    own_transaction = not connection.in_atomic_block
    writer = sealed_writer(target, sealed_to) if sealed_to else target.open("wb")
    with transaction.atomic(), connection.cursor() as wrapper, writer as out:
        cursor = wrapper.cursor
        if own_transaction:  # one snapshot for every table (inside a caller's, theirs)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        out.write(f"{HEADER}{json.dumps(header)}\n".encode())
        out.write(f'CREATE SCHEMA "{schema}";\n'.encode())
        out.write(ddl.encode())
        tables = [_copy_table(cursor, schema, table, out) for table in _tables(cursor, schema)]
        sequences = _sequences(cursor, schema)
        for name, value in sequences:
            out.write(
                f'SELECT pg_catalog.setval(\'"{schema}"."{name}"\', {value}, true);\n'.encode()
            )
        row = {field: getattr(tenant, field) for field in _TENANT_FIELDS}
        domains = list(
            Domain.objects.filter(tenant=tenant).values("domain", "is_primary").order_by("pk")
        )
        manifest = {
            **header,
            "ddl": how,
            "tenant": row,
            "domains": domains,
            "tables": tables,
            "sequences": dict(sequences),
        }
        out.write(f"{MANIFEST}{json.dumps(manifest, cls=DjangoJSONEncoder)}\n".encode())
    return manifest


def _refused(message: str, code: TenantErrorCode = TenantErrorCode.RESTORE_REFUSED, status=409):
    return ApplicationError(message, code=code, status=status)


def read_manifest(source: Path) -> dict[str, Any]:
    with source.open("rb") as handle:
        first = handle.readline().decode("utf-8", "replace")
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - (4 << 20)))
        tail = handle.read().decode("utf-8", "replace").rstrip("\n").rsplit("\n", 1)[-1]
    if not first.startswith(HEADER) or not tail.startswith(MANIFEST):
        raise _refused(_("This file is not a complete tenant export."), status=400)
    manifest = json.loads(tail[len(MANIFEST) :])
    if manifest.get("format") != FORMAT or not _SCHEMA.fullmatch(manifest.get("schema", "")):
        raise _refused(_("This export's format is not known to this version."), status=400)
    return manifest


def _replay(cursor, source: Path, schema: str, tables: set[str], *, run_ddl: bool) -> None:
    """The file's rows, each COPY block streamed into a table the manifest names, and its
    sequences' values. The file's DDL runs only when ``run_ddl`` (else the caller made the
    schema from the template); nothing else in the file is ever executed."""
    copy_line = re.compile(
        rf'COPY "{schema}"\."([a-z0-9_]+)" \(("[a-z0-9_]+"(?:, "[a-z0-9_]+")*)\) FROM stdin;'
    )
    setval_line = re.compile(
        rf"SELECT pg_catalog\.setval\('\"{schema}\"\.\"([a-z0-9_]+)\"', (\d+), true\);"
    )
    ddl: list[bytes] = []
    with source.open("rb") as handle:
        handle.readline()  # the header
        for raw in handle:
            if raw.startswith(b"COPY "):
                if ddl and run_ddl:
                    cursor.execute(b"".join(ddl).decode())
                ddl = []
                match = copy_line.fullmatch(raw.decode("utf-8", "replace").rstrip("\n"))
                if match is None or match.group(1) not in tables:
                    raise _refused(_("This export names a table it does not hold."), status=400)
                with cursor.copy(
                    raw.decode().rstrip().removesuffix(" FROM stdin;") + " FROM STDIN"
                ) as copy:
                    buffer = bytearray()
                    for line in handle:
                        if line == b"\\.\n":
                            break
                        buffer += line
                        if len(buffer) >= _CHUNK:
                            copy.write(bytes(buffer))
                            buffer.clear()
                    if buffer:
                        copy.write(bytes(buffer))
            elif raw.startswith(b"SELECT pg_catalog.setval("):
                match = setval_line.fullmatch(raw.decode("utf-8", "replace").rstrip("\n"))
                if match is None:
                    raise _refused(_("This export holds a statement it should not."), status=400)
                cursor.execute(
                    "SELECT pg_catalog.setval(%s, %s, true)",
                    [f'"{schema}"."{match.group(1)}"', int(match.group(2))],
                )
            elif raw.startswith(MANIFEST.encode()):
                break
            else:
                ddl.append(raw)


def schema_restore(source: Path, *, trust_file_ddl: bool = False) -> Tenant:
    """Bring an exported tenant back: its row, hosts and schema, checked table by table against
    the manifest. Refused (nothing changed) when its subdomain, schema or a host is taken.

    The schema is made from the template when the export was taken at the code's migrations;
    an older export needs ``trust_file_ddl`` (its own DDL is executed: only for a file the
    operator made), and ``migrate_tenants`` afterwards brings it up to date."""
    manifest = read_manifest(source)
    schema = manifest["schema"]
    row = manifest["tenant"]
    template = current_template()
    at_code = template is not None and manifest.get("fingerprint") == migrations_fingerprint()
    if not at_code and not trust_file_ddl:
        raise _refused(
            _(
                "This export was taken at other migrations than this version's; restore it "
                "with the version that made it, or trust the file's own structure."
            ),
            status=400,
        )
    if row.get("schema_name") != schema or row.get("slug", "").replace("-", "_") != schema:
        raise _refused(_("This export's manifest does not agree with itself."), status=400)
    try:
        policies.config_from_json(row["config"]).validate()
    except (KeyError, TypeError, policies.PolicyError) as exc:
        raise _refused(_("This export's settings are not valid."), status=400) from exc
    if (
        Tenant.objects.filter(slug=row["slug"]).exists()
        or Tenant.objects.filter(schema_name=schema).exists()
    ):
        raise _refused(_("A portal with this subdomain already exists."))
    hosts = [d["domain"] for d in manifest["domains"]]
    if Domain.objects.filter(domain__in=hosts).exists():
        raise _refused(_("One of this portal's addresses is used by another portal."))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        if cursor.fetchone():
            raise _refused(_("A schema of this name already exists."))
    values = {
        field.attname: field.to_python(row[field.attname])
        for field in Tenant._meta.concrete_fields
        if field.attname in row and field.attname in _TENANT_FIELDS
    }
    tables = {entry["name"] for entry in manifest["tables"]}
    with transaction.atomic():
        tenant = Tenant(**values)
        tenant.auto_create_schema = False
        tenant.save()
        for entry in manifest["domains"]:
            Domain.objects.create(
                tenant=tenant, domain=str(entry["domain"]), is_primary=bool(entry["is_primary"])
            )
        with connection.cursor() as wrapper:
            # Rows arrive table by table in name order: foreign keys are checked at the end.
            wrapper.execute("SET CONSTRAINTS ALL DEFERRED")
            if at_code:
                schema_create_from_template(schema, template)
                # The template's own rows (migrations, content types) come from the export.
                for name in DATA_TABLES:
                    wrapper.execute(
                        sql.SQL("DELETE FROM {}.{}").format(
                            sql.Identifier(schema), sql.Identifier(name)
                        )
                    )
            _replay(wrapper.cursor, source, schema, tables, run_ddl=not at_code)
            wrapper.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked here
        found = table_checksums(schema, manifest["tables"])
        for entry in manifest["tables"]:
            if found[entry["name"]] != (entry["rows"], entry["sha256"]):
                raise _refused(
                    _("The restored table %(t)s does not match the export; nothing was kept.")
                    % {"t": entry["name"]},
                    status=400,
                )
    return tenant
