"""The sandbox-only control API under /__sandbox/: drive orders, time, stock and faults."""

from __future__ import annotations

import re

from aiohttp import web

from .contract_routes import require_country, require_service
from .errors import InvalidRequest
from .orders import OrderKind, SmsStatus
from .payloads import order_internal
from .runtime import CONTROL_PREFIX, Handler, Sms4SatsSandbox, json_object, reply, sandbox_of

NUMBER_INPUT = re.compile(r"^\+?(\d{6,15})$")
CODE_INPUT = re.compile(r"^[0-9A-Za-z-]{1,16}$")


def _order_reply(sandbox: Sms4SatsSandbox, order_id: str) -> web.Response:
    return reply(order_internal(sandbox.state.order(order_id), sandbox.config))


async def pay(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    order = sandbox.state.pay(request.match_info["order_id"])
    return _order_reply(sandbox, order.order_id)


async def assign_number(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    raw = (await json_object(request)).get("number")
    number: str | None = None
    if raw is not None:
        match = NUMBER_INPUT.match(str(raw).strip())
        if match is None:
            raise InvalidRequest("number must be 6 to 15 digits, optionally with a leading +")
        number = match.group(1)
    order = sandbox.state.assign_number(request.match_info["order_id"], number)
    return _order_reply(sandbox, order.order_id)


async def deliver_code(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    raw = (await json_object(request)).get("code")
    code: str | None = None
    if raw is not None:
        code = str(raw).strip()
        if isinstance(raw, bool) or not CODE_INPUT.match(code):
            raise InvalidRequest('code must be 1 to 16 letters or digits, e.g. "048213"')
    order = sandbox.state.deliver_code(request.match_info["order_id"], code)
    return _order_reply(sandbox, order.order_id)


async def deliver_sms(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    body = await json_object(request)
    text, code = body.get("text"), body.get("code")
    if text is not None and (not isinstance(text, str) or not 1 <= len(text.strip()) <= 1000):
        raise InvalidRequest("text must be 1 to 1000 characters")
    if code is not None:
        code = str(code).strip()
        if isinstance(body.get("code"), bool) or not CODE_INPUT.match(code):
            raise InvalidRequest('code must be 1 to 16 letters or digits, e.g. "048213"')
    order = sandbox.state.deliver_sms(
        request.match_info["order_id"], text.strip() if text else None, code
    )
    return _order_reply(sandbox, order.order_id)


async def end_rental(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    order = sandbox.state.end_rental(request.match_info["order_id"])
    return _order_reply(sandbox, order.order_id)


async def no_number(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    order = sandbox.state.refuse_number(request.match_info["order_id"])
    return _order_reply(sandbox, order.order_id)


async def sms_status(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    raw = (await json_object(request)).get("smsStatus")
    try:
        status = SmsStatus(str(raw))
    except ValueError:
        raise InvalidRequest("smsStatus must be sent, delivered or failed") from None
    order = sandbox.state.set_sms_status(request.match_info["order_id"], status)
    return _order_reply(sandbox, order.order_id)


async def list_orders(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    raw_kind = request.query.get("kind")
    try:
        kind = OrderKind(raw_kind) if raw_kind else None
    except ValueError:
        raise InvalidRequest("kind must be receive, send or fund") from None
    orders = sandbox.state.orders.values()
    return reply(
        [
            order_internal(order, sandbox.config)
            for order in orders
            if kind is None or order.kind == kind
        ]
    )


async def show_order(request: web.Request) -> web.Response:
    return _order_reply(sandbox_of(request), request.match_info["order_id"])


async def show_clock(request: web.Request) -> web.Response:
    clock = sandbox_of(request).clock
    return reply({"now": clock.now(), "offset": clock.offset})


async def advance_clock(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    seconds = (await json_object(request)).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise InvalidRequest("seconds must be a number, not negative")
    now = sandbox.clock.advance(seconds)
    sandbox.state.tick(now)
    return reply({"now": now, "offset": sandbox.clock.offset})


async def list_faults(request: web.Request) -> web.Response:
    return reply({"faults": [fault.to_json() for fault in sandbox_of(request).faults.pending()]})


async def add_fault(request: web.Request) -> web.Response:
    sandbox_of(request).faults.add(await json_object(request))
    return await list_faults(request)


async def clear_faults(request: web.Request) -> web.Response:
    sandbox_of(request).faults.clear()
    return reply({"faults": []})


async def set_stock(request: web.Request) -> web.Response:
    state = sandbox_of(request).state
    body = await json_object(request)
    country = require_country(body.get("country"))
    service = require_service(body.get("service"))
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidRequest("count must be a whole number, not negative")
    listed = body.get("listed", False)
    if not isinstance(listed, bool):
        raise InvalidRequest("listed must be true or false")
    state.set_stock(country, service, count, listed=listed)
    return reply({"country": country.code, "service": service.code, "count": count})


async def set_price(request: web.Request) -> web.Response:
    state = sandbox_of(request).state
    body = await json_object(request)
    country = require_country(body.get("country"))
    service = require_service(body.get("service"))
    price = body.get("price")
    if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise InvalidRequest("price must be a whole number of sats, above 0")
    state.set_price(country, service, price)
    return reply({"country": country.code, "service": service.code, "price": price})


async def show_config(request: web.Request) -> web.Response:
    return reply(sandbox_of(request).config.to_json())


async def change_config(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    sandbox.state.update_config(await json_object(request))
    return reply(sandbox.config.to_json())


async def list_requests(request: web.Request) -> web.Response:
    return reply(sandbox_of(request).requests)


async def list_webhooks(request: web.Request) -> web.Response:
    return reply(sandbox_of(request).webhooks.attempts)


async def reset(request: web.Request) -> web.Response:
    sandbox_of(request).reset()
    return reply({"status": "OK"})


_ORDER = "/orders/{order_id}"
CONTROL_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/orders", list_orders),
    ("GET", _ORDER, show_order),
    ("POST", _ORDER + "/pay", pay),
    ("POST", _ORDER + "/number", assign_number),
    ("POST", _ORDER + "/code", deliver_code),
    ("POST", _ORDER + "/no-number", no_number),
    ("POST", _ORDER + "/sms", deliver_sms),
    ("POST", _ORDER + "/end-rental", end_rental),
    ("POST", _ORDER + "/sms-status", sms_status),
    ("GET", "/clock", show_clock),
    ("POST", "/clock/advance", advance_clock),
    ("GET", "/faults", list_faults),
    ("POST", "/faults", add_fault),
    ("DELETE", "/faults", clear_faults),
    ("POST", "/stock", set_stock),
    ("POST", "/price", set_price),
    ("GET", "/config", show_config),
    ("POST", "/config", change_config),
    ("GET", "/requests", list_requests),
    ("GET", "/webhooks", list_webhooks),
    ("POST", "/reset", reset),
)


def add_control_routes(app: web.Application) -> None:
    for method, path, handler in CONTROL_ROUTES:
        app.router.add_route(method, CONTROL_PREFIX + path, handler)
