"""Settings: defaults, every variable's validation, .env files, and secrets kept out of logs."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_SMS4SATS_API_URL,
    DEFAULT_TELEGRAM_API_URL,
    VARIABLES,
    ConfigError,
    RedactSecrets,
    load_settings,
)

TOKEN = "123456:ABC-def_ghi"


def load(**env: str) -> object:
    return load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, env_file=None)


def test_defaults() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert settings.telegram_api_url == DEFAULT_TELEGRAM_API_URL
    assert settings.sms4sats_api_url == DEFAULT_SMS4SATS_API_URL
    assert settings.sms4sats_api_key is None
    assert settings.sms4sats_ref is None
    assert settings.admin_ids == frozenset()
    assert settings.admin_chat_id is None
    assert settings.database_path == Path("data/sms4sats-bot.db")
    assert settings.poll_interval == 3.0
    assert settings.sms4sats_max_rps == 50.0
    assert settings.log_level == "INFO"


def test_all_values_parsed() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8401/",
            "SMS4SATS_API_URL": "http://127.0.0.1:8400",
            "SMS4SATS_API_KEY": "key-123",
            "SMS4SATS_REF": "Operator@Example.com",
            "ADMIN_IDS": " 1, 22 ,333,",
            "ADMIN_CHAT_ID": "-1001234",
            "DATABASE_URL": "sqlite:////var/lib/bot/orders.db",
            "POLL_INTERVAL": "0.5",
            "SMS4SATS_MAX_RPS": "400",
            "LOG_LEVEL": "debug",
        },
        env_file=None,
    )
    assert settings.telegram_api_url == "http://127.0.0.1:8401"
    assert settings.sms4sats_api_key == "key-123"
    assert settings.sms4sats_ref == "Operator@Example.com"
    assert settings.admin_ids == {1, 22, 333}
    assert settings.admin_chat_id == -1001234
    assert settings.database_path == Path("/var/lib/bot/orders.db")
    assert settings.poll_interval == 0.5
    assert settings.sms4sats_max_rps == 400
    assert settings.log_level == "DEBUG"


def test_relative_database_path() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "sqlite:///state/bot.db"}, env_file=None
    )
    assert settings.database_path == Path("state/bot.db")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TELEGRAM_BOT_TOKEN", "", "required"),
        ("TELEGRAM_BOT_TOKEN", "not a token", "malformed"),
        ("TELEGRAM_API_URL", "ftp://x", "http:// or https://"),
        ("SMS4SATS_API_URL", "api2.sms4sats.com", "http:// or https://"),
        ("SMS4SATS_API_KEY", "two words", "without spaces"),
        ("SMS4SATS_REF", "not-an-address", "Lightning Address"),
        ("ADMIN_IDS", "12,abc", "Telegram user ids"),
        ("ADMIN_CHAT_ID", "12345", "negative"),
        ("DATABASE_URL", "mysql://x", "sqlite:///"),
        ("DATABASE_URL", "postgresql://bot:pw@db:54x2/bot", "port must be a number"),
        ("DATABASE_URL", "postgresql://bot:pw@/bot", "no host"),
        ("DATABASE_URL", "postgres://bot:pw@db:5432", "no database name"),
        ("WEBHOOK_URL", "bot.example.com/hook", "https://"),
        ("WEBHOOK_URL", "http://bot.example.com/hook", "Telegram calls only HTTPS"),
        ("WEBHOOK_PORT", "80800", "port number"),
        ("METRICS_PORT", "metrics", "port number"),
        ("POLL_INTERVAL", "fast", "seconds"),
        ("POLL_INTERVAL", "0", "seconds"),
        ("SMS4SATS_MAX_RPS", "lots", "requests per second"),
        ("SMS4SATS_MAX_RPS", "0", "requests per second"),
        ("LOG_LEVEL", "LOUD", "one of"),
        ("ERROR_REPORTS", "sometimes", "on or off"),
        ("BALANCE_ALERT_SATS", "lots", "whole number"),
        ("BALANCE_ALERT_SATS", "5000", "needs SMS4SATS_API_KEY"),
        ("BROWSE_REQUESTS_PER_SECOND", "lots", "requests per second"),
        ("BROWSE_REQUESTS_PER_SECOND", "0", "between 0.1 and 100"),
        ("BROWSE_REFRESH", "maybe", "on or off"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, expected: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, variable: value}
    with pytest.raises(ConfigError) as caught:
        load_settings(env, env_file=None)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")
    assert expected in str(caught.value)


def test_operator_settings() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert settings.error_reports is True and settings.balance_alert_sats is None
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ERROR_REPORTS": "OFF",
            "BALANCE_ALERT_SATS": "10000",
            "SMS4SATS_API_KEY": "key",
        },
        env_file=None,
    )
    assert settings.error_reports is False and settings.balance_alert_sats == 10_000


def test_browse_settings() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert settings.browse_requests_per_second == 2.0 and settings.browse_refresh is True
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BROWSE_REQUESTS_PER_SECOND": "0.5", "BROWSE_REFRESH": "off"},
        env_file=None,
    )
    assert settings.browse_requests_per_second == 0.5 and settings.browse_refresh is False


def test_postgres_url_selects_postgres_and_its_password_stays_secret() -> None:
    url = "postgresql://bot:s%40cret-pw@db.internal:5432/sms4sats"
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url}, env_file=None)
    assert settings.postgres_url == url
    assert "s@cret-pw" in settings.secrets  # redacted from every log line
    assert "cret-pw" not in repr(settings)
    socket = "postgresql://postgres@/bot?host=/run/postgresql"
    assert (
        load_settings(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": socket}, env_file=None
        ).postgres_url
        == socket
    )
    sqlite = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert sqlite.postgres_url is None


def test_malformed_database_url_is_not_echoed() -> None:
    for url in ("postgresql://bot:hunter2@db:bad/x", "mysql://bot:hunter2@db/x"):
        with pytest.raises(ConfigError) as caught:
            load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url}, env_file=None)
        assert "hunter2" not in str(caught.value)


def test_webhook_settings() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN}
    polling = load_settings(base, env_file=None)
    assert polling.webhook_url is None and polling.http_port is None
    assert load_settings({**base, "METRICS_PORT": "9100"}, env_file=None).http_port == 9100
    webhook = load_settings(
        {**base, "WEBHOOK_URL": "https://bot.example.com/tg", "WEBHOOK_SECRET": "s3cret_-X"},
        env_file=None,
    )
    assert (webhook.webhook_listen, webhook.webhook_port, webhook.http_port) == (
        "127.0.0.1", 8080, 8080,
    )  # fmt: skip
    assert "s3cret_-X" in webhook.secrets and "s3cret_-X" not in repr(webhook)
    listen = load_settings(
        {**base, "WEBHOOK_URL": "https://b.example/", "WEBHOOK_SECRET": "x",
         "WEBHOOK_LISTEN": "0.0.0.0", "WEBHOOK_PORT": "8443"},
        env_file=None,
    )  # fmt: skip
    assert (listen.webhook_listen, listen.webhook_port) == ("0.0.0.0", 8443)
    assert webhook.metrics_server_port is None and webhook.health_port == 8080


def test_metrics_port_with_a_webhook_is_served_on_its_own() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://b.example/", "WEBHOOK_SECRET": "x"}
    both = load_settings({**base, "METRICS_PORT": "9100"}, env_file=None)
    assert (both.http_port, both.metrics_server_port, both.health_port) == (8080, 9100, 9100)
    same = load_settings({**base, "METRICS_PORT": "8080"}, env_file=None)
    assert (same.http_port, same.metrics_server_port, same.health_port) == (8080, None, 8080)
    polling = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "METRICS_PORT": "9100"}, env_file=None)
    assert (polling.http_port, polling.metrics_server_port, polling.health_port) == (
        9100, None, 9100,
    )  # fmt: skip


def test_plain_http_webhook_only_with_a_bot_api_server_of_ones_own() -> None:
    """A self-hosted Bot API server (or the sandbox) calls http webhooks; Telegram does not."""
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:8081",
         "WEBHOOK_URL": "http://127.0.0.1:8080/tg", "WEBHOOK_SECRET": "x"},
        env_file=None,
    )  # fmt: skip
    assert settings.webhook_url == "http://127.0.0.1:8080/tg"


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        (None, "WEBHOOK_SECRET: required with WEBHOOK_URL"),
        ("has space-secret", "WEBHOOK_SECRET: malformed"),
        ("x" * 257, "WEBHOOK_SECRET: malformed"),
        ("ünïcode-secret", "WEBHOOK_SECRET: malformed"),
    ],
)
def test_webhook_needs_a_well_formed_secret(secret: str | None, expected: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.com/tg"}
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    with pytest.raises(ConfigError) as caught:
        load_settings(env, env_file=None)
    assert str(caught.value).startswith(expected)
    if secret is not None:
        assert secret not in str(caught.value)  # a secret is never echoed


def test_malformed_token_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": "123456:secret value"}, env_file=None)
    assert "secret" not in str(caught.value)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nPOLL_INTERVAL=7\nLOG_LEVEL=ERROR\n")
    settings = load_settings({"LOG_LEVEL": "WARNING"}, env_file=env_file)
    assert settings.telegram_token == TOKEN
    assert settings.poll_interval == 7.0
    assert settings.log_level == "WARNING"


def test_secrets_not_in_repr() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SMS4SATS_API_KEY": "very-secret-key"}, env_file=None
    )
    assert TOKEN not in repr(settings)
    assert "very-secret-key" not in repr(settings)


def test_log_filter_redacts_messages_and_tracebacks() -> None:
    record_filter = RedactSecrets((TOKEN, "very-secret-key"))
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "GET https://x/bot%s/getMe", (TOKEN,), None
    )
    assert record_filter.filter(record)
    assert TOKEN not in record.getMessage()
    assert "[redacted]" in record.getMessage()
    try:
        raise RuntimeError("failed with key very-secret-key")
    except RuntimeError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    record_filter.filter(record)
    formatted = logging.Formatter().format(record)
    assert "very-secret-key" not in formatted
    assert "RuntimeError" in formatted


def test_blank_values_in_the_env_file_mean_the_default(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN= {TOKEN} \nPOLL_INTERVAL=\nOTHER_TOOL_SETTING=x\n")
    settings = load_settings({"LOG_LEVEL": "  "}, env_file=env_file)
    assert settings.telegram_token == TOKEN
    assert (settings.poll_interval, settings.log_level) == (3.0, "INFO")


def _documented_defaults() -> dict[str, str]:
    """The settings table of docs/operations.md: variable -> its Default column."""
    table = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| ([^|]+) \|", table, re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def test_every_setting_is_documented_with_its_default() -> None:
    documented = _documented_defaults()
    variables = set(VARIABLES)
    assert variables <= documented.keys(), variables - documented.keys()
    defaults = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    # The Default column as docs/operations.md writes it, from the defaults the bot has.
    for name in sorted(variables):
        value = getattr(defaults, name.lower(), None)
        if isinstance(value, bool):
            assert documented[name] == ("`on`" if value else "`off`"), name
        elif isinstance(value, int | float):
            assert documented[name] == f"`{value:g}`", name
        elif isinstance(value, str) and name != "TELEGRAM_BOT_TOKEN":
            assert documented[name] == f"`{value}`", name
    assert documented["DATABASE_URL"] == f"`{DEFAULT_DATABASE_URL}`"


def test_every_setting_is_in_the_env_example() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z0-9_]+)=", example, re.MULTILINE))
    assert set(VARIABLES) <= listed
