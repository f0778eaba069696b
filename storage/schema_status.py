"""How far a database's schema is, read without changing anything: for `python -m bot check`,
which must not migrate (or create) the database it only looks at."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.database import DatabaseUnavailable
from storage.migrations import MIGRATIONS

# A check must answer in seconds, whatever libpq's default (none) says.
CONNECT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    where: str
    """The database for the operator: a path, or name on host:port (never a password)."""
    applied: int | None
    """Migrations the database has had; None when it does not exist yet."""
    known: int = len(MIGRATIONS)
    """Migrations this bot knows."""


async def schema_status(target: Path | str) -> SchemaStatus:
    """Raises DatabaseUnavailable (one line, no password) when the database cannot be read."""
    if isinstance(target, Path):
        return await asyncio.to_thread(_sqlite_status, target)
    return await _postgres_status(target)


def _sqlite_status(path: Path) -> SchemaStatus:
    where = str(path)
    if not path.exists():
        return SchemaStatus(where, None)
    try:
        # Read-only: a check never creates, migrates or locks the bot's file for writing.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            has_table = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
            if has_table:
                applied = connection.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()
                count = int(applied[0])
            else:
                # Before schema_migrations, PRAGMA user_version counted the migrations.
                count = int(connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise DatabaseUnavailable(f"Cannot open the database at {path}: {error}") from None
    return SchemaStatus(where, count)


async def _postgres_status(url: str) -> SchemaStatus:
    # Imported here: psycopg takes about 0.1 s to import, which a SQLite bot never needs.
    import psycopg

    from storage.postgres import describe, one_line

    where = describe(url)
    try:
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        ) as connection:
            cursor = await connection.execute("SELECT to_regclass('schema_migrations')")
            row = await cursor.fetchone()
            if row is None or row[0] is None:
                return SchemaStatus(where, 0)
            cursor = await connection.execute("SELECT COUNT(*) FROM schema_migrations")
            row = await cursor.fetchone()
    except psycopg.Error as error:
        raise DatabaseUnavailable(
            f"Cannot use the database {where}: {one_line(error, url)}"
        ) from None
    return SchemaStatus(where, int(row[0]) if row else 0)
