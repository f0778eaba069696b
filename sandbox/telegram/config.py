"""Settings of the Telegram Bot API stand-in: the bot's identity and the limits it enforces."""

import re
from dataclasses import dataclass

DEFAULT_TOKEN = "123456789:SANDBOX-token"
DEFAULT_BOT_USERNAME = "sms4sats_sandbox_bot"

_TOKEN_PATTERN = re.compile(r"^(\d{1,19}):[A-Za-z0-9_-]+$")


@dataclass
class TelegramSandboxConfig:
    token: str = DEFAULT_TOKEN
    bot_username: str = DEFAULT_BOT_USERNAME
    bot_first_name: str = "sms4sats sandbox"
    # Groups: with privacy mode on the bot sees only commands, replies to it and mentions.
    privacy_mode: bool = True
    # Flood limits; past one the API answers 429 with retry_after (whole seconds, at least 1).
    # Sending and editing messages count; answering callbacks, chat actions and deleting don't.
    # A private chat is a token bucket: bursts of private_chat_burst, then private_chat_rate
    # messages a second.
    private_chat_burst: int = 30
    private_chat_rate: float = 1.0
    # A group takes at most group_per_minute messages in any group_window_seconds (a sliding
    # window, Telegram's "20 messages per minute"); a test may shorten the window, e.g.
    # group_per_minute=5, group_window_seconds=10 for 5 messages per 10 s.
    group_per_minute: int = 20
    group_window_seconds: float = 60.0
    # The whole bot: a token bucket of global_per_second, refilled at that rate.
    global_per_second: int = 30
    flood_limits: bool = True

    def __post_init__(self) -> None:
        if not _TOKEN_PATTERN.match(self.token):
            raise ValueError(f"not a bot token of the form '<digits>:<secret>': {self.token!r}")
        if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", self.bot_username):
            raise ValueError(f"not a valid bot username: {self.bot_username!r}")
        if self.group_per_minute < 1 or self.group_window_seconds <= 0:
            raise ValueError("the group flood limit needs at least 1 message in a positive window")

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])
