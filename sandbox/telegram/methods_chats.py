"""Bot API methods about chats and their members."""

from typing import Any

from sandbox.telegram.errors import bad_request
from sandbox.telegram.method_helpers import chat_id_param
from sandbox.telegram.params import Params
from sandbox.telegram.serialize import chat_full_info_json, chat_member_json
from sandbox.telegram.state import SandboxState


async def get_chat(state: SandboxState, params: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(chat_id_param(params), write=False)
    return chat_full_info_json(chat, state.users)


async def get_chat_member(state: SandboxState, params: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(chat_id_param(params), write=False)
    user_id = params.get_int("user_id")
    if user_id is None:
        raise bad_request("user_id is empty")
    user = state.user_json(user_id)
    if user is None:
        raise bad_request("user not found")
    if user_id == state.bot_id:
        return chat_member_json(user, chat.bot_status)
    if not chat.is_group:
        if user_id != chat.user_id:
            raise bad_request("user not found")
        return chat_member_json(user, "member")
    return chat_member_json(user, chat.member_status(user_id))


async def get_chat_administrators(state: SandboxState, params: Params) -> list[dict[str, Any]]:
    chat = state.chat_for_bot(chat_id_param(params), write=False)
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    members: list[dict[str, Any]] = []
    if chat.owner_id is not None and (owner := state.user_json(chat.owner_id)) is not None:
        members.append(chat_member_json(owner, "creator"))
    for admin_id in sorted(chat.admins):
        admin = state.user_json(admin_id)
        if admin is not None:
            members.append(chat_member_json(admin, "administrator"))
    if chat.bot_status == "administrator":
        members.append(chat_member_json(state.bot_user, "administrator"))
    return members


async def get_chat_member_count(state: SandboxState, params: Params) -> int:
    chat = state.chat_for_bot(chat_id_param(params), write=False)
    if not chat.is_group:
        return 2
    people = len(chat.admins | chat.members | ({chat.owner_id} if chat.owner_id else set()))
    return people + 1


async def leave_chat(state: SandboxState, params: Params) -> bool:
    chat = state.chat_for_bot(chat_id_param(params), write=False)
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    old_status = chat.bot_status
    chat.bot_status = "left"
    state.push_my_chat_member(chat, state.bot_user, old_status, "left")
    return True
