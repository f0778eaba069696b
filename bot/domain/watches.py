"""A watch: "tell me when it's back", for one person, one service, one country (or anywhere).

The rules: at most `MAX_WATCHES` at once per person, each for `WATCH_LASTS` seconds, told once.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_WATCHES = 5
WATCH_LASTS = 24 * 3600.0
"""A day: long enough for stock to come back, short enough that the answer is still wanted."""


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    user_id: int
    chat_id: int
    country_code: int
    """The country watched; Auto-Select (999) for the service anywhere."""
    service_code: str
    service_name: str | None
    """sms4sats' raw name when it was set (for the display name), if known."""
    created_at: float
    expires_at: float
