"""The PostgreSQL backend: psycopg 3 with a pool of autocommit connections."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.database import (
    Database,
    DatabaseUnavailable,
    IntegrityError,
    Params,
    Row,
    Session,
    format_placeholders,
    plain,
)
from storage.migrations import migrate

Connection = psycopg.AsyncConnection[DictRow]
log = logging.getLogger(__name__)

# The first key of the two-key advisory locks held per person ("sms5"); the second is a hash.
PERSON_LOCKS = 0x736D7335
# Waiting for a person's lock held by another instance: first retry, and the longest pause.
LOCK_RETRY_FIRST = 0.005
LOCK_RETRY_MAX = 0.1
CONNECT_TIMEOUT = 10
PING_TIMEOUT = 3.0


class _Statements(Session):
    dialect = "postgresql"

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def _run(self, sql: str, params: Params) -> psycopg.AsyncCursor[DictRow]:
        try:
            return await self._connection.execute(format_placeholders(sql), plain(params))
        except psycopg.errors.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def execute(self, sql: str, params: Params = ()) -> int:
        return (await self._run(sql, params)).rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        cursor = await self._run(f"{sql.rstrip().rstrip(';')} RETURNING id", params)
        row = await cursor.fetchone()
        assert row is not None
        return int(row["id"])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await (await self._run(sql, params)).fetchall()


class PostgresDatabase(Database):
    dialect = "postgresql"
    shared = True

    def __init__(
        self, pool: AsyncConnectionPool[Connection], where: str, conninfo: str = ""
    ) -> None:
        self.where = where
        self._pool = pool
        self._conninfo = conninfo

    @classmethod
    async def open(cls, url: str, *, max_connections: int = 10) -> Self:
        where = describe(url)
        try:
            conninfo = make_conninfo(
                url, connect_timeout=_option(url, "connect_timeout", CONNECT_TIMEOUT),
                application_name=_option(url, "application_name", "sms4sats-bot"),
            )  # fmt: skip
        except psycopg.ProgrammingError as error:
            raise DatabaseUnavailable(
                f"DATABASE_URL is malformed: {one_line(error, url)}"
            ) from None
        try:
            # A connection of its own first: its error says why the server cannot be reached,
            # where the pool would only say it timed out.
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as first:
                await first.execute("SELECT 1")
        except psycopg.Error as error:
            raise DatabaseUnavailable(
                f"Cannot use the database {where}: {one_line(error, url)}"
            ) from None
        pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            conninfo,
            connection_class=Connection,
            kwargs={"autocommit": True, "row_factory": dict_row},
            min_size=1,
            max_size=max_connections,
            # A connection the server dropped (restart, failover) is replaced, not handed out.
            check=AsyncConnectionPool.check_connection,
            open=False,
            name="sms4sats-bot",
        )
        try:
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            await pool.close()
            raise DatabaseUnavailable(f"Cannot connect to the database {where}") from None
        database = cls(pool, where, conninfo)
        try:
            await migrate(database, where)
        except psycopg.Error as error:
            await pool.close()
            raise DatabaseUnavailable(
                f"Cannot use the database {where}: {one_line(error, url)}"
            ) from None
        except BaseException:
            await pool.close()
            raise
        return database

    def person_locks(self) -> PersonLocks:
        """Advisory locks per person, on a connection of their own (see PersonLocks)."""
        return PersonLocks(self._conninfo, self.where)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._pool.connection() as connection:
            return await _Statements(connection).execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self._pool.connection() as connection:
            return await _Statements(connection).insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.connection() as connection:
            return await _Statements(connection).fetch_all(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._pool.connection() as connection, connection.transaction():
            yield _Statements(connection)

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(PING_TIMEOUT):
                async with self._pool.connection(timeout=PING_TIMEOUT) as connection:
                    await connection.execute("SELECT 1")
        except (psycopg.Error, PoolTimeout, TimeoutError) as error:
            raise DatabaseUnavailable(
                f"The database {self.where} does not answer: {error.__class__.__name__}"
            ) from None

    async def close(self) -> None:
        await self._pool.close()


class PersonLocks:
    """One lock per (chat, user) that every instance on the database shares, held while one of
    the person's updates is handled.

    Session-level advisory locks on one dedicated connection, taken with pg_try_advisory_lock
    and tried again after a short pause while another instance holds it: one connection holds
    any number of them, so the pool's connections stay for the handlers (waiting in
    pg_advisory_lock would tie up a connection per waiting update). A connection that breaks
    releases its locks on the server; it is opened again for the next update.
    """

    def __init__(self, conninfo: str, where: str) -> None:
        self._conninfo = conninfo
        self._where = where
        self._connection: psycopg.AsyncConnection[Any] | None = None
        # One statement at a time on the connection.
        self._guard = asyncio.Lock()

    async def _ask(self, sql: str, key: int) -> bool:
        async with self._guard:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True
                    )
                cursor = await self._connection.execute(sql, (PERSON_LOCKS, key))
                row = await cursor.fetchone()
            except BaseException:
                # Broken, or cancelled mid-statement (the bot stopping): the lock may have been
                # taken without our knowing, so the connection goes, and its locks with it.
                if self._connection is not None:
                    await self._connection.close()
                self._connection = None
                raise
        return bool(row and row[0])

    @asynccontextmanager
    async def hold(self, person: tuple[int, int]) -> AsyncIterator[None]:
        key = _person_key(person)
        wait = LOCK_RETRY_FIRST
        try:
            while not await self._ask("SELECT pg_try_advisory_lock(%s, %s)", key):
                await asyncio.sleep(wait)
                wait = min(wait * 2, LOCK_RETRY_MAX)
        except psycopg.Error as error:
            # Handling the update unlocked beats not handling it: the database is away, and
            # the handler will say so if it needs it.
            log.warning("No person lock (database %s): %s", self._where, type(error).__name__)
            yield
            return
        try:
            yield
        finally:
            # A broken connection went, and the lock with it.
            with contextlib.suppress(psycopg.Error):
                await self._ask("SELECT pg_advisory_unlock(%s, %s)", key)

    async def close(self) -> None:
        async with self._guard:
            if self._connection is not None:
                await self._connection.close()
                self._connection = None


def _person_key(person: tuple[int, int]) -> int:
    """A 32-bit key for (chat, user): two people sharing one only wait for each other."""
    digest = hashlib.blake2b(f"{person[0]}:{person[1]}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def describe(url: str) -> str:
    """Where the database is, for the operator: host, port and name, never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(malformed DATABASE_URL)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    name = parts.get("dbname") or parts.get("user") or ""
    return f"{name} on {host}{port}" if name else f"on {host}{port}"


def _option(url: str, name: str, default: Any) -> Any:
    try:
        return conninfo_to_dict(url).get(name, default)
    except psycopg.ProgrammingError:
        return default


def one_line(error: Exception, url: str) -> str:
    """libpq's message on one line, with the password taken out should it ever quote it."""
    text = " ".join(str(error).split())
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        password = None
    return text.replace(str(password), "[redacted]") if password else text
