"""In-memory fakes of the core's ports: the stores, the sms4sats client, the teller.

The core takes the storage classes and the sms4sats client as concrete types, so each fake
subclasses the class it stands in for and overrides every method the core calls; it never calls
the parent's constructor, so a method the core starts to use without a fake here fails loudly
(no database behind it) instead of passing by accident. Each keeps what a test wants to look
at (calls, what was sent) in plain attributes.

The fakes keep the stores' contracts that the core relies on: an update stamps `updated_at`
from the clock, the conditional writes (`count_code_send`, `mark_warned`, ...) answer None when
the row changed since it was read, `begin` refuses a second intent for one confirmation.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import bolt11

from bot.core.engine.teller import ChatUnreachable
from bot.domain.clock import Clock
from bot.domain.in_flight import InFlightPlacement
from bot.domain.kinds import rules_for
from bot.domain.orders import Order, OrderKind, OrderState
from bot.domain.remote import OrderStatus
from bot.domain.rental_sms import StoredSms
from bot.domain.telling import OutboxEntry, Part
from bot.sms4sats import CreatedOrder, Problem, Sms4SatsClient, Sms4SatsError
from storage import ChatStore, OrderStore, OutboxStore, PlacementStore
from storage.chats import REACHABLE_STATUSES

_ORDER_COLUMNS = frozenset(f.name for f in dataclasses.fields(Order)) - {"id"}


class FakeOrderStore(OrderStore):
    def __init__(self, clock: Clock) -> None:  # no database: see the module's docstring
        self._clock = clock
        self.rows: dict[int, Order] = {}
        self.reads = 0
        self.writes = 0

    async def create(
        self,
        *,
        remote_id: str,
        kind: OrderKind,
        user_id: int,
        chat_id: int,
        amount_sats: int | None,
        invoice: str | None,
        invoice_expires_at: float | None,
        paid_from_balance: bool = False,
        country_code: int | None = None,
        country_name: str | None = None,
        service_code: str | None = None,
        service_name: str | None = None,
        phone: str | None = None,
        message: str | None = None,
        origin_message_id: int | None = None,
        real_phone: bool = False,
        rental_weeks: int | None = None,
    ) -> Order:
        now = self._clock()
        order = Order(
            id=len(self.rows) + 1, remote_id=remote_id, kind=kind, user_id=user_id,
            chat_id=chat_id, card_message_id=None, origin_message_id=origin_message_id,
            country_code=country_code, country_name=country_name, service_code=service_code,
            service_name=service_name, phone=phone, message=message, amount_sats=amount_sats,
            invoice=invoice, invoice_expires_at=invoice_expires_at,
            paid_from_balance=paid_from_balance,
            state=rules_for(kind).initial_state(paid_from_balance), number=None, code=None,
            error=None, paid_at=now if paid_from_balance else None, number_at=None,
            shown_state=None, shown_number=None, code_message_id=None, poll_failures=0,
            next_poll_at=None, created_at=now, updated_at=now, closed_at=None,
            real_phone=real_phone, rental_weeks=rental_weeks,
        )  # fmt: skip
        self.rows[order.id] = order
        self.writes += 1
        return order

    async def get(self, order_id: int) -> Order | None:
        self.reads += 1
        return self.rows.get(order_id)

    async def by_origin(self, chat_id: int, origin_message_id: int) -> Order | None:
        return next(
            (
                o
                for o in self.rows.values()
                if o.chat_id == chat_id and o.origin_message_id == origin_message_id
            ),
            None,
        )

    async def open_orders(self, due_at: float | None = None) -> list[Order]:
        return [
            o
            for o in self.rows.values()
            if o.closed_at is None
            and (due_at is None or o.next_poll_at is None or o.next_poll_at <= due_at)
        ]

    async def changed_since(self, since: float) -> list[Order]:
        return [o for o in self.rows.values() if o.updated_at >= since]

    async def untold(self, chat_id: int) -> list[Order]:
        return [o for o in self.rows.values() if o.chat_id == chat_id and o.untold]

    async def unpaid_open(self, user_id: int) -> int:
        return sum(
            o.user_id == user_id and o.closed_at is None and o.state is OrderState.AWAITING_PAYMENT
            for o in self.rows.values()
        )

    async def created_since(self, user_id: int, since: float) -> int:
        return sum(o.user_id == user_id and o.created_at >= since for o in self.rows.values())

    async def count_code_send(self, order: Order) -> Order | None:
        stored = self.rows[order.id]
        if stored.code_sends != order.code_sends or stored.code_message_id is not None:
            return None
        return await self.update(order.id, code_sends=order.code_sends + 1)

    async def uncount_code_send(self, order: Order) -> Order | None:
        stored = self.rows[order.id]
        if stored.code_sends != order.code_sends or stored.code_message_id is not None:
            return None
        return await self.update(order.id, code_sends=order.code_sends - 1)

    async def mark_warned(self, order: Order) -> Order | None:
        if self.rows[order.id].warned_at is not None:
            return None
        return await self.update(order.id, warned_at=self._clock())

    async def unmark_warned(self, order: Order) -> Order | None:
        if self.rows[order.id].warned_at != order.warned_at:
            return None
        return await self.update(order.id, warned_at=None)

    async def update(self, order_id: int, **changes: Any) -> Order:
        unknown = set(changes) - _ORDER_COLUMNS
        if unknown:
            raise ValueError(f"unknown order columns: {sorted(unknown)}")
        if order_id not in self.rows:
            raise LookupError(f"order {order_id} does not exist")
        self.writes += 1
        order = dataclasses.replace(self.rows[order_id], **changes, updated_at=self._clock())
        self.rows[order_id] = order
        return order


class FakeChatStore(ChatStore):
    def __init__(self, clock: Clock) -> None:  # no database: see the module's docstring
        self._clock = clock
        self.statuses: dict[int, str] = {}
        self.reachability_asks = 0

    async def set_chat_status(
        self, chat_id: int, chat_type: str, bot_status: str, title: str | None = None
    ) -> None:
        self.statuses[chat_id] = bot_status

    async def chat_status(self, chat_id: int) -> str | None:
        return self.statuses.get(chat_id)

    async def unreachable_chats(self, chat_ids: set[int]) -> set[int]:
        self.reachability_asks += 1
        return {
            chat_id
            for chat_id in chat_ids
            if chat_id in self.statuses and self.statuses[chat_id] not in REACHABLE_STATUSES
        }


class FakeOutboxStore(OutboxStore):
    def __init__(self, clock: Clock) -> None:  # no database: see the module's docstring
        self._clock = clock
        self.rows: dict[tuple[int, Part], OutboxEntry] = {}

    async def put(self, entry: OutboxEntry) -> None:
        key = (entry.order_id, entry.part)
        known = self.rows.get(key)
        if known is not None and known.priority < entry.priority:
            entry = dataclasses.replace(entry, priority=known.priority)
        self.rows[key] = entry

    async def remove(self, order_id: int, part: Part) -> None:
        self.rows.pop((order_id, part), None)

    async def pending(self) -> list[OutboxEntry]:
        return sorted(self.rows.values(), key=lambda e: (e.priority, e.due_at))


class FakePlacementStore(PlacementStore):
    def __init__(self, clock: Clock) -> None:  # no database: see the module's docstring
        self._clock = clock
        self.rows: dict[tuple[int, int], InFlightPlacement] = {}

    async def begin(self, chat_id: int, message_id: int, user_id: int, kind: OrderKind) -> bool:
        if (chat_id, message_id) in self.rows:
            return False
        self.rows[chat_id, message_id] = InFlightPlacement(
            chat_id, message_id, user_id, kind, self._clock()
        )
        return True

    async def end(self, chat_id: int, message_id: int) -> None:
        self.rows.pop((chat_id, message_id), None)

    async def unfinished(self) -> list[InFlightPlacement]:
        return list(self.rows.values())


def invoice_for(amount_sats: int, *, created_at: float, expiry: int = 900) -> str:
    """A real BOLT11 invoice (the tracker decodes its amount and expiry)."""
    tags = bolt11.Tags()
    tags.add(bolt11.TagChar.payment_hash, "ab" * 32)
    tags.add(bolt11.TagChar.payment_secret, "cd" * 32)
    tags.add(bolt11.TagChar.description, "sms4sats")
    tags.add(bolt11.TagChar.expire_time, expiry)
    invoice = bolt11.Bolt11(
        currency="bc",
        date=int(created_at),
        tags=tags,
        amount_msat=bolt11.MilliSatoshi(amount_sats * 1000),
    )
    payreq: str = bolt11.encode(invoice, private_key="11" * 32)
    return payreq


class FakeSms4Sats(Sms4SatsClient):
    """sms4sats as the core sees it: what each order's status is now, and failures on demand.

    `statuses` maps an order's remote id to what a check answers; `failures` makes the next
    calls fail (a status check or a create) with the errors queued; `gate`, when set, holds
    every create until it is set (two taps arriving while sms4sats is slow)."""

    def __init__(self, clock: Clock) -> None:  # no HTTP client: see the module's docstring
        self._clock = clock
        self.statuses: dict[str, OrderStatus] = {}
        self.failures: list[Sms4SatsError] = []
        self.status_checks: list[str] = []
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.cancelled: list[str] = []
        self.current_balance = 50_000
        self.gate: asyncio.Event | None = None

    def _fail_if_asked(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def order_status(self, order_id: str, *, retry: bool = True) -> OrderStatus:
        self.status_checks.append(order_id)
        self._fail_if_asked()
        return self.statuses.get(order_id, OrderStatus(paid=False))

    async def balance(self) -> int:
        self._fail_if_asked()
        return self.current_balance

    async def cancel_order(self, order_id: str) -> None:
        self._fail_if_asked()
        self.cancelled.append(order_id)

    async def _create(self, what: str, immediate: bool, price: int, **body: Any) -> CreatedOrder:
        if self.gate is not None:
            await self.gate.wait()
        self._fail_if_asked()
        remote_id = f"remote-{len(self.created) + 1}"
        self.created.append((what, body))
        self.statuses[remote_id] = OrderStatus(paid=immediate)
        payreq = "paid" if immediate else invoice_for(price, created_at=self._clock())
        return CreatedOrder(remote_id, payreq)

    async def create_order(
        self,
        country: int,
        service: str,
        *,
        immediate: bool = False,
        rental: bool = False,
        real_phone: bool = False,
    ) -> CreatedOrder:
        kind = "rental" if rental else "receive"
        return await self._create(kind, immediate, 3700, country=country, service=service,
                                  real_phone=real_phone)  # fmt: skip

    async def create_send_order(
        self, phone: str, message: str, *, immediate: bool = False
    ) -> CreatedOrder:
        return await self._create("send", immediate, 3000, phone=phone, message=message)

    async def fund(self, amount: int) -> CreatedOrder:
        return await self._create("fund", False, amount, amount=amount)


def sms4sats_down() -> Sms4SatsError:
    return Sms4SatsError(Problem.TROUBLE, status_code=502, temporary=True)


@dataclass(frozen=True, slots=True)
class Told:
    """One call the core made on the teller: what (`code`, `card`, `warning`, `remove`), for
    which order (or message), and the order's state it showed."""

    what: str
    order_id: int
    state: OrderState | None = None


