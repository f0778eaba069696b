"""A Python client of the sandbox's control API, for tests and the demo."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class SandboxControlError(RuntimeError):
    """The control API refused a call (non-2xx); `reason` is its explanation."""

    def __init__(self, method: str, path: str, status_code: int, reason: str) -> None:
        super().__init__(f"{method} {path} failed with {status_code}: {reason}")
        self.status_code = status_code
        self.reason = reason


class SandboxControl:
    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/") + "/__sandbox"
        self._http = http

    async def pay(self, order_id: str) -> dict[str, Any]:
        """Marks the invoice paid; fund orders credit the key, send orders become "created"."""
        return await self._order_action(order_id, "pay")

    async def assign_number(self, order_id: str, number: str | None = None) -> dict[str, Any]:
        body = {} if number is None else {"number": number}
        return await self._order_action(order_id, "number", body)

    async def deliver_code(self, order_id: str, code: str | None = None) -> dict[str, Any]:
        """Delivers the code, assigning a number first when the order has none yet."""
        body = {} if code is None else {"code": code}
        return await self._order_action(order_id, "code", body)

    async def deliver_sms(
        self, order_id: str, text: str | None = None, code: str | None = None
    ) -> dict[str, Any]:
        """One more SMS to a rental: `text` (else a code message), `code` (else one is made up
        when there is no text). A number is assigned first if it has none."""
        body: dict[str, Any] = {}
        if text is not None:
            body["text"] = text
        if code is not None:
            body["code"] = code
        return await self._order_action(order_id, "sms", body)

    async def end_rental(self, order_id: str) -> dict[str, Any]:
        return await self._order_action(order_id, "end-rental")

    async def no_number(self, order_id: str) -> dict[str, Any]:
        return await self._order_action(order_id, "no-number")

    async def set_sms_status(self, order_id: str, status: str) -> dict[str, Any]:
        return await self._order_action(order_id, "sms-status", {"smsStatus": status})

    async def order(self, order_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self._call("GET", f"/orders/{quote(order_id, safe='')}")
        return found

    async def orders(self, kind: str | None = None) -> list[dict[str, Any]]:
        params = {} if kind is None else {"kind": kind}
        found: list[dict[str, Any]] = await self._call("GET", "/orders", params=params)
        return found

    async def advance_clock(self, seconds: float) -> float:
        """Moves the sandbox clock forward; returns the new sandbox time (epoch seconds)."""
        moved = await self._call("POST", "/clock/advance", {"seconds": seconds})
        return float(moved["now"])

    async def inject_fault(
        self,
        kind: str,
        count: int = 1,
        path: str | None = None,
        delay: float | None = None,
        share: float | None = None,
    ) -> list[dict[str, Any]]:
        """Queues a fault for the next `count` matching contract calls (of those picked at
        random, with `share`); returns all pending."""
        body: dict[str, Any] = {"kind": kind, "count": count}
        if share is not None:
            body["share"] = share
        if path is not None:
            body["path"] = path
        if delay is not None:
            body["delay"] = delay
        pending = await self._call("POST", "/faults", body)
        faults: list[dict[str, Any]] = pending["faults"]
        return faults

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/faults")

    async def set_stock(
        self, country: int | str, service: str, count: int, *, listed: bool = False
    ) -> dict[str, Any]:
        """Numbers on offer; `listed` keeps a count of 0 in /getnumbersstatus (as "0")."""
        body = {"country": country, "service": service, "count": count, "listed": listed}
        result: dict[str, Any] = await self._call("POST", "/stock", body)
        return result

    async def set_price(self, country: int | str, service: str, price: int) -> dict[str, Any]:
        """The receive price of the service in the country, in sats."""
        body = {"country": country, "service": service, "price": price}
        result: dict[str, Any] = await self._call("POST", "/price", body)
        return result

    async def configure(self, **fields: Any) -> dict[str, Any]:
        """Changes SandboxConfig fields at run time; returns the whole config."""
        config: dict[str, Any] = await self._call("POST", "/config", fields)
        return config

    async def requests(self) -> list[dict[str, Any]]:
        """Contract calls received: method, path, query, json, api_key_present, time."""
        log: list[dict[str, Any]] = await self._call("GET", "/requests")
        return log

    async def webhooks(self) -> list[dict[str, Any]]:
        """Webhook deliveries tried: url, payload, and status or error."""
        attempts: list[dict[str, Any]] = await self._call("GET", "/webhooks")
        return attempts

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def _order_action(
        self, order_id: str, action: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        path = f"/orders/{quote(order_id, safe='')}/{action}"
        changed: dict[str, Any] = await self._call("POST", path, body)
        return changed

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        response = await self._http.request(method, self._base + path, json=body, params=params)
        if not response.is_success:
            raise SandboxControlError(method, path, response.status_code, _reason(response))
        return response.json()


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text
    reason = body.get("reason") if isinstance(body, dict) else None
    return reason if isinstance(reason, str) else response.text
