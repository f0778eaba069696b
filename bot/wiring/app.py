"""Builds the Application: configuration in, a wired bot out. No behaviour lives here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import httpx
from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.request import HTTPXRequest

from bot.config import DEFAULT_SMS4SATS_API_URL, Settings
from bot.core.admins import AdminDirectory, AdminsUnknown, ReadAdmins
from bot.core.balance_watch import BalanceWatch
from bot.core.buying import BuyDesk
from bot.core.catalog import Catalog
from bot.core.engine.cluster import Alone, Cluster, Membership
from bot.core.engine.lifecycle import Engine
from bot.core.engine.outbox import Outbox
from bot.core.engine.poller import OrderPoller
from bot.core.engine.send_budget import SendBudget
from bot.core.engine.tracker import OrderTracker
from bot.core.error_reports import ErrorLogBridge, ErrorReporter
from bot.core.features import Features
from bot.core.figures import StatsDesk
from bot.core.funding import FundingDesk
from bot.core.menus import MenuDesk
from bot.core.operator import OperatorInbox
from bot.core.ordering import OrderDesk
from bot.core.pacer import RequestPacer
from bot.core.people import People
from bot.core.placement import Limits, OrderPlacement
from bot.core.sending import SendDesk
from bot.core.stock import StockBoard
from bot.core.watches import Watches
from bot.domain.clock import Clock, system_clock
from bot.sms4sats import StatusGet, status_timeout
from bot.wiring.aiohttp_transport import AiohttpTransport
from bot.wiring.check import referral_warning
from bot.wiring.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.wiring.metrics import (
    BotMetrics,
    CountingStatusGet,
    CountingTransport,
    MeteredSequencer,
    MeteredSms4Sats,
    MeteredTeller,
)
from bot.wiring.polling import PollingHealth, PollingRequest
from bot.wiring.rate_limiter import PerChatRateLimiter
from bot.wiring.services import SERVICES_KEY, Services, services_of
from bot.wiring.tls import tls_context
from bot.wiring.web import Webhook, WebServer, webhook_path
from handlers import routes, send, watches
from handlers.context import (
    AnyApplication,
    arrival_of,
    install,
    people_of,
)
from handlers.language import locale_of
from handlers.sequencing import Overflow
from handlers.ui import i18n, texts
from handlers.ui.command_menus import publish_commands, publish_descriptions
from handlers.ui.operator_channel import TelegramOperatorChannel
from handlers.ui.watch_teller import TelegramWatchTeller
from storage import (
    BotStateStore,
    ChatStore,
    ConversationStore,
    DatabaseUnavailable,
    DraftStore,
    InstanceStore,
    MenuStore,
    OrderStore,
    OutboxStore,
    PlacementStore,
    RentalSmsStore,
    StatsStore,
    StorageError,
    WatchStore,
    open_database,
)

log = logging.getLogger(__name__)

USER_AGENT = "sms4sats-bot/0.1 (+https://github.com/sms4sats-bot)"
ERROR_REPORTS_JOB = "error-reports"
SEND_TIMEOUT_JOB = "send-timeouts"
BALANCE_WATCH_JOB = "balance-watch"
STOCK_WATCH_JOB = "stock-watches"
# Watches are looked at this often at most; the stock they read is a minute fresh at most, so a
# tick costs sms4sats nothing until an entry is due.
STOCK_WATCH_TICK_MAX = 5.0
# How often pending error reports and the balance watch are looked at. Both decide by the clock
# whether anything is due (reports gather for seconds, the balance is read every 10 minutes), so
# a short, cheap tick only bounds their delay. Two jobs: a hanging sms4sats (the balance read)
# must not hold up the error reports.
OPERATOR_TICK_MAX = 5.0
ALLOWED_UPDATES = Update.ALL_TYPES
# Where post_init keeps the running HTTP server (its port, for tests that asked for port 0).
WEB_SERVER_KEY = "web_server"
# The second server, /healthz and /metrics on METRICS_PORT beside a webhook on WEBHOOK_PORT.
METRICS_SERVER_KEY = "metrics_server"
# The referral check started in post_init, ended at shutdown if it still runs.
REFERRAL_CHECK_KEY = "referral_check"


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def build_application(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    lightning_http: httpx.AsyncClient | None = None,
) -> AnyApplication:
    """`lightning_http` resolves SMS4SATS_REF at start (tests route it to a stand-in); without
    it the bot resolves the address itself, and only against the real sms4sats, the one that
    pays the referral: a demo or test on the sandbox has no network to spend on it."""
    metrics = BotMetrics()
    # A person's updates one after another, different people's at the same time.
    sequencer = MeteredSequencer(_asker_to_slow_down(lambda: application), metrics=metrics)
    # Keeps under Telegram's budgets and waits out a 429 in the one chat it was for.
    # One overall Telegram budget for the outbox and every other call (see `send_budget`).
    rate_limiter = PerChatRateLimiter(metrics=metrics, budget=SendBudget())
    polling = PollingHealth()

    async def post_init(application: AnyApplication) -> None:
        i18n.load_all()
        services = await _open_services(application, settings, clock, metrics, rate_limiter.budget)
        application.bot_data[SERVICES_KEY] = services
        install(application, *_use_cases(services))
        locks = services.database.person_locks()
        if locks is not None:
            # Other instances may get this person's next update: they share the lock.
            services.closers.append(locks.close)
            sequencer.share_with(locks.hold)
        await _start_web_server(application, settings, metrics)
        if settings.webhook_url is not None:
            assert settings.webhook_secret is not None
            # Registered at every start: the URL, secret or update types may have changed.
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        await publish_commands(application.bot, settings)
        await publish_descriptions(application.bot)
        await _resolve_cut_short_placements(services)
        if settings.sms4sats_ref is not None and (
            lightning_http is not None or settings.sms4sats_api_url == DEFAULT_SMS4SATS_API_URL
        ):
            # In the background: a slow wallet server must not hold up the start.
            application.bot_data[REFERRAL_CHECK_KEY] = asyncio.create_task(
                _check_referral(settings.sms4sats_ref, lightning_http)
            )
        cluster = services.engine.cluster
        # Direct answers (and the outbox, by itself) keep to this instance's share.
        cluster.on_change(lambda: rate_limiter.set_share(cluster.share))
        await services.engine.start()
        if settings.webhook_url is None and cluster.size > 1:
            log.warning("Other instances run on this database: with long polling they "
                        "take updates from each other (Telegram allows one getUpdates "
                        "per bot); set WEBHOOK_URL to share the updates as well")  # fmt: skip
        jobs = [(_error_reports_job, ERROR_REPORTS_JOB), (send.end_timed_out, SEND_TIMEOUT_JOB)]
        if services.balance_watch is not None:
            jobs.append((_balance_watch_job, BALANCE_WATCH_JOB))
        assert application.job_queue is not None
        for job, name in jobs:
            application.job_queue.run_repeating(
                job,
                interval=min(settings.poll_interval, OPERATOR_TICK_MAX),
                first=0.2,
                name=name,
                job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
            )
        application.job_queue.run_repeating(
            watches.tick,
            interval=min(settings.poll_interval, STOCK_WATCH_TICK_MAX),
            first=0.2,
            name=STOCK_WATCH_JOB,
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        # First in line: a later handler's filter (RedactSecrets) drops the exception from the
        # record, and the bridge needs it (it scrubs the secrets itself).
        logging.getLogger().handlers.insert(0, services.error_bridge)
        log.info("Bot @%s is up; checking orders every %ss", application.bot.username,
                 settings.poll_interval)  # fmt: skip

    async def post_shutdown(application: AnyApplication) -> None:
        referral_check = application.bot_data.pop(REFERRAL_CHECK_KEY, None)
        if isinstance(referral_check, asyncio.Task):
            referral_check.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await referral_check
        for key in (WEB_SERVER_KEY, METRICS_SERVER_KEY):
            server = application.bot_data.pop(key, None)
            if isinstance(server, WebServer):
                await server.stop()
        services = application.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            root = logging.getLogger()
            if services.error_bridge in root.handlers:
                root.removeHandler(services.error_bridge)
            await services.close()

    builder = (
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
        .rate_limiter(rate_limiter)
        # PTB's default request (a pool of 256 connections), with the process' TLS context.
        .request(HTTPXRequest(connection_pool_size=256, httpx_kwargs={"verify": tls_context()}))
        # Says once that getUpdates fails, and once that it is back (no traceback per poll).
        .get_updates_request(PollingRequest(polling))
        .concurrent_updates(sequencer)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.webhook_url is not None:
        # Updates arrive on the bot's own HTTP server (bot.wiring.web), not from getUpdates.
        builder = builder.updater(None)
    application = builder.build()
    routes.register(application)
    return application


async def _start_web_server(
    application: AnyApplication, settings: Settings, metrics: BotMetrics
) -> None:
    """Webhook, /healthz and /metrics on WEBHOOK_PORT; /healthz and /metrics on METRICS_PORT if
    it is set (with long polling the only server, with a webhook a second one)."""
    port = settings.http_port
    if port is None:
        return

    async def healthy() -> bool:
        services = application.bot_data.get(SERVICES_KEY)
        if not isinstance(services, Services):
            return False
        try:
            await services.database.ping()
        except DatabaseUnavailable as error:
            log.warning("Health check: %s", error)
            return False
        return True

    async def metrics_text() -> bytes:
        services = application.bot_data.get(SERVICES_KEY)
        if not isinstance(services, Services):
            return await metrics.render(None)
        metrics.ceiling(services.poller.held_by_ceiling, services.poller.waiting_for_ceiling)
        return await metrics.render(services.orders)

    def server(webhook: Webhook | None) -> WebServer:
        return WebServer(
            healthy=healthy,
            metrics=metrics_text,
            metrics_content_type=METRICS_CONTENT_TYPE,
            webhook=webhook,
            on_rejected=metrics.webhook_rejected.inc,
        )

    webhook = None
    if settings.webhook_url is not None:
        assert settings.webhook_secret is not None
        webhook = Webhook(application, settings.webhook_url, settings.webhook_secret)
    main = server(webhook)
    await _listen(main, settings.webhook_listen, port)
    application.bot_data[WEB_SERVER_KEY] = main
    log.info("Serving %s/healthz and /metrics on %s:%d",
             f"the webhook at {webhook_path(webhook.url)}, " if webhook else "",
             settings.webhook_listen, main.port)  # fmt: skip
    if (metrics_port := settings.metrics_server_port) is not None:
        second = server(None)
        await _listen(second, settings.webhook_listen, metrics_port)
        application.bot_data[METRICS_SERVER_KEY] = second
        log.info("Serving /healthz and /metrics on %s:%d too", settings.webhook_listen,
                 second.port)  # fmt: skip


async def _listen(server: WebServer, host: str, port: int) -> None:
    try:
        await server.start(host, port)
    except OSError as error:
        raise StartupError(f"Cannot listen on {host}:{port}: {error.strerror or error}") from None


async def _open_services(
    application: AnyApplication,
    settings: Settings,
    clock: Clock,
    metrics: BotMetrics,
    budget: SendBudget,
) -> Services:
    try:
        database = await open_database(settings.postgres_url or settings.database_path)
    except StorageError as error:
        # Already one line that names the database without its password.
        raise StartupError(str(error)) from None
    http, status_get = sms4sats_http(metrics)
    sms4sats = MeteredSms4Sats(
        http,
        settings.sms4sats_api_url,
        api_key=settings.sms4sats_api_key,
        ref=settings.sms4sats_ref,
        status_timeout=status_timeout(settings.poll_interval),
        status_get=status_get,
        metrics=metrics,
    )
    orders, chats = OrderStore(database, clock), ChatStore(database, clock)

    async def locale_of_chat(chat_id: int) -> str:
        return i18n.choose(*await chats.languages(chat_id))

    teller = MeteredTeller(
        application.bot,
        clock,
        timeout=settings.telegram_send_timeout,
        locale_of_chat=locale_of_chat,
        metrics=metrics,
    )
    tracker = OrderTracker(
        teller, orders, chats, sms4sats, poll_interval=settings.poll_interval, clock=clock,
        rental_sms=RentalSmsStore(database, clock),
    )  # fmt: skip
    # PostgreSQL: other instances may share the database (heartbeats, leases and claims), even
    # when none runs yet. SQLite: one process holds it alone.
    cluster: Membership = Alone()
    if database.shared:
        cluster = Cluster(InstanceStore(database), clock, poll_interval=settings.poll_interval)
    outbox = Outbox(
        tracker.tell,
        tracker.close_unreachable,
        OutboxStore(database, clock),
        orders,
        chats,
        clock,
        budget=budget,
        cluster=cluster,
    )
    poller = OrderPoller(
        tracker,
        outbox,
        orders,
        poll_interval=settings.poll_interval,
        max_requests_per_second=settings.sms4sats_max_rps,
        cluster=cluster,
    )
    stats = StatsStore(database)
    # Browsing (stock and prices) shares one budget of requests per second to sms4sats.
    board = StockBoard(
        sms4sats,
        RequestPacer(
            settings.browse_requests_per_second,
            share=lambda: cluster.share,
        ),
        clock,
        leads=lambda: cluster.rank == 0,
    )
    reporter = ErrorReporter(clock, settings.secrets, enabled=settings.error_reports)
    balance_watch = None
    if settings.balance_alert_sats is not None:
        balance_watch = BalanceWatch(
            sms4sats.balance, BotStateStore(database, clock), stats, settings.balance_alert_sats,
            clock,
        )  # fmt: skip
    return Services(
        settings=settings,
        http=http,
        database=database,
        orders=orders,
        chats=chats,
        sms4sats=sms4sats,
        catalog=Catalog(sms4sats, board),
        admins=AdminDirectory(
            _admin_reader(application.bot), settings.admin_ids, settings.admin_chat_id, clock
        ),
        tracker=tracker,
        outbox=outbox,
        poller=poller,
        placement=OrderPlacement(
            orders,
            PlacementStore(database, clock),
            sms4sats,
            tracker,
            clock,
            Limits(settings.max_unpaid_invoices, settings.max_orders_per_hour),
        ),
        notifier=teller,
        clock=clock,
        stats=stats,
        error_reporter=reporter,
        error_bridge=ErrorLogBridge(reporter),
        operator_inbox=OperatorInbox(
            TelegramOperatorChannel(application.bot, locale_of_chat=locale_of_chat),
            chats,
            settings.admin_ids,
            settings.admin_chat_id,
        ),
        balance_watch=balance_watch,
        watches=Watches(
            WatchStore(database, clock),
            board,
            TelegramWatchTeller(
                application.bot,
                timeout=settings.telegram_send_timeout,
                locale_of_chat=locale_of_chat,
            ),
            clock,
            cluster=cluster,
        ),
        engine=Engine(
            cluster, outbox, poller, background=[board], start_background=settings.browse_refresh
        ),
    )


def _use_cases(services: Services) -> tuple[object, ...]:
    """Each feature's entry point, for its handlers (`handlers.context` has an accessor each).
    The stores only use cases read (drafts, /send's steps, menus) are theirs alone."""
    drafts = DraftStore(services.database, services.clock)
    return (
        People(services.chats, services.orders, services.outbox),
        OrderDesk(services.orders, services.tracker, services.sms4sats, services.clock),
        MenuDesk(MenuStore(services.database, services.clock), drafts),
        FundingDesk(services.admins, services.sms4sats, services.placement),
        SendDesk(
            ConversationStore(services.database, services.clock), drafts, services.orders,
            services.catalog, services.admins, services.sms4sats, services.placement,
            services.clock,
        ),
        BuyDesk(
            services.orders, services.catalog, services.placement, services.tracker,
            services.clock, real_phone=services.settings.real_phone,
        ),
        services.catalog,
        services.admins,
        services.watches,
        Features(rentals=services.settings.rentals),
        StatsDesk(
            services.stats, services.admins, services.clock,
            referral=services.settings.sms4sats_ref,
        ),
    )  # fmt: skip


def sms4sats_http(metrics: BotMetrics | None = None) -> tuple[httpx.AsyncClient, StatusGet]:
    """The HTTP client for sms4sats: httpx's API, aiohttp's transport (see its module), and the
    lean path of status checks through the same connections; each request counted for
    /metrics when `metrics` is given."""
    aiohttp_transport = AiohttpTransport()
    transport: httpx.AsyncBaseTransport = aiohttp_transport
    status_get: StatusGet = aiohttp_transport.get
    if metrics is not None:
        transport = CountingTransport(metrics, transport)
        status_get = CountingStatusGet(metrics, status_get)
    client = httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT}, follow_redirects=False, transport=transport
    )
    return client, status_get


