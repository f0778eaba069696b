"""The low-balance alert: the admins hear once when the prepaid balance drops below
BALANCE_ALERT_SATS, and again only after it went back up and dropped again.

When the balance is read: sms4sats has no push for it, so the bot asks. Every `EVERY_SECONDS`
(10 minutes: a top-up or a spend made elsewhere with the same key is noticed soon enough, and
it is 144 cheap calls a day), and at the next tick after an order paid from the balance or a
top-up changed (what moves the balance through this bot), found with one indexed query. Whether
the alert has fired is kept in the database, so a restart neither repeats it nor forgets it;
it is kept together with the threshold, so a new threshold starts armed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.core.operator import OperatorInbox
from bot.domain.clock import Clock
from bot.sms4sats import Sms4SatsError
from storage import BotStateStore, StatsStore

log = logging.getLogger(__name__)

EVERY_SECONDS = 600.0
FIRED_KEY = "balance_alert_fired_below"

ReadBalance = Callable[[], Awaitable[int]]


class BalanceWatch:
    def __init__(
        self,
        read_balance: ReadBalance,
        state: BotStateStore,
        stats: StatsStore,
        threshold: int,
        clock: Clock,
    ) -> None:
        self._read_balance = read_balance
        self._state = state
        self._stats = stats
        self.threshold = threshold
        self._clock = clock
        self._read_at: float | None = None
        self._activity: float | None = None

    async def tick(self, inbox: OperatorInbox) -> None:
        """Run often (a few seconds); reads the balance only when one of the reasons holds."""
        now = self._clock()
        activity = await self._stats.balance_activity()
        if (
            self._read_at is not None
            and now - self._read_at < EVERY_SECONDS
            and activity == self._activity
        ):
            return
        self._read_at, self._activity = now, activity
        try:
            balance = await self._read_balance()
        except Sms4SatsError as error:
            log.warning("Could not read the prepaid balance for the alert: %s", error)
            return
        await self.check(balance, inbox)

    async def check(self, balance: int, inbox: OperatorInbox) -> None:
        fired = await self._state.get(FIRED_KEY) == str(self.threshold)
        if balance < self.threshold and not fired:
            # Marked only once someone got it: an admin who has not opened the bot yet gets it
            # at the next reading instead of never.
            if await inbox.balance_low(balance, self.threshold):
                await self._state.set(FIRED_KEY, str(self.threshold))
                log.info("Balance %d is below %d: the admins were told", balance, self.threshold)
        elif balance >= self.threshold and await self._state.get(FIRED_KEY) is not None:
            await self._state.delete(FIRED_KEY)
            log.info("Balance %d is back above %d: the alert is armed again", balance,
                     self.threshold)  # fmt: skip
