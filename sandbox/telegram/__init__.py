"""A local stand-in for the Telegram Bot API that the real bot talks to, with a user side to act
as people in chats and to read what the bot sent."""

from sandbox.telegram.config import TelegramSandboxConfig
from sandbox.telegram.server import TelegramSandbox, run_telegram_sandbox

__all__ = ["TelegramSandbox", "TelegramSandboxConfig", "run_telegram_sandbox"]
