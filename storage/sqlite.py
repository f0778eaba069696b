"""The SQLite backend: one aiosqlite connection in WAL mode, shared by the stores."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Self

import aiosqlite

from storage.database import (
    Database,
    DatabaseUnavailable,
    IntegrityError,
    Params,
    Row,
    Session,
    plain,
)
from storage.migrations import migrate


class _Statements(Session):
    """Statements on the connection, for a caller that already has it to itself."""

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def _run(self, sql: str, params: Params) -> aiosqlite.Cursor:
        try:
            return await self._connection.execute(sql, plain(params))
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._run(sql, params)
        changed = cursor.rowcount
        await cursor.close()
        return changed

    async def insert(self, sql: str, params: Params = ()) -> int:
        cursor = await self._run(sql, params)
        row_id = cursor.lastrowid
        await cursor.close()
        assert row_id is not None
        return row_id

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        cursor = await self._run(sql, params)
        rows = await cursor.fetchall()
        await cursor.close()
        return [dict(row) for row in rows]


class SqliteDatabase(Database):
    """aiosqlite runs every statement on one worker thread; the lock keeps a transaction's
    statements together, so a coroutine's lone statement never lands in another's transaction."""

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.path = path
        self._connection = connection
        self._statements = _Statements(connection)
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Self:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise DatabaseUnavailable(f"Cannot open the database at {path}: {error}") from None
        try:
            connection.row_factory = aiosqlite.Row
            # First, so that the other settings and the migration wait for a second process
            # opening the same file instead of failing with "database is locked".
            await connection.execute("PRAGMA busy_timeout=5000")
            # WAL survives a killed process without losing committed rows, and lets readers
            # run while the poller writes. synchronous=NORMAL is crash-safe for process kills.
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            database = cls(connection, path)
            await migrate(database, f"at {path}")
        except sqlite3.Error as error:
            await connection.close()
            raise DatabaseUnavailable(f"Cannot open the database at {path}: {error}") from None
        except BaseException:
            await connection.close()
            raise
        return database

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await self._statements.execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await self._statements.insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._lock:
            return await self._statements.fetch_all(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._lock:
            # IMMEDIATE takes the write lock now: another process's writer waits (busy_timeout)
            # instead of both reading and then one failing at its first write.
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._statements
            except BaseException:
                if self._connection.in_transaction:
                    await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    async def ping(self) -> None:
        try:
            await self.fetch_value("SELECT 1")
        except (sqlite3.Error, ValueError) as error:  # ValueError: the connection is closed
            raise DatabaseUnavailable(
                f"The database at {self.path} does not answer: {error}"
            ) from None

    async def close(self) -> None:
        await self._connection.close()
