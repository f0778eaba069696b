"""The stand-ins for `make bench`, each in a process of its own so the bot's CPU is its own.

    python -m bench.standins sms4sats   # prints two URLs: the API, the bench control
    python -m bench.standins telegram

Each serves its sandbox plus a small bench control API that acts on thousands of orders or
users in one request (the sandboxes' own control APIs take one at a time), and stamps what
the benchmark times: when a code was delivered at sms4sats, when a call reached Telegram.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from typing import Any

from aiohttp import web

from sandbox.sms4sats import SandboxConfig, Sms4SatsSandbox, run_sms4sats_sandbox
from sandbox.sms4sats.catalog import resolve_service
from sandbox.sms4sats.countries import country_by_code
from sandbox.telegram import TelegramSandbox, TelegramSandboxConfig, run_telegram_sandbox
from sandbox.telegram.user_actions import create_user, user_sends

COUNTRY_CODE = 187  # USA
SERVICE_CODE = "wa"
REF = "bench@example.com"
# The sms4sats stand-in scans all its orders for due transitions on every request: O(N) each,
# O(N²) a round at thousands of orders, which would measure the stand-in rather than the bot.
SCAN_EVERY = 0.2


class StampedCalls(list[dict[str, Any]]):
    """The Telegram stand-in's call log, each call stamped with its arrival (epoch seconds)."""

    def append(self, record: dict[str, Any]) -> None:
        record["at"] = time.time()
        super().append(record)


def _throttle_scan(sandbox: Sms4SatsSandbox) -> None:
    full_scan = sandbox.state.tick
    last = -1.0

    def scan_now_and_then(now: float) -> None:
        nonlocal last
        if not 0 <= now - last < SCAN_EVERY:
            last = now
            full_scan(now)

    sandbox.state.tick = scan_now_and_then  # type: ignore[method-assign]


def _sms4sats_routes(sandbox: Sms4SatsSandbox) -> web.Application:
    country, service = country_by_code(COUNTRY_CODE), resolve_service(SERVICE_CODE)
    assert country is not None and service is not None
    state = sandbox.state
    delivered: dict[str, float] = {}

    async def seed(request: web.Request) -> web.Response:
        count = int((await request.json())["count"])
        orders = [state.create_receive_order(country, service, ref=REF) for _ in range(count)]
        return web.json_response([[o.order_id, o.amount] for o in orders])

    async def act(request: web.Request) -> web.Response:
        body = await request.json()
        action, ids = body["action"], body["ids"]
        numbers = []
        for index, remote_id in enumerate(ids):
            if action == "pay":
                state.pay(remote_id)
            elif action == "number":
                numbers.append(state.assign_number(remote_id).number)
            elif action == "code":
                state.deliver_code(remote_id, body["codes"][index])
                delivered[body["codes"][index]] = time.time()
        return web.json_response({"numbers": numbers})

    async def codes(request: web.Request) -> web.Response:
        return web.json_response(delivered)

    async def reset(request: web.Request) -> web.Response:
        sandbox.reset()
        delivered.clear()
        return web.json_response({})

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/seed", seed)
    app.router.add_post("/act", act)
    app.router.add_get("/codes", codes)
    app.router.add_post("/reset", reset)
    return app


def _telegram_routes(sandbox: TelegramSandbox) -> web.Application:
    state = sandbox.state
    state.calls = StampedCalls()
    met: set[int] = set()

    async def users(request: web.Request) -> web.Response:
        body = await request.json()
        for user_id in range(body["first"], body["first"] + body["count"]):
            if user_id not in met:
                create_user(state, {"id": user_id, "first_name": f"Bench{user_id}"})
                # Telegram refuses a bot's first message to a user who never wrote to it.
                user_sends(state, {"from_id": user_id, "text": "/start"})
                met.add(user_id)
        return web.json_response({"users": len(met)})

    async def calls(request: web.Request) -> web.Response:
        """The calls since `since` (an index), with what the benchmark reads of them."""
        since = int(request.query.get("since", "0"))
        found = []
        for record in state.calls[since:]:
            params = record.get("params") or {}
            text = str(params.get("text") or params.get("caption") or "")
            found.append([record["method"], record.get("error_code"), record.get("at"), text[:400]])
        return web.json_response({"end": len(state.calls), "calls": found})

    app = web.Application()
    app.router.add_post("/users", users)
    app.router.add_get("/calls", calls)
    return app


async def _serve(role: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if role == "sms4sats":
        config = SandboxConfig(hold_timeout=3 * 3600, invoice_expiry=3 * 3600)
        async with run_sms4sats_sandbox(config=config) as sandbox:
            _throttle_scan(sandbox)
            control = _sms4sats_routes(sandbox)
            await _run_both(sandbox.url, control, stop)
    else:
        async with run_telegram_sandbox(config=TelegramSandboxConfig()) as telegram:
            await _run_both(telegram.url, _telegram_routes(telegram), stop)


async def _run_both(url: str, control: web.Application, stop: asyncio.Event) -> None:
    runner = web.AppRunner(control, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(url, f"http://127.0.0.1:{port}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