def _admin_reader(bot: Bot) -> ReadAdmins:
    async def read(chat_id: int) -> frozenset[int]:
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as error:
            raise AdminsUnknown(str(error)) from None
        return frozenset(m.user.id for m in members if not m.user.is_bot)

    return read


async def _check_referral(address: str, http: httpx.AsyncClient | None) -> None:
    if http is None:
        async with httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT}, verify=tls_context()
        ) as own:
            warning = await referral_warning(address, own)
    else:
        warning = await referral_warning(address, http)
    if warning is not None:
        log.warning("%s", warning)


async def _resolve_cut_short_placements(services: Services) -> None:
    for placement, order in await services.placement.resolve_unfinished():
        if order is not None:
            await services.notifier.placement_recovered(placement, order)
            await services.tracker.tell(order.id)
        else:
            await services.notifier.placement_lost(placement)


def _asker_to_slow_down(application: Callable[[], AnyApplication]) -> Overflow:
    async def ask(update: Update, skipped: int) -> None:
        # A skipped update never reaches the handler that sets its language: read it here.
        locale = locale_of(await people_of(application()).languages(arrival_of(update)))
        if update.callback_query is not None:
            with i18n.use_locale(locale):
                text = texts.press_skipped()
            await update.callback_query.answer(text)
        elif update.effective_chat is not None:
            with i18n.use_locale(locale):
                text = texts.messages_skipped(skipped)
            await update.effective_chat.send_message(text)

    return ask


async def _error_reports_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context.application)
    await services.error_reporter.flush(services.operator_inbox)


async def _balance_watch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context.application)
    if services.balance_watch is not None:
        await services.balance_watch.tick(services.operator_inbox)
