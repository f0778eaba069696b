"""What the sandbox remembers: users, chats, messages with their edit history, files, callback
queries and injected faults."""

from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "supergroup"]
# The bot's own membership: in a private chat "kicked" means the user blocked the bot.
BotStatus = Literal["member", "administrator", "left", "kicked"]
BOT_STATUSES: tuple[BotStatus, ...] = ("member", "administrator", "left", "kicked")


@dataclass
class SandboxUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class MessageContent:
    """The part of a message an edit replaces; kept per version for the edit history."""

    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: list[dict[str, Any]] | None = None
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None

    @property
    def photo_file_id(self) -> str | None:
        return str(self.photo[-1]["file_id"]) if self.photo else None

    @property
    def document_file_id(self) -> str | None:
        return str(self.document["file_id"]) if self.document else None


@dataclass
class MessageVersion:
    content: MessageContent
    edit_date: int | None


@dataclass
class StoredMessage:
    message_id: int
    chat_id: int
    from_bot: bool
    from_id: int
    date: int
    content: MessageContent
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False

    def replace_content(self, content: MessageContent, now: int) -> None:
        self.history.append(MessageVersion(self.content, self.edit_date))
        self.content = content
        self.edit_date = now


@dataclass
class SandboxChat:
    id: int
    type: ChatType
    title: str | None = None
    # Private chats: the user on the other side.
    user_id: int | None = None
    # Groups: the owner, the administrators and the plain members (disjoint sets).
    owner_id: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    bot_status: BotStatus = "member"
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    menu_button: dict[str, Any] | None = None

    @property
    def is_group(self) -> bool:
        return self.type != "private"

    def member_status(self, user_id: int) -> str:
        if self.owner_id == user_id:
            return "creator"
        if user_id in self.admins:
            return "administrator"
        if user_id in self.members:
            return "member"
        return "left"

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content_type: str
    data: bytes
    width: int
    height: int

    def photo_size(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "width": self.width,
            "height": self.height,
        }


@dataclass
class CallbackRecord:
    id: str
    from_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

    def answer_json(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
        }


# A fault for every method, getUpdates included: Telegram down as a whole.
ANY_METHOD = "*"


@dataclass
class Fault:
    """What the next `remaining` matching calls get: an error, a late answer, or a late error.

    Without error_code the call is performed as usual (the message is sent, edited, deleted) and
    only its answer waits `delay` seconds, like a Telegram answer the bot's HTTP client gives up on.
    """

    method: str  # lower case, or ANY_METHOD
    error_code: int | None
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None = None
    delay: float | None = None  # seconds before the answer leaves


@dataclass
class WebhookSettings:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
