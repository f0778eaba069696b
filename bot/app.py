"""Builds the Application: configuration in, a wired bot out. No behaviour lives here."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable

import httpx
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.admins import AdminDirectory
from bot.catalog import Catalog
from bot.config import Settings
from bot.poller import JOB_NAME, OrderPoller
from bot.services import SERVICES_KEY, AnyApplication, Services, get_services
from bot.sms4sats import Sms4SatsClient
from bot.tracker import OrderTracker
from storage import ChatStore, Database, OrderStore

log = logging.getLogger(__name__)

USER_AGENT = "sms4sats-bot/0.1 (+https://github.com/sms4sats-bot)"


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def build_application(
    settings: Settings, *, clock: Callable[[], float] = time.time
) -> AnyApplication:
    async def post_init(application: AnyApplication) -> None:
        application.bot_data[SERVICES_KEY] = await _open_services(application, settings, clock)
        await handlers.publish_commands(application.bot, settings)
        assert application.job_queue is not None
        application.job_queue.run_repeating(
            _poll_job,
            interval=settings.poll_interval,
            first=0.2,
            name=JOB_NAME,
            # A tick that overruns is skipped, never stacked: the orders it would poll are the
            # same ones the running tick is polling.
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        log.info("Bot @%s is up; polling orders every %ss", application.bot.username,
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
            )
        )
        # Waits out 429s (retry_after) instead of failing, and keeps under group flood limits.
        .rate_limiter(AIORateLimiter(max_retries=3))
        # Two users must not wait on each other's slow sms4sats call.
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    handlers.register(application, settings)
    return application


async def _open_services(
    application: AnyApplication,
    settings: Settings,
    clock: Callable[[], float],
) -> Services:
    try:
        database = await Database.open(settings.database_path)
    except (OSError, sqlite3.Error) as error:
        raise StartupError(
            f"Cannot open the database at {settings.database_path}: {error}"
        ) from None
    http = httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, follow_redirects=False)
    sms4sats = Sms4SatsClient(
        http,
        settings.sms4sats_api_url,
        api_key=settings.sms4sats_api_key,
        ref=settings.sms4sats_ref,
    )
    orders, chats = OrderStore(database), ChatStore(database)
    tracker = OrderTracker(
        application.bot, orders, chats, sms4sats, poll_interval=settings.poll_interval, clock=clock
    )
    return Services(
        settings=settings,
        http=http,
        database=database,
        orders=orders,
        chats=chats,
        sms4sats=sms4sats,
        catalog=Catalog(sms4sats),
        admins=AdminDirectory(
            application.bot, settings.admin_ids, settings.admin_chat_id, clock=clock
        ),
        tracker=tracker,
        poller=OrderPoller(tracker, orders, chats),
        clock=clock,
    )


async def _poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await get_services(context).poller.tick()


ALLOWED_UPDATES = Update.ALL_TYPES
