"""`python -m bot`: load the settings, build the bot, poll Telegram until stopped."""

from __future__ import annotations

import logging
import sys

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, configure_logging, load_settings
from bot.wiring.app import ALLOWED_UPDATES, StartupError, build_application

log = logging.getLogger("bot")


class _BootstrapTraceback(logging.Filter):
    """Drops PTB's own report of a failed start (a traceback): `main` says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # With LOG_LEVEL=DEBUG the operator asked for the whole story, traceback included.
        logging.getLogger("telegram.ext").addFilter(_BootstrapTraceback())
    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except StartupError as error:
        log.error("%s", error)
        return 1
    except InvalidToken:
        log.error("Telegram refused TELEGRAM_BOT_TOKEN: check the token from @BotFather")
        return 1
    except NetworkError as error:
        log.error("Cannot reach the Telegram Bot API at %s: %s", settings.telegram_api_url, error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
