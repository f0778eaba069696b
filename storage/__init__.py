"""Persistence (aiosqlite): the database is the source of truth for orders."""

from storage.chats import ChatStore
from storage.database import Database
from storage.orders import Order, OrderKind, OrderState, OrderStore

__all__ = ["ChatStore", "Database", "Order", "OrderKind", "OrderState", "OrderStore"]
