"""/balance and /fund: admins only, with and without an API key; menus scoped to admins."""

from __future__ import annotations

from tests.e2e.conftest import ADMIN_ID, ALICE, Stack
from tests.e2e.flows import qr_text


async def test_balance_for_an_admin(stack: Stack) -> None:
    report = await stack.ask(ADMIN_ID, "/balance", "Prepaid sms4sats balance")
    assert "50,000 sats" in report.body and "No top-ups yet" in report.body
    assert any("Top up" in b.text for b in report.buttons)


async def test_balance_for_a_non_admin(stack: Stack) -> None:
    reply = await stack.ask(ALICE, "/balance", "admins only")
    assert "sats" not in reply.body
    assert not [r for r in await stack.sms4sats.requests() if r["path"] in ("/balance", "/history")]


async def test_without_an_api_key(stack: Stack) -> None:
    await stack.reconfigure(sms4sats_api_key=None)
    await stack.ask(ADMIN_ID, "/balance", "no sms4sats API key configured")
    await stack.ask(ADMIN_ID, "/fund 5000", "no sms4sats API key configured")
    await stack.ask(ALICE, "/balance", "admins only")  # and non-admins learn nothing more


async def test_fund_then_balance_and_history(stack: Stack) -> None:
    await stack.ask(ADMIN_ID, "/fund 25,000", "top-up of 25,000 sats")
    photo = await stack.telegram.wait_for_message(ADMIN_ID, lambda m: m.photo_file_id is not None)
    assert "25,000 sats" in photo.body and "added to the bot's prepaid" in photo.body
    assert photo.photo_file_id is not None
    assert qr_text(await stack.telegram.file_bytes(photo.photo_file_id)).startswith("LIGHTNING:")
    remote = (await stack.sms4sats.orders(kind="fund"))[0]
    assert remote["amount"] == 25_000 and remote["api_key_used"]
    await stack.sms4sats.pay(remote["orderId"])
    done = await stack.wait_text(ADMIN_ID, "topped up with 25,000 sats")
    assert "New balance: 75,000 sats" in done.body
    report = await stack.ask(ADMIN_ID, "/balance", "Prepaid sms4sats balance")
    assert "75,000 sats" in report.body and "Recent top-ups" in report.body
    assert "25,000 sats" in report.body


async def test_fund_menu_and_bad_amounts(stack: Stack) -> None:
    await stack.ask(ADMIN_ID, "/fund lots", "not an amount")
    await stack.ask(ADMIN_ID, "/fund 12", "not an amount")
    menu = await stack.ask(ADMIN_ID, "/fund", "How many sats")
    await stack.telegram.press(ADMIN_ID, menu, "10,000 sats")
    await stack.telegram.wait_for_message(ADMIN_ID, lambda m: m.photo_file_id is not None)
    # The same menu pressed again does not open a second top-up.
    await stack.telegram.press(ADMIN_ID, menu, "50,000 sats")
    await stack.after(menu, "already ordered", inclusive=True)
    assert [o["amount"] for o in await stack.sms4sats.orders(kind="fund")] == [10_000]


async def test_top_up_button_from_balance(stack: Stack) -> None:
    report = await stack.ask(ADMIN_ID, "/balance", "Prepaid sms4sats balance")
    await stack.telegram.press(ADMIN_ID, report, "Top up")
    await stack.after(report, "How many sats")


async def test_fund_for_a_non_admin(stack: Stack) -> None:
    await stack.ask(ALICE, "/fund 5000", "admins only")
    assert await stack.sms4sats.orders(kind="fund") == []


async def test_sms4sats_down_for_balance(stack: Stack) -> None:
    await stack.sms4sats.inject_fault("http500", count=5, path="/balance")
    reply = await stack.ask(ADMIN_ID, "/balance", "try again")
    assert "Traceback" not in reply.body


async def test_command_menus_are_scoped(stack: Stack) -> None:
    # Telegram has no chat-scoped menu for a chat that does not exist yet: the admin's menu is
    # set when they open the bot.
    await stack.ask(ADMIN_ID, "/start", "Phone numbers for SMS codes")
    private = {c["command"] for c in await stack.telegram.commands({"type": "all_private_chats"})}
    groups = {c["command"] for c in await stack.telegram.commands({"type": "all_group_chats"})}
    admin = {
        c["command"] for c in await stack.telegram.commands({"type": "chat", "chat_id": ADMIN_ID})
    }
    assert {"buy", "orders", "send"} <= private and not {"balance", "fund"} & private
    assert {"buy", "orders"} <= groups and not {"balance", "fund", "send"} & groups
    assert {"buy", "orders", "send", "balance", "fund"} <= admin
