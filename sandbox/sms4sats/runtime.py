"""The running sandbox as handlers see it, and the request parsing they share."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from .clock import Clock
from .config import SandboxConfig
from .control import SandboxControl
from .errors import InvalidRequest
from .faults import FaultBook
from .state import SandboxState
from .webhooks import WebhookSender

API_KEY_HEADER = "X-API-Key"
API_KEY_MISSING = "X-API-Key header is missing."
CONTROL_PREFIX = "/__sandbox"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Sms4SatsSandbox:
    """A running sandbox: its URL and the objects behind it, for white-box tests."""

    url: str
    state: SandboxState
    clock: Clock
    config: SandboxConfig
    faults: FaultBook = field(default_factory=FaultBook)
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Contract calls received, oldest first (the control API's calls are not in it)."""
    webhooks: WebhookSender = field(default_factory=WebhookSender)
    initial_config: SandboxConfig = field(default_factory=SandboxConfig)

    def reset(self) -> None:
        """Back to how it started: no orders, faults, log or clock offset; the first config."""
        self.config.restore(self.initial_config)
        self.clock.reset()
        self.faults.clear()
        self.requests.clear()
        self.webhooks.clear()
        self.state.reset()

    def control(self, http: httpx.AsyncClient) -> SandboxControl:
        return SandboxControl(self.url, http)


SANDBOX_KEY = web.AppKey("sms4sats_sandbox", Sms4SatsSandbox)


def sandbox_of(request: web.Request) -> Sms4SatsSandbox:
    return request.app[SANDBOX_KEY]


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def reply(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def parse_json_bytes(raw: bytes) -> Any:
    """The decoded body; None when there is none. Raises InvalidRequest when it is not JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidRequest("Invalid JSON body") from None


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object; an empty body counts as {}."""
    body = parse_json_bytes(await request.read())
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object")
    return body


def query_param(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "").strip()
    return value or None


def api_key(request: web.Request) -> str | None:
    return request.headers.get(API_KEY_HEADER, "").strip() or None


def require_api_key(request: web.Request) -> str:
    key = api_key(request)
    if key is None:
        raise InvalidRequest(API_KEY_MISSING)
    return key


_TRUE_TEXTS = frozenset({"true", "1", "yes"})
_FALSE_TEXTS = frozenset({"false", "0", "no", ""})


def flag(body: dict[str, Any], name: str) -> bool:
    """A boolean field, read leniently: JSON booleans, 0/1 and "true"/"false"."""
    value = body.get(name)
    if value is None or value is False or value is True:
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in _TRUE_TEXTS | _FALSE_TEXTS:
        return value.strip().casefold() in _TRUE_TEXTS
    raise InvalidRequest(f"{name} must be true or false")


def optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be a string")
    return value.strip() or None
