"""/send, one SMS to a phone number: its typed steps (number, then message), the draft they
build, and paying for it.

The steps and drafts live in the database, per person (not in one process's memory): after a
restart, or at another instance, the person's next message is still read as the step it
answers. A confirmation's buttons name its draft, so an old or foreign keyboard can never send
someone else's SMS, and a confirmation survives a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from enum import Enum

from bot.core.admins import AdminDirectory
from bot.core.catalog import Catalog
from bot.core.placement import Confirmation, OrderPlacement, Outcome, SendRequest
from bot.domain.clock import Clock
from bot.domain.drafts import MAX_SMS_LENGTH, Draft
from bot.domain.orders import Order
from bot.domain.phones import InvalidPhoneNumber, PhoneProblem, normalize_phone
from bot.domain.sms4sats_terms import Sms4SatsError
from bot.sms4sats import Sms4SatsClient
from storage import ConversationStore, DraftStore, OrderStore

PHONE, MESSAGE = "phone", "message"
# A step left alone this long ends, and the person is told.
CONVERSATION_TIMEOUT = 600.0

Person = tuple[int, int]
"""(chat, user)."""


@dataclass(frozen=True, slots=True)
class AskMessage:
    """The number is good: the person's next message is the SMS's text."""

    phone: str


@dataclass(frozen=True, slots=True)
class BadPhone:
    problem: PhoneProblem


@dataclass(frozen=True, slots=True)
class AskPhone:
    """No number on record (it timed out or was dropped): asked again."""


@dataclass(frozen=True, slots=True)
class BadMessage:
    """Empty, or longer than one SMS (`length` characters)."""

    length: int


@dataclass(frozen=True, slots=True)
class NoPrice:
    """sms4sats could not be asked (`error`), or has no price for an SMS now (None)."""

    error: Sms4SatsError | None


@dataclass(frozen=True, slots=True)
class Confirm:
    """The draft is complete: to confirm at `draft.price`, from the balance too when allowed."""

    draft: Draft
    balance_allowed: bool


class Barred(Enum):
    ADMINS_ONLY = "admins-only"
    NO_API_KEY = "no-api-key"
    DRAFT_GONE = "draft-gone"
    NOT_YOURS = "not-yours"


@dataclass(frozen=True, slots=True)
class AlreadyPlaced:
    """A second tap on a used confirmation: its order, nothing placed."""

    order: Order


@dataclass(frozen=True, slots=True)
class Paying:
    """What placing the draft came to, and whether a retry may offer the balance."""

    outcome: Outcome
    draft: Draft
    balance_allowed: bool


Waiting = Callable[[], AbstractAsyncContextManager[object]]
"""Wraps a wait on sms4sats (the Telegram layer lets the person's /cancel stop it there)."""


class SendDesk:
    def __init__(
        self,
        conversations: ConversationStore,
        drafts: DraftStore,
        orders: OrderStore,
        catalog: Catalog,
        admins: AdminDirectory,
        sms4sats: Sms4SatsClient,
        placement: OrderPlacement,
        clock: Clock,
    ) -> None:
        self._conversations = conversations
        self._drafts = drafts
        self._orders = orders
        self._catalog = catalog
        self._admins = admins
        self._sms4sats = sms4sats
        self._placement = placement
        self._clock = clock

    async def may_send(self, user_id: int, *, private: bool) -> bool:
        """Anyone may /send in a private chat; in a group only admins, checked at every step."""
        return private or await self._admins.is_admin(user_id)

    async def begin(self, person: Person) -> None:
        """/send: any unfinished draft dropped; the next message is the phone number."""
        await self._drafts.drop_unfinished(*person)
        await self._at(person, PHONE)

    async def step_of(self, person: Person) -> str | None:
        """The step the person's next message answers (PHONE or MESSAGE), or None."""
        return await self._conversations.step_of(*person)

    async def end(self, person: Person) -> bool:
        """End the person's /send if a step is open; whether one was. Every command passes
        here, so the common case (nothing open) costs one indexed read, no write."""
        if await self._conversations.step_of(*person) is None:
            return False
        await self._drafts.drop_unfinished(*person)
        return await self._conversations.end(*person)

    async def _at(self, person: Person, step: str) -> None:
        """The person's next message answers `step` (for the next CONVERSATION_TIMEOUT)."""
        await self._conversations.begin(*person, step, CONVERSATION_TIMEOUT)

    async def phone_typed(self, person: Person, text: str) -> AskMessage | BadPhone:
        try:
            phone = normalize_phone(text)
        except InvalidPhoneNumber as error:
            await self._at(person, PHONE)
            return BadPhone(error.problem)
        await self._drafts.start(*person, phone)
        await self._at(person, MESSAGE)
        return AskMessage(phone)

    async def message_typed(
        self, person: Person, text: str, *, waiting: Waiting = nullcontext
    ) -> Confirm | AskPhone | BadMessage | NoPrice:
        draft = await self._drafts.unfinished(*person)
        if draft is None:
            await self._at(person, PHONE)
            return AskPhone()
        text = text.strip()
        if not text or len(text) > MAX_SMS_LENGTH:
            await self._at(person, MESSAGE)
            return BadMessage(len(text))
        try:
            # Waiting on sms4sats writes nothing: the person's /cancel may stop it here.
            async with waiting():
                price = await self._catalog.send_price()
        except Sms4SatsError as error:
            await self._at(person, MESSAGE)
            return NoPrice(error)
        if not price:
            await self._at(person, MESSAGE)
            return NoPrice(None)
        draft = await self._drafts.finish(draft, text, price)
        await self._conversations.end(*person)
        return Confirm(draft, await self.balance_allowed(person[1]))

    async def balance_allowed(self, user_id: int) -> bool:
        """Whether the person may pay from the operator's balance (an admin, with a key)."""
        return self._sms4sats.has_api_key and await self._admins.is_admin(user_id)

    async def timed_out(self) -> list[int]:
        """Steps left alone past CONVERSATION_TIMEOUT, ended: the chats to tell. Only the
        instance whose delete took the row has it here, so nobody is told twice."""
        chats = []
        for chat_id, user_id in await self._conversations.timed_out():
            if not await self._conversations.end_timed_out(chat_id, user_id):
                continue
            await self._drafts.drop_unfinished(chat_id, user_id)
            chats.append(chat_id)
        return chats

    async def draft(self, draft_id: int, chat_id: int, presser: int) -> Draft | Barred:
        """The draft a button names, if it is the presser's and was confirmed in this chat."""
        draft = await self._drafts.get(draft_id)
        if draft is None or draft.chat_id != chat_id:
            return Barred.DRAFT_GONE
        if draft.user_id != presser:
            return Barred.NOT_YOURS
        return draft

    async def may_pay(
        self, presser: int, where: Confirmation, draft_id: int, *, from_balance: bool
    ) -> Draft | AlreadyPlaced | Barred:
        """Whether the confirmation's pay button may place its draft now (nothing placed)."""
        if from_balance and not await self._admins.is_admin(presser):
            return Barred.ADMINS_ONLY
        if from_balance and not self._sms4sats.has_api_key:
            return Barred.NO_API_KEY
        if where.message_id is not None:
            existing = await self._orders.by_origin(where.chat_id, where.message_id)
            if existing is not None:
                return AlreadyPlaced(existing)
        return await self.draft(draft_id, where.chat_id, where.user_id)

    async def pay(self, where: Confirmation, draft: Draft, *, from_balance: bool) -> Paying:
        """Place the draft's SMS order (after `may_pay` said yes)."""
        request = SendRequest(
            phone=draft.phone,
            message=draft.message or "",
            amount=draft.price or 0,
            from_balance=from_balance,
        )
        outcome = await self._placement.place(where, request)
        return Paying(outcome, draft, await self.balance_allowed(where.user_id))

    async def discard(self, draft: Draft) -> None:
        await self._drafts.delete(draft.id)
