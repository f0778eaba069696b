"""The last line of defence: log the error (secrets redacted by the log filter), tell the user in
plain words, never show a traceback in a chat.

The log line says what the bot was doing (`report_origin`, `report_detail`, `order_id`): the
error reporter's log bridge turns it into a report for the admins.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Conflict, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from handlers.ui import texts
from handlers.ui.callbacks import parse
from handlers.ui.delivery import Failure, classify

log = logging.getLogger(__name__)

# What getUpdates fails with while Telegram is in trouble (or another process polls the token).
_POLLING_TROUBLE = (NetworkError, Conflict, RetryAfter)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("Blocked or removed from a chat: %s", error)
        return
    if update is None and context.job is None and isinstance(error, _POLLING_TROUBLE):
        # getUpdates failed: PTB's polling loop tries again by itself, and the rate limiter's
        # PollingHealth says once that it fails and once that it is back. Not a bug to report.
        log.debug("Polling for updates failed: %s", error)
        return
    if isinstance(error, NetworkError) and classify(error) is not Failure.REFUSED:
        # Telegram was in trouble for longer than a direct answer waits (or its answer timed
        # out, so the message may have arrived). Given up here on purpose: a "something went
        # wrong" would fail the same way, or come after an answer the person already has.
        log.warning("Telegram did not take an answer (%s): %s",
                    _what(update, context).get("report_detail") or "update", error)  # fmt: skip
        return
    log.error(
        "Unhandled error while handling an update", exc_info=error, extra=_what(update, context)
    )
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(texts.internal_error(), show_alert=True)
            return
        except TelegramError:
            # Most buttons are answered before their work starts; then only a message can tell.
            pass
    if update.effective_chat is None:
        return
    try:
        await update.effective_chat.send_message(texts.internal_error())
    except TelegramError as reply_error:
        # Given up: the error itself is logged (and reported to the admins); telling the user
        # failed after the rate limiter's retries.
        log.warning("Could not tell the user about the error: %s", reply_error)


def _what(update: object, context: ContextTypes.DEFAULT_TYPE) -> dict[str, object]:
    """What the bot was doing, for the error report: the update's kind, the order it was about."""
    if not isinstance(update, Update):
        job = context.job
        return {"report_origin": "background", "report_detail": job.name if job else None}
    if update.callback_query is not None:
        callback = parse(update.callback_query.data)
        order = getattr(callback, "order", None)
        return {
            "report_origin": "button",
            "report_detail": type(callback).__name__ if callback else None,
            "order_id": order if isinstance(order, int) else None,
        }
    message = update.effective_message
    text = message.text if message is not None else None
    if text is not None and text.startswith("/"):
        # Only the command's name: its arguments may be anything a user typed.
        return {"report_origin": "command", "report_detail": text.split()[0].split("@")[0]}
    if message is not None:
        return {"report_origin": "message", "report_detail": None}
    return {"report_origin": "update", "report_detail": None}
