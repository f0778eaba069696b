"""Telling a person what placing their order came to: the invoice, a refusal, a failure."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update

from bot.core.ordering import OrderDesk
from bot.core.placement import Failed, Outcome, Placed, Refusal, Refused
from handlers.common import show
from handlers.ui import texts


def refusal_text(refused: Refused) -> str:
    if refused.refusal is Refusal.TOO_MANY_UNPAID:
        return texts.too_many_unpaid(refused.limit)
    if refused.refusal is Refusal.TOO_MANY_PER_HOUR:
        return texts.too_many_per_hour(refused.limit)
    if refused.refusal is Refusal.IN_PROGRESS:
        return texts.order_in_progress()
    return texts.private_only_button()


async def tell_outcome(
    update: Update,
    desk: OrderDesk,
    outcome: Outcome,
    *,
    created: Callable[[int], str] | None,
    retry: InlineKeyboardMarkup | None,
) -> None:
    """Edit the confirmation to say what happened; then the order's card follows."""
    if isinstance(outcome, Placed):
        if not outcome.new:
            await show(update, texts.already_ordered())
        elif created is not None:
            await show(update, created(outcome.order.id))
        await desk.tell(outcome.order.id)
    elif isinstance(outcome, Failed):
        await show(update, texts.order_failed(outcome.error), retry)
    else:
        await show(update, refusal_text(outcome), retry)
