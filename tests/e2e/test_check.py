"""`python -m bot check`: each check against the stand-ins over real HTTP, its ✅ / ⚠️ / ❌ line
and the exit code; and the referral check the bot runs at start."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.lightning_address import AddressUnresolved, lnurlp_url, resolve
from bot.wiring.check import Line, Mark, exit_code, run_checks
from storage import open_database
from storage.migrations import MIGRATIONS
from tests.e2e.conftest import ADMIN_ID, API_KEY, BOTH_BACKENDS, REF, Stack
from tests.e2e.flows import eventually, free_port
from tests.e2e.lnurl_standin import (
    MAX_SENDABLE_MSAT,
    MIN_SENDABLE_MSAT,
    LnurlStandin,
    loopback_client,
    run_lnurl_standin,
)

ROOT = Path(__file__).resolve().parents[2]
ADMIN_GROUP = -100555
WEBHOOK_SECRET = "check-Secret_0123"


@pytest.fixture
async def lnurl() -> AsyncIterator[LnurlStandin]:
    async with run_lnurl_standin() as standin:
        yield standin


@pytest.fixture
async def wallet_http(lnurl: LnurlStandin) -> AsyncIterator[httpx.AsyncClient]:
    """https://example.com/... (the domain of the tests' REF) reaches the stand-in."""
    async with loopback_client({"example.com": lnurl.url}) as http:
        yield http


async def check(settings: Settings, http: httpx.AsyncClient) -> dict[str, Line]:
    lines = await run_checks(settings, lightning_http=http)
    return {line.subject: line for line in lines}


def only_failures(lines: dict[str, Line]) -> dict[str, Line]:
    return {subject: line for subject, line in lines.items() if line.mark is not Mark.OK}


@BOTH_BACKENDS
async def test_all_green_against_the_stand_ins(
    stack: Stack, wallet_http: httpx.AsyncClient
) -> None:
    await stack.user(ADMIN_ID)
    await stack.telegram.create_group(ADMIN_GROUP, "Operators", owner=ADMIN_ID)
    settings = dataclasses.replace(stack.settings, admin_chat_id=ADMIN_GROUP)
    started = time.monotonic()
    lines = await check(settings, wallet_http)
    assert time.monotonic() - started < 10
    assert only_failures(lines) == {}
    assert exit_code(list(lines.values())) == 0
    assert set(lines) == {
        "Database", "Telegram", "sms4sats", "SMS4SATS_API_KEY", "SMS4SATS_REF", "Admins",
        "ADMIN_CHAT_ID",
    }  # fmt: skip
    assert "schema up to date" in lines["Database"].text
    assert lines["Telegram"].text == f"the token is @{stack.telegram_sandbox.config.bot_username}'s"
    assert "prepaid balance 50,000 sats" in lines["SMS4SATS_API_KEY"].text
    assert lines["SMS4SATS_REF"].text == f"{REF} resolves: a payRequest for 1 to 100,000 sats"
    assert "«Operators»" in lines["ADMIN_CHAT_ID"].text
    assert all(API_KEY not in str(line) and stack.settings.telegram_token not in str(line)
               for line in lines.values())  # fmt: skip


async def test_a_refused_token(stack: Stack, wallet_http: httpx.AsyncClient) -> None:
    settings = dataclasses.replace(stack.settings, telegram_token="123:not-the-sandbox-token")
    lines = await check(settings, wallet_http)
    assert str(lines["Telegram"]) == (
        "❌ Telegram: Telegram refused TELEGRAM_BOT_TOKEN: copy it again from @BotFather"
    )
    assert "not-the-sandbox-token" not in "".join(map(str, lines.values()))
    assert exit_code(list(lines.values())) == 1


