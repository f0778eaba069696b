"""The bot's one overall Telegram budget: every call takes a token, the most urgent first."""

from __future__ import annotations

import asyncio

from bot.core.engine.send_budget import Prepaid, SendBudget, call_priority, prepaid_call
from bot.domain.telling import Priority


async def test_waiting_calls_get_tokens_most_urgent_first() -> None:
    budget = SendBudget(overall_per_second=50, overall_burst=1)
    await budget.take_overall()  # the burst is spent: the next calls wait
    served: list[str] = []

    async def call(name: str, priority: Priority) -> None:
        call_priority.set(int(priority))  # as the outbox sets it around a tell
        await budget.take_overall()
        served.append(name)

    calls = [
        asyncio.create_task(call(name, priority))
        for name, priority in [
            ("cosmetic edit", Priority.COSMETIC),
            ("card", Priority.WAITED_FOR),
            ("second card", Priority.WAITED_FOR),
            ("code", Priority.CODE),
        ]
    ]
    await asyncio.sleep(0)  # every call is waiting now
    assert budget.calls_waiting == 4
    await asyncio.gather(*calls)
    assert served == ["code", "card", "second card", "cosmetic edit"]


async def test_a_call_cancelled_while_waiting_gives_its_turn_away() -> None:
    budget = SendBudget(overall_per_second=50, overall_burst=1)
    await budget.take_overall()
    gone = asyncio.create_task(budget.take_overall(int(Priority.CODE)))
    later = asyncio.create_task(budget.take_overall(int(Priority.COSMETIC)))
    await asyncio.sleep(0)
    gone.cancel()
    await later
    assert gone.cancelled() and budget.calls_waiting == 0


async def test_the_token_taken_before_a_tell_pays_its_first_call_only() -> None:
    budget = SendBudget(overall_per_second=50, overall_burst=1)

    async def tell() -> int:
        # The outbox took the tell's token already; the tell's second call (a deletion) waits.
        prepaid_call.set(Prepaid())
        await budget.take_overall()
        waiting_before = budget.calls_waiting
        await budget.take_overall()  # the burst's one token
        third = asyncio.ensure_future(budget.take_overall())
        await asyncio.sleep(0)
        waiting = budget.calls_waiting
        await third
        return waiting_before + waiting

    assert await asyncio.create_task(tell()) == 1
