"""Persistence (aiosqlite): the database is the source of truth for orders, drafts and chats.

May import the domain (`bot.domain`) and nothing else of the project.
"""

from storage.chats import ChatStore
from storage.database import Database
from storage.drafts import Draft, DraftStore
from storage.orders import OrderStore
from storage.outbox import OutboxEntry, OutboxStore, Part, Priority
from storage.placements import Placement, PlacementStore

__all__ = [
    "ChatStore",
    "Database",
    "Draft",
    "DraftStore",
    "OrderStore",
    "OutboxEntry",
    "OutboxStore",
    "Part",
    "Placement",
    "PlacementStore",
    "Priority",
]
