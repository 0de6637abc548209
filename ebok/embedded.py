"""The embedded PostgreSQL for a newcomer's machine: `pgserver` runs it from a wheel.

Used only when DATABASE_URL is unset (development). The data directory is kept between runs, so a
second `make run` reuses the same database; the server keeps running after the command exits and
is reused by the next one.
"""

from pathlib import Path

DATABASE_NAME = "ebok"


def ensure_embedded_database(data_dir: Path) -> str:
    """Start (or reuse) the embedded server in ``data_dir`` and return a DATABASE_URL for it."""
    import pgserver  # noqa: PLC0415 - a development dependency, installed only there

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - a constant
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server.get_uri(DATABASE_NAME)


if __name__ == "__main__":
    print(ensure_embedded_database(Path(__file__).resolve().parent.parent / ".data" / "pg"))
