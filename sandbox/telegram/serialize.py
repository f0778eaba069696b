"""Telegram JSON for stored objects, with every field PTB requires, plus the user-side view."""

from collections.abc import Mapping
from typing import Any

from sandbox.telegram.config import TelegramSandboxConfig
from sandbox.telegram.models import SandboxChat, SandboxUser, StoredMessage
from sandbox.telegram.reply_markup import inline_keyboard_of
from sandbox.telegram.text_entities import render_html

JsonDict = dict[str, Any]

_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
    "can_manage_topics": False,
}


def bot_user_json(config: TelegramSandboxConfig) -> JsonDict:
    return {
        "id": config.bot_id,
        "is_bot": True,
        "first_name": config.bot_first_name,
        "username": config.bot_username,
    }


def get_me_json(config: TelegramSandboxConfig) -> JsonDict:
    return {
        **bot_user_json(config),
        "can_join_groups": True,
        "can_read_all_group_messages": not config.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def chat_json(chat: SandboxChat, users: Mapping[int, SandboxUser]) -> JsonDict:
    if chat.is_group:
        return {"id": chat.id, "type": chat.type, "title": chat.title or ""}
    user = users.get(chat.user_id or chat.id)
    data: JsonDict = {"id": chat.id, "type": "private"}
    if user is not None:
        data["first_name"] = user.first_name
        if user.username:
            data["username"] = user.username
    return data


def chat_full_info_json(chat: SandboxChat, users: Mapping[int, SandboxUser]) -> JsonDict:
    return {
        **chat_json(chat, users),
        "accent_color_id": chat.id % 7 if chat.id > 0 else 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


def chat_member_json(user: JsonDict, status: str) -> JsonDict:
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": "administrator", "user": user, **_ADMIN_RIGHTS}
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


def message_json(
    message: StoredMessage,
    chat: SandboxChat,
    users: Mapping[int, SandboxUser],
    bot: JsonDict,
    with_reply: bool = True,
) -> JsonDict:
    sender = bot if message.from_bot else _user_json(users, message.from_id)
    data: JsonDict = {
        "message_id": message.message_id,
        "from": sender,
        "chat": chat_json(chat, users),
        "date": message.date,
    }
    replied = chat.messages.get(message.reply_to_message_id or 0)
    if with_reply and replied is not None and not replied.deleted:
        data["reply_to_message"] = message_json(replied, chat, users, bot, with_reply=False)
    if message.edit_date is not None:
        data["edit_date"] = message.edit_date
    content = message.content
    if content.photo is not None or content.document is not None:
        if content.photo is not None:
            data["photo"] = content.photo
        else:
            data["document"] = content.document
        if content.caption is not None:
            data["caption"] = content.caption
            if content.entities:
                data["caption_entities"] = content.entities
    else:
        data["text"] = content.text or ""
        if content.entities:
            data["entities"] = content.entities
    markup = inline_keyboard_of(content.reply_markup)
    if markup is not None:
        data["reply_markup"] = markup
    return data


def _user_json(users: Mapping[int, SandboxUser], user_id: int) -> JsonDict:
    user = users.get(user_id)
    if user is None:
        return {"id": user_id, "is_bot": False, "first_name": f"user {user_id}"}
    return user.to_json()


def sandbox_message_view(message: StoredMessage) -> JsonDict:
    """The user-side shape of a message (GET /__sandbox/chats/{id}/messages and events)."""
    content = message.content
    body = content.text if content.text is not None else content.caption
    return {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "from_bot": message.from_bot,
        "from_id": message.from_id,
        "date": message.date,
        "text": content.text,
        "caption": content.caption,
        "entities": content.entities,
        "html": render_html(body, content.entities) if body is not None else None,
        "photo_file_id": content.photo_file_id,
        "document_file_id": content.document_file_id,
        "document_name": content.document["file_name"] if content.document else None,
        "reply_markup": content.reply_markup,
        "reply_to_message_id": message.reply_to_message_id,
        "edit_date": message.edit_date,
        "edit_count": len(message.history),
        "deleted": message.deleted,
    }
