"""python -m sandbox.telegram: serve the Telegram sandbox until SIGINT or SIGTERM."""

import argparse
import asyncio
import signal

from sandbox.telegram.config import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN, TelegramSandboxConfig
from sandbox.telegram.server import run_telegram_sandbox


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.telegram",
        description="A local stand-in for the Telegram Bot API (listens on 127.0.0.1 only).",
    )
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument("--port", type=int, default=8401, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default=DEFAULT_BOT_USERNAME)
    return parser.parse_args()


async def _serve(arguments: argparse.Namespace) -> None:
    config = TelegramSandboxConfig(token=arguments.token, bot_username=arguments.bot_username)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with run_telegram_sandbox(arguments.host, arguments.port, config) as sandbox:
        # The first line stays the bare URL (scripts read it); the second says what to put in
        # .env, since the bot's token must be the one the sandbox accepts.
        print(sandbox.url, flush=True)
        print(
            f"TELEGRAM_API_URL={sandbox.url} TELEGRAM_BOT_TOKEN={config.token}",
            flush=True,
        )
        await stop.wait()


def main() -> None:
    asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