@dataclass
class RecordingTeller:
    """The Teller port: records every call; `failures` makes the next calls raise.

    A failure is queued per part (`code`, `card`, `warning`) so a test can fail the code
    without failing the card; `unreachable` chats fail every call with ChatUnreachable."""

    told: list[Told] = field(default_factory=list)
    # Every call to send something, failed ones too.
    attempts: list[Told] = field(default_factory=list)
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    unreachable: set[int] = field(default_factory=set)
    # Awaited inside each call that got through: a test's hook to change the world while a
    # message is on its way (a check storing news and adding the order to the outbox).
    during: Callable[[Told], Awaitable[None]] | None = None
    _next_message_id: int = 1000

    def _call(self, told: Told, chat_id: int) -> int:
        self.attempts.append(told)
        if chat_id in self.unreachable:
            raise ChatUnreachable(f"chat {chat_id} blocked the bot")
        queued = self.failures.get(told.what)
        if queued:
            raise queued.pop(0)
        self.told.append(told)
        self._next_message_id += 1
        return self._next_message_id

    async def _sent(self, told: Told, chat_id: int) -> int:
        message_id = self._call(told, chat_id)
        if self.during is not None:
            await self.during(told)
        return message_id

    def of(self, what: str) -> list[Told]:
        return [t for t in self.told if t.what == what]

    async def show_card(self, order: Order, *, balance: int | None) -> int:
        message_id = await self._sent(Told("card", order.id, order.state), order.chat_id)
        # An edit keeps the card's message; the first showing is a new message.
        return order.card_message_id or message_id

    async def send_code(self, order: Order) -> int:
        return await self._sent(Told("code", order.id, order.state), order.chat_id)

    async def send_warning(self, order: Order) -> None:
        await self._sent(Told("warning", order.id, order.state), order.chat_id)

    async def send_sms(self, order: Order, sms: StoredSms) -> int:
        return await self._sent(Told("sms", order.id, order.state), order.chat_id)

    async def remove_message(self, chat_id: int, message_id: int) -> None:
        self.told.append(Told("remove", message_id))

    async def placement_lost(self, placement: InFlightPlacement) -> None:
        self.told.append(Told("placement_lost", placement.message_id))

    async def placement_recovered(self, placement: InFlightPlacement, order: Order) -> None:
        self.told.append(Told("placement_recovered", order.id))
