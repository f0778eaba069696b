"""The core's `OperatorChannel`, implemented with Telegram: notes to the admins' chats."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.core.operator import ErrorReport
from handlers.ui import texts

log = logging.getLogger(__name__)


class TelegramOperatorChannel:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def report_error(self, chat_id: int, report: ErrorReport) -> bool:
        return await self._send(chat_id, texts.error_report(report))

    async def balance_low(self, chat_id: int, balance: int, threshold: int) -> bool:
        return await self._send(chat_id, texts.balance_low(balance, threshold))

    async def _send(self, chat_id: int, text: str) -> bool:
        try:
            await self._bot.send_message(chat_id, text)
        except TelegramError as error:
            # A warning without the exception attached: an error here must not become a report
            # about failing to send a report.
            log.warning("Could not write to admin chat %d: %s", chat_id, error)
            return False
        return True
