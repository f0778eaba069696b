"""`make demo` shows a rental: the bot runs with RENTALS=on, and the sandbox rents a number,
delivers an SMS by itself (auto mode) or on `:code` (manual), and ends the rental on time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.config import load_settings
from sandbox.demo import bot_environment, manual_keys
from sandbox.sms4sats import SandboxConfig, SandboxControl, run_sms4sats_sandbox

WEEK = 7 * 24 * 3600
RENTAL = {"country": 6, "service": "full", "isRental": True}


def test_the_demo_bot_offers_rentals(tmp_path: Path) -> None:
    env = bot_environment("http://127.0.0.1:1", "http://127.0.0.1:2", tmp_path / "demo.db")
    assert env["RENTALS"] == "on"
    assert load_settings(environ=env, env_file=None).rentals


@pytest.fixture
async def sms4sats(request: pytest.FixtureRequest) -> AsyncIterator[
    tuple[httpx.AsyncClient, SandboxControl]
]:  # fmt: skip
    config = SandboxConfig(auto=request.param)
    async with (
        run_sms4sats_sandbox(config=config) as sandbox,
        httpx.AsyncClient(base_url=sandbox.url, timeout=5, trust_env=False) as http,
    ):
        yield http, sandbox.control(http)


async def _rent(http: httpx.AsyncClient) -> str:
    response = await http.post("/createorder", json=RENTAL)
    assert response.status_code == 200, response.text
    order_id: str = response.json()["orderId"]
    return order_id


async def _status(http: httpx.AsyncClient, order_id: str) -> dict[str, object]:
    body: dict[str, object] = (await http.get("/orderstatus", params={"orderId": order_id})).json()
    return body


@pytest.mark.parametrize("sms4sats", [True], indirect=True)
async def test_auto_mode_rents_a_number_with_one_sms_then_ends_it(
    sms4sats: tuple[httpx.AsyncClient, SandboxControl],
) -> None:
    http, control = sms4sats
    order_id = await _rent(http)
    await control.advance_clock(4 + 3 + 10)
    status = await _status(http, order_id)
    assert status["paid"] is True and status["number"] and "error" not in status
    messages = status["messages"]
    assert isinstance(messages, list) and len(messages) == 1
    assert str(status["code"]) == messages[0]["code"]
    await control.advance_clock(2 * WEEK)
    assert (await _status(http, order_id))["error"] == "Rental ended"


@pytest.mark.parametrize("sms4sats", [False], indirect=True)
async def test_manual_code_key_is_one_more_sms_to_a_rental(
    sms4sats: tuple[httpx.AsyncClient, SandboxControl],
) -> None:
    http, control = sms4sats
    keys = {key.word: key.action for key in manual_keys(control)}
    order_id = await _rent(http)
    await keys[":pay"]("")
    await keys[":code"]("1111")
    await keys[":code"]("2222")
    order = await control.order(order_id)
    assert order["state"] == "number"
    assert [m["code"] for m in order["messages"]] == ["1111", "2222"]
    await control.end_rental(order_id)
    assert (await control.order(order_id))["state"] == "rental_ended"
    # Paid rentals are not refunded: sms4sats refuses to cancel them.
    refused = await http.get("/cancelorder", params={"orderId": order_id})
    assert refused.json()["status"] == "error"
