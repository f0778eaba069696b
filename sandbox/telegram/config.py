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
    # Flood limits are token buckets; past them the API answers 429 with retry_after.
    private_chat_burst: int = 30
    private_chat_rate: float = 1.0
    group_per_minute: int = 20
    global_per_second: int = 30
    flood_limits: bool = True

    def __post_init__(self) -> None:
        if not _TOKEN_PATTERN.match(self.token):
            raise ValueError(f"not a bot token of the form '<digits>:<secret>': {self.token!r}")
        if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", self.bot_username):
            raise ValueError(f"not a valid bot username: {self.bot_username!r}")

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])
