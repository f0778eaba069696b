"""The real bot against both stand-ins: it starts, answers /start, publishes its commands."""

from __future__ import annotations

from tests.conftest import ALICE, Stack


async def test_start_is_answered(stack: Stack) -> None:
    await stack.say(ALICE, "/start")
    message = await stack.wait_text(ALICE, "Phone numbers for SMS codes")
    assert "hold invoice" in message.body.lower() or "refunds" in message.body.lower()
    labels = [button.text for button in message.buttons]
    assert any("Buy" in label for label in labels)
    assert any("orders" in label.lower() for label in labels)


async def test_commands_are_published(stack: Stack) -> None:
    commands = {c["command"] for c in await stack.telegram.commands()}
    assert {"buy", "orders", "help", "start"} <= commands
