"""The aiohttp app (contract + control API + fault injection) and the runner tests start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from .clock import Clock
from .config import SandboxConfig
from .contract_routes import CONTRACT_PATHS, add_contract_routes
from .control_routes import add_control_routes
from .errors import InvalidRequest, SandboxError, TransitionRefused, UnknownOrder
from .faults import FaultKind
from .orders import Order, OrderKind
from .payloads import error, order_status
from .runtime import (
    SANDBOX_KEY,
    Handler,
    Sms4SatsSandbox,
    api_key,
    is_control_path,
    parse_json_bytes,
    reply,
)
from .state import SandboxState

logger = logging.getLogger(__name__)

TICK_INTERVAL = 0.2
BAD_GATEWAY_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body>"
    "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    sandbox = request.app[SANDBOX_KEY]
    sandbox.state.tick(sandbox.clock.now())
    if is_control_path(request.path):
        return await _answer(sandbox, request, handler, control=True)
    await _log_request(sandbox, request)
    fault = sandbox.faults.take(request.path, is_contract_path=request.path in CONTRACT_PATHS)
    if fault is None:
        return await _answer(sandbox, request, handler, control=False)
    match fault.kind:
        case FaultKind.HTTP500:
            return reply(error("backend error"), status=500)
        case FaultKind.HTML502:
            return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
        case FaultKind.SLOW:
            await asyncio.sleep(fault.delay)
            sandbox.state.tick(sandbox.clock.now())
            return await _answer(sandbox, request, handler, control=False)
        case FaultKind.INVALID_JSON:
            answer = await _answer(sandbox, request, handler, control=False)
            body = answer.body if isinstance(answer, web.Response) else None
            text = body if isinstance(body, bytes) else b"{}"
            # Every body is an object or array, so any proper prefix of it is invalid JSON.
            return web.Response(
                status=200, body=text[: max(1, len(text) // 2)], content_type="application/json"
            )


async def _answer(
    sandbox: Sms4SatsSandbox, request: web.Request, handler: Handler, *, control: bool
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        reason = "not found" if exc.status == 404 else exc.reason.lower()
        return reply(error(reason), status=exc.status)
    except SandboxError as exc:
        return reply(error(exc.reason), status=_status_of(exc, sandbox.config, control=control))


def _status_of(exc: SandboxError, config: SandboxConfig, *, control: bool) -> int:
    if isinstance(exc, UnknownOrder):
        return 404 if control else config.not_found_status
    if isinstance(exc, TransitionRefused):
        return 409
    if isinstance(exc, InvalidRequest) and not control:
        return config.error_status
    return 400


async def _log_request(sandbox: Sms4SatsSandbox, request: web.Request) -> None:
    raw = await request.read()
    entry = {
        "method": request.method,
        "path": request.path,
        "query": dict(request.query),
        "json": None,
        "api_key_present": api_key(request) is not None,
        "time": sandbox.clock.now(),
    }
    try:
        entry["json"] = parse_json_bytes(raw)
    except InvalidRequest:
        entry["body"] = raw.decode("utf-8", "replace")
    sandbox.requests.append(entry)


def _webhook_listener(sandbox: Sms4SatsSandbox) -> None:
    def on_change(order: Order) -> None:
        if order.kind == OrderKind.SEND and order.webhook_url:
            # The payload is taken now: later changes in the same tick must not overwrite it.
            payload = order_status(order, sandbox.config)
            sandbox.webhooks.send(order.order_id, order.webhook_url, payload)

    sandbox.state.add_listener(on_change)


def build_app(sandbox: Sms4SatsSandbox) -> web.Application:
    app = web.Application(middlewares=[sandbox_middleware])
    app[SANDBOX_KEY] = sandbox
    add_contract_routes(app)
    add_control_routes(app)
    _webhook_listener(sandbox)
    return app


async def _tick_forever(sandbox: Sms4SatsSandbox) -> None:
    while True:
        try:
            sandbox.state.tick(sandbox.clock.now())
        except Exception:
            logger.exception("sandbox tick failed")
        await asyncio.sleep(TICK_INTERVAL)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@asynccontextmanager
async def run_sms4sats_sandbox(
    host: str = "127.0.0.1", port: int = 0, config: SandboxConfig | None = None
) -> AsyncIterator[Sms4SatsSandbox]:
    """Serves the sandbox until the block ends; port 0 picks a free port (see `url`)."""
    config = config or SandboxConfig()
    clock = Clock()
    sandbox = Sms4SatsSandbox(
        url="",
        state=SandboxState(config, clock),
        clock=clock,
        config=config,
        initial_config=config.copy(),
    )
    runner = web.AppRunner(build_app(sandbox), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_port = int(runner.addresses[0][1])
        sandbox.url = _url(host, bound_port)
        ticker = asyncio.create_task(_tick_forever(sandbox))
        try:
            yield sandbox
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
    finally:
        await sandbox.webhooks.close()
        await runner.cleanup()
