"""What people do on the other side of the bot: write, press buttons, block it, run groups.

Each action changes the state and queues the update Telegram would give the bot.
"""

import bisect
import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import Any

from sandbox.telegram.errors import ApiError, SandboxError
from sandbox.telegram.methods import canonical_name
from sandbox.telegram.methods_settings import commands_for
from sandbox.telegram.models import (
    ANY_METHOD,
    BOT_STATUSES,
    BotStatus,
    CallbackRecord,
    Fault,
    MessageContent,
    SandboxChat,
    SandboxUser,
    StoredFile,
)
from sandbox.telegram.serialize import JsonDict, sandbox_message_view
from sandbox.telegram.state import SandboxState
from sandbox.telegram.text_entities import Entity, utf16_len
from sandbox.telegram.waiters import wait_until

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
# Usernames have 4 to 32 characters (4 only for collectible ones); create_user accepts the same.
_MENTION = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{4,32}(?![A-Za-z0-9_])")
# Late answers wait at most this long (seconds): longer than any HTTP client's read timeout.
MAX_FAULT_DELAY = 600.0
_DEFAULT_FAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def _field(body: Mapping[str, Any], name: str, kind: type, required: bool = True) -> Any:
    value = body.get(name)
    if value is None:
        if required:
            raise SandboxError(400, f"'{name}' is required")
        return None
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise SandboxError(400, f"'{name}' must be an integer")
    if not isinstance(value, kind):
        raise SandboxError(400, f"'{name}' must be of type {kind.__name__}")
    return value


def _int_list(body: Mapping[str, Any], name: str) -> list[int]:
    values = body.get(name) or []
    if not isinstance(values, list) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in values
    ):
        raise SandboxError(400, f"'{name}' must be a list of user ids")
    return list(values)


def _user(state: SandboxState, user_id: int) -> SandboxUser:
    user = state.users.get(user_id)
    if user is None:
        raise SandboxError(404, f"no user {user_id}; create it with POST /__sandbox/users")
    return user


def _group(state: SandboxState, group_id: int) -> SandboxChat:
    chat = state.chats.get(group_id)
    if chat is None or not chat.is_group:
        raise SandboxError(404, f"no group {group_id}; create it with POST /__sandbox/groups")
    return chat


def _private_chat(state: SandboxState, user: SandboxUser) -> SandboxChat:
    chat = state.chats.get(user.id)
    if chat is None:
        chat = SandboxChat(id=user.id, type="private", user_id=user.id)
        state.chats[user.id] = chat
    return chat


def group_json(chat: SandboxChat) -> JsonDict:
    return {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title,
        "owner": chat.owner_id,
        "admins": sorted(chat.admins),
        "members": sorted(chat.members),
        "bot_status": chat.bot_status,
    }


def create_user(state: SandboxState, body: Mapping[str, Any]) -> JsonDict:
    user_id = _field(body, "id", int)
    if user_id <= 0 or user_id == state.bot_id:
        raise SandboxError(400, "'id' must be a positive user id other than the bot's")
    first_name = _field(body, "first_name", str)
    if not first_name.strip():
        raise SandboxError(400, "'first_name' must not be empty")
    username = _field(body, "username", str, required=False)
    if username is not None and not re.fullmatch(r"[A-Za-z0-9_]{4,32}", username):
        raise SandboxError(400, f"not a valid username: {username!r}")
    user = SandboxUser(
        id=user_id,
        first_name=first_name,
        username=username,
        language_code=_field(body, "language_code", str, required=False),
    )
    state.users[user_id] = user
    return user.to_json()


def set_blocked(state: SandboxState, user_id: int, blocked: bool) -> JsonDict:
    user = _user(state, user_id)
    chat = _private_chat(state, user)
    new_status: BotStatus = "kicked" if blocked else "member"
    if chat.bot_status != new_status:
        old_status = chat.bot_status
        chat.bot_status = new_status
        state.push_my_chat_member(chat, user.to_json(), old_status, new_status)
    return {"user_id": user_id, "blocked": blocked}


def _check_users(state: SandboxState, user_ids: list[int]) -> None:
    for user_id in user_ids:
        _user(state, user_id)


def create_group(state: SandboxState, body: Mapping[str, Any]) -> JsonDict:
    group_id = _field(body, "id", int)
    if group_id >= 0:
        raise SandboxError(400, "group ids are negative, e.g. -1001234567890")
    if group_id in state.chats:
        raise SandboxError(409, f"group {group_id} already exists")
    title = _field(body, "title", str)
    owner = _field(body, "owner", int)
    admins = set(_int_list(body, "admins")) - {owner}
    members = set(_int_list(body, "members")) - admins - {owner}
    _check_users(state, [owner, *admins, *members])
    bot_status = body.get("bot_status", "member")
    if bot_status not in ("member", "administrator"):
        raise SandboxError(400, "'bot_status' must be 'member' or 'administrator'")
    chat = SandboxChat(
        id=group_id,
        type="supergroup",
        title=title,
        owner_id=owner,
        admins=admins,
        members=members,
        bot_status="left",
    )
    state.chats[group_id] = chat
    _change_bot_status(state, chat, bot_status, owner)
    return group_json(chat)


