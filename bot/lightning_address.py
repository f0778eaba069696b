"""Resolving a Lightning Address (LUD-16) to its LNURL-pay request (LUD-06).

sms4sats pays the referral (SMS4SATS_REF) to this address: one that does not resolve loses
every payment without a word, so `python -m bot check` and the bot's start both try it.

The URL is always https, as the spec requires; tests reach a local stand-in by handing in an
httpx client whose transport routes the domain to loopback, never by loosening this rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

TIMEOUT = httpx.Timeout(5.0)
# An answer larger than this is not a payRequest.
MAX_ANSWER_BYTES = 64 * 1024


class AddressUnresolved(Exception):
    """The address does not lead to a usable payRequest; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class PayRequest:
    callback: str
    min_sendable_msat: int
    max_sendable_msat: int


def lnurlp_url(address: str) -> str:
    """`user@domain` → https://domain/.well-known/lnurlp/user."""
    user, _, domain = address.partition("@")
    if not user or not domain:
        raise AddressUnresolved(f"{address!r} is not a Lightning Address (name@domain)")
    return f"https://{domain.lower()}/.well-known/lnurlp/{user}"


async def resolve(address: str, http: httpx.AsyncClient) -> PayRequest:
    url = lnurlp_url(address)
    try:
        response = await http.get(
            url, timeout=TIMEOUT, follow_redirects=False, headers={"Accept": "application/json"}
        )
    except httpx.TimeoutException:
        raise AddressUnresolved(f"{url} did not answer within {TIMEOUT.read:.0f} s") from None
    except httpx.HTTPError as error:
        raise AddressUnresolved(f"cannot reach {url} ({type(error).__name__})") from None
    if response.status_code != 200:
        raise AddressUnresolved(f"{url} answered HTTP {response.status_code}")
    if len(response.content) > MAX_ANSWER_BYTES:
        raise AddressUnresolved(f"{url} answered {len(response.content)} bytes, not a payRequest")
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AddressUnresolved(f"{url} answered something that is not JSON") from None
    return _pay_request(url, data)


def _pay_request(url: str, data: object) -> PayRequest:
    if not isinstance(data, dict):
        raise AddressUnresolved(f"{url} answered JSON that is not a payRequest")
    if str(data.get("status", "")).upper() == "ERROR":
        reason = " ".join(str(data.get("reason") or "no reason given").split())[:200]
        raise AddressUnresolved(f"{url} answered an error: {reason}")
    if data.get("tag") != "payRequest":
        raise AddressUnresolved(f"{url} answered tag {data.get('tag')!r}, not payRequest")
    callback = data.get("callback")
    parts = urlsplit(callback) if isinstance(callback, str) else None
    if parts is None or parts.scheme != "https" or not parts.netloc:
        raise AddressUnresolved(f"{url} answered a payRequest without an https callback")
    low, high = data.get("minSendable"), data.get("maxSendable")
    if not (isinstance(low, int) and isinstance(high, int) and 0 < low <= high):
        raise AddressUnresolved(
            f"{url} answered a payRequest without sendable amounts (minSendable, maxSendable)"
        )
    assert isinstance(callback, str)
    return PayRequest(callback, low, high)
