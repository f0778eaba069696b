"""Builds the Application: configuration in, a wired bot out. No behaviour lives here."""

from __future__ import annotations

import logging
import sqlite3

import httpx
from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, Defaults

from bot.config import Settings
from bot.core.admins import AdminDirectory, AdminsUnknown, ReadAdmins
from bot.core.catalog import Catalog
from bot.core.outbox import Outbox
from bot.core.placement import Limits, OrderPlacement
from bot.core.poller import OrderPoller
from bot.core.services import Services
from bot.core.tracker import OrderTracker
from bot.domain.clock import Clock, system_clock
from bot.sms4sats import Sms4SatsClient
from bot.wiring.aiohttp_transport import AiohttpTransport
from bot.wiring.rate_limiter import PerChatRateLimiter
from handlers import routes
from handlers.context import SERVICES_KEY, AnyApplication
from handlers.sequencing import PersonSequencer
from handlers.ui import texts
from handlers.ui.command_menus import publish_commands
from handlers.ui.notifier import TelegramNotifier
from storage import ChatStore, Database, DraftStore, OrderStore, OutboxStore, PlacementStore

log = logging.getLogger(__name__)

USER_AGENT = "sms4sats-bot/0.1 (+https://github.com/sms4sats-bot)"
ALLOWED_UPDATES = Update.ALL_TYPES


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def build_application(settings: Settings, *, clock: Clock = system_clock) -> AnyApplication:
    async def post_init(application: AnyApplication) -> None:
        services = await _open_services(application, settings, clock)
        application.bot_data[SERVICES_KEY] = services
        await publish_commands(application.bot, settings)
        await _resolve_cut_short_placements(services)
        # The outbox first: the poller hands it every open order still untold as it loads them.
        await services.outbox.start()
        await services.poller.start()
        log.info("Bot @%s is up; checking orders every %ss", application.bot.username,
                 settings.poll_interval)  # fmt: skip

    async def post_shutdown(application: AnyApplication) -> None:
        services = application.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            await services.close()

    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A reply must not fail because the message it answers was deleted meanwhile
                # (groups with auto-delete bots).
                allow_sending_without_reply=True,
            )
        )
        # Keeps under Telegram's budgets and waits out a 429 in the one chat it was for.
        .rate_limiter(PerChatRateLimiter())
        # A person's updates one after another, different people's at the same time.
        .concurrent_updates(PersonSequencer(_ask_to_slow_down))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    routes.register(application)
    return application


async def _open_services(application: AnyApplication, settings: Settings, clock: Clock) -> Services:
    try:
        database = await Database.open(settings.database_path)
    except (OSError, sqlite3.Error) as error:
        raise StartupError(
            f"Cannot open the database at {settings.database_path}: {error}"
        ) from None
    http = sms4sats_http()
    sms4sats = Sms4SatsClient(
        http,
        settings.sms4sats_api_url,
        api_key=settings.sms4sats_api_key,
        ref=settings.sms4sats_ref,
    )
    orders, chats = OrderStore(database, clock), ChatStore(database, clock)
    notifier = TelegramNotifier(application.bot, clock, timeout=settings.telegram_send_timeout)
    tracker = OrderTracker(
        notifier, orders, chats, sms4sats, poll_interval=settings.poll_interval, clock=clock
    )
    outbox = Outbox(
        tracker.tell,
        tracker.close_unreachable,
        OutboxStore(database, clock),
        orders,
        chats,
        clock,
    )
    return Services(
        settings=settings,
        http=http,
        database=database,
        orders=orders,
        chats=chats,
        drafts=DraftStore(database, clock),
        sms4sats=sms4sats,
        catalog=Catalog(sms4sats),
        admins=AdminDirectory(
            _admin_reader(application.bot), settings.admin_ids, settings.admin_chat_id, clock
        ),
        tracker=tracker,
        outbox=outbox,
        poller=OrderPoller(tracker, outbox, orders, poll_interval=settings.poll_interval),
        placement=OrderPlacement(
            orders,
            PlacementStore(database, clock),
            sms4sats,
            tracker,
            clock,
            Limits(settings.max_unpaid_invoices, settings.max_orders_per_hour),
        ),
        notifier=notifier,
        clock=clock,
    )


def sms4sats_http() -> httpx.AsyncClient:
    """The HTTP client for sms4sats: httpx's API, aiohttp's transport (see its module)."""
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT}, follow_redirects=False, transport=AiohttpTransport()
    )


def _admin_reader(bot: Bot) -> ReadAdmins:
    async def read(chat_id: int) -> frozenset[int]:
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            raise AdminsUnknown(str(error)) from None
        return frozenset(m.user.id for m in members if not m.user.is_bot)

    return read


async def _resolve_cut_short_placements(services: Services) -> None:
    for placement, order in await services.placement.resolve_unfinished():
        if order is not None:
            await services.tracker.tell(order.id)
        else:
            await services.notifier.placement_lost(placement)


async def _ask_to_slow_down(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(texts.SLOW_DOWN)
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(texts.SLOW_DOWN)