def _change_bot_status(state: SandboxState, chat: SandboxChat, status: BotStatus, by: int) -> None:
    if chat.bot_status == status:
        return
    old_status = chat.bot_status
    chat.bot_status = status
    state.push_my_chat_member(chat, _user(state, by).to_json(), old_status, status)


def set_bot_membership(state: SandboxState, group_id: int, body: Mapping[str, Any]) -> JsonDict:
    chat = _group(state, group_id)
    status = body.get("status")
    if status not in BOT_STATUSES:
        raise SandboxError(400, f"'status' must be one of {', '.join(BOT_STATUSES)}")
    by = _field(body, "by", int)
    _user(state, by)
    _change_bot_status(state, chat, status, by)
    return group_json(chat)


def set_group_admins(state: SandboxState, group_id: int, body: Mapping[str, Any]) -> JsonDict:
    chat = _group(state, group_id)
    admins = set(_int_list(body, "admins")) - {chat.owner_id}
    _check_users(state, list(admins))
    chat.members = (chat.members | chat.admins) - admins
    chat.admins = admins
    return group_json(chat)


def user_entities(text: str) -> list[Entity]:
    """The entities Telegram's apps attach to what a person types: commands and mentions."""
    entities: list[Entity] = []
    for kind, pattern in (("bot_command", _COMMAND), ("mention", _MENTION)):
        for match in pattern.finditer(text):
            entities.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    entities.sort(key=lambda entity: entity["offset"])
    return entities


def _bot_sees(
    state: SandboxState, chat: SandboxChat, text: str, entities: list[Entity], reply_to: int | None
) -> bool:
    if not chat.is_group:
        return True
    if chat.bot_status not in ("member", "administrator"):
        return False
    # Admin bots get every message in Telegram, privacy mode or not.
    if not state.config.privacy_mode or chat.bot_status == "administrator":
        return True
    replied = chat.messages.get(reply_to or 0)
    if replied is not None and replied.from_bot:
        return True
    username = state.config.bot_username.lower()
    encoded = text.encode("utf-16-le")
    for entity in entities:
        start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
        value = encoded[start:end].decode("utf-16-le").lower()
        if entity["type"] == "bot_command" and entity["offset"] == 0:
            _, _, addressee = value.partition("@")
            if addressee in ("", username):
                return True
        if entity["type"] == "mention" and value == f"@{username}":
            return True
    return False


def user_sends(state: SandboxState, body: Mapping[str, Any]) -> JsonDict:
    user = _user(state, _field(body, "from_id", int))
    chat_id = _field(body, "chat_id", int, required=False)
    text = _field(body, "text", str)
    if not text.strip() or len(text) > 4096:
        raise SandboxError(400, "'text' must have 1 to 4096 characters")
    if chat_id is None or chat_id == user.id:
        chat = _private_chat(state, user)
        if chat.bot_status == "kicked":
            raise SandboxError(409, f"user {user.id} has blocked the bot; unblock it first")
    else:
        chat = _group(state, chat_id)
        if chat.member_status(user.id) == "left":
            raise SandboxError(403, f"user {user.id} is not a member of group {chat_id}")
    reply_to = _field(body, "reply_to_message_id", int, required=False)
    if reply_to is not None:
        replied = chat.messages.get(reply_to)
        if replied is None or replied.deleted:
            raise SandboxError(404, f"no message {reply_to} in chat {chat.id} to reply to")
    entities = user_entities(text)
    message = state.add_message(
        chat, False, user.id, MessageContent(text=text, entities=entities), reply_to
    )
    message_json = state.message_json(message)
    delivered = _bot_sees(state, chat, text, entities, reply_to) and state.push_update(
        "message", message_json
    )
    return {"message": message_json, "delivered": delivered, "view": sandbox_message_view(message)}


def _chat_instance(chat_id: int) -> str:
    digest = hashlib.sha256(f"chat-instance:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big") >> 1)


