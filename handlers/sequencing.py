"""A person's updates in order, different people's at the same time, and no chat hogging it all.

PTB's ConversationHandler assumes one person's updates are handled one after another; with
`concurrent_updates` they are not, so "/send", a number and a text arriving in one batch raced.
This update processor (PTB's extension point for it) runs the updates of one (chat, user) in
arrival order and everyone else's concurrently. A chat with too many updates waiting (a group
flooding the bot, a person pasting a burst) has the excess skipped, so its backlog never holds
what other chats need; nothing is skipped silently: a skipped button press is answered at once,
and once the chat's backlog is worked off it is told how many messages were skipped.
`/cancel` interrupts a handler of the same person that waits on sms4sats inside
`interruptible`, so leaving never waits for a hanging call.

With several instances on one database (PostgreSQL), a person's next update may reach another
instance: `share_with` adds a lock the instances share (an advisory lock per (chat, user)),
held around each update after the in-process one, so their updates are still handled one
after the other. The in-process lock stays first: an instance waits for the shared lock with
one update per person, never one per update.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor, ContextTypes

from handlers.context import person_of

log = logging.getLogger(__name__)

# Updates in flight at once, waiting ones included. Waiting costs nothing but memory, and the
# per-chat cap below bounds that, so this is high: a busy chat must never use up the slots.
MAX_UPDATES_IN_FLIGHT = 4096
MAX_WAITING_PER_CHAT = 10

# Tells a chat what was skipped: a button press at once (0), messages once its backlog is done.
Overflow = Callable[[Update, int], Awaitable[None]]
Person = tuple[int, int]
SharedLock = Callable[[Person], AbstractAsyncContextManager[None]]


class PersonSequencer(BaseUpdateProcessor):
    def __init__(
        self,
        on_overflow: Overflow | None = None,
        *,
        max_waiting_per_chat: int = MAX_WAITING_PER_CHAT,
    ) -> None:
        super().__init__(max_concurrent_updates=MAX_UPDATES_IN_FLIGHT)
        self._on_overflow = on_overflow
        self._max_waiting = max_waiting_per_chat
        self._locks: dict[Person, asyncio.Lock] = {}
        self._users: Counter[Person] = Counter()
        self._waiting: Counter[int] = Counter()
        # Per chat with a backlog: how many messages were skipped, and the newest of them.
        self._skipped: dict[int, tuple[int, Update]] = {}
        self._running: dict[Person, asyncio.Task[Any]] = {}
        self._interruptible: set[Person] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._shared: SharedLock | None = None

    def share_with(self, lock: SharedLock) -> None:
        """Also hold `lock(person)`, which other instances hold too, while handling an update."""
        self._shared = lock

    async def initialize(self) -> None:
        """Nothing to set up: the state lives in memory for the process's lifetime."""

    async def shutdown(self) -> None:
        for task in list(self._background):
            task.cancel()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = person_of(update)
        if person is None:
            await coroutine
            return
        chat_id = person[0]
        if self._waiting[chat_id] >= self._max_waiting:
            self._drop(update, coroutine, chat_id)
            return
        if _is_cancel(update):
            self._interrupt(person)
        self._waiting[chat_id] += 1
        self._users[person] += 1
        lock = self._locks.setdefault(person, asyncio.Lock())
        try:
            # asyncio.Lock wakes its waiters first come, first served: arrival order.
            async with lock:
                if self._shared is None:
                    await self._run(person, coroutine)
                else:
                    async with self._shared(person):
                        await self._run(person, coroutine)
        finally:
            self._users[person] -= 1
            if not self._users[person]:
                del self._users[person], self._locks[person]
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:
                del self._waiting[chat_id]
                if (skipped := self._skipped.pop(chat_id, None)) is not None:
                    count, newest = skipped
                    self._tell_overflow(newest, count)

    async def _run(self, person: Person, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._running[person] = task
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the bot is stopping
            log.info("An update of chat %d was interrupted by /cancel", person[0])
        finally:
            self._running.pop(person, None)
            self._interruptible.discard(person)

    def _interrupt(self, person: Person) -> None:
        task = self._running.get(person)
        if task is not None and person in self._interruptible:
            task.cancel()

    @asynccontextmanager
    async def interruptible(self, update: Update) -> AsyncIterator[None]:
        """Within this block, the person's /cancel stops the handler (it is waiting, not
        writing: nothing is half done when it stops)."""
        person = person_of(update)
        if person is None:
            yield
            return
        self._interruptible.add(person)
        try:
            yield
        finally:
            self._interruptible.discard(person)

    def _drop(self, update: object, coroutine: Awaitable[Any], chat_id: int) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()
        log.info("Chat %d has too many updates waiting; one was skipped", chat_id)
        if self._on_overflow is None or not isinstance(update, Update):
            return
        if update.callback_query is not None:
            # A press is answered now: its little notice cannot wait for the backlog.
            self._tell_overflow(update, 0)
            return
        count, _ = self._skipped.get(chat_id, (0, update))
        self._skipped[chat_id] = (count + 1, update)

    def _tell_overflow(self, update: Update, skipped: int) -> None:
        assert self._on_overflow is not None
        task = asyncio.get_running_loop().create_task(self._run_overflow(update, skipped))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _run_overflow(self, update: Update, skipped: int) -> None:
        assert self._on_overflow is not None
        try:
            await self._on_overflow(update, skipped)
        except Exception as error:
            # Given up: the note about skipped messages failed like the answers it stands for
            # would have (Telegram down for over a minute); the log keeps the count.
            log.info("Could not tell chat about %d skipped updates: %s", skipped, error)


def _is_cancel(update: object) -> bool:
    if not isinstance(update, Update) or update.effective_message is None:
        return False
    text = (update.effective_message.text or "").strip()
    return text == "/cancel" or text.startswith(("/cancel@", "/cancel "))


@asynccontextmanager
async def interruptible(context: ContextTypes.DEFAULT_TYPE, update: Update) -> AsyncIterator[None]:
    """`PersonSequencer.interruptible` when the bot runs with it (always, but for unit tests)."""
    processor = context.application.update_processor
    if isinstance(processor, PersonSequencer):
        async with processor.interruptible(update):
            yield
    else:
        yield
