"""The database interface the stores use, the same for SQLite and PostgreSQL.

Writing (or porting) a store against it:

- SQL is written once, with `?` placeholders, in SQL both databases speak: `INSERT ... ON
  CONFLICT (...) DO UPDATE SET x = excluded.x` or `DO NOTHING` (not `INSERT OR IGNORE`), `IS
  [NOT] DISTINCT FROM` for null-safe comparisons (not `IS NOT` between columns), no `? IS NULL`
  (PostgreSQL cannot type a bare NULL parameter: build the query in Python instead). The
  PostgreSQL backend turns `?` into its own placeholders and doubles `%`.
- `await db.execute(sql, params)` returns the number of rows changed; `await db.insert(sql,
  params)` runs an INSERT into a table with an `id` column and returns the new row's id (SQLite's
  lastrowid, PostgreSQL's `RETURNING id`); `fetch_one`, `fetch_all` and `fetch_value` read rows
  as dicts (column name to value) or a single value.
- `async with db.transaction() as tx:` groups statements all or nothing: `tx` has the same five
  methods. On PostgreSQL it holds one pooled connection, so `SELECT ... FOR UPDATE SKIP LOCKED`
  and `pg_advisory_xact_lock(...)` work inside it; on SQLite it is a `BEGIN IMMEDIATE` write
  transaction, which keeps every other writer (process or coroutine) out until it ends, and
  every other statement of this process too: never await the network inside one.
- Parameters: a bool is stored as 0/1 and an enum as its value, on both databases.
- A unique or foreign key violation raises `storage.IntegrityError` on both.
- `db.dialect` is `"sqlite"` or `"postgresql"`, for the rare statement that must differ.

Schema changes are migrations in `storage/migrations.py`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from enum import Enum
from functools import lru_cache
from typing import Any, ClassVar, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
Row = dict[str, Any]
Params = Sequence[Any]


class StorageError(Exception):
    """A problem with the database the operator has to fix; the message is one line."""


class DatabaseUnavailable(StorageError):
    """The database cannot be opened or reached (never names a password)."""


class SchemaTooNew(StorageError):
    """The database was migrated by a newer version of the bot."""


class IntegrityError(StorageError):
    """A statement broke a UNIQUE, CHECK or FOREIGN KEY constraint."""


class Session(ABC):
    """Runs statements: the database itself (each statement on its own) or one transaction."""

    dialect: Dialect

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT into a table with an `id` column; the new row's id."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query, as dicts."""

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return next(iter(row.values())) if row else None


class PersonLocks(Protocol):
    """One lock per (chat, user) that every instance on a shared database holds in turn."""

    def hold(self, person: tuple[int, int]) -> AbstractAsyncContextManager[None]: ...

    async def close(self) -> None: ...


class Database(Session):
    """The database the stores share, open for the bot's lifetime."""

    shared: ClassVar[bool] = False
    """Whether other instances of the bot may use it at the same time (PostgreSQL): they then
    split the work (`bot.core.engine.cluster`) and take turns per person (`person_locks`)."""

    def person_locks(self) -> PersonLocks | None:
        """Locks per person shared with the other instances; None where there are none."""
        return None

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """Statements that land together or not at all."""

    @abstractmethod
    async def ping(self) -> None:
        """Raises DatabaseUnavailable unless the database answers a query now."""

    async def schema_version(self) -> int:
        """How many migrations this database has had."""
        return int(
            await self.fetch_value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        )

    @abstractmethod
    async def close(self) -> None: ...


def plain(params: Params) -> tuple[Any, ...]:
    """Parameters as both databases take them: bools as 0/1, enums as their values."""
    return tuple(
        int(p) if isinstance(p, bool) else p.value if isinstance(p, Enum) else p for p in params
    )


# A string literal, a quoted identifier, a -- comment, or one of the characters to rewrite.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|[?%]")


@lru_cache(maxsize=512)
def format_placeholders(sql: str) -> str:
    """`?` placeholders (outside quotes and comments) as psycopg's `%s`; every `%` doubled,
    since psycopg reads `%` as its own marker even inside a string literal."""

    def rewrite(match: re.Match[str]) -> str:
        token = match.group()
        return "%s" if token == "?" else token.replace("%", "%%")

    return _TOKENS.sub(rewrite, sql)
