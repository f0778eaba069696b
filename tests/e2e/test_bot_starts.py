"""The real bot against both stand-ins: it starts, answers /start, publishes its commands."""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox.telegram import TelegramSandboxConfig, run_telegram_sandbox
from tests.e2e.conftest import ALICE, Stack


async def test_start_is_answered(stack: Stack) -> None:
    await stack.say(ALICE, "/start")
    message = await stack.wait_text(ALICE, "Phone numbers for SMS codes")
    assert "hold invoice" in message.body.lower() or "refunds" in message.body.lower()
    labels = [button.text for button in message.buttons]
    assert any("Buy" in label for label in labels)
    assert any("orders" in label.lower() for label in labels)


async def test_a_restart_loads_no_certificate_authorities_again(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram's requests, sms4sats' client and the one-off checks share one TLS context: the
    authorities (about 30 ms of CPU each time) are loaded once per process, not per client."""
    loads: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    await stack.stop_bot()
    await stack.start_bot()
    await stack.say(ALICE, "/start")
    await stack.wait_text(ALICE, "Phone numbers for SMS codes")
    assert loads == []


async def test_commands_are_published(stack: Stack) -> None:
    commands = {c["command"] for c in await stack.telegram.commands()}
    assert {"buy", "orders", "help", "start"} <= commands


async def _run_bot(tmp_path: Path, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env={"PATH": "", "PYTHONPATH": str(Path.cwd()), **env},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return await process.wait(), output.decode()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_unreachable_telegram_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    code, output = await _run_bot(tmp_path, TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_API_URL=url)
    assert code == 1
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and f"Cannot reach the Telegram Bot API at {url}" in lines[0]


async def test_a_refused_token_is_one_line(tmp_path: Path) -> None:
    async with run_telegram_sandbox(config=TelegramSandboxConfig()) as telegram:
        code, output = await _run_bot(
            tmp_path, TELEGRAM_BOT_TOKEN="123:not-the-token", TELEGRAM_API_URL=telegram.url
        )
    assert code == 1
    assert "Traceback" not in output and "not-the-token" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Telegram refused TELEGRAM_BOT_TOKEN" in lines[0]


async def test_debug_logging_keeps_the_traceback(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    code, output = await _run_bot(
        tmp_path, TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_API_URL=url, LOG_LEVEL="DEBUG"
    )
    assert code == 1
    assert "Traceback" in output and f"Cannot reach the Telegram Bot API at {url}" in output
