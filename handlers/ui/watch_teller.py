"""The core's `WatchTeller`, with Telegram: "it's back", in the chat's language, with a button
that opens the confirmation at the current price."""

from __future__ import annotations

from telegram import Bot
from telegram.error import Forbidden, TelegramError, TimedOut

from bot.core.engine.teller import ChatUnreachable, OutcomeUnknown, TellFailed
from bot.domain.watches import Watch
from handlers.ui import finding_keyboards, names
from handlers.ui.i18n import use_locale
from handlers.ui.telegram_teller import BACKGROUND_TIMEOUT, LocaleOfChat, english
from handlers.ui.texts import finding as finding_texts


class TelegramWatchTeller:
    def __init__(
        self,
        bot: Bot,
        *,
        timeout: float = BACKGROUND_TIMEOUT,
        locale_of_chat: LocaleOfChat = english,
    ) -> None:
        self._bot = bot
        self._timeout = timeout
        self._locale_of_chat = locale_of_chat

    async def back_in_stock(self, watch: Watch) -> None:
        with use_locale(await self._locale_of_chat(watch.chat_id)):
            text = finding_texts.back_in_stock(
                names.service(watch.service_code, watch.service_name),
                names.place(watch.country_code),
            )
            keyboard = finding_keyboards.back_in_stock(watch.country_code, watch.service_code)
            try:
                await self._bot.send_message(
                    watch.chat_id,
                    text,
                    reply_markup=keyboard,
                    read_timeout=self._timeout,
                    write_timeout=self._timeout,
                )
            except Forbidden as error:
                raise ChatUnreachable(str(error)) from None
            except TimedOut as error:
                raise OutcomeUnknown(str(error)) from None
            except TelegramError as error:
                raise TellFailed(str(error)) from None
