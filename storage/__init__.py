"""Persistence: the database is the source of truth for orders, drafts and chats.

SQLite (aiosqlite) by default, PostgreSQL (psycopg 3) for operators who run more than one
instance; the stores are written once against `storage.database.Database`, whose docstring
says how to write (or port) one. May import the domain (`bot.domain`) and nothing else of the
project; the domain's types (orders, menus, drafts, the outbox's parts, /stats) live there.
"""

from __future__ import annotations

from pathlib import Path

from storage.bot_state import BotStateStore
from storage.chats import ChatStore
from storage.conversations import ConversationStore
from storage.database import (
    Database,
    DatabaseUnavailable,
    IntegrityError,
    SchemaTooNew,
    Session,
    StorageError,
)
from storage.drafts import DraftStore
from storage.instances import InstanceStore
from storage.menus import MenuStore
from storage.orders import OrderStore
from storage.outbox import OutboxStore
from storage.placements import PlacementStore
from storage.rental_sms import RentalSmsStore
from storage.sqlite import SqliteDatabase
from storage.stats import StatsStore
from storage.watches import WatchStore


async def open_database(target: Path | str) -> Database:
    """Open (and migrate) the database: a SQLite file's path, or a `postgresql://` URL.

    Raises StorageError (DatabaseUnavailable or SchemaTooNew) with a one-line message that
    never contains a password.
    """
    if isinstance(target, Path):
        return await SqliteDatabase.open(target)
    # Imported here: psycopg takes about 0.1 s to import, which a SQLite bot never needs.
    from storage.postgres import PostgresDatabase

    return await PostgresDatabase.open(target)


__all__ = [
    "BotStateStore",
    "ChatStore",
    "ConversationStore",
    "Database",
    "DatabaseUnavailable",
    "DraftStore",
    "InstanceStore",
    "IntegrityError",
    "MenuStore",
    "OrderStore",
    "OutboxStore",
    "PlacementStore",
    "RentalSmsStore",
    "SchemaTooNew",
    "Session",
    "SqliteDatabase",
    "StatsStore",
    "StorageError",
    "WatchStore",
    "open_database",
]
