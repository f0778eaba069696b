"""The sms4sats endpoints (spec §3), on the same paths and methods as api2.sms4sats.com."""

from __future__ import annotations

import re

from aiohttp import web

from sandbox.sms4sats.countries import Country

from .catalog import (
    SEND_SERVICE,
    Service,
    receive_description,
    resolve_rental_service,
    resolve_service,
)
from .errors import InvalidRequest
from .payloads import (
    Json,
    countries,
    created,
    order_status,
    price,
    rental_countries,
    services_in_stock,
)
from .regions import resolve_country_input
from .runtime import (
    Handler,
    flag,
    json_object,
    optional_text,
    query_param,
    reply,
    require_api_key,
    sandbox_of,
)
from .state import SEND_DESCRIPTION

MAX_MESSAGE_LENGTH = 140
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
WEBHOOK_URL = re.compile(r"^https?://\S+$")


def require_country(value: object) -> Country:
    if value is None or value == "":
        raise InvalidRequest("country is required")
    country = resolve_country_input(value)
    if country is None:
        raise InvalidRequest(f"Unknown country: {value}")
    return country


def require_service(value: object) -> Service:
    if value is None or value == "":
        raise InvalidRequest("service is required")
    service = resolve_service(value)
    if service is None:
        raise InvalidRequest(f"Unknown service: {value}")
    return service


def _order_id(request: web.Request) -> str:
    order_id = query_param(request, "orderId")
    if order_id is None:
        raise InvalidRequest("orderId is required")
    return order_id


async def root(request: web.Request) -> web.Response:
    return reply({"status": "OK"})


async def get_countries(request: web.Request) -> web.Response:
    return reply(countries())


async def get_numbers_status(request: web.Request) -> web.Response:
    country = require_country(query_param(request, "country"))
    return reply(services_in_stock(sandbox_of(request).state.stock, country))


async def get_rental_countries(request: web.Request) -> web.Response:
    raw = query_param(request, "service")
    service = resolve_rental_service(raw)
    if service is None:
        raise InvalidRequest(f"Unknown service: {raw}")
    return reply(rental_countries(service))


async def get_price(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    raw_country = query_param(request, "country")
    raw_service = query_param(request, "service")
    query = {
        name: value
        for name, value in (("country", raw_country), ("service", raw_service))
        if value is not None
    }
    country = require_country(raw_country) if raw_country is not None else None
    is_send = raw_service is not None and raw_service.casefold() == SEND_SERVICE
    service = require_service(raw_service) if raw_service is not None and not is_send else None
    computed: Json | None = None
    if country is not None and is_send:
        computed = {
            "price": sandbox.config.send_price,
            "country": country.code,
            "description": SEND_DESCRIPTION,
        }
    elif country is not None and service is not None:
        computed = {
            "price": sandbox.state.stock.price(country.code, service.code),
            "country": country.code,
            "description": receive_description(country, service),
        }
    return reply(price(query, country, computed, sandbox.config.send_price))


async def create_order(request: web.Request) -> web.Response:
    state = sandbox_of(request).state
    body = await json_object(request)
    country = require_country(body.get("country"))
    rental = flag(body, "isRental")
    if rental:
        service = resolve_rental_service(body.get("service"))
        if service is None:
            raise InvalidRequest(f"Unknown service: {body.get('service')}")
    else:
        service = require_service(body.get("service"))
    realphone = flag(body, "realphone")
    ref = optional_text(body, "ref")
    payer_key = require_api_key(request) if flag(body, "immediate") else None
    order = state.create_receive_order(
        country, service, rental=rental, realphone=realphone, ref=ref, payer_key=payer_key
    )
    return reply(created(order))


async def get_order_status(request: web.Request) -> web.Response:
    sandbox = sandbox_of(request)
    order = sandbox.state.order(_order_id(request))
    return reply(order_status(order, sandbox.config))


async def cancel_order(request: web.Request) -> web.Response:
    sandbox_of(request).state.cancel(_order_id(request))
    return reply({"status": "OK"})


async def create_send_order(request: web.Request) -> web.Response:
    state = sandbox_of(request).state
    body = await json_object(request)
    phone = body.get("phone")
    if not isinstance(phone, str) or not E164.match(phone.strip()):
        raise InvalidRequest("phone must be in E.164 format with a leading +, e.g. +19871234567")
    message = body.get("message")
    if not isinstance(message, str) or not message:
        raise InvalidRequest(f"message is required (1 to {MAX_MESSAGE_LENGTH} characters)")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise InvalidRequest(
            f"message is too long: {len(message)} characters, the limit is {MAX_MESSAGE_LENGTH}"
        )
    webhook_url = optional_text(body, "webhookUrl")
    if webhook_url is not None and not WEBHOOK_URL.match(webhook_url):
        raise InvalidRequest("webhookUrl must be an http(s) URL")
    ref = optional_text(body, "ref")
    payer_key = require_api_key(request) if flag(body, "immediate") else None
    order = state.create_send_order(
        phone.strip(), message, webhook_url=webhook_url, ref=ref, payer_key=payer_key
    )
    return reply(created(order))


async def fund(request: web.Request) -> web.Response:
    state = sandbox_of(request).state
    key = require_api_key(request)
    amount = (await json_object(request)).get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRequest("amount must be a positive whole number of sats")
    return reply(created(state.create_fund_order(key, amount)))


async def balance(request: web.Request) -> web.Response:
    key = require_api_key(request)
    return reply({"status": "OK", "balance": sandbox_of(request).state.balance(key)})


async def history(request: web.Request) -> web.Response:
    key = require_api_key(request)
    records = sandbox_of(request).state.history(key)
    total = sum(int(record["amount"]) for record in records)
    return reply({"status": "OK", "totalAmount": total, "orders": records})


CONTRACT_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/", root),
    ("GET", "/getCountries", get_countries),
    ("GET", "/getnumbersstatus", get_numbers_status),
    ("GET", "/getRentalCountries", get_rental_countries),
    ("GET", "/price", get_price),
    ("POST", "/createorder", create_order),
    ("GET", "/orderstatus", get_order_status),
    # The contract is GET with ?orderId= (spec §3.8). POST gets 405 rather than a lenient alias,
    # so a client that cancels with POST fails here before it fails in production.
    ("GET", "/cancelorder", cancel_order),
    ("POST", "/createsendorder", create_send_order),
    ("POST", "/fund", fund),
    ("GET", "/balance", balance),
    ("GET", "/history", history),
)

CONTRACT_PATHS = frozenset(path for _, path, _ in CONTRACT_ROUTES)


def add_contract_routes(app: web.Application) -> None:
    for method, path, handler in CONTRACT_ROUTES:
        app.router.add_route(method, path, handler)
