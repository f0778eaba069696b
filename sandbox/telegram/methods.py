"""The Bot API methods the sandbox implements, by Telegram's name."""

from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.telegram import (
    methods_chats,
    methods_files,
    methods_messages,
    methods_settings,
    methods_updates,
)
from sandbox.telegram.params import Params
from sandbox.telegram.state import SandboxState

Method = Callable[[SandboxState, Params], Awaitable[Any]]

METHODS: dict[str, Method] = {
    "getMe": methods_settings.get_me,
    "logOut": methods_settings.log_out,
    "close": methods_settings.close,
    "getUpdates": methods_updates.get_updates,
    "setWebhook": methods_updates.set_webhook,
    "deleteWebhook": methods_updates.delete_webhook,
    "getWebhookInfo": methods_updates.get_webhook_info,
    "sendMessage": methods_messages.send_message,
    "sendPhoto": methods_messages.send_photo,
    "sendDocument": methods_messages.send_document,
    "editMessageText": methods_messages.edit_message_text,
    "editMessageCaption": methods_messages.edit_message_caption,
    "editMessageReplyMarkup": methods_messages.edit_message_reply_markup,
    "editMessageMedia": methods_messages.edit_message_media,
    "deleteMessage": methods_messages.delete_message,
    "answerCallbackQuery": methods_messages.answer_callback_query,
    "sendChatAction": methods_messages.send_chat_action,
    "getFile": methods_files.get_file,
    "getChat": methods_chats.get_chat,
    "getChatMember": methods_chats.get_chat_member,
    "getChatAdministrators": methods_chats.get_chat_administrators,
    "getChatMemberCount": methods_chats.get_chat_member_count,
    "leaveChat": methods_chats.leave_chat,
    "setMyCommands": methods_settings.set_my_commands,
    "getMyCommands": methods_settings.get_my_commands,
    "deleteMyCommands": methods_settings.delete_my_commands,
    "setMyDescription": methods_settings.set_my_description,
    "getMyDescription": methods_settings.get_my_description,
    "setMyShortDescription": methods_settings.set_my_short_description,
    "getMyShortDescription": methods_settings.get_my_short_description,
    "setChatMenuButton": methods_settings.set_chat_menu_button,
    "getChatMenuButton": methods_settings.get_chat_menu_button,
}

# Telegram matches method names case-insensitively.
_BY_LOWER_NAME = {name.lower(): name for name in METHODS}


def canonical_name(method: str) -> str | None:
    return _BY_LOWER_NAME.get(method.lower())