def press_button(state: SandboxState, body: Mapping[str, Any]) -> JsonDict:
    user = _user(state, _field(body, "from_id", int))
    chat_id = _field(body, "chat_id", int)
    message_id = _field(body, "message_id", int)
    data = _field(body, "data", str)
    if not 1 <= len(data.encode("utf-8")) <= 64:
        raise SandboxError(400, "callback data has 1 to 64 bytes")
    chat = state.chats.get(chat_id)
    if chat is None:
        raise SandboxError(404, f"no chat {chat_id}")
    if chat.is_group:
        if chat.member_status(user.id) == "left":
            raise SandboxError(403, f"user {user.id} is not a member of group {chat_id}")
        if chat.bot_status not in ("member", "administrator"):
            raise SandboxError(409, f"the bot is not in group {chat_id}")
    elif chat.user_id != user.id:
        raise SandboxError(403, f"chat {chat_id} is not user {user.id}'s chat with the bot")
    elif chat.bot_status == "kicked":
        raise SandboxError(409, f"user {user.id} has blocked the bot; unblock it first")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise SandboxError(404, f"no message {message_id} in chat {chat_id}")
    if not message.from_bot:
        raise SandboxError(400, f"message {message_id} is not from the bot")
    record = CallbackRecord(
        id=str(secrets.randbits(63)),
        from_id=user.id,
        chat_id=chat_id,
        message_id=message_id,
        data=data,
    )
    state.callbacks[record.id] = record
    state.push_update(
        "callback_query",
        {
            "id": record.id,
            "from": user.to_json(),
            "message": state.message_json(message),
            "chat_instance": _chat_instance(chat_id),
            "data": data,
        },
    )
    return {"callback_query_id": record.id}


async def callback_answer(state: SandboxState, callback_id: str, seconds: float) -> JsonDict:
    record = state.callbacks.get(callback_id)
    if record is None:
        raise SandboxError(404, f"no callback query {callback_id}")

    def answered() -> CallbackRecord | None:
        return record if record.answered else None

    await wait_until(state.callbacks_wakeup, answered, seconds, stop=lambda: state.closing)
    return record.answer_json()


def chat_messages(state: SandboxState, chat_id: int) -> list[JsonDict]:
    chat = state.chats.get(chat_id)
    if chat is None:
        raise SandboxError(404, f"no chat {chat_id}")
    return [sandbox_message_view(message) for message in chat.messages.values()]


async def events_after(
    state: SandboxState, after: int, seconds: float, limit: int | None
) -> JsonDict:
    def newer() -> list[JsonDict] | None:
        start = bisect.bisect_right(state.events, after, key=lambda event: int(event["seq"]))
        return state.events[start:] or None

    found = (
        []
        if limit == 0
        else await wait_until(state.events_wakeup, newer, seconds, stop=lambda: state.closing)
    )
    events = found or []
    if limit is not None:
        events = events[:limit]
    return {"events": events, "last_seq": state.last_seq}


def stored_file(state: SandboxState, file_id: str) -> StoredFile:
    stored = state.files.get(file_id)
    if stored is None:
        raise SandboxError(404, f"no file {file_id}")
    return stored


def commands(state: SandboxState, scope: str | None, language_code: str) -> list[dict[str, str]]:
    try:
        return commands_for(state, scope, language_code)
    except ApiError as error:
        raise SandboxError(400, error.description) from None


def _delay(body: Mapping[str, Any]) -> float | None:
    value = body.get("delay")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SandboxError(400, "'delay' must be a number of seconds")
    delay = float(value)
    if not 0 < delay <= MAX_FAULT_DELAY:
        raise SandboxError(400, f"'delay' must be more than 0 and at most {MAX_FAULT_DELAY:g}")
    return delay


def add_fault(state: SandboxState, body: Mapping[str, Any]) -> JsonDict:
    named = _field(body, "method", str)
    # "*": every method, getUpdates included (Telegram down as a whole).
    method = ANY_METHOD if named == ANY_METHOD else canonical_name(named)
    if method is None:
        raise SandboxError(400, f"unknown Bot API method {body.get('method')!r}")
    delay = _delay(body)
    if delay is None and body.get("error_code") is None:
        raise SandboxError(400, "'error_code' is required, or 'delay' alone for a late answer")
    error_code = _field(body, "error_code", int, required=False)
    if error_code is not None and not 400 <= error_code <= 599:
        raise SandboxError(400, "'error_code' must be an HTTP error status (400-599)")
    retry_after = _field(body, "retry_after", int, required=False)
    if error_code == 429 and retry_after is None:
        retry_after = 1
    description = _field(body, "description", str, required=False)
    if error_code is None:
        if description is not None or retry_after is not None:
            raise SandboxError(
                400, "a late answer without 'error_code' takes no 'description' or 'retry_after'"
            )
        description = ""
    elif description is None:
        description = (
            f"Too Many Requests: retry after {retry_after}"
            if error_code == 429
            else _DEFAULT_FAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        )
    count = _field(body, "count", int, required=False)
    count = 1 if count is None else count
    if count < 1:
        raise SandboxError(400, "'count' must be at least 1")
    state.faults.append(
        Fault(
            method=method.lower(),
            error_code=error_code,
            description=description,
            retry_after=retry_after,
            remaining=count,
            chat_id=_field(body, "chat_id", int, required=False),
            delay=delay,
        )
    )
    return {"method": method, "error_code": error_code, "count": count, "delay": delay}
