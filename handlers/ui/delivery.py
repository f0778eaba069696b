"""What a failed Telegram call means for the message it carried.

Telegram has no idempotency key, so whether a message may be sent again depends on whether the
failed attempt could have arrived. Four answers, decided here once for the outbox's messages
(`handlers.ui.telegram_teller`), for direct answers (`bot.wiring.rate_limiter`) and for the last
line of defence (`handlers.errors`):

- NOT_SENT: it certainly did not arrive (Telegram answered with an HTTP error or a 429, or the
  connection was never made): sending it again cannot show it twice.
- UNKNOWN: it may have arrived (the answer timed out, the connection broke after the request
  went out): sending it again may show it twice.
- REFUSED: Telegram refused this very message (400): sending it again the same way fails again.
- UNREACHABLE: the bot was blocked or removed, the chat is gone: nothing can be sent there.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut


class SendPolicy(Enum):
    """How long a Bot API call keeps trying (ExtBot's `rate_limit_args`). Unset: a direct
    answer, which a person is waiting for, made again for up to a minute when it certainly did
    not arrive. BACKGROUND: one attempt; the caller (the outbox) tries again by itself."""

    BACKGROUND = "background"


class Failure(Enum):
    NOT_SENT = "not_sent"
    UNKNOWN = "unknown"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"


# httpx errors raised before any byte of the request left: nothing can have arrived.
_BEFORE_SENDING = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# What Telegram answers (400) when the chat itself is gone, rather than the message being wrong.
_CHAT_GONE = ("chat not found", "user is deactivated", "bot was kicked", "bot was blocked")


def classify(error: TelegramError) -> Failure:
    """What `error`, raised by a Bot API call, says about the message that call carried."""
    if isinstance(error, Forbidden):
        return Failure.UNREACHABLE
    if isinstance(error, RetryAfter):
        return Failure.NOT_SENT
    if isinstance(error, BadRequest):
        text = error.message.lower()
        return Failure.UNREACHABLE if any(s in text for s in _CHAT_GONE) else Failure.REFUSED
    cause = error.__cause__
    if isinstance(cause, _BEFORE_SENDING):
        return Failure.NOT_SENT
    if isinstance(error, TimedOut):
        return Failure.UNKNOWN
    if isinstance(error, NetworkError):
        # With no httpx error behind it, PTB raised it for Telegram's own answer: an HTTP status
        # such as 500 or 502, which Telegram sends instead of performing the call.
        return Failure.UNKNOWN if isinstance(cause, httpx.HTTPError) else Failure.NOT_SENT
    # Conflict, InvalidToken, an unreadable answer: nothing a retry of one message mends.
    return Failure.REFUSED


def retry_after(error: TelegramError) -> float | None:
    """The wait Telegram asked for with a 429, in seconds; None for any other error."""
    if not isinstance(error, RetryAfter):
        return None
    wait: object = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)  # type: ignore[arg-type]