async def test_an_unreachable_sms4sats(stack: Stack, wallet_http: httpx.AsyncClient) -> None:
    # Nothing listens on TCP port 1.
    settings = dataclasses.replace(stack.settings, sms4sats_api_url="http://127.0.0.1:1")
    lines = await check(settings, wallet_http)
    assert str(lines["sms4sats"]) == (
        "❌ sms4sats: http://127.0.0.1:1: unreachable: check SMS4SATS_API_URL and the network"
    )
    assert "SMS4SATS_API_KEY" not in lines  # no balance asked of what does not answer
    assert exit_code(list(lines.values())) == 1


async def test_a_lightning_address_answering_404(
    stack: Stack, lnurl: LnurlStandin, wallet_http: httpx.AsyncClient
) -> None:
    settings = dataclasses.replace(stack.settings, sms4sats_ref="nobody@example.com")
    lines = await check(settings, wallet_http)
    assert str(lines["SMS4SATS_REF"]) == (
        "❌ SMS4SATS_REF: nobody@example.com does not resolve: "
        "https://example.com/.well-known/lnurlp/nobody answered HTTP 404; sms4sats cannot pay "
        "the referral there. Check the address in your wallet"
    )
    assert lnurl.requests == ["nobody"]
    assert exit_code(list(lines.values())) == 1


async def test_a_lightning_address_answering_a_pay_request(
    lnurl: LnurlStandin, wallet_http: httpx.AsyncClient
) -> None:
    pay = await resolve("operator@Example.com", wallet_http)
    assert (pay.min_sendable_msat, pay.max_sendable_msat) == (MIN_SENDABLE_MSAT, MAX_SENDABLE_MSAT)
    assert pay.callback == "https://example.com/lnurlp/operator/callback"
    lnurl.error_users.add("frozen")
    with pytest.raises(AddressUnresolved, match="answered an error: Account disabled"):
        await resolve("frozen@example.com", wallet_http)
    # Elsewhere there is no network: the resolver says so in one line.
    with pytest.raises(AddressUnresolved, match=r"cannot reach https://elsewhere\.example/"):
        await resolve("a@elsewhere.example", wallet_http)


def test_the_address_is_always_asked_over_https() -> None:
    assert lnurlp_url("alice@Wallet.Example") == "https://wallet.example/.well-known/lnurlp/alice"


async def test_a_webhook_with_a_last_error(stack: Stack, wallet_http: httpx.AsyncClient) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    await stack.reconfigure(webhook_url=url, webhook_secret=WEBHOOK_SECRET, webhook_port=port)
    lines = await check(stack.settings, wallet_http)
    assert str(lines["Webhook"]) == f"✅ Webhook: {url}, 0 updates waiting"

    await stack.telegram.set_webhook_error("Connection refused")
    lines = await check(stack.settings, wallet_http)
    line = str(lines["Webhook"])
    assert line.startswith(f"❌ Webhook: {url}: Telegram's last delivery failed ")
    assert "Connection refused" in line and "Check that the proxy" in line
    assert exit_code(list(lines.values())) == 1

    elsewhere = dataclasses.replace(stack.settings, webhook_url="https://bot.example/telegram")
    lines = await check(elsewhere, wallet_http)
    assert lines["Webhook"].mark is Mark.FAIL
    assert f"Telegram sends updates to {url}, not to WEBHOOK_URL" in lines["Webhook"].text


async def test_admin_chat_the_bot_is_not_in(stack: Stack, wallet_http: httpx.AsyncClient) -> None:
    await stack.user(ADMIN_ID)
    await stack.telegram.create_group(ADMIN_GROUP, "Operators", owner=ADMIN_ID)
    await stack.telegram.set_bot_membership(ADMIN_GROUP, "kicked", by=ADMIN_ID)
    settings = dataclasses.replace(stack.settings, admin_chat_id=ADMIN_GROUP)
    lines = await check(settings, wallet_http)
    assert str(lines["ADMIN_CHAT_ID"]) == (
        f"❌ ADMIN_CHAT_ID: {ADMIN_GROUP}: Forbidden: bot was kicked from the group chat; add the "
        "bot to the group, and check that ADMIN_CHAT_ID is that group's id"
    )
    assert exit_code(list(lines.values())) == 1


