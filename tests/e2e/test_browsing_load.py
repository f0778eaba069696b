"""The load sms4sats sees while 50 people browse at once: bounded by BROWSE_REQUESTS_PER_SECOND.

Fifty people page through the pickers at the same time (service first, a service's countries and
their next page, a country found by name and its services) through the real bot and both
stand-ins, with the background refresh on and the default budget of 2 requests a second. The
requests sms4sats gets for browsing (`/getnumbersstatus`, `/price`) are counted over the window.

`BROWSING_LOAD_PEOPLE=50 BROWSING_LOAD_SECONDS=60 pytest -s tests/e2e/test_browsing_load.py`
measures fifty people for a full minute and prints the figures (requests per minute, page
answer times). The suite runs eight people for a few seconds: they already ask for more than
the budget allows (the test checks that they used it up), which is what it is about, at a
fraction of the cost.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time

from bot.config import DEFAULT_BROWSE_REQUESTS_PER_SECOND
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import Stack

PEOPLE = int(os.environ.get("BROWSING_LOAD_PEOPLE", "8"))
FIRST_PERSON = 30000
SECONDS = float(os.environ.get("BROWSING_LOAD_SECONDS", "4"))
BROWSING = ("/getnumbersstatus", "/price")
COUNTRIES = (
    "Germany", "France", "Brazil", "Mexico", "Kenya", "Vietnam", "Chile", "Peru", "Ghana",
    "Nepal", "Egypt", "Morocco", "Italy", "Spain", "Poland", "Canada", "Nigeria", "Laos",
    "Estonia", "Portugal", "Colombia", "Malaysia", "Thailand", "Kazakhstan", "Georgia",
)  # fmt: skip


# Fifty people at once meet Telegram's own limits (about 30 messages a second for the whole bot,
# which the sandbox keeps like Telegram): answers may queue there for a while.
PATIENCE = 60.0


async def _press(
    stack: Stack, user: int, message: ChatMessage, label: str, needle: str, times: list[float]
) -> ChatMessage:
    started = time.monotonic()
    await stack.telegram.press(user, message, label, timeout=PATIENCE)
    answer = await stack.after(message, needle, inclusive=True, timeout=PATIENCE)
    times.append(time.monotonic() - started)
    return answer


async def _ask(stack: Stack, user: int, text: str, needle: str, times: list[float]) -> ChatMessage:
    started = time.monotonic()
    sent = await stack.telegram.send(user, text)
    answer = await stack.after(sent, needle, timeout=PATIENCE)
    times.append(time.monotonic() - started)
    return answer


async def _browse(stack: Stack, user: int, until: float, times: list[float]) -> None:
    rng = random.Random(user)
    # People do not all start in the same second.
    await asyncio.sleep(rng.uniform(0, 3))
    while time.monotonic() < until:
        picker = await _ask(stack, user, "/buy", "Pick a country", times)
        services = await _press(stack, user, picker, "Service first", "Pick a service", times)
        service = rng.choice([b.text for b in services.buttons[:8]])
        countries = await _press(stack, user, services, service, ": ", times)
        if any(b.text == "Next ›" for b in countries.buttons):
            await _press(stack, user, countries, "Next ›", "Page 2", times)
        await _ask(stack, user, "/buy", "Pick a country", times)
        found = await _ask(stack, user, rng.choice(COUNTRIES), "matching", times)
        await _press(stack, user, found, found.buttons[0].text, "in ", times)


async def test_a_crowd_browsing_stays_within_the_budget(stack: Stack) -> None:
    await stack.reconfigure(
        browse_refresh=True, browse_requests_per_second=DEFAULT_BROWSE_REQUESTS_PER_SECOND
    )
    for n in range(PEOPLE):
        await stack.user(FIRST_PERSON + n)
    before = len(stack.sms4sats_sandbox.requests)
    started = time.monotonic()
    times: list[float] = []
    until = started + SECONDS
    await asyncio.gather(*(_browse(stack, FIRST_PERSON + n, until, times) for n in range(PEOPLE)))
    elapsed = time.monotonic() - started
    asked = [r for r in stack.sms4sats_sandbox.requests[before:] if r["path"] in BROWSING]
    per_minute = len(asked) / elapsed * 60
    times.sort()
    print(  # the figures of the measurement (pytest -s shows them)
        f"\n{PEOPLE} people browsing for {elapsed:.0f} s: {len(times)} pages, "
        f"{len(asked)} browsing requests to sms4sats = {per_minute:.0f}/min "
        f"(budget {DEFAULT_BROWSE_REQUESTS_PER_SECOND * 60:.0f}/min); page answer times: "
        f"median {statistics.median(times):.2f} s, "
        f"95th percentile {times[int(len(times) * 0.95)]:.2f} s"
    )
    # The budget holds, however many people browse (one slot of slack for the window's edges)...
    assert len(asked) <= DEFAULT_BROWSE_REQUESTS_PER_SECOND * elapsed + 1
    # ...and it is what held them back: they asked for more than it allows, so it was used up
    # (not in full: the last pages of a round may all be answered from the cache).
    assert len(asked) >= DEFAULT_BROWSE_REQUESTS_PER_SECOND * elapsed * 0.6
    assert len(times) > PEOPLE  # everyone got pages
