"""The bot's HTTP server (aiohttp): Telegram's webhook, `GET /healthz` and `GET /metrics`.

One server for all three, as in PTB's custom-webhook examples: a webhook request is checked
(the secret header), parsed and put on the application's update queue, and answered at once;
the update is handled afterwards like a polled one, so Telegram never waits for sms4sats.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from handlers.context import AnyApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything far larger is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024

HealthCheck = Callable[[], Awaitable[bool]]
MetricsText = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class Webhook:
    application: AnyApplication
    url: str
    secret: str = field(repr=False)


class WebServer:
    def __init__(
        self,
        *,
        healthy: HealthCheck,
        metrics: MetricsText,
        metrics_content_type: str,
        webhook: Webhook | None = None,
        on_rejected: Callable[[], None] = lambda: None,
    ) -> None:
        """Without `webhook` (long polling) it serves /healthz and /metrics only."""
        self._healthy = healthy
        self._metrics = metrics
        self._metrics_content_type = metrics_content_type
        self._on_rejected = on_rejected
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._serve_metrics)
        self._webhook = webhook
        if webhook is not None:
            app.router.add_post(webhook_path(webhook.url), self._update)
        self._app = app

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port (0: a free port, then in `self.port`); OSError if it cannot."""
        # Our own socket: bound here, so a busy port fails now and port 0's pick is known.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
        except OSError:
            listener.close()
            raise
        runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        self._runner = runner
        self.port = int(listener.getsockname()[1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        # The body says only yes or no: a health endpoint is often reachable by more people
        # than the logs are.
        if await self._healthy():
            return web.Response(text="ok\n")
        return web.Response(status=503, text="unavailable\n")

    async def _serve_metrics(self, request: web.Request) -> web.Response:
        body = await self._metrics()
        response = web.Response(body=body)
        response.headers["Content-Type"] = self._metrics_content_type
        return response

    async def _update(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        application, secret = self._webhook.application, self._webhook.secret
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), secret.encode("utf-8")
        ):
            self._on_rejected()
            log.warning("Refused a webhook request without the right secret from %s",
                        request.remote)  # fmt: skip
            return web.Response(status=403)
        try:
            data = await request.json(loads=json.loads)
        except ValueError:
            return web.Response(status=400, text="expected a JSON update\n")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="expected a JSON update\n")
        update = Update.de_json(data, application.bot)
        await application.update_queue.put(update)
        return web.Response()


def webhook_path(webhook_url: str) -> str:
    """The path Telegram calls, as the reverse proxy passes it on: WEBHOOK_URL's own path."""
    return urlsplit(webhook_url).path or "/"


async def run_webhook(application: AnyApplication) -> None:
    """What `run_polling` does, with the updates coming from the webhook: initialise, post_init
    (which starts the server and registers the webhook), run until SIGINT or SIGTERM, then stop
    and shut down in reverse order. The webhook stays registered: other instances behind the
    same proxy go on receiving updates."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await stop.wait()
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
