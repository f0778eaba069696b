"""The sms4sats client's terms the rest of the bot speaks: what went wrong with a call, a
service and a rental country as sms4sats lists them. Here, not in `bot.sms4sats`, so that the
Telegram layer can name them without reaching the client itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Problem", "RentalCountry", "Service", "Sms4SatsError"]


class Problem(StrEnum):
    """What went wrong with a call to sms4sats; the texts catalog turns it into words."""

    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    TROUBLE = "trouble"  # 5xx, or an answer that is not JSON
    BROKEN_ANSWER = "broken_answer"  # JSON without the fields the bot needs
    REFUSED = "refused"  # sms4sats said no; `reason` says why, in its words
    NO_API_KEY = "no_api_key"


class Sms4SatsError(Exception):
    """Any failure of a call to sms4sats. `problem` says what kind; `str(error)` is for logs."""

    def __init__(
        self, problem: Problem, *, reason: str | None = None, status_code: int | None = None,
        temporary: bool = False,
    ) -> None:  # fmt: skip
        detail = f": {reason}" if reason else ""
        super().__init__(f"sms4sats {problem.value}{detail}")
        self.problem = problem
        self.reason = reason
        self.status_code = status_code
        self.temporary = temporary
        """True when trying again later may work (timeouts, 5xx, broken answers)."""


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    """The `value` to send as `service` when ordering."""
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class RentalCountry:
    code: int
    name: str
    weeks: int
    price: int
