"""The sms4sats HTTP API (api2.sms4sats.com), with its quirks absorbed in one place.

Quirks handled here (see the API notes in the README): `/price` mixes strings and numbers,
`code` may be a JSON number or a string, `number` comes as bare digits, an `error` field with
`status: "OK"` ends an order, and `payreq` is the word "paid" when the API-key balance paid.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol
from urllib.parse import quote

import httpx
import stamina

from bot.domain.remote import OrderStatus, SmsStatus
from bot.domain.rental_status import parse_rental

# The client's terms live in the domain (the Telegram layer reads them without the client).
from bot.domain.sms4sats_terms import Problem as Problem
from bot.domain.sms4sats_terms import RentalCountry as RentalCountry
from bot.domain.sms4sats_terms import Service as Service
from bot.domain.sms4sats_terms import Sms4SatsError as Sms4SatsError

log = logging.getLogger(__name__)

# Far above any backoff the client is given: the waits grow by 3x per attempt, uncapped as before.
_WAIT_MAX: Final = 3600.0


def _temporary(error: Exception) -> bool:
    """What stamina retries: the failures the client marks temporary (timeouts, 5xx, no answer)."""
    return isinstance(error, Sms4SatsError) and error.temporary


DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)


def status_timeout(poll_interval: float) -> httpx.Timeout:
    """How long an order's status check may wait for sms4sats: two intervals (1 to 10 s). A
    call that hangs longer is given up, and the order's next check is its retry; waiting the
    full 10 s of other calls would hold its order back for ten intervals at short intervals."""
    read = min(DEFAULT_TIMEOUT.read or 10.0, max(1.0, 2 * poll_interval))
    return httpx.Timeout(read, connect=min(read, DEFAULT_TIMEOUT.connect or 5.0))


PAID_FROM_BALANCE: Final = "paid"


class StatusGet(Protocol):
    """A lean GET for status checks, the bulk of the calls: the URL and headers as they go out,
    the answer's status code and body back; failures raised as httpx's (`TimeoutException`,
    `HTTPError`). `bot.wiring.aiohttp_transport` gives one; without it, checks go through the
    httpx client like every other call."""

    async def __call__(
        self, url: str, headers: Mapping[str, str], limits: httpx.Timeout
    ) -> tuple[int, bytes]: ...


@dataclass(frozen=True, slots=True)
class ApiCountry:
    code: int
    name: str


@dataclass(frozen=True, slots=True)
class Prices:
    receive: int | None
    send: int | None
    rent: int | None
    platform_fee: int | None
    computed_price: int | None
    computed_country: int | None
    description: str | None


@dataclass(frozen=True, slots=True)
class CreatedOrder:
    order_id: str
    payreq: str

    @property
    def paid_from_balance(self) -> bool:
        return self.payreq.strip().lower() == PAID_FROM_BALANCE

    @property
    def invoice(self) -> str | None:
        return None if self.paid_from_balance else self.payreq


@dataclass(frozen=True, slots=True)
class FundingRecord:
    amount: int
    created_at: datetime | None
    description: str


@dataclass(frozen=True, slots=True)
class FundingHistory:
    total_amount: int
    records: tuple[FundingRecord, ...]


class Sms4SatsClient:
    """One instance per bot, sharing the application's `httpx.AsyncClient`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        api_key: str | None = None,
        ref: str | None = None,
        retries: int = 2,
        backoff: float = 0.5,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        status_timeout: httpx.Timeout | None = None,
        status_get: StatusGet | None = None,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._ref = ref
        self._retries = retries
        self._backoff = backoff
        self._timeout = timeout
        # Status checks repeat every interval: a shorter wait fits them (`status_timeout`).
        self._status_timeout = status_timeout or timeout
        # The status check's request prepared once: httpx's client layers (merging headers,
        # cookies, URL building, its Request and Response) cost more CPU than the call itself.
        self._status_get = status_get
        self._status_url = f"{self._base_url}/orderstatus?orderId="
        self._status_headers = {
            "Accept": "application/json",
            "User-Agent": http.headers.get("User-Agent", "sms4sats-bot"),
        }

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    # --- reads: idempotent, retried with backoff -------------------------------------------

    async def get_countries(self) -> list[ApiCountry]:
        data = await self._call("GET", "getCountries", retry=True)
        # SMS-Activate-style APIs key this list by id; accept that form as well as an array.
        items = list(data.values()) if isinstance(data, dict) and "status" not in data else data
        countries = []
        for item in _as_list(items, "getCountries"):
            code = _as_int(item.get("id")) if isinstance(item, dict) else None
            if code is not None:
                countries.append(ApiCountry(code, str(item.get("eng") or item.get("name") or "")))
        return countries

    async def get_services(self, country: int) -> list[Service]:
        data = await self._call("GET", "getnumbersstatus", params={"country": country}, retry=True)
        services = []
        for item in _as_list(data, "getnumbersstatus"):
            if not isinstance(item, dict):
                continue
            code = str(item.get("value") or item.get("key") or "").strip()
            if code:
                name = str(item.get("text") or code).strip()
                services.append(Service(code, name, _as_int(item.get("count")) or 0))
        return services

    async def get_rental_countries(self, service: str | None = None) -> list[RentalCountry]:
        params = {"service": service} if service else None
        data = await self._call("GET", "getRentalCountries", params=params, retry=True)
        rentals = []
        for item in _as_list(data, "getRentalCountries"):
            if not isinstance(item, dict):
                continue
            code, price = _as_int(item.get("cc")), _as_int(item.get("price"))
            if code is not None and price is not None:
                weeks = _as_int(item.get("duration")) or 0
                rentals.append(RentalCountry(code, str(item.get("country") or ""), weeks, price))
        return rentals

    async def get_price(self, country: int | None = None, service: str | None = None) -> Prices:
        params: dict[str, Any] = {}
        if country is not None:
            params["country"] = country
        if service is not None:
            params["service"] = service
        data = _as_dict(await self._call("GET", "price", params=params, retry=True), "price")
        computed = data.get("computed") if isinstance(data.get("computed"), dict) else {}
        assert isinstance(computed, dict)
        return Prices(
            receive=_as_int(data.get("receive")),
            send=_as_int(data.get("send")),
            rent=_as_int(data.get("rent")),
            platform_fee=_as_int(data.get("s4s")),
            computed_price=_as_int(computed.get("price")),
            computed_country=_as_int(computed.get("country")),
            description=_as_str(computed.get("description")),
        )

    async def order_status(self, order_id: str, *, retry: bool = True) -> OrderStatus:
        data = await self._call(
            "GET", "orderstatus", params={"orderId": order_id}, retry=retry,
            limits=self._status_timeout,
        )  # fmt: skip
        return parse_order_status(_as_dict(data, "orderstatus"))

    async def balance(self) -> int:
        data = _as_dict(await self._call("GET", "balance", keyed=True, retry=True), "balance")
        balance = _as_int(data.get("balance"))
        if balance is None:
            raise _broken_answer("balance")
        return balance

    async def history(self) -> FundingHistory:
        data = _as_dict(await self._call("GET", "history", keyed=True, retry=True), "history")
        records = []
        for item in _as_list(data.get("orders") or [], "history"):
            if isinstance(item, dict):
                amount = _as_int(item.get("amount")) or _as_int(item.get("price")) or 0
                created = _as_int(item.get("createdAt"))
                when = datetime.fromtimestamp(created / 1000, UTC) if created else None
                text = str(item.get("description") or item.get("desc") or "")
                records.append(FundingRecord(amount, when, text))
        records.sort(key=lambda r: r.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        total = _as_int(data.get("totalAmount"))
        return FundingHistory(total if total is not None else sum(r.amount for r in records),
                              tuple(records))  # fmt: skip

    # --- writes: never retried, a retry could create a second order -------------------------

    async def create_order(
        self,
        country: int,
        service: str,
        *,
        immediate: bool = False,
        rental: bool = False,
        real_phone: bool = False,
    ) -> CreatedOrder:
        """A receive order; with `rental` a number rented for weeks (`country` is then the `cc`
        of getRentalCountries), with `real_phone` a real SIM from the sms4sats network."""
        body: dict[str, Any] = {"country": country, "service": service}
        if rental:
            body["isRental"] = True
        if real_phone:
            body["realphone"] = True
        if self._ref:
            body["ref"] = self._ref
        if immediate:
            body["immediate"] = True
        data = await self._call("POST", "createorder", json_body=body, keyed=immediate)
        return _created(data, "createorder")

    async def create_send_order(
        self, phone: str, message: str, *, immediate: bool = False
    ) -> CreatedOrder:
        body: dict[str, Any] = {"phone": phone, "message": message}
        if self._ref:
            body["ref"] = self._ref
        if immediate:
            body["immediate"] = True
        data = await self._call("POST", "createsendorder", json_body=body, keyed=immediate)
        return _created(data, "createsendorder")

    async def fund(self, amount: int) -> CreatedOrder:
        data = await self._call("POST", "fund", json_body={"amount": amount}, keyed=True)
        return _created(data, "fund")

    async def cancel_order(self, order_id: str) -> None:
        # The contract is GET with the id in the query (see the API notes), not a POST body.
        data = await self._call("GET", "cancelorder", params={"orderId": order_id})
        _as_dict(data, "cancelorder")

    # --- transport ---------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        keyed: bool = False,
        retry: bool = False,
        limits: httpx.Timeout | None = None,
    ) -> Any:
        headers = {"Accept": "application/json"}
        if keyed:
            if self._api_key is None:
                raise Sms4SatsError(Problem.NO_API_KEY)
            headers["X-API-Key"] = self._api_key
        limits = limits or self._timeout
        if not retry or self._retries == 0:
            # Writes, and status checks (the order's next check is their retry): one attempt.
            return await self._once(method, path, params, json_body, headers, limits)
        # Reads: stamina waits backoff, then 3x that, ... between attempts (no jitter and no
        # overall deadline, as before; each attempt has its own timeout).
        async for attempt in stamina.retry_context(
            on=_temporary, attempts=1 + self._retries, timeout=None, wait_initial=self._backoff,
            wait_exp_base=3, wait_jitter=0, wait_max=_WAIT_MAX,
        ):  # fmt: skip
            with attempt:
                try:
                    return await self._once(method, path, params, json_body, headers, limits)
                except Sms4SatsError as error:
                    if error.temporary and attempt.num <= self._retries:
                        wait = attempt.next_wait
                        log.warning("sms4sats %s failed (%s); retrying in %.1fs", path, error, wait)
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json_body: dict[str, Any] | None,
        headers: dict[str, str],
        limits: httpx.Timeout,
    ) -> Any:
        try:
            if self._status_get is not None and path == "orderstatus" and params is not None:
                status_code, body = await self._status_get(
                    self._status_url + quote(str(params["orderId"]), safe=""),
                    self._status_headers,
                    limits,
                )
            else:
                response = await self._http.request(
                    method, f"{self._base_url}/{path}", params=params, json=json_body,
                    headers=headers, timeout=limits,
                )  # fmt: skip
                status_code, body = response.status_code, response.content
        except httpx.TimeoutException:
            raise Sms4SatsError(Problem.TIMEOUT, temporary=True) from None
        except httpx.HTTPError as error:
            log.warning("sms4sats %s unreachable: %s", path, type(error).__name__)
            raise Sms4SatsError(Problem.UNREACHABLE, temporary=True) from None
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        reason = self._reason(data)
        success = 200 <= status_code < 300
        if status_code >= 500 or (data is None and success):
            what = f"HTTP {status_code}" if data is None or not reason else reason
            log.warning("sms4sats %s answered %s", path, what)
            raise Sms4SatsError(
                Problem.TROUBLE, reason=reason, status_code=status_code, temporary=True
            )
        if not success or (isinstance(data, dict) and data.get("status") == "error"):
            raise Sms4SatsError(Problem.REFUSED, reason=reason, status_code=status_code)
        return data

    def _reason(self, data: Any) -> str | None:
        if not isinstance(data, dict):
            return None
        reason = data.get("reason") or data.get("error") or data.get("message")
        if not isinstance(reason, str) or not reason.strip():
            return None
        reason = reason.strip()[:300]
        # sms4sats' records carry the key as `userId`; never let it ride along into a chat.
        if self._api_key:
            reason = reason.replace(self._api_key, "[API key]")
        return reason


