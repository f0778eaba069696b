"""What the handlers and jobs share, created in post_init and closed in post_shutdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.ext import Application, ContextTypes

from bot.admins import AdminDirectory
from bot.catalog import Catalog
from bot.config import Settings
from bot.poller import OrderPoller
from bot.sms4sats import Sms4SatsClient
from bot.tracker import OrderTracker
from storage import ChatStore, Database, OrderStore

SERVICES_KEY = "services"

# The Application's type parameters (bot, context, data, job queue) add nothing here.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


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
    poller: OrderPoller
    clock: Callable[[], float]

    async def close(self) -> None:
        await self.http.aclose()
        await self.database.close()


def get_services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return get_services_from(context.application)


def get_services_from(application: AnyApplication) -> Services:
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("the bot's services are not set up (post_init has not run)")
    return services
