"""HTTP routes of the user side, under /__sandbox/ (JSON in, JSON out)."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.telegram import user_actions
from sandbox.telegram.errors import SandboxError
from sandbox.telegram.state import SandboxState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SandboxError(400, f"'{name}' must be an integer, not {value!r}") from None


def _float(value: str, name: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SandboxError(400, f"'{name}' must be a number, not {value!r}") from None


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise SandboxError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "the body must be a JSON object")
    return body


@web.middleware
async def sandbox_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SandboxError as error:
        return web.json_response({"error": error.message}, status=error.status)


class UserApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def add_routes(self, app: web.Application) -> None:
        prefix = "/__sandbox"
        app.router.add_post(f"{prefix}/users", self.create_user)
        app.router.add_post(f"{prefix}/users/{{user_id}}/block", self.block)
        app.router.add_post(f"{prefix}/users/{{user_id}}/unblock", self.unblock)
        app.router.add_post(f"{prefix}/groups", self.create_group)
        app.router.add_post(f"{prefix}/groups/{{group_id}}/bot", self.set_bot_membership)
        app.router.add_post(f"{prefix}/groups/{{group_id}}/admins", self.set_admins)
        app.router.add_post(f"{prefix}/messages", self.send_message)
        app.router.add_post(f"{prefix}/callbacks", self.press)
        app.router.add_get(f"{prefix}/callbacks/{{callback_id}}", self.callback_answer)
        app.router.add_get(f"{prefix}/chats/{{chat_id}}/messages", self.chat_messages)
        app.router.add_get(f"{prefix}/events", self.events)
        app.router.add_get(f"{prefix}/files/{{file_id}}", self.file)
        app.router.add_get(f"{prefix}/calls", self.calls)
        app.router.add_get(f"{prefix}/commands", self.commands)
        app.router.add_get(f"{prefix}/descriptions", self.descriptions)
        app.router.add_post(f"{prefix}/faults", self.add_fault)
        app.router.add_delete(f"{prefix}/faults", self.clear_faults)
        app.router.add_post(f"{prefix}/updates/hold", self.hold_updates)
        app.router.add_post(f"{prefix}/updates/release", self.release_updates)
        app.router.add_post(f"{prefix}/webhook/error", self.webhook_error)
        app.router.add_post(f"{prefix}/reset", self.reset)

    async def create_user(self, request: web.Request) -> web.Response:
        return web.json_response(user_actions.create_user(self.state, await _body(request)))

    async def block(self, request: web.Request) -> web.Response:
        user_id = _int(request.match_info["user_id"], "user_id")
        return web.json_response(user_actions.set_blocked(self.state, user_id, blocked=True))

    async def unblock(self, request: web.Request) -> web.Response:
        user_id = _int(request.match_info["user_id"], "user_id")
        return web.json_response(user_actions.set_blocked(self.state, user_id, blocked=False))

    async def create_group(self, request: web.Request) -> web.Response:
        return web.json_response(user_actions.create_group(self.state, await _body(request)))

    async def set_bot_membership(self, request: web.Request) -> web.Response:
        group_id = _int(request.match_info["group_id"], "group_id")
        body = await _body(request)
        return web.json_response(user_actions.set_bot_membership(self.state, group_id, body))

    async def set_admins(self, request: web.Request) -> web.Response:
        group_id = _int(request.match_info["group_id"], "group_id")
        body = await _body(request)
        return web.json_response(user_actions.set_group_admins(self.state, group_id, body))

    async def send_message(self, request: web.Request) -> web.Response:
        return web.json_response(user_actions.user_sends(self.state, await _body(request)))

    async def press(self, request: web.Request) -> web.Response:
        return web.json_response(user_actions.press_button(self.state, await _body(request)))

    async def callback_answer(self, request: web.Request) -> web.Response:
        timeout = _float(request.query.get("timeout", "0"), "timeout")
        answer = await user_actions.callback_answer(
            self.state, request.match_info["callback_id"], timeout
        )
        return web.json_response(answer)

    async def chat_messages(self, request: web.Request) -> web.Response:
        chat_id = _int(request.match_info["chat_id"], "chat_id")
        return web.json_response(user_actions.chat_messages(self.state, chat_id))

    async def events(self, request: web.Request) -> web.Response:
        after = _int(request.query.get("after", "0"), "after")
        timeout = _float(request.query.get("timeout", "0"), "timeout")
        raw_limit = request.query.get("limit")
        limit = _int(raw_limit, "limit") if raw_limit is not None else None
        return web.json_response(await user_actions.events_after(self.state, after, timeout, limit))

    async def file(self, request: web.Request) -> web.Response:
        stored = user_actions.stored_file(self.state, request.match_info["file_id"])
        return web.Response(body=stored.data, content_type=stored.content_type)

    async def calls(self, request: web.Request) -> web.Response:
        return web.json_response(self.state.calls)

    async def commands(self, request: web.Request) -> web.Response:
        found = user_actions.commands(
            self.state, request.query.get("scope"), request.query.get("language_code", "")
        )
        return web.json_response(found)

    async def descriptions(self, request: web.Request) -> web.Response:
        """Every description the bot set: {"description": {"": ..., "ru": ...}, ...}."""
        found: dict[str, dict[str, str]] = {}
        for (kind, language), text in sorted(self.state.descriptions.items()):
            found.setdefault(kind, {})[language] = text
        return web.json_response(found)

    async def add_fault(self, request: web.Request) -> web.Response:
        return web.json_response(user_actions.add_fault(self.state, await _body(request)))

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.state.faults.clear()
        return web.json_response({"faults": 0})

    async def hold_updates(self, request: web.Request) -> web.Response:
        self.state.hold_updates()
        return web.json_response({"holding": True, "held": len(self.state.held_updates)})

    async def release_updates(self, request: web.Request) -> web.Response:
        released = self.state.release_updates()
        return web.json_response({"holding": False, "released": released})

    async def webhook_error(self, request: web.Request) -> web.Response:
        """What getWebhookInfo reports as Telegram's last failed delivery, without making one
        fail: the operator's `bot check` reads it."""
        hook = self.state.webhook
        if hook is None:
            raise SandboxError(409, "no webhook is set")
        message = (await _body(request)).get("message")
        if not isinstance(message, str) or not message:
            raise SandboxError(400, "'message' must be a non-empty string")
        hook.last_error_date = self.state.now()
        hook.last_error_message = message
        return web.json_response({"last_error_message": message})

    async def reset(self, request: web.Request) -> web.Response:
        self.state.reset()
        return web.json_response({"reset": True})
