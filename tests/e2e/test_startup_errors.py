"""A database the bot cannot use stops it at start with one line for the operator."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.telegram import TelegramSandbox, run_telegram_sandbox

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-secret"


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    async with run_telegram_sandbox() as running:
        yield running


async def run_bot(sandbox: TelegramSandbox, database_url: str, cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd,
        env={
            "PATH": "", "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": sandbox.config.token,
            "TELEGRAM_API_URL": sandbox.url, "DATABASE_URL": database_url,
        },
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, stderr.decode()


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        # Nothing listens on TCP port 1 (binding it needs root, and nothing here does).
        (
            f"postgresql://bot:{PASSWORD}@127.0.0.1:1/sms4sats?connect_timeout=3",
            "ERROR bot: Cannot use the database sms4sats on 127.0.0.1:1: connection failed",
        ),
        ("sqlite:///not-a-dir/bot.db", "ERROR bot: Cannot open the database at not-a-dir/bot.db"),
    ],
)
async def test_unusable_database_is_one_line(
    sandbox: TelegramSandbox, tmp_path: Path, database_url: str, expected: str
) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the database's folder should be")
    code, stderr = await run_bot(sandbox, database_url, tmp_path)
    assert code == 1
    errors = [line for line in stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and expected in errors[0], stderr
    assert "Traceback" not in stderr
    assert PASSWORD not in stderr


async def test_the_database_is_checked_before_telegram(tmp_path: Path) -> None:
    """With no network at all, a bad DATABASE_URL is what the operator reads, not "Cannot
    reach the Telegram Bot API"."""
    (tmp_path / "not-a-dir").write_text("a file where the database's folder should be")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path,
        env={
            "PATH": "", "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": "1:unreachable",
            # Nothing listens on TCP port 1.
            "TELEGRAM_API_URL": "http://127.0.0.1:1", "DATABASE_URL": "sqlite:///not-a-dir/b.db",
        },
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    errors = [line for line in stderr.decode().splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "Cannot open the database at not-a-dir/b.db" in errors[0]
