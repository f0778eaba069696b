"""Persistence (aiosqlite): the database is the source of truth for orders, drafts and chats.

May import the domain (`bot.domain`) and nothing else of the project.
"""

from storage.bot_state import BotStateStore
from storage.chats import ChatStore
from storage.database import Database
from storage.drafts import Draft, DraftStore
from storage.menus import Menu, MenuKind, MenuStore
from storage.orders import OrderStore
from storage.placements import Placement, PlacementStore
from storage.stats import OrderRecord, Stats, StatsStore, TopRow

__all__ = [
    "BotStateStore",
    "ChatStore",
    "Database",
    "Draft",
    "DraftStore",
    "Menu",
    "MenuKind",
    "MenuStore",
    "OrderRecord",
    "OrderStore",
    "Placement",
    "PlacementStore",
    "Stats",
    "StatsStore",
    "TopRow",
]
