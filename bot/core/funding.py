"""The operator's prepaid sms4sats balance: reading it (/balance) and topping it up (/fund).

Admins only, and only with an API key (the balance is the key's)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import Enum

from bot.core.admins import AdminDirectory
from bot.core.placement import Confirmation, FundRequest, OrderPlacement, Outcome
from bot.domain.sms4sats_terms import Sms4SatsError
from bot.sms4sats import FundingRecord, Sms4SatsClient


class Barred(Enum):
    ADMINS_ONLY = "admins-only"
    NO_API_KEY = "no-api-key"


@dataclass(frozen=True, slots=True)
class BalanceReport:
    balance: int
    recent: list[FundingRecord]
    """The newest top-ups, at most as many as asked for."""
    total_funded: int


@dataclass(frozen=True, slots=True)
class Unavailable:
    """sms4sats could not be asked."""

    error: Sms4SatsError


class FundingDesk:
    def __init__(
        self, admins: AdminDirectory, sms4sats: Sms4SatsClient, placement: OrderPlacement
    ) -> None:
        self._admins = admins
        self._sms4sats = sms4sats
        self._placement = placement

    async def barred(self, user_id: int | None) -> Barred | None:
        """Why the person may not see or top up the balance, or None if they may."""
        if user_id is None or not await self._admins.is_admin(user_id):
            return Barred.ADMINS_ONLY
        if not self._sms4sats.has_api_key:
            return Barred.NO_API_KEY
        return None

    async def report(
        self, user_id: int | None, recent: int
    ) -> BalanceReport | Unavailable | Barred:
        if (barred := await self.barred(user_id)) is not None:
            return barred
        try:
            balance, history = await asyncio.gather(
                self._sms4sats.balance(), self._sms4sats.history()
            )
        except Sms4SatsError as error:
            return Unavailable(error)
        return BalanceReport(balance, list(history.records[:recent]), history.total_amount)

    async def top_up(self, user_id: int, where: Confirmation, amount: int) -> Outcome | Barred:
        """A top-up invoice of `amount` sats, placed as any order is."""
        if (barred := await self.barred(user_id)) is not None:
            return barred
        return await self._placement.place(where, FundRequest(amount=amount))
