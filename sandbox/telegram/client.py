"""The user side of the Telegram sandbox from Python: act as people and read what the bot sent.

Used by tests and by the terminal chat; it speaks the /__sandbox/ HTTP API.
"""

import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

# Extra seconds on top of a long poll's own wait before the HTTP request itself gives up.
_HTTP_MARGIN = 5.0


class SandboxRequestError(Exception):
    """The sandbox refused a user-side request (bad input, unknown user or chat...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Button:
    """One inline button."""

    text: str
    callback_data: str | None
    url: str | None
    copy_text: str | None
    row: int
    col: int


@dataclass(frozen=True)
class ChatMessage:
    message_id: int
    chat_id: int
    from_bot: bool
    from_id: int
    date: int
    text: str | None
    caption: str | None
    html: str | None
    entities: list[dict[str, Any]]
    photo_file_id: str | None
    buttons: list[Button]  # the inline keyboard, row by row; empty if none
    edit_count: int
    deleted: bool
    document_file_id: str | None = None
    document_name: str | None = None

    @property
    def body(self) -> str:
        if self.text is not None:
            return self.text
        return self.caption or ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ChatMessage":
        return cls(
            message_id=int(data["message_id"]),
            chat_id=int(data["chat_id"]),
            from_bot=bool(data["from_bot"]),
            from_id=int(data["from_id"]),
            date=int(data["date"]),
            text=data.get("text"),
            caption=data.get("caption"),
            html=data.get("html"),
            entities=list(data.get("entities") or []),
            photo_file_id=data.get("photo_file_id"),
            buttons=_buttons(data.get("reply_markup")),
            edit_count=int(data.get("edit_count", 0)),
            deleted=bool(data.get("deleted", False)),
            document_file_id=data.get("document_file_id"),
            document_name=data.get("document_name"),
        )

    def describe(self) -> str:
        """One line for failure messages: id, edits, body and buttons."""
        edited = f" (edited {self.edit_count}x)" if self.edit_count else ""
        photo = " [photo]" if self.photo_file_id else ""
        buttons = " | ".join(f"[{button.text}]" for button in self.buttons)
        return f"#{self.message_id}{edited}{photo} {self.body!r}" + (
            f" buttons: {buttons}" if buttons else ""
        )


def _buttons(markup: object) -> list[Button]:
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return []
    buttons: list[Button] = []
    for row_index, row in enumerate(markup["inline_keyboard"]):
        for col_index, button in enumerate(row):
            copy_text = button.get("copy_text")
            buttons.append(
                Button(
                    text=str(button.get("text", "")),
                    callback_data=button.get("callback_data"),
                    url=button.get("url"),
                    copy_text=copy_text.get("text") if isinstance(copy_text, dict) else None,
                    row=row_index,
                    col=col_index,
                )
            )
    return buttons


@dataclass(frozen=True)
class SandboxEvent:
    seq: int
    type: str
    chat_id: int
    message_id: int | None
    message: ChatMessage | None
    data: dict[str, Any]  # the raw event

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SandboxEvent":
        message = data.get("message")
        return cls(
            seq=int(data["seq"]),
            type=str(data["type"]),
            chat_id=int(data.get("chat_id") or 0),
            message_id=data.get("message_id"),
            message=ChatMessage.from_json(message) if isinstance(message, dict) else None,
            data=data,
        )


@dataclass(frozen=True)
class CallbackAnswer:
    answered: bool
    text: str | None
    show_alert: bool
    url: str | None


class TelegramSandboxClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self._base = base_url.rstrip("/") + "/__sandbox"
        self._http = http

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        wait: float = 0.0,
    ) -> Any:
        response = await self._http.request(
            method,
            self._base + path,
            json=body,
            params=params,
            timeout=httpx.Timeout(wait + _HTTP_MARGIN),
        )
        if response.status_code >= 400:
            try:
                message = str(response.json().get("error", response.text))
            except (ValueError, AttributeError):
                message = response.text
            raise SandboxRequestError(response.status_code, message)
        return response.json()

    async def create_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"id": user_id, "first_name": first_name}
        if username is not None:
            body["username"] = username
        if language_code is not None:
            body["language_code"] = language_code
        result: dict[str, Any] = await self._request("POST", "/users", body)
        return result

    async def create_group(
        self,
        group_id: int,
        title: str,
        owner: int,
        admins: Sequence[int] = (),
        members: Sequence[int] = (),
        bot_status: str = "member",
    ) -> dict[str, Any]:
        body = {
            "id": group_id,
            "title": title,
            "owner": owner,
            "admins": list(admins),
            "members": list(members),
            "bot_status": bot_status,
        }
        result: dict[str, Any] = await self._request("POST", "/groups", body)
        return result

    async def set_group_admins(self, group_id: int, admins: Sequence[int]) -> None:
        await self._request("POST", f"/groups/{group_id}/admins", {"admins": list(admins)})

    async def set_bot_membership(self, group_id: int, status: str, by: int) -> None:
        await self._request("POST", f"/groups/{group_id}/bot", {"status": status, "by": by})

    async def block(self, user_id: int) -> None:
        await self._request("POST", f"/users/{user_id}/block")

    async def unblock(self, user_id: int) -> None:
        await self._request("POST", f"/users/{user_id}/unblock")

    async def send(
        self, from_id: int, text: str, chat_id: int | None = None, reply_to: int | None = None
    ) -> ChatMessage:
        """Sends as a user; the returned message is the user's own, as the chat shows it."""
        body: dict[str, Any] = {"from_id": from_id, "text": text}
        if chat_id is not None:
            body["chat_id"] = chat_id
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        result = await self._request("POST", "/messages", body)
        return ChatMessage.from_json(result["view"])

    async def press(
        self,
        from_id: int,
        message: ChatMessage,
        label: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - how long the bot may take to answer
    ) -> CallbackAnswer:
        """Presses the first button whose text contains label and waits for the bot's answer."""
        wanted = label.casefold()
        for button in message.buttons:
            if wanted in button.text.casefold():
                if button.callback_data is None:
                    raise ValueError(
                        f"button {button.text!r} has no callback_data (url or copy_text button)"
                    )
                return await self.press_data(
                    from_id, message.chat_id, message.message_id, button.callback_data, timeout
                )
        labels = ", ".join(repr(button.text) for button in message.buttons) or "none"
        raise KeyError(
            f"no button containing {label!r} on message #{message.message_id}; buttons: {labels}"
        )

    async def press_data(
        self,
        from_id: int,
        chat_id: int,
        message_id: int,
        data: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - how long the bot may take to answer
    ) -> CallbackAnswer:
        body = {"from_id": from_id, "chat_id": chat_id, "message_id": message_id, "data": data}
        pressed = await self._request("POST", "/callbacks", body)
        answer = await self._request(
            "GET",
            f"/callbacks/{pressed['callback_query_id']}",
            params={"timeout": timeout},
            wait=timeout,
        )
        return CallbackAnswer(
            answered=bool(answer["answered"]),
            text=answer.get("text"),
            show_alert=bool(answer.get("show_alert")),
            url=answer.get("url"),
        )

    async def messages(self, chat_id: int) -> list[ChatMessage]:
        found = await self._request("GET", f"/chats/{chat_id}/messages")
        return [ChatMessage.from_json(item) for item in found]

    async def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages in the chat that are not deleted, oldest first."""
        return [m for m in await self.messages(chat_id) if m.from_bot and not m.deleted]

    async def _events_page(self, after: int, wait: float) -> tuple[list[SandboxEvent], int]:
        page = await self._request(
            "GET", "/events", params={"after": after, "timeout": wait}, wait=wait
        )
        events = [SandboxEvent.from_json(item) for item in page["events"]]
        return events, int(page["last_seq"])

    async def events(
        self,
        after: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109 - the server-side long-poll wait
    ) -> list[SandboxEvent]:
        events, _ = await self._events_page(after, timeout)
        return events

    async def _last_seq(self) -> int:
        page = await self._request("GET", "/events", params={"after": 0, "limit": 0})
        return int(page["last_seq"])

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[ChatMessage], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - follows sandbox events, not a local sleep
    ) -> ChatMessage:
        """The first bot message in the chat satisfying predicate: an existing one, or the next
        one sent or edited. TimeoutError lists the chat's bot messages when none comes."""
        # The cursor is taken before reading the chat, so nothing falls between the two.
        cursor = await self._last_seq()
        for message in await self._bot_messages_if_any(chat_id):
            if predicate(message):
                return message
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            events, last_seq = await self._events_page(cursor, remaining)
            for event in events:
                changed = event.message
                if (
                    event.type in ("sent", "edited")
                    and event.chat_id == chat_id
                    and changed is not None
                    and predicate(changed)
                ):
                    return changed
            cursor = max(cursor, last_seq)
        raise TimeoutError(await self._timeout_report(chat_id, timeout))

    async def _bot_messages_if_any(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages, or none while the chat doesn't exist yet."""
        try:
            return await self.bot_messages(chat_id)
        except SandboxRequestError as error:
            if error.status == 404:
                return []
            raise

    async def _timeout_report(self, chat_id: int, waited: float) -> str:
        shown = [message.describe() for message in await self._bot_messages_if_any(chat_id)]
        listing = "\n  ".join(shown) if shown else "(the bot has sent nothing in this chat)"
        return (
            f"no matching bot message in chat {chat_id} within {waited:g}s; "
            f"bot messages:\n  {listing}"
        )

    async def wait_for_text(
        self,
        chat_id: int,
        needle: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - follows sandbox events, not a local sleep
    ) -> ChatMessage:
        """The first bot message whose text or caption contains needle (case-insensitive)."""
        wanted = needle.casefold()
        try:
            return await self.wait_for_message(
                chat_id, lambda message: wanted in message.body.casefold(), timeout
            )
        except TimeoutError as error:
            raise TimeoutError(f"waiting for {needle!r}: {error}") from None

    async def file_bytes(self, file_id: str) -> bytes:
        response = await self._http.get(f"{self._base}/files/{file_id}")
        if response.status_code >= 400:
            raise SandboxRequestError(response.status_code, response.text)
        return response.content

    async def calls(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._request("GET", "/calls")
        return result

    async def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        params: dict[str, Any] = {"language_code": language_code}
        if scope is not None:
            params["scope"] = json.dumps(scope)
        result: list[dict[str, str]] = await self._request("GET", "/commands", params=params)
        return result

    async def descriptions(self) -> dict[str, dict[str, str]]:
        """The bot's descriptions by kind ("description", "short_description") and language
        code ("" for the default)."""
        result: dict[str, dict[str, str]] = await self._request("GET", "/descriptions")
        return result

    async def inject_fault(
        self,
        method: str,
        error_code: int,
        count: int = 1,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        delay: float | None = None,
    ) -> None:
        """The next `count` matching calls fail with error_code without being performed; with
        `delay`, the error is answered only after that many seconds."""
        body: dict[str, Any] = {"method": method, "error_code": error_code, "count": count}
        if description is not None:
            body["description"] = description
        if retry_after is not None:
            body["retry_after"] = retry_after
        if chat_id is not None:
            body["chat_id"] = chat_id
        if delay is not None:
            body["delay"] = delay
        await self._request("POST", "/faults", body)

    async def inject_late_answer(
        self, method: str, delay: float, count: int = 1, chat_id: int | None = None
    ) -> None:
        """The next `count` matching calls are performed (the message is sent, edited, deleted:
        chat history and events show it at once) but answered only after `delay` seconds, so
        a bot whose HTTP client gives up earlier cannot know the outcome."""
        body: dict[str, Any] = {"method": method, "delay": delay, "count": count}
        if chat_id is not None:
            body["chat_id"] = chat_id
        await self._request("POST", "/faults", body)

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def hold_updates(self) -> None:
        """From now on the bot's updates wait, unseen by getUpdates and the webhook."""
        await self._request("POST", "/updates/hold")

    async def release_updates(self) -> int:
        """Makes every held update visible at once (one getUpdates answer); how many there were."""
        result = await self._request("POST", "/updates/release")
        return int(result["released"])

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        """What users do inside reaches the bot in one batch on exit, as after a restart or when
        a phone reconnects. Released on an exception too."""
        await self.hold_updates()
        try:
            yield
        finally:
            await self.release_updates()

    async def set_webhook_error(self, message: str) -> None:
        """getWebhookInfo reports `message` as the last failed delivery, dated now."""
        await self._request("POST", "/webhook/error", {"message": message})

    async def reset(self) -> None:
        await self._request("POST", "/reset")
