"""Parameter handling shared by several Bot API methods."""

from typing import Any

from sandbox.telegram.errors import ApiError, bad_request
from sandbox.telegram.models import SandboxChat, StoredMessage
from sandbox.telegram.params import Params
from sandbox.telegram.photos import store_photo
from sandbox.telegram.reply_markup import Markup, inline_keyboard_of, parse_reply_markup
from sandbox.telegram.state import SandboxState
from sandbox.telegram.text_entities import Entity, format_text

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024


def chat_id_param(params: Params, name: str = "chat_id") -> int:
    raw = params.get_str(name)
    if raw is None or raw == "":
        raise bad_request(f"{name} is empty")
    try:
        return int(raw.strip())
    except ValueError:
        # "@username" addresses channels and public groups; the sandbox has neither.
        raise bad_request("chat not found") from None


def chat_id_of_call(params: Params) -> int | None:
    """The chat a call concerns, for matching injected faults; None when it names none."""
    try:
        return chat_id_param(params)
    except ApiError:
        return None


def message_text(params: Params, state: SandboxState) -> tuple[str, list[Entity]]:
    raw = params.get_str("text")
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    text, entities = format_text(
        raw, params.get_str("parse_mode"), params.get_json("entities"), state.user_json
    )
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, entities


def caption_text(
    raw: str | None, parse_mode: str | None, explicit: object, state: SandboxState
) -> tuple[str | None, list[Entity]]:
    if raw is None or raw == "":
        return None, []
    caption, entities = format_text(raw, parse_mode, explicit, state.user_json)
    if len(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return (caption or None), (entities if caption else [])


def markup_param(params: Params, inline_only: bool = False) -> Markup | None:
    markup = parse_reply_markup(params.values.get("reply_markup"))
    if inline_only and markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return inline_keyboard_of(markup) if inline_only else markup


def reply_target(params: Params, chat: SandboxChat) -> int | None:
    """The message a new message replies to, from reply_parameters or reply_to_message_id."""
    reply = params.get_json("reply_parameters")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.get_int("reply_to_message_id")
        allow_missing = params.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    if not isinstance(message_id, int):
        raise bad_request("invalid reply_parameters specified")
    target = chat.messages.get(message_id)
    if target is None or target.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return message_id


def photo_param(
    state: SandboxState, params: Params, value: Any, field: str = "photo"
) -> list[dict[str, Any]]:
    """The PhotoSize list for an uploaded photo, an attach:// upload or an existing file_id."""
    upload = params.files.get(field)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = params.files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(f'can\'t find attached file "{value[len("attach://") :]}"')
    if upload is not None:
        sizes = store_photo(upload.data)
        photo = [size.photo_size() for size in sizes]
        for size in sizes:
            state.files[size.file_id] = size
            state.photos[size.file_id] = photo
        return photo
    if not isinstance(value, str) or not value:
        raise bad_request("there is no photo in the request")
    known = state.photos.get(value)
    if known is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return known


def editable_message(state: SandboxState, params: Params) -> tuple[SandboxChat, StoredMessage]:
    if params.has("inline_message_id") and not params.has("chat_id"):
        # The sandbox bot has no inline mode, so no inline message can exist.
        raise bad_request("MESSAGE_ID_INVALID")
    chat = state.chat_for_bot(chat_id_param(params), write=True)
    message_id = params.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message
