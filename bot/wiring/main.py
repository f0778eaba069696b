"""`python -m bot`: load the settings, build the bot, poll Telegram (or serve the webhook) until
stopped."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import ConfigError, Settings, configure_logging, load_settings

log = logging.getLogger("bot")


class _BootstrapTraceback(logging.Filter):
    """Drops PTB's own report of a failed start (a traceback): `main` says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["check"]:
        from bot.wiring.check import main as check

        return check(arguments[1:])
    if arguments:
        print("Usage: python -m bot [check]", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except ConfigError as error:
        for line in error.lines:
            print(f"Configuration error: {line}", file=sys.stderr)
        return 2
    # Only now the bot itself (Telegram, the web server, the database drivers: most of a second
    # of imports): settings that are wrong are answered at once, and a supervisor that restarts
    # on exit 2 (systemd's RestartPreventExitStatus) is told without waiting for them.
    from telegram.error import InvalidToken, NetworkError

    from bot.wiring.app import ALLOWED_UPDATES, StartupError, build_application
    from bot.wiring.web import run_webhook
    from storage import StorageError

    configure_logging(settings)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # With LOG_LEVEL=DEBUG the operator asked for the whole story, traceback included.
        logging.getLogger("telegram.ext").addFilter(_BootstrapTraceback())
    # The database first: with no network, a bad DATABASE_URL would otherwise hide behind
    # "Cannot reach the Telegram Bot API" (PTB calls getMe before the bot opens its database).
    try:
        asyncio.run(_open_and_close_database(settings))
    except StorageError as error:
        log.error("%s", error)
        return 1
    application = build_application(settings)
    try:
        if settings.webhook_url is None:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
        else:
            asyncio.run(run_webhook(application))
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


async def _open_and_close_database(settings: Settings) -> None:
    """Opens (and migrates) the database once; the bot opens it again in post_init."""
    from storage import open_database

    database = await open_database(settings.postgres_url or settings.database_path)
    await database.close()


if __name__ == "__main__":
    sys.exit(main())
