"""Bot API methods about the bot itself: identity, command lists per scope, menu button."""

import json
import re
from collections.abc import Callable
from typing import Any

from sandbox.telegram.errors import bad_request
from sandbox.telegram.method_helpers import chat_id_param
from sandbox.telegram.params import Params
from sandbox.telegram.serialize import get_me_json
from sandbox.telegram.state import SandboxState

_SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_MAX_COMMANDS = 100
_MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})


def scope_key(raw: object, check_chat: Callable[[int], None] | None = None) -> tuple[str, Any]:
    """A canonical key and the normalized scope for a BotCommandScope (default when absent)."""
    if raw is None or raw == "":
        raw = {"type": "default"}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise bad_request("can't parse BotCommandScope JSON object") from None
    if not isinstance(raw, dict) or raw.get("type") not in _SCOPE_FIELDS:
        raise bad_request("can't parse BotCommandScope JSON object")
    scope: dict[str, Any] = {"type": raw["type"]}
    for name in _SCOPE_FIELDS[raw["type"]]:
        scope[name] = _scope_id(raw.get(name), name)
    if check_chat is not None and "chat_id" in scope:
        check_chat(scope["chat_id"])
    return json.dumps(scope, sort_keys=True), scope


def _scope_id(value: object, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise bad_request("chat not found" if name == "chat_id" else "user not found")


def language_param(params: Params) -> str:
    language = params.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("LANG_CODE_INVALID")
    return language


def _check_commands(raw: object) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > _MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    return commands


def _scope_of_call(state: SandboxState, params: Params) -> tuple[str, Any]:
    def check_chat(chat_id: int) -> None:
        state.chat_for_bot(chat_id, write=False)

    return scope_key(params.get_json("scope"), check_chat)


async def set_my_commands(state: SandboxState, params: Params) -> bool:
    commands = _check_commands(params.get_json("commands"))
    key, scope = _scope_of_call(state, params)
    language = language_param(params)
    if commands:
        state.commands[(key, language)] = commands
    else:
        state.commands.pop((key, language), None)
    state.push_event(
        "commands_set",
        scope.get("chat_id", 0),
        scope=scope,
        language_code=language,
        commands=commands,
    )
    return True


async def get_my_commands(state: SandboxState, params: Params) -> list[dict[str, str]]:
    key, _ = _scope_of_call(state, params)
    return state.commands.get((key, language_param(params)), [])


async def delete_my_commands(state: SandboxState, params: Params) -> bool:
    key, scope = _scope_of_call(state, params)
    language = language_param(params)
    state.commands.pop((key, language), None)
    state.push_event(
        "commands_set", scope.get("chat_id", 0), scope=scope, language_code=language, commands=[]
    )
    return True


# Telegram's limits for the text of setMyDescription and setMyShortDescription.
DESCRIPTION_LIMITS = {"description": 512, "short_description": 120}


def _set_description(state: SandboxState, params: Params, kind: str) -> bool:
    text = params.get_str(kind) or ""
    if len(text) > DESCRIPTION_LIMITS[kind]:
        raise bad_request(f"{kind.upper()}_TOO_LONG" if kind == "description" else
                          "SHORT_DESCRIPTION_TOO_LONG")  # fmt: skip
    language = language_param(params)
    if text:
        state.descriptions[(kind, language)] = text
    else:
        state.descriptions.pop((kind, language), None)
    state.push_event(f"{kind}_set", 0, language_code=language, text=text)
    return True


def _get_description(state: SandboxState, params: Params, kind: str) -> dict[str, str]:
    return {kind: state.descriptions.get((kind, language_param(params)), "")}


async def set_my_description(state: SandboxState, params: Params) -> bool:
    return _set_description(state, params, "description")


async def get_my_description(state: SandboxState, params: Params) -> dict[str, str]:
    return _get_description(state, params, "description")


async def set_my_short_description(state: SandboxState, params: Params) -> bool:
    return _set_description(state, params, "short_description")


async def get_my_short_description(state: SandboxState, params: Params) -> dict[str, str]:
    return _get_description(state, params, "short_description")


async def get_me(state: SandboxState, params: Params) -> dict[str, Any]:
    return get_me_json(state.config)


async def set_chat_menu_button(state: SandboxState, params: Params) -> bool:
    button = params.get_json("menu_button")
    if button is not None and (
        not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES
    ):
        raise bad_request("can't parse menu button JSON object")
    if params.has("chat_id"):
        chat = state.chat_for_bot(chat_id_param(params), write=False)
        if chat.is_group:
            raise bad_request("menu button can be set only in private chats")
        chat.menu_button = button
    else:
        state.default_menu_button = button
    return True


async def get_chat_menu_button(state: SandboxState, params: Params) -> dict[str, Any]:
    button: dict[str, Any] | None = state.default_menu_button
    if params.has("chat_id"):
        chat = state.chat_for_bot(chat_id_param(params), write=False)
        button = chat.menu_button or button
    return button or {"type": "commands"}


async def close(state: SandboxState, params: Params) -> bool:
    return True


async def log_out(state: SandboxState, params: Params) -> bool:
    return True


def commands_for(state: SandboxState, raw_scope: object, language: str) -> list[dict[str, str]]:
    """Commands as the user side asks for them, without the Bot API's chat checks."""
    key, _ = scope_key(raw_scope)
    return state.commands.get((key, language), [])
