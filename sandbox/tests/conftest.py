"""Fixtures for the sandbox's own tests: the Telegram stand-in, its user-side client, a PTB Bot.

Test modules that mean another `sandbox` (the sms4sats one) define their own fixture of that
name, which takes precedence.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from sandbox.telegram import TelegramSandbox, run_telegram_sandbox
from sandbox.telegram.client import TelegramSandboxClient

# The stand-ins live on loopback; a proxy configured on the machine must never sit in between.
for _variable in ("NO_PROXY", "no_proxy"):
    os.environ[_variable] = ",".join(
        filter(None, [os.environ.get(_variable, ""), "127.0.0.1", "localhost"])
    )


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    async with run_telegram_sandbox() as running:
        yield running


@pytest.fixture
async def client(sandbox: TelegramSandbox) -> AsyncIterator[TelegramSandboxClient]:
    # Plain HTTP on loopback: no certificates to load (about 30 ms of CPU per client).
    async with httpx.AsyncClient(trust_env=False, verify=False) as http:
        yield TelegramSandboxClient(sandbox.url, http)


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    async with Bot(
        sandbox.config.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as running:
        yield running
