"""Reading a rental's SMS and end time out of sms4sats' `/orderstatus`, leniently.

How a rental with several SMS shows up there is not documented anywhere public (no client
creates rentals), so every shape that is plausible is read, and one that is not is logged once,
by its key names only (values may be codes, numbers or texts):

- `code` (a number or a string) is the newest SMS;
- lists under `messages`, `sms`, `smsList`, `values` or `codes`, of strings or of objects with
  `code`, `text`, `sms` or `message`, and an optional time (`date`, `timestamp`, `receivedAt`);
- the end under `endDate`, `expiresAt`, `rentEnd`, `until` or `expires`, in milliseconds,
  seconds or ISO 8601.

The same SMS seen twice (the newest `code` repeating an entry of a list) counts once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from bot.domain.remote import ReceivedSms

log = logging.getLogger(__name__)

LIST_KEYS: Final = ("messages", "sms", "smsList", "values", "codes")
TEXT_KEYS: Final = ("text", "sms", "message", "code")
TIME_KEYS: Final = ("date", "timestamp", "receivedAt")
END_KEYS: Final = ("endDate", "expiresAt", "rentEnd", "until", "expires")
# Documented for receive and send orders; present in a rental's status without saying more.
KNOWN_KEYS: Final = frozenset(
    {"status", "paid", "code", "id", "number", "timestamp", "country", "service", "error",
     "smsStatus", "reason", *LIST_KEYS, *END_KEYS}
)  # fmt: skip
ITEM_KEYS: Final = frozenset({*TEXT_KEYS, *TIME_KEYS, "id", "from", "sender"})

# A code inside an SMS text: 4 to 8 digits, maybe split once by a dash or a space ("123-456").
_CODE_IN_TEXT = re.compile(r"(?<![\d])(\d{3,4}[- ]\d{3,4}|\d{4,8})(?![\d])")
# Times above this are milliseconds (it is 1973 in ms, the year 5138 in seconds).
_MS_FROM: Final = 100_000_000_000

_reported: set[tuple[str, ...]] = set()


@dataclass(frozen=True, slots=True)
class RentalStatus:
    messages: tuple[ReceivedSms, ...]
    """Oldest first; the same SMS once."""
    ends_at: float | None


def parse_rental(data: Mapping[str, Any]) -> RentalStatus:
    """The SMS and end time of a status body (any kind's: a receive order has no list)."""
    unknown = False
    messages: list[ReceivedSms] = []
    for key in LIST_KEYS:
        if key not in data:
            continue
        items = data[key]
        if isinstance(items, str | int) and not isinstance(items, bool):
            items = [items]  # one SMS where a list was expected
        if not isinstance(items, list):
            unknown = True
            continue
        for item in items:
            sms = _sms(item)
            if sms is None:
                unknown = True
            else:
                messages.append(sms)
    messages.sort(key=lambda sms: (sms.received_at is None, sms.received_at or 0.0))
    newest = _code_value(data.get("code"))
    if newest is not None and not any(_holds(sms, newest) for sms in messages):
        messages.append(ReceivedSms(newest, newest))
    ends_at = None
    for key in END_KEYS:
        if data.get(key) not in (None, ""):
            ends_at = moment(data[key])
            unknown = unknown or ends_at is None
            if ends_at is not None:
                break
    if unknown or set(data) - KNOWN_KEYS:
        _report_unknown(data)
    return RentalStatus(tuple(_once(messages)), ends_at)


def moment(value: Any) -> float | None:
    """Seconds since the epoch from milliseconds, seconds, or an ISO 8601 text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) / 1000 if value >= _MS_FROM else float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return moment(float(text))
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    return None


def code_in(text: str) -> str | None:
    """The code an SMS text carries, if one is recognisable ("Your code is 123-456")."""
    found = _CODE_IN_TEXT.search(text)
    return found.group(1).replace(" ", "").replace("-", "") if found else None


def _sms(item: Any) -> ReceivedSms | None:
    if isinstance(item, dict):
        text = next((t for k in TEXT_KEYS if (t := _code_value(item.get(k))) is not None), None)
        if text is None:
            return None
        explicit = _code_value(item.get("code"))
        code = _bare(explicit) or code_in(explicit or "") or code_in(text)
        when = next((m for k in TIME_KEYS if (m := moment(item.get(k))) is not None), None)
        if set(item) - ITEM_KEYS:
            _report_unknown(item)
        return ReceivedSms(text, code, when)
    text = _code_value(item)
    if text is None:
        return None
    # A bare string is a code when it looks like one ("48010", "G-123456"), else a text.
    return ReceivedSms(text, code_in(text) or _bare(text))


def _bare(text: str | None) -> str | None:
    """`text` itself when it is nothing but a code ("048213", "G-123456")."""
    return text if text is not None and re.fullmatch(r"[\w-]{1,12}", text) else None


def _code_value(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _holds(sms: ReceivedSms, code: str) -> bool:
    return sms.code == code or sms.text == code


def _once(messages: list[ReceivedSms]) -> list[ReceivedSms]:
    seen: set[str] = set()
    kept = []
    for sms in messages:
        if sms.key not in seen:
            seen.add(sms.key)
            kept.append(sms)
    return kept


def _report_unknown(data: Mapping[str, Any]) -> None:
    names = tuple(sorted(str(key) for key in data))
    if names not in _reported:
        _reported.add(names)
        # Key names only: the values may be codes, phone numbers or SMS texts.
        log.warning("sms4sats sent a rental status of an unknown shape; keys: %s", names)
