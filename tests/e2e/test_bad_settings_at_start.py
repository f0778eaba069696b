"""Bad settings stop `python -m bot` with one line per bad variable and exit status 2 (which
systemd's unit and a container's restart policy take as "do not restart"), before the bot loads
Telegram or opens anything. Each test starts the real process; the settings' own validation is
in tests/unit/test_config.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TOKEN = "123456:ABC-def_ghi"


def refused(cwd: Path, **environment: str) -> list[str]:
    """`python -m bot` started with only these variables (and `cwd`'s .env): its lines on
    stderr, once it has exited with status 2."""
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=cwd, capture_output=True, text=True, timeout=60,
        env={"PATH": "", **environment},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


def test_the_example_token_is_refused_in_one_line(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    (tmp_path / ".env").write_text(example)
    assert refused(tmp_path) == [
        "Configuration error: TELEGRAM_BOT_TOKEN: still the placeholder from .env.example: "
        "put the token from @BotFather there"
    ]


def test_http_webhook_url_stops_the_bot_in_one_line(tmp_path: Path) -> None:
    lines = refused(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, WEBHOOK_SECRET="x",
        WEBHOOK_URL="http://bot.example.com/tg",
    )  # fmt: skip
    assert lines == [
        "Configuration error: WEBHOOK_URL: expected an https:// URL (Telegram calls only HTTPS), "
        "got 'http://bot.example.com/tg'"
    ]


def test_bot_refuses_to_start_with_one_clear_line(tmp_path: Path) -> None:
    lines = refused(tmp_path, POLL_INTERVAL="soon", TELEGRAM_BOT_TOKEN=TOKEN)
    assert lines == [
        "Configuration error: POLL_INTERVAL: expected seconds between 0.1 and 3600 (like 3), "
        "got 'soon'"
    ]


def test_missing_token_at_start(tmp_path: Path) -> None:
    [line] = refused(tmp_path)
    assert "TELEGRAM_BOT_TOKEN: required" in line


def test_every_bad_variable_gets_its_own_line(tmp_path: Path) -> None:
    lines = refused(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, POLL_INTERVAL="soon", LOG_LEVEL="LOUD",
        SMS4SATS_API_KEY="two words",
    )  # fmt: skip
    assert lines == [
        "Configuration error: SMS4SATS_API_KEY: malformed: expected one word without spaces",
        "Configuration error: POLL_INTERVAL: expected seconds between 0.1 and 3600 (like 3), "
        "got 'soon'",
        "Configuration error: LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, "
        "got 'LOUD'",
    ]
