"""The receive confirmation's keyboard with the real SIM toggle, and the way back after a
refusal."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from handlers.ui import texts
from handlers.ui.callbacks import BuyNumber, BuyRealSim, RealSimToggle, ServicePage
from handlers.ui.keyboards import button
from handlers.ui.texts import real_sim as real_sim_texts


def confirmation(
    country: int, service: str, price: int, *, real_sim: bool, offered: bool
) -> InlineKeyboardMarkup:
    """Buy (a real SIM when `real_sim`), the toggle when the operator `offered` it, Back."""
    buy = BuyRealSim(country, service, price) if real_sim else BuyNumber(country, service, price)
    rows = [[button(texts.buy_button(price), buy)]]
    if offered:
        toggle = RealSimToggle(country, service, not real_sim)
        rows.append([button(real_sim_texts.button_toggle(real_sim), toggle)])
    rows.append([button(texts.back(), ServicePage(country, 0))])
    return InlineKeyboardMarkup(rows)


def refused(country: int, service: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(real_sim_texts.button_ordinary(), RealSimToggle(country, service, False))],
            [button(texts.back(), ServicePage(country, 0))],
        ]
    )


def retry(country: int, service: str, price: int) -> InlineKeyboardMarkup:
    """After a failure that was not a refusal (sms4sats did not answer): the same real SIM."""
    return InlineKeyboardMarkup(
        [
            [button(texts.try_again(), BuyRealSim(country, service, price))],
            [button(texts.back(), ServicePage(country, 0))],
        ]
    )
