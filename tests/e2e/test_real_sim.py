"""A real SIM (`realphone`): the toggle on the confirmation, the order, the card, a refusal."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, REF, Stack
from tests.e2e.flows import open_confirmation


async def test_real_sim_purchase_asks_for_realphone(stack: Stack) -> None:
    confirmation = await open_confirmation(stack, ALICE)
    assert any(b.text == "📶 Real SIM: off" for b in confirmation.buttons)
    assert "Real SIM" not in confirmation.body

    real = await stack.press(ALICE, confirmation, "Real SIM", "a real phone number from the")
    assert "sms4sats network" in real.body
    assert (
        "Fewer may be in stock" in real.body and "the price is the one on the invoice" in real.body
    )
    assert any(b.text == "📶 Real SIM: on ✅" for b in real.buttons)

    await stack.telegram.press(ALICE, real, "Buy")
    photo = await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    assert "Real SIM" in photo.body
    created = [r for r in await stack.sms4sats.requests() if r["path"] == "/createorder"]
    assert created[-1]["json"] == {"country": 187, "service": "tg", "realphone": True, "ref": REF}
    remote = (await stack.sms4sats.orders(kind="receive"))[0]
    assert remote["realphone"] is True

    await stack.sms4sats.pay(remote["orderId"])
    await stack.sms4sats.assign_number(remote["orderId"], "14155550123")
    card = await stack.wait_text(ALICE, "+1 415-555-0123")
    assert "📶 Real SIM" in card.body
    order = (await stack.services.orders.for_user(ALICE))[0]
    assert order.real_phone


async def test_real_sim_toggled_off_again_buys_an_ordinary_number(stack: Stack) -> None:
    confirmation = await open_confirmation(stack, ALICE)
    real = await stack.press(ALICE, confirmation, "Real SIM", "a real phone number from the")
    await stack.telegram.press(ALICE, real, "Real SIM")
    ordinary = await stack.telegram.wait_for_message(
        ALICE,
        lambda m: (
            m.message_id == real.message_id and any(b.text == "📶 Real SIM: off" for b in m.buttons)
        ),
    )
    assert "sms4sats network" not in ordinary.body
    await stack.telegram.press(ALICE, ordinary, "Buy")
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    created = [r for r in await stack.sms4sats.requests() if r["path"] == "/createorder"]
    assert "realphone" not in created[-1]["json"]


async def test_a_refused_real_sim_is_said_plainly_with_a_way_back(stack: Stack) -> None:
    await stack.sms4sats.configure(real_phones=False)
    confirmation = await open_confirmation(stack, ALICE)
    real = await stack.press(ALICE, confirmation, "Real SIM", "a real phone number from the")
    await stack.telegram.press(ALICE, real, "Buy")
    refused = await stack.after(real, "could not give a real SIM", inclusive=True)
    assert "Nothing was charged" in refused.body
    assert "No real phone numbers available right now" in refused.body  # sms4sats' own words
    assert not await stack.services.orders.for_user(ALICE)

    ordinary = await stack.press(ALICE, refused, "Ordinary number instead", "Please confirm")
    assert "sms4sats network" not in ordinary.body
    await stack.telegram.press(ALICE, ordinary, "Buy")
    await stack.telegram.wait_for_message(ALICE, lambda m: m.photo_file_id is not None)
    created = [r for r in await stack.sms4sats.requests() if r["path"] == "/createorder"]
    assert len(created) == 2 and "realphone" not in created[-1]["json"]


async def test_real_phone_off_hides_the_toggle(stack: Stack) -> None:
    await stack.reconfigure(real_phone=False)
    confirmation = await open_confirmation(stack, ALICE)
    assert not any("Real SIM" in b.text for b in confirmation.buttons)