def parse_order_status(data: dict[str, Any]) -> OrderStatus:
    number = re.sub(r"\D", "", str(data.get("number") or ""))
    code = data.get("code")
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    code_text = str(code).strip() if code is not None and not isinstance(code, bool) else ""
    timestamp = _as_int(data.get("timestamp"))
    provider_id = data.get("id")
    rental = parse_rental(data)
    return OrderStatus(
        paid=data.get("paid") is True or str(data.get("paid")).lower() == "true",
        number=number.lstrip("0") or None,
        code=code_text or None,
        error=_as_str(data.get("error")),
        sms_status=_sms_status(data.get("smsStatus")),
        provider_id=str(provider_id) if provider_id not in (None, "") else None,
        country=_as_str(data.get("country")),
        service=_as_str(data.get("service")),
        timestamp=datetime.fromtimestamp(timestamp / 1000, UTC) if timestamp else None,
        messages=rental.messages,
        ends_at=rental.ends_at,
    )


def _sms_status(value: Any) -> SmsStatus | None:
    try:
        return SmsStatus(str(value).strip().lower()) if value is not None else None
    except ValueError:
        return None


def _created(data: Any, what: str) -> CreatedOrder:
    body = _as_dict(data, what)
    order_id, payreq = body.get("orderId"), body.get("payreq")
    if not isinstance(order_id, str) or not order_id or not isinstance(payreq, str) or not payreq:
        raise _broken_answer(what)
    return CreatedOrder(order_id, payreq)


def _broken_answer(what: str) -> Sms4SatsError:
    log.warning("sms4sats %s answer lacks expected fields", what)
    return Sms4SatsError(Problem.BROKEN_ANSWER, temporary=True)


def _as_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _broken_answer(what)
    return data


def _as_list(data: Any, what: str) -> list[Any]:
    if isinstance(data, dict) and data.get("status") == "OK":
        # Tolerate an enveloped list, should sms4sats ever add the envelope to list endpoints.
        data = next((v for v in data.values() if isinstance(v, list)), [])
    if not isinstance(data, list):
        raise _broken_answer(what)
    return data


def _as_int(value: Any) -> int | None:
    """sms4sats sends amounts as numbers or numeric strings ("1500", 1500, 1500.0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else round(number)
    return None


def _as_str(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None
