"""Everything the sandbox knows, shared by the Bot API side and the user side.

All changes happen on the event loop without awaiting in between, so each request sees and
leaves a consistent state; long polls wait on wake-ups and re-read the state when woken.
"""

import time
from typing import Any

from sandbox.telegram.config import TelegramSandboxConfig
from sandbox.telegram.errors import ApiError, bad_request, forbidden
from sandbox.telegram.flood import FloodControl
from sandbox.telegram.models import (
    ANY_METHOD,
    CallbackRecord,
    Fault,
    MessageContent,
    SandboxChat,
    SandboxUser,
    StoredFile,
    StoredMessage,
    WebhookSettings,
)
from sandbox.telegram.serialize import (
    JsonDict,
    bot_user_json,
    chat_json,
    chat_member_json,
    message_json,
    sandbox_message_view,
)
from sandbox.telegram.waiters import WakeUp, wait_until

# Telegram's default when allowed_updates is empty or was never given.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class SandboxState:
    def __init__(self, config: TelegramSandboxConfig) -> None:
        self.config = config
        self.bot_user: JsonDict = bot_user_json(config)
        self.updates_wakeup = WakeUp()
        self.events_wakeup = WakeUp()
        self.callbacks_wakeup = WakeUp()
        self.closing_wakeup = WakeUp()
        self.flood = FloodControl(config)
        self.closing = False
        # Never reset: a bot keeps its offset and a client its event cursor across a reset.
        self._next_update_id = 1
        self._next_seq = 1
        self._clear()

    def _clear(self) -> None:
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.files: dict[str, StoredFile] = {}
        # Any size's file_id -> the PhotoSize list it belongs to, to resend a photo by file_id.
        self.photos: dict[str, list[JsonDict]] = {}
        # Updates the bot may get now; while holding, new ones wait in held_updates instead.
        self.updates: list[JsonDict] = []
        self.holding_updates = False
        self.held_updates: list[JsonDict] = []
        self.allowed_updates: list[str] = []
        self.webhook: WebhookSettings | None = None
        self.events: list[JsonDict] = []
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # setMyDescription / setMyShortDescription, by (kind, language_code); "" is the default.
        self.descriptions: dict[tuple[str, str], str] = {}
        self.default_menu_button: JsonDict | None = None
        self.faults: list[Fault] = []
        self.calls: list[JsonDict] = []
        self.poll_generation = 0
        self.flood.reset()

    def reset(self) -> None:
        self._clear()
        self.wake_all()

    def close(self) -> None:
        self.closing = True
        self.wake_all()

    def wake_all(self) -> None:
        self.updates_wakeup.notify()
        self.events_wakeup.notify()
        self.callbacks_wakeup.notify()
        self.closing_wakeup.notify()

    @staticmethod
    def now() -> int:
        return int(time.time())

    @property
    def bot_id(self) -> int:
        return self.config.bot_id

    def user_json(self, user_id: int) -> JsonDict | None:
        if user_id == self.bot_id:
            return self.bot_user
        user = self.users.get(user_id)
        return user.to_json() if user is not None else None

    # Chats as the bot reaches them.

    def chat_for_bot(self, chat_id: int, write: bool) -> SandboxChat:
        """The chat the bot addresses, or the error Telegram gives for it.

        write: sending, editing or acting in the chat, which a user's block forbids.
        """
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id == self.bot_id:
                raise forbidden("bot can't send messages to bots")
            if chat_id in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.is_group:
            if chat.bot_status == "kicked":
                raise forbidden("bot was kicked from the group chat")
            if chat.bot_status == "left":
                raise forbidden("bot is not a member of the group chat")
        elif write and chat.bot_status == "kicked":
            raise forbidden("bot was blocked by the user")
        return chat

    def add_message(
        self,
        chat: SandboxChat,
        from_bot: bool,
        from_id: int,
        content: MessageContent,
        reply_to: int | None = None,
    ) -> StoredMessage:
        message = StoredMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            from_bot=from_bot,
            from_id=from_id,
            date=self.now(),
            content=content,
            reply_to_message_id=reply_to,
        )
        chat.messages[message.message_id] = message
        return message

    def message_json(self, message: StoredMessage) -> JsonDict:
        return message_json(message, self.chats[message.chat_id], self.users, self.bot_user)

    # Updates for the bot.

    def update_allowed(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _OPT_IN_UPDATES

    def push_update(self, kind: str, payload: JsonDict) -> bool:
        """Queues an update unless allowed_updates excludes its kind (decided when it happens)."""
        if not self.update_allowed(kind):
            return False
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if self.holding_updates:
            self.held_updates.append(update)
            return True
        self.updates.append(update)
        self.updates_wakeup.notify()
        return True

    def hold_updates(self) -> None:
        """New updates wait, unseen by getUpdates and the webhook, until release_updates()."""
        self.holding_updates = True

    def release_updates(self) -> int:
        """Makes every held update visible at once, so one getUpdates answer brings them all."""
        released = len(self.held_updates)
        self.updates.extend(self.held_updates)
        self.held_updates = []
        self.holding_updates = False
        self.updates_wakeup.notify()
        return released

    def confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def push_my_chat_member(
        self, chat: SandboxChat, actor: JsonDict, old_status: str, new_status: str
    ) -> None:
        self.push_update(
            "my_chat_member",
            {
                "chat": chat_json(chat, self.users),
                "from": actor,
                "date": self.now(),
                "old_chat_member": chat_member_json(self.bot_user, old_status),
                "new_chat_member": chat_member_json(self.bot_user, new_status),
            },
        )

    # Events for the user side.

    def push_event(
        self,
        kind: str,
        chat_id: int,
        message: StoredMessage | None = None,
        message_id: int | None = None,
        **extra: Any,
    ) -> JsonDict:
        event: JsonDict = {
            "seq": self._next_seq,
            "type": kind,
            "chat_id": chat_id,
            "message_id": message.message_id if message is not None else message_id,
            "message": sandbox_message_view(message) if message is not None else None,
            **extra,
        }
        self._next_seq += 1
        self.events.append(event)
        self.events_wakeup.notify()
        return event

    @property
    def last_seq(self) -> int:
        return self._next_seq - 1

    # Faults injected by tests.

    def take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        """The first injected fault matching the call, counted as used; None if none matches."""
        for fault in self.faults:
            if fault.method not in (ANY_METHOD, method.lower()):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.faults.remove(fault)
            return fault
        return None

    @staticmethod
    def fault_error(fault: Fault) -> ApiError | None:
        """The error a fault answers with; None for a late answer to a performed call."""
        if fault.error_code is None:
            return None
        retry_after = fault.retry_after if fault.error_code == 429 else None
        return ApiError(fault.error_code, fault.description, retry_after)

    async def sleep(self, seconds: float) -> None:
        """Waits `seconds`, or less when the sandbox shuts down (late answers end then)."""
        await wait_until(self.closing_wakeup, lambda: None, seconds, stop=lambda: self.closing)
