"""The core's `OperatorChannel`, implemented with Telegram: notes to the admins' chats.

Background work sends these, with no update behind them: each is written in its chat's language
(an admin's own, or the admin group's), set around the rendering as the teller does.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.core.operator import ErrorReport
from handlers.ui import texts
from handlers.ui.i18n import use_locale
from handlers.ui.telegram_teller import LocaleOfChat, english

log = logging.getLogger(__name__)


class TelegramOperatorChannel:
    def __init__(self, bot: Bot, *, locale_of_chat: LocaleOfChat = english) -> None:
        self._bot = bot
        self._locale_of_chat = locale_of_chat

    async def report_error(self, chat_id: int, report: ErrorReport) -> bool:
        with use_locale(await self._locale_of_chat(chat_id)):
            text = texts.error_report(report)
        return await self._send(chat_id, text)

    async def balance_low(self, chat_id: int, balance: int, threshold: int) -> bool:
        with use_locale(await self._locale_of_chat(chat_id)):
            text = texts.balance_low(balance, threshold)
        return await self._send(chat_id, text)

    async def _send(self, chat_id: int, text: str) -> bool:
        try:
            await self._bot.send_message(chat_id, text)
        except TelegramError as error:
            # A warning without the exception attached: an error here must not become a report
            # about failing to send a report.
            log.warning("Could not write to admin chat %d: %s", chat_id, error)
            return False
        return True
