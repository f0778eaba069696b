"""Checks reply_markup the way Telegram does and keeps it in Telegram's own JSON shape."""

import json
import re
from typing import Any

from sandbox.telegram.errors import bad_request

Markup = dict[str, Any]

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_INLINE_BUTTON_FIELDS = frozenset({"text", "style", "icon_custom_emoji_id", *_INLINE_ACTIONS})
_MAX_BUTTONS = 100
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _markup_error() -> Exception:
    return bad_request("can't parse reply keyboard markup JSON object")


def parse_reply_markup(raw: object) -> Markup | None:
    """The validated markup, or None when none was given."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise _markup_error() from None
    if not isinstance(raw, dict):
        raise _markup_error()
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _check_inline_keyboard(raw["inline_keyboard"])}
    if "keyboard" in raw:
        return _check_reply_keyboard(raw)
    if raw.get("remove_keyboard") is True:
        return {key: value for key, value in raw.items() if key in ("remove_keyboard", "selective")}
    if raw.get("force_reply") is True:
        allowed = ("force_reply", "input_field_placeholder", "selective")
        return {key: value for key, value in raw.items() if key in allowed}
    raise _markup_error()


def inline_keyboard_of(markup: Markup | None) -> Markup | None:
    """The markup a message keeps: only a non-empty inline keyboard is attached to a message."""
    # Empty rows are dropped when checked, so an empty list means no keyboard at all.
    if markup is None or not markup.get("inline_keyboard"):
        return None
    return markup


def _check_inline_keyboard(rows: object) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    checked: list[list[dict[str, Any]]] = []
    count = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        checked_row = [_check_inline_button(button) for button in row]
        count += len(checked_row)
        if checked_row:
            checked.append(checked_row)
    if count > _MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return checked


def _check_inline_button(button: object) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [action for action in _INLINE_ACTIONS if button.get(action) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional "
            f"fields must be used, got {', '.join(actions)}"
        )
    action = actions[0]
    value = button[action]
    if action == "callback_data":
        if not isinstance(value, str) or not 1 <= len(value.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        _check_button_url(value)
    elif action == "copy_text":
        copied = value.get("text") if isinstance(value, dict) else None
        if not isinstance(copied, str) or not 1 <= len(copied) <= 256:
            raise bad_request("COPY_TEXT_INVALID")
    elif action == "web_app":
        web_app_url = value.get("url") if isinstance(value, dict) else None
        if not isinstance(web_app_url, str) or not web_app_url.lower().startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if key in _INLINE_BUTTON_FIELDS}


def _check_button_url(url: object) -> None:
    if not isinstance(url, str):
        raise bad_request('can\'t parse inline keyboard button: Field "url" must be of type String')
    if not url or any(c.isspace() for c in url):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    scheme = _URL_SCHEME.match(url)
    # "host:8080/path" is a bare host with a port, which Telegram reads as an http link.
    if scheme is None or ("://" not in url and url[scheme.end() :][:1].isdigit()):
        return
    name = scheme.group(1).lower()
    if name not in ("http", "https", "tg"):
        raise bad_request(
            f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol"
        )
    if name != "tg" and not re.match(r"^[A-Za-z]+://[^/?#]+", url):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_reply_keyboard(raw: dict[str, Any]) -> Markup:
    rows = raw["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    checked_rows: list[list[Any]] = []
    for row in rows:
        checked_row: list[Any] = []
        for button in row:
            text = button if isinstance(button, str) else None
            if isinstance(button, dict):
                text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            checked_row.append(button if isinstance(button, dict) else {"text": button})
        if checked_row:
            checked_rows.append(checked_row)
    if not checked_rows:
        raise bad_request("keyboard must be non-empty")
    options = (
        "is_persistent",
        "resize_keyboard",
        "one_time_keyboard",
        "input_field_placeholder",
        "selective",
    )
    markup: Markup = {"keyboard": checked_rows}
    markup.update({key: raw[key] for key in options if key in raw})
    return markup
