"""One lock per key while it is in use, and none kept for keys nobody uses any more."""

from __future__ import annotations

import gc

from bot.core.engine.keyed_locks import KeyedLocks


async def test_a_key_has_one_lock_while_it_is_in_use() -> None:
    locks = KeyedLocks[int]()
    first = locks(7)
    async with first:
        assert locks(7) is first and first.locked()
        assert locks(8) is not first and not locks(8).locked()


def test_a_lock_nobody_holds_is_dropped() -> None:
    locks = KeyedLocks[tuple[int, int]]()
    held = locks((1, 2))
    for n in range(1000):
        locks((n, n)).locked()  # made, used, and no longer held by anyone
    gc.collect()
    assert len(locks._locks) == 1 and locks((1, 2)) is held
