"""Prometheus metrics, counted at the bot's edges: the sms4sats HTTP client, the Bot API rate
limiter, the update processor and the code message. The core knows nothing of them.

Each bot gets its own registry (not prometheus_client's global one), so two bots in one process
(the tests) count apart. Labels hold method and endpoint names, kinds and states: never an id, a
token, a key or a chat.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Mapping
from typing import Any

import httpx
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from telegram import Update

from bot.domain.kinds import KINDS
from bot.domain.orders import Order
from bot.domain.remote import OrderStatus
from bot.sms4sats import Sms4SatsClient, StatusGet
from handlers.sequencing import PersonSequencer
from handlers.ui.telegram_teller import TelegramTeller
from storage import OrderStore

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
# The sms4sats endpoints the client calls; any other path is counted as "other", so a label
# never carries something unexpected.
SMS4SATS_ENDPOINTS = frozenset(
    {
        "getcountries", "getnumbersstatus", "getrentalcountries", "price", "orderstatus",
        "balance", "history", "createorder", "createsendorder", "fund", "cancelorder",
    }
)  # fmt: skip
# Bot API methods that put a new message in a chat.
MESSAGE_METHODS = frozenset({"sendmessage", "sendphoto"})
# Codes seen but not yet sent, remembered for the latency; bounded, the oldest forgotten.
MAX_CODES_IN_FLIGHT = 10_000
UPDATE_TYPES = tuple(Update.ALL_TYPES)
SMS4SATS_OUTCOMES = ("ok", "http_4xx", "http_5xx", "error")
TELEGRAM_OUTCOMES = ("ok", "rate_limited", "error")
# The Bot API methods the bot calls in the course of a chat, exported at 0 from the start (any
# other method still gets its series at its first call).
TELEGRAM_METHODS = (
    "getupdates", "sendmessage", "sendphoto", "senddocument", "editmessagetext",
    "editmessagecaption", "editmessagereplymarkup", "answercallbackquery", "deletemessage",
)  # fmt: skip
# Each kind's open states: the series of sms4sats_bot_open_orders, 0 when nothing is open.
OPEN_ORDER_LABELS = tuple(
    (kind.value, state.value) for kind, rules in KINDS.items() for state in rules.ranks
)
# A `_created` series per counter doubles what is scraped and says nothing a dashboard uses;
# prometheus_client only offers to drop them process-wide (the process is the bot's).
disable_created_metrics()  # type: ignore[no-untyped-call]


class BotMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.open_orders = Gauge(
            "sms4sats_bot_open_orders", "Orders not yet closed, by kind and state.",
            ["kind", "state"], registry=registry,
        )  # fmt: skip
        self.sms4sats_requests = Counter(
            "sms4sats_bot_sms4sats_requests",
            "Requests to the sms4sats API by endpoint (orderstatus: the order checks) and "
            "outcome (ok, http_4xx, http_5xx, error: no answer).",
            ["endpoint", "outcome"], registry=registry,
        )  # fmt: skip
        self.codes_delivered = Counter(
            "sms4sats_bot_codes_delivered", "Code messages sent to users.", registry=registry
        )
        self.code_latency = Histogram(
            "sms4sats_bot_code_latency_seconds",
            "From a code first seen at sms4sats to its message sent to the user.",
            buckets=(0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300),
            registry=registry,
        )
        self.telegram_requests = Counter(
            "sms4sats_bot_telegram_requests",
            "Bot API calls by method and outcome (ok, rate_limited, error).",
            ["method", "outcome"], registry=registry,
        )  # fmt: skip
        self.telegram_messages_sent = Counter(
            "sms4sats_bot_telegram_messages_sent", "Messages the bot sent.", registry=registry
        )
        self.telegram_rate_limited = Counter(
            "sms4sats_bot_telegram_rate_limited",
            "429 answers from Telegram (flood control).",
            registry=registry,
        )
        self.telegram_retries = Counter(
            "sms4sats_bot_telegram_retries",
            "Bot API calls tried again after a 429.",
            registry=registry,
        )
        self.updates_handled = Counter(
            "sms4sats_bot_updates_handled", "Telegram updates handled, by type.", ["type"],
            registry=registry,
        )  # fmt: skip
        self.webhook_rejected = Counter(
            "sms4sats_bot_webhook_rejected",
            "Webhook requests refused for a missing or wrong secret.",
            registry=registry,
        )
        self.checks_held_by_ceiling = Counter(
            "sms4sats_bot_checks_held_by_ceiling",
            "Order checks that waited for the ceiling on sms4sats requests (SMS4SATS_MAX_RPS): "
            "while it grows, orders are checked less often than POLL_INTERVAL.",
            registry=registry,
        )
        self.checks_waiting_for_ceiling = Gauge(
            "sms4sats_bot_checks_waiting_for_ceiling",
            "Order checks due but held back by the ceiling on sms4sats requests, now.",
            registry=registry,
        )
        self._held_so_far = 0
        self._codes_seen: OrderedDict[str, float] = OrderedDict()
        # Every known label set exported at 0 from the first scrape: a rate() or a panel over
        # a series that appears only at its first event shows nothing until then.
        for endpoint in (*sorted(SMS4SATS_ENDPOINTS), "other"):
            for outcome in SMS4SATS_OUTCOMES:
                self.sms4sats_requests.labels(endpoint=endpoint, outcome=outcome)
        for method in TELEGRAM_METHODS:
            for outcome in TELEGRAM_OUTCOMES:
                self.telegram_requests.labels(method=method, outcome=outcome)
        for update_type in (*UPDATE_TYPES, "other"):
            self.updates_handled.labels(type=update_type)
        self._set_open_orders({})

    async def render(self, orders: OrderStore | None) -> bytes:
        """The text exposition; the open orders are counted in the database at each scrape."""
        if orders is not None:
            try:
                counts = await orders.open_counts()
            except Exception as error:  # the driver's own, whichever database it is
                # The counters still matter most when the database is down; /healthz says so.
                log.warning("Metrics: cannot count the open orders: %s", error)
            else:
                self._set_open_orders(counts)
        return generate_latest(self.registry)

    def _set_open_orders(self, counts: dict[tuple[str, str], int]) -> None:
        """Each kind's open states at their count, 0 when none is open; a state seen open that
        no kind lists (an older bot's row) is shown too, and dropped once it is gone."""
        self.open_orders.clear()
        for kind, state in OPEN_ORDER_LABELS:
            self.open_orders.labels(kind=kind, state=state).set(0)
        for (kind, state), count in counts.items():
            self.open_orders.labels(kind=kind, state=state).set(count)

    def ceiling(self, held_so_far: int, waiting_now: int) -> None:
        """The poller's figures of the ceiling on sms4sats requests, at a scrape."""
        self.checks_held_by_ceiling.inc(max(0, held_so_far - self._held_so_far))
        self._held_so_far = max(self._held_so_far, held_so_far)
        self.checks_waiting_for_ceiling.set(waiting_now)

    def sms4sats_request(self, request: httpx.Request, outcome: str) -> None:
        self.sms4sats_call(request.url.path, outcome)

    def sms4sats_call(self, path: str, outcome: str) -> None:
        endpoint = path.rstrip("/").rsplit("/", 1)[-1].lower()
        if endpoint not in SMS4SATS_ENDPOINTS:
            endpoint = "other"
        self.sms4sats_requests.labels(endpoint=endpoint, outcome=outcome).inc()

    def telegram_request(self, method: str, outcome: str) -> None:
        method = method.lower()
        self.telegram_requests.labels(method=method, outcome=outcome).inc()
        if outcome == "ok" and method in MESSAGE_METHODS:
            self.telegram_messages_sent.inc()
        elif outcome == "rate_limited":
            self.telegram_rate_limited.inc()

    def code_seen(self, remote_id: str) -> None:
        if remote_id in self._codes_seen:
            return
        self._codes_seen[remote_id] = time.monotonic()
        while len(self._codes_seen) > MAX_CODES_IN_FLIGHT:
            self._codes_seen.popitem(last=False)

    def code_sent(self, remote_id: str) -> None:
        self.codes_delivered.inc()
        seen = self._codes_seen.pop(remote_id, None)
        # A code seen before a restart has no start time here: counted, not timed.
        if seen is not None:
            self.code_latency.observe(time.monotonic() - seen)

    def update_handled(self, update: object) -> None:
        kind = "other"
        if isinstance(update, Update):
            kind = next((t for t in UPDATE_TYPES if getattr(update, t, None) is not None), kind)
        self.updates_handled.labels(type=kind).inc()


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts every request to sms4sats and its outcome, retries included."""

    def __init__(self, metrics: BotMetrics, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._metrics = metrics
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError:
            self._metrics.sms4sats_request(request, "error")
            raise
        status = response.status_code
        self._metrics.sms4sats_request(request, "ok" if status < 400 else f"http_{status // 100}xx")
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class CountingStatusGet:
    """Counts the status checks that take the lean path (`StatusGet`), as `CountingTransport`
    counts every other request."""

    def __init__(self, metrics: BotMetrics, inner: StatusGet) -> None:
        self._metrics = metrics
        self._inner = inner

    async def __call__(
        self, url: str, headers: Mapping[str, str], limits: httpx.Timeout
    ) -> tuple[int, bytes]:
        try:
            status, body = await self._inner(url, headers, limits)
        except httpx.TransportError:
            self._metrics.sms4sats_call("orderstatus", "error")
            raise
        self._metrics.sms4sats_call(
            "orderstatus", "ok" if status < 400 else f"http_{status // 100}xx"
        )
        return status, body


class MeteredSms4Sats(Sms4SatsClient):
    """Notes when a code is first seen at sms4sats, where the code latency starts."""

    def __init__(self, *args: Any, metrics: BotMetrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    async def order_status(self, order_id: str, *, retry: bool = True) -> OrderStatus:
        status = await super().order_status(order_id, retry=retry)
        if status.code:
            self._metrics.code_seen(order_id)
        return status


class MeteredTeller(TelegramTeller):
    """Counts code messages sent, and times them from the code seen at sms4sats."""

    def __init__(self, *args: Any, metrics: BotMetrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    async def send_code(self, order: Order) -> int:
        message_id = await super().send_code(order)
        self._metrics.code_sent(order.remote_id)
        return message_id


class MeteredSequencer(PersonSequencer):
    """Counts the updates handled (dropped ones of a flooding chat too)."""

    def __init__(self, *args: Any, metrics: BotMetrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            self._metrics.update_handled(update)
