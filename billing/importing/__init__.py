"""The ERP import: CSV (``;`` or ``,``), JSON lines or XLSX, one entity per file, upserted by
the ERP's identifiers (a re-sent file changes nothing). ``columns`` describes entities,
``files`` reads files, ``engine`` imports them and keeps the registry of entities, and
``entities`` registers billing's own; other apps register theirs the same way."""

from billing.importing import entities  # noqa: F401 - registers billing's entities
from billing.importing.columns import (  # noqa: F401 - the package's names
    Column,
    EntitySpec,
    Reference,
    Row,
    RowError,
    Text,
    choice,
    day,
    flag,
    moment,
    quantity,
    stored_text,
    text,
)
from billing.importing.engine import (  # noqa: F401 - the package's names
    ENTITIES,
    ENTITY_LABELS,
    ImportResult,
    entity_label,
    entity_names,
    import_text,
    register_entity,
    run_import,
)
from billing.importing.files import (  # noqa: F401 - the package's names
    CSV_FIELD_LIMIT,
    MAX_UNPACKED_BYTES,
    UnreadableFile,
    check_readable,
    decode_text,
    iter_rows,
    read_rows,
    xlsx_to_csv,
)
