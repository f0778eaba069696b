"""The operator's inbox: where notes meant for the bot's admins go (error reports, a low
balance), through a port the Telegram layer implements.

They go to the ADMIN_CHAT_ID group when there is one (the admins read it together), else to
each ADMIN_IDS admin who has opened the bot: Telegram lets a bot write only to people who
started it, and the bot learns that from their first message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from storage import ChatStore

log = logging.getLogger(__name__)

REACHABLE = frozenset({"member", "administrator", "creator"})


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """One error (or a group of the same error), already scrubbed of secrets and invoices."""

    error_type: str
    message: str
    origin: str
    """What the bot was doing: "command", "button", "message", "update" or "background"."""
    detail: str | None
    """The command, or the background part (a logger or job name)."""
    order_ids: tuple[int, ...]
    count: int
    first_at: float
    last_at: float


class OperatorChannel(Protocol):
    async def report_error(self, chat_id: int, report: ErrorReport) -> bool:
        """Send an error report to the chat; whether it arrived."""

    async def balance_low(self, chat_id: int, balance: int, threshold: int) -> bool:
        """Tell the chat that the prepaid balance is below the threshold; whether it arrived."""


class OperatorInbox:
    def __init__(
        self,
        channel: OperatorChannel,
        chats: ChatStore,
        admin_ids: frozenset[int],
        admin_chat_id: int | None,
    ) -> None:
        self._channel = channel
        self._chats = chats
        self._admin_ids = admin_ids
        self._admin_chat_id = admin_chat_id

    async def targets(self) -> list[int]:
        if self._admin_chat_id is not None:
            return [self._admin_chat_id]
        reachable = []
        for admin_id in sorted(self._admin_ids):
            if await self._chats.chat_status(admin_id) in REACHABLE:
                reachable.append(admin_id)
        return reachable

    async def report_error(self, report: ErrorReport) -> bool:
        delivered = False
        for chat_id in await self.targets():
            delivered = await self._channel.report_error(chat_id, report) or delivered
        return delivered

    async def balance_low(self, balance: int, threshold: int) -> bool:
        delivered = False
        for chat_id in await self.targets():
            delivered = await self._channel.balance_low(chat_id, balance, threshold) or delivered
        return delivered
