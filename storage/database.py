"""The SQLite database: one aiosqlite connection, WAL mode, schema migrations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self

import aiosqlite

from storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)


class Database:
    """Owns the connection; the stores (orders, chats) share it.

    aiosqlite runs every statement on one worker thread, so statements never interleave; a
    `transaction()` groups the ones that must land together.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> Self:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        try:
            connection.row_factory = aiosqlite.Row
            # WAL survives a killed process without losing committed rows, and lets readers
            # run while the poller writes. synchronous=NORMAL is crash-safe for process kills.
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA busy_timeout=5000")
            database = cls(connection, path)
            await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def migrate(self) -> None:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"The database {self.path} is from a newer version of the bot "
                f"(schema {current}, this bot knows {len(MIGRATIONS)})."
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            log.info("Migrating the database to schema version %d", version)
            # executescript commits first, so BEGIN/COMMIT make each step all-or-nothing.
            await self.connection.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )

    async def schema_version(self) -> int:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self.connection.close()
