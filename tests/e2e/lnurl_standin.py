"""A local stand-in for a Lightning Address's wallet server (LUD-16 / LUD-06), and the httpx
transport that routes the bot's https requests for a domain to it over real HTTP on loopback.

The resolver (bot.lightning_address) always asks https://<domain>/...; the transport here is
how tests reach the stand-in without a certificate and without loosening that rule.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

PAYER = "operator"
MIN_SENDABLE_MSAT = 1_000
MAX_SENDABLE_MSAT = 100_000_000


@dataclass
class LnurlStandin:
    """Answers a payRequest for the users in `pay_users`, an LNURL error for `error_users`, and
    404 for anyone else."""

    url: str = ""
    pay_users: set[str] = field(default_factory=lambda: {PAYER})
    error_users: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        self.requests.append(user)
        host = request.headers.get("Host", "")
        if user in self.pay_users:
            body: dict[str, Any] = {
                "tag": "payRequest",
                "callback": f"https://{host}/lnurlp/{user}/callback",
                "minSendable": MIN_SENDABLE_MSAT,
                "maxSendable": MAX_SENDABLE_MSAT,
                "metadata": f'[["text/identifier", "{user}@{host}"]]',
            }
            return web.json_response(body)
        if user in self.error_users:
            return web.json_response({"status": "ERROR", "reason": "Account disabled"})
        return web.json_response({"status": "ERROR", "reason": "Not found"}, status=404)


@asynccontextmanager
async def run_lnurl_standin() -> AsyncIterator[LnurlStandin]:
    standin = LnurlStandin()
    app = web.Application()
    app.router.add_get("/.well-known/lnurlp/{user}", standin.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    standin.url = f"http://127.0.0.1:{port}"
    try:
        yield standin
    finally:
        await runner.cleanup()


class LoopbackTransport(httpx.AsyncBaseTransport):
    """Sends requests for the mapped domains to a local server (scheme, host and port replaced,
    the Host header kept); any other request fails as if there were no network."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        self._routes = {domain.lower(): httpx.URL(url) for domain, url in routes.items()}
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self._routes.get(request.url.host.lower())
        if target is None:
            raise httpx.ConnectError("no network in tests", request=request)
        request.url = request.url.copy_with(
            scheme=target.scheme, host=target.host, port=target.port
        )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def loopback_client(routes: Mapping[str, str]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=LoopbackTransport(routes))
