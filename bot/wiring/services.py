"""What the composition root built when the bot started, and closes when it stops: the engine's
parts, the stores and the clients. The handlers never see it: each gets its feature's entry
point (a use case in `bot.core`) through `handlers.context`; the wiring's jobs, the health check
and the tests read it here (`services_of`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from bot.config import Settings
from bot.core.admins import AdminDirectory
from bot.core.balance_watch import BalanceWatch
from bot.core.catalog import Catalog
from bot.core.engine.lifecycle import Engine
from bot.core.engine.outbox import Outbox
from bot.core.engine.poller import OrderPoller
from bot.core.engine.teller import Teller
from bot.core.engine.tracker import OrderTracker
from bot.core.error_reports import ErrorLogBridge, ErrorReporter
from bot.core.operator import OperatorInbox
from bot.core.placement import OrderPlacement
from bot.core.watches import Watches
from bot.domain.clock import Clock
from bot.sms4sats import Sms4SatsClient
from handlers.context import AnyApplication
from storage import (
    ChatStore,
    Database,
    OrderStore,
    StatsStore,
)


@dataclass(slots=True)
class Services:
    settings: Settings
    http: httpx.AsyncClient
    database: Database
    orders: OrderStore
    chats: ChatStore
    sms4sats: Sms4SatsClient
    catalog: Catalog
    admins: AdminDirectory
    tracker: OrderTracker
    outbox: Outbox
    poller: OrderPoller
    placement: OrderPlacement
    notifier: Teller
    clock: Clock
    stats: StatsStore
    error_reporter: ErrorReporter
    error_bridge: ErrorLogBridge
    operator_inbox: OperatorInbox
    balance_watch: BalanceWatch | None
    watches: Watches
    # Follows the orders and tells their users in the background: started and stopped as one.
    engine: Engine
    # Closed with the services (the wiring's own resources, like the person locks).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        await self.engine.stop()
        for close in self.closers:
            await close()
        await self.http.aclose()
        await self.database.close()


SERVICES_KEY = "services"


def services_of(application: AnyApplication) -> Services:
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("the bot's services are not set up (post_init has not run)")
    return services
