"""The JSON bodies of the contract (shapes from spec §3) and of the control API."""

from __future__ import annotations

from typing import Any

from sandbox.sms4sats.countries import Country, country_by_code

from .catalog import (
    DEFAULT_RENT_PRICE,
    MIN_RECEIVE_PRICE,
    REAL_PHONE_PRICE,
    RENTAL_ALL_SERVICES,
    RENTAL_OFFERS,
    SERVICES,
    Service,
    StockBook,
    real_countries,
    rental_offer,
    rental_price,
)
from .config import SandboxConfig
from .orders import (
    CANCELED_ERROR,
    CANCELED_UNPAID_ERROR,
    EXPIRED_ERROR,
    INVOICE_EXPIRED_ERROR,
    NO_NUMBER_ERROR,
    RENTAL_ENDED_ERROR,
    Order,
    OrderKind,
    OrderState,
)

Json = dict[str, Any]


def error(reason: str) -> Json:
    return {"status": "error", "reason": reason}


def countries() -> list[Json]:
    rentable = {offer.country_code for offer in RENTAL_OFFERS}
    return [
        {
            "id": country.code,
            "eng": country.name,
            "visible": 1,
            "rent": int(country.code in rentable),
        }
        for country in real_countries()
    ]


def services_in_stock(stock: StockBook, country: Country) -> list[Json]:
    return [
        {
            "key": service.code,
            "text": service.name,
            "value": service.code,
            "count": str(count),
            "image": {"avatar": True, "src": service.image},
        }
        for service, count in stock.in_stock(country.code)
    ]


def rental_countries(service: Service) -> list[Json]:
    listed = []
    for offer in RENTAL_OFFERS:
        country = country_by_code(offer.country_code)
        if country is not None:
            listed.append(
                {
                    "cc": country.code,
                    "country": country.name,
                    "duration": str(offer.weeks),
                    "price": rental_price(offer, service),
                }
            )
    return listed


def price(
    query: dict[str, str],
    country: Country | None,
    computed: Json | None,
    send_price: int,
) -> Json:
    """/price: the documented mixed types (`receive`, `s4s` strings; `send`, `rent` numbers)."""
    offer = rental_offer(country.code) if country is not None else None
    body: Json = {
        "receive": str(computed["price"] if computed else MIN_RECEIVE_PRICE),
        "send": send_price,
        "rent": rental_price(offer, RENTAL_ALL_SERVICES) if offer else DEFAULT_RENT_PRICE,
        "s4s": str(REAL_PHONE_PRICE),
        "query": query,
    }
    if computed is not None:
        body["computed"] = computed
    return body


def created(order: Order) -> Json:
    return {"status": "OK", "orderId": order.order_id, "payreq": order.payreq or "paid"}


def order_status(order: Order, config: SandboxConfig) -> Json:
    """/orderstatus, and the body of send-order webhooks."""
    if order.kind == OrderKind.RECEIVE:
        return _receive_status(order, config)
    body: Json = {"status": "OK", "paid": order.paid}
    if order.kind == OrderKind.SEND:
        body["id"] = order.sms_id
        if order.sms_status is not None:
            body["smsStatus"] = str(order.sms_status)
        body["timestamp"] = _ms(order.sms_status_at or order.created_at)
    if order.state == OrderState.INVOICE_EXPIRED:
        body["error"] = INVOICE_EXPIRED_ERROR
    return body


def _receive_status(order: Order, config: SandboxConfig) -> Json:
    body: Json = {"status": "OK", "paid": order.paid}
    if order.code is not None:
        body["code"] = _code_value(order.code, config.code_as_string)
    if order.number is not None and order.number_at is not None:
        country = country_by_code(order.country) if order.country is not None else None
        body["id"] = order.activation_id
        body["number"] = int(order.number)
        body["timestamp"] = _ms(order.number_at)
        body["country"] = country.name if country else ""
        body["service"] = _service_name(order.service)
    if order.is_rental and order.paid:
        _rental_fields(body, order)
    reason = _receive_error(order)
    if reason is not None:
        body["error"] = reason
    return body


def _rental_fields(body: Json, order: Order) -> None:
    """The sandbox's guess at a rental's status (sms4sats documents none): the end time as
    `endDate` in milliseconds, and every SMS so far under `messages`, oldest first; `code`
    stays the newest code, as for a receive order."""
    if order.rental_ends_at is not None:
        body["endDate"] = _ms(order.rental_ends_at)
    body["messages"] = [
        {"text": sms["text"], "code": sms["code"], "date": _ms(sms["at"])} for sms in order.messages
    ]


def _receive_error(order: Order) -> str | None:
    match order.state:
        case OrderState.RENTAL_ENDED:
            return RENTAL_ENDED_ERROR
        case OrderState.INVOICE_EXPIRED:
            return INVOICE_EXPIRED_ERROR
        case OrderState.NO_NUMBER:
            return NO_NUMBER_ERROR
        case OrderState.CANCELED:
            return CANCELED_ERROR if order.paid else CANCELED_UNPAID_ERROR
        case OrderState.EXPIRED:
            return EXPIRED_ERROR
        case _:
            return None


def _code_value(code: str, as_string: bool) -> int | str:
    # A number loses leading zeros, which is exactly the hazard clients must survive.
    if as_string or not code.isdigit():
        return code
    return int(code)


def _service_name(code: str | None) -> str:
    if code == RENTAL_ALL_SERVICES.code:
        return RENTAL_ALL_SERVICES.name
    for service in SERVICES:
        if service.code == code:
            return service.name
    return code or ""


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def order_internal(order: Order, config: SandboxConfig) -> Json:
    """The control API's view: everything the sandbox knows, except the API key itself."""
    return {
        "orderId": order.order_id,
        "kind": str(order.kind),
        "state": str(order.state),
        "amount": order.amount,
        "payreq": order.payreq,
        "preimage": order.preimage,
        "ref": order.ref,
        "api_key_used": order.api_key is not None,
        "created_at": order.created_at,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "ended_at": order.ended_at,
        "requested_country": order.requested_country,
        "country": order.country,
        "service": order.service,
        "is_rental": order.is_rental,
        "rental_weeks": order.rental_weeks,
        "rental_ends_at": order.rental_ends_at,
        "messages": list(order.messages),
        "realphone": order.realphone,
        "activation_id": order.activation_id,
        "number": order.number,
        "number_at": order.number_at,
        "code": order.code,
        "code_at": order.code_at,
        "phone": order.phone,
        "message": order.message,
        "webhook_url": order.webhook_url,
        "sms_id": order.sms_id,
        "sms_status": None if order.sms_status is None else str(order.sms_status),
        "sms_status_at": order.sms_status_at,
        "orderstatus": order_status(order, config),
    }
