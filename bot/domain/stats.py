"""What the operator's /stats shows: orders counted by kind, state and way of paying, the top
countries and services, users; and one order as the CSV export shows it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.orders import OrderKind, OrderState


@dataclass(frozen=True, slots=True)
class OrderGroup:
    """Orders of one kind, state and way of paying, counted and summed. An order paid from
    the prepaid balance never had an invoice; every other order had one."""

    kind: OrderKind
    state: OrderState
    paid_from_balance: bool
    paid: bool
    count: int
    sats: int


@dataclass(frozen=True, slots=True)
class TopRow:
    name: str
    """The country or service code, until the Telegram layer names it."""
    orders: int
    paid: int
    completed: int
    raw_name: str | None = None

    @property
    def success_rate(self) -> float | None:
        """Codes delivered out of numbers paid for; None before anything was paid."""
        return self.completed / self.paid if self.paid else None


@dataclass(frozen=True, slots=True)
class Stats:
    groups: tuple[OrderGroup, ...]
    median_seconds_to_code: float | None
    top_countries: tuple[TopRow, ...]
    top_services: tuple[TopRow, ...]
    new_users: int
    active_users: int
    all_users: int

    def count(
        self,
        *,
        kind: OrderKind | None = None,
        states: frozenset[OrderState] | None = None,
        paid: bool | None = None,
        from_balance: bool | None = None,
    ) -> int:
        return sum(g.count for g in self._select(kind, states, paid, from_balance))

    def sats(
        self,
        *,
        kind: OrderKind | None = None,
        states: frozenset[OrderState] | None = None,
        from_balance: bool | None = None,
    ) -> int:
        return sum(g.sats for g in self._select(kind, states, None, from_balance))

    def _select(
        self,
        kind: OrderKind | None,
        states: frozenset[OrderState] | None,
        paid: bool | None,
        from_balance: bool | None,
    ) -> list[OrderGroup]:
        return [
            g
            for g in self.groups
            if (kind is None or g.kind is kind)
            and (states is None or g.state in states)
            and (paid is None or g.paid is paid)
            and (from_balance is None or g.paid_from_balance is from_balance)
        ]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order as the CSV shows it: no invoice, no sms4sats order id (anyone holding it can
    read the code), no code, no phone number and no SMS text."""

    id: int
    created_at: float
    kind: str
    state: str
    user_id: int
    country: str | None
    service: str | None
    amount_sats: int | None
    paid_from_balance: bool
    paid_at: float | None
    number_at: float | None
    code_at: float | None
    closed_at: float | None


@dataclass(frozen=True, slots=True)
class DayOutcome:
    """Sales orders (numbers, SMS, rentals) created on one UTC day that ended, or stand, in one
    state; `sats` is what the delivered ones paid by invoice (the report's "Sales")."""

    day: int
    """Days since 1970-01-01 (UTC)."""
    state: OrderState
    """COMPLETED for every order its kind counts as delivered (a rental once its number came):
    the chart's "Delivered"."""
    orders: int
    sats: int