async def test_database_schema_pending_and_newer(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    settings = Settings(telegram_token="1:x", database_path=path, sms4sats_api_url="http://127.0.0.1:1",
                        telegram_api_url="http://127.0.0.1:1")  # fmt: skip
    async with httpx.AsyncClient() as http:
        lines = await check(settings, http)
        assert str(lines["Database"]) == (
            f"✅ Database: {path} does not exist yet; the bot creates it at start"
        )
        assert not path.exists()  # a check creates nothing
        await (await open_database(path)).close()
        with sqlite3.connect(path) as connection:
            connection.execute("DELETE FROM schema_migrations WHERE version > 1")
        lines = await check(settings, http)
        assert lines["Database"].mark is Mark.WARN
        assert "migrations pending; the bot applies them at start" in lines["Database"].text
        await (await open_database(path)).close()  # migrated again
        with sqlite3.connect(path) as connection:
            connection.execute(
                "INSERT INTO schema_migrations VALUES (?, 0)", (len(MIGRATIONS) + 1,)
            )
        lines = await check(settings, http)
        assert lines["Database"].mark is Mark.FAIL
        assert "from a newer version of the bot" in lines["Database"].text
        # Nothing listens on TCP port 1; the password never shows.
        unreachable = dataclasses.replace(
            settings, postgres_url="postgresql://bot:hunter2@127.0.0.1:1/sms4sats"
        )
        line = str((await check(unreachable, http))["Database"])
        assert line.startswith("❌ Database: Cannot use the database sms4sats on 127.0.0.1:1: ")
        assert line.endswith("(check DATABASE_URL)") and "hunter2" not in line


async def test_the_command_prints_marks_and_no_secret(stack: Stack, tmp_path: Path) -> None:
    """`python -m bot check` as the operator runs it: the stand-ins' settings in the
    environment, no SMS4SATS_REF (a warning, not a failure), exit 0, under 10 s."""
    env = {
        "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": stack.settings.telegram_token,
        "TELEGRAM_API_URL": stack.settings.telegram_api_url,
        "SMS4SATS_API_URL": stack.settings.sms4sats_api_url, "SMS4SATS_API_KEY": API_KEY,
        "ADMIN_IDS": str(ADMIN_ID), "DATABASE_URL": f"sqlite:///{stack.database_path}",
    }  # fmt: skip
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "check", cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert time.monotonic() - started < 10
    output = stdout.decode()
    assert process.returncode == 0, output + stderr.decode()
    lines = output.splitlines()
    assert all(line.split(" ", 1)[0] in ("✅", "⚠️") for line in lines), output
    assert "⚠️ SMS4SATS_REF: not set" in output
    assert API_KEY not in output + stderr.decode()
    assert stack.settings.telegram_token not in output + stderr.decode()

    env["TELEGRAM_BOT_TOKEN"] = "123:refused"
    refused = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "check", cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    stdout, _ = await asyncio.wait_for(refused.communicate(), 30)
    assert refused.returncode == 1
    assert "❌ Telegram: Telegram refused TELEGRAM_BOT_TOKEN" in stdout.decode()


async def test_the_bot_warns_at_start_when_the_referral_does_not_resolve(
    stack: Stack, lnurl: LnurlStandin, wallet_http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    stack.lightning_http = wallet_http
    with caplog.at_level(logging.WARNING, logger="bot.wiring.app"):
        await stack.reconfigure(sms4sats_ref="nobody@example.com")

        async def warned() -> bool:
            return any("SMS4SATS_REF" in r.getMessage() for r in caplog.records)

        await eventually(warned)
        await stack.reconfigure(sms4sats_ref=REF)
        await eventually(lambda: asyncio.sleep(0, result=lnurl.requests == ["nobody", "operator"]))
    warnings = [r for r in caplog.records if "SMS4SATS_REF" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert (
        warnings[0]
        .getMessage()
        .startswith(
            "SMS4SATS_REF nobody@example.com does not resolve (https://example.com/.well-known/"
            "lnurlp/nobody answered HTTP 404)"
        )
    )
