"""Bot API methods that send, edit and delete messages, answer callbacks and show actions."""

from typing import Any

from sandbox.telegram.errors import bad_request
from sandbox.telegram.method_helpers import (
    caption_text,
    chat_id_param,
    editable_message,
    markup_param,
    message_text,
    photo_param,
    reply_target,
)
from sandbox.telegram.models import MessageContent, SandboxChat, StoredMessage
from sandbox.telegram.params import Params
from sandbox.telegram.photos import store_document
from sandbox.telegram.reply_markup import inline_keyboard_of
from sandbox.telegram.state import SandboxState

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_MAX_CALLBACK_ANSWER = 200


def _send(
    state: SandboxState, chat: SandboxChat, content: MessageContent, reply_to: int | None
) -> dict[str, Any]:
    state.flood.spend(chat.id, chat.is_group)
    message = state.add_message(chat, True, state.bot_id, content, reply_to)
    state.push_event("sent", chat.id, message)
    return state.message_json(message)


async def send_message(state: SandboxState, params: Params) -> dict[str, Any]:
    chat = state.chat_for_bot(chat_id_param(params), write=True)
    text, entities = message_text(params, state)
    markup = markup_param(params)
    reply_to = reply_target(params, chat)
    content = MessageContent(text=text, entities=entities, reply_markup=markup)
    return _send(state, chat, content, reply_to)


async def send_photo(state: SandboxState, params: Params) -> dict[str, Any]:
    photo = photo_param(state, params, params.values.get("photo"))
    return _send_with_caption(state, params, photo=photo)


async def send_document(state: SandboxState, params: Params) -> dict[str, Any]:
    """A file upload (the sandbox keeps it byte for byte); an existing file_id is not resent."""
    upload = params.files.get("document")
    if upload is None:
        raise bad_request("there is no document in the request")
    if not upload.data:
        raise bad_request("file must be non-empty")
    stored = store_document(upload.data, upload.content_type)
    state.files[stored.file_id] = stored
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": upload.filename,
        "mime_type": stored.content_type,
        "file_size": len(stored.data),
    }
    return _send_with_caption(state, params, document=document)


def _send_with_caption(state: SandboxState, params: Params, **media: Any) -> dict[str, Any]:
    """A photo or document message: its caption, keyboard and reply target as for any send."""
    chat = state.chat_for_bot(chat_id_param(params), write=True)
    caption, entities = caption_text(
        params.get_str("caption"),
        params.get_str("parse_mode"),
        params.get_json("caption_entities"),
        state,
    )
    markup = markup_param(params)
    reply_to = reply_target(params, chat)
    content = MessageContent(caption=caption, entities=entities, reply_markup=markup, **media)
    return _send(state, chat, content, reply_to)


def _apply_edit(
    state: SandboxState, chat: SandboxChat, message: StoredMessage, content: MessageContent
) -> dict[str, Any]:
    current = message.content
    same_markup = inline_keyboard_of(current.reply_markup) == content.reply_markup
    same_content = (
        current.text == content.text
        and current.caption == content.caption
        and current.entities == content.entities
        and current.photo_file_id == content.photo_file_id
    )
    if same_markup and same_content:
        raise bad_request(_NOT_MODIFIED)
    state.flood.spend(chat.id, chat.is_group)
    message.replace_content(content, state.now())
    state.push_event("edited", chat.id, message)
    return state.message_json(message)


async def edit_message_text(state: SandboxState, params: Params) -> dict[str, Any]:
    chat, message = editable_message(state, params)
    if message.content.photo is not None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(params, state)
    markup = markup_param(params, inline_only=True)
    content = MessageContent(text=text, entities=entities, reply_markup=markup)
    return _apply_edit(state, chat, message, content)


async def edit_message_caption(state: SandboxState, params: Params) -> dict[str, Any]:
    chat, message = editable_message(state, params)
    if message.content.photo is None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = caption_text(
        params.get_str("caption"),
        params.get_str("parse_mode"),
        params.get_json("caption_entities"),
        state,
    )
    markup = markup_param(params, inline_only=True)
    content = MessageContent(
        caption=caption, entities=entities, photo=message.content.photo, reply_markup=markup
    )
    return _apply_edit(state, chat, message, content)


async def edit_message_reply_markup(state: SandboxState, params: Params) -> dict[str, Any]:
    chat, message = editable_message(state, params)
    current = message.content
    content = MessageContent(
        text=current.text,
        caption=current.caption,
        entities=current.entities,
        photo=current.photo,
        reply_markup=markup_param(params, inline_only=True),
    )
    return _apply_edit(state, chat, message, content)


async def edit_message_media(state: SandboxState, params: Params) -> dict[str, Any]:
    chat, message = editable_message(state, params)
    if message.content.photo is None:
        raise bad_request("there is no media in the message to edit")
    media = params.get_json("media")
    if not isinstance(media, dict):
        raise bad_request("can't parse InputMedia JSON object")
    if media.get("type") != "photo":
        raise bad_request(
            f"media type {media.get('type')!r} is not supported by the sandbox; it keeps photos"
        )
    photo = photo_param(state, params, media.get("media"), field="media")
    raw_caption = media.get("caption")
    caption, entities = caption_text(
        raw_caption if isinstance(raw_caption, str) else None,
        media.get("parse_mode") if isinstance(media.get("parse_mode"), str) else None,
        media.get("caption_entities"),
        state,
    )
    markup = markup_param(params, inline_only=True)
    content = MessageContent(caption=caption, entities=entities, photo=photo, reply_markup=markup)
    return _apply_edit(state, chat, message, content)


async def delete_message(state: SandboxState, params: Params) -> bool:
    chat = state.chat_for_bot(chat_id_param(params), write=False)
    message = chat.messages.get(params.get_int("message_id") or 0)
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    if chat.is_group and not message.from_bot and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    message.deleted = True
    state.push_event("deleted", chat.id, message)
    return True


async def answer_callback_query(state: SandboxState, params: Params) -> bool:
    record = state.callbacks.get(params.get_str("callback_query_id") or "")
    if record is None or record.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text")
    if text is not None and len(text) > _MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.text = text or None
    record.show_alert = params.get_bool("show_alert")
    record.url = params.get_str("url") or None
    state.callbacks_wakeup.notify()
    state.push_event(
        "callback_answered",
        record.chat_id,
        message_id=record.message_id,
        callback_query_id=record.id,
        **record.answer_json(),
    )
    return True


async def send_chat_action(state: SandboxState, params: Params) -> bool:
    chat = state.chat_for_bot(chat_id_param(params), write=True)
    action = params.get_str("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.push_event("chat_action", chat.id, action=action)
    return True
