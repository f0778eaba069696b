"""Finding a number faster, end to end: search in people's own words, service first with prices,
services out of stock never offered, and "tell me when it's back"."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.core.watches import WatchRequest
from bot.domain.countries import popular_countries
from bot.domain.watches import WATCH_LASTS
from bot.wiring.services import services_of
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ALICE, BOB, BOTH_BACKENDS, Stack
from tests.e2e.flows import eventually
from tests.e2e.test_instances import another_instance

GERMANY, RUSSIA, UNITED_STATES = 43, 0, 187
PRICE = re.compile(r" · ([\d,]+) sats$")


def _labels(message: ChatMessage) -> list[str]:
    return [b.text for b in message.buttons]


async def test_a_russian_buyer_finds_telegram_by_its_russian_name(stack: Stack) -> None:
    await stack.telegram.create_user(ALICE, "Алиса", language_code="ru")
    stack.users.add(ALICE)
    await stack.ask(ALICE, "/buy", "🌍")
    countries = await stack.ask(ALICE, "россия", "россия")
    services = await stack.press(ALICE, countries, "Россия", "📱")
    assert "Любой другой сервис" in _labels(services)  # "Any other service", in Russian too
    whatsapp = await stack.ask(ALICE, "вотсап", "вотсап")
    assert _labels(whatsapp)[0] == "WhatsApp"
    found = await stack.ask(ALICE, "телеграм", "телеграм")
    assert _labels(found)[0] == "Telegram"
    confirmation = await stack.press(ALICE, found, "Telegram", "🧾")
    assert "Telegram" in confirmation.body and "Россия" in confirmation.body


async def test_an_english_buyer_finds_germany_in_other_words(stack: Stack) -> None:
    await stack.ask(ALICE, "/buy", "Pick a country")
    for query in ("Deutschland", "🇩🇪", "germny"):
        found = await stack.ask(ALICE, query, "Countries matching")
        assert _labels(found)[0] == "🇩🇪 Germany", query
        assert query in found.body


async def test_a_service_with_a_count_of_zero_is_never_offered(stack: Stack) -> None:
    # sms4sats lists it with a count of "0" (a string): it is out of stock, whatever it says.
    await stack.sms4sats.set_stock(GERMANY, "vi", 0, listed=True)
    await stack.sms4sats.set_stock(GERMANY, "tg", 0, listed=True)
    status = await stack.services.sms4sats.get_services(GERMANY)
    assert any(s.code == "vi" and s.count == 0 for s in status)

    picker = await stack.ask(ALICE, "/buy", "Pick a country")
    services = await stack.press(ALICE, picker, "Germany", "Pick a service in")
    labels = _labels(services)
    assert "Viber" not in labels and "Telegram" not in labels

    answer = await stack.ask(ALICE, "tele", "no numbers in 🇩🇪 Germany right now")
    assert answer.body.startswith("😕 Telegram")
    assert _labels(answer) == ["🔔 Tell me when it's back", "‹ Back", "🌐 Any country"]
    # A service sms4sats does not list at all, but people know by name, is said so as well.
    await stack.sms4sats.set_stock(GERMANY, "nf", 0)
    answer = await stack.ask(ALICE, "netflix", "Netflix: no numbers in 🇩🇪 Germany right now")
    anywhere = await stack.press(ALICE, answer, "Any country", "Netflix: countries with numbers")
    assert "Germany" not in " ".join(_labels(anywhere))


async def test_no_numbers_at_all_in_a_country_offers_bells(stack: Stack) -> None:
    myanmar = 5  # sells nothing in the sandbox; sms4sats lists two services there at "0"
    for service in ("tg", "wa"):
        await stack.sms4sats.set_stock(myanmar, service, 0, listed=True)
    await stack.ask(ALICE, "/buy", "Pick a country")
    found = await stack.ask(ALICE, "myanmar", "Countries matching")
    empty = await stack.press(ALICE, found, "Myanmar", "No numbers are available")
    assert "Out of stock right now: Telegram, WhatsApp." in empty.body
    assert _labels(empty)[:2] == ["🔔 Telegram", "🔔 WhatsApp"]
    told = await stack.press(ALICE, empty, "🔔 Telegram", "I'll tell you once")
    assert "24 hours" in told.body and "Myanmar" in told.body


async def _warm(stack: Stack) -> None:
    """The background refresh on (the tests' default is off), until it knows the popular
    countries' stock and prices."""
    await stack.reconfigure(browse_refresh=True)
    board = stack.services.catalog.board

    async def known() -> bool:
        return all(board.known_listing(c.code) is not None for c in popular_countries())

    await eventually(known, timeout=20)

    async def priced() -> bool:
        return all(
            board.known_price(c.code, "wa") is not None
            for c in popular_countries()
            if any(s.code == "wa" and s.count > 0 for s in board.known_listing(c.code) or ())
        )

    await eventually(priced, timeout=20)


async def test_service_first_whatsapp_countries_cheapest_first(stack: Stack) -> None:
    await stack.sms4sats.set_price(GERMANY, "wa", 1500)
    await stack.sms4sats.set_price(UNITED_STATES, "wa", 3900)
    await _warm(stack)

    picker = await stack.ask(ALICE, "/buy", "Pick a country")
    services = await stack.press(ALICE, picker, "Service first", "Pick a service")
    assert _labels(services)[:2] == ["Telegram", "WhatsApp"]  # popular first
    found = await stack.ask(ALICE, "whats", "Services matching")
    assert _labels(found)[0] == "WhatsApp"
    countries = await stack.press(ALICE, found, "WhatsApp", "WhatsApp: countries with numbers")
    labels = _labels(countries)
    assert labels[0].startswith("🌐 Auto-Select")  # on top
    priced = [
        (int(m.group(1).replace(",", "")), label)
        for label in labels[1:]
        if (m := PRICE.search(label))
    ]
    assert len(priced) >= len(popular_countries()) - 1
    assert [p for p, _ in priced] == sorted(p for p, _ in priced)
    assert priced[0] == (1500, "🇩🇪 Germany · 1,500 sats")

    confirmation = await stack.press(ALICE, countries, "Germany", "Please confirm")
    assert "WhatsApp" in confirmation.body and "Germany" in confirmation.body
    assert "Price: 1,500 sats" in confirmation.body
    assert any(b.text == "⚡ Buy for 1,500 sats" for b in confirmation.buttons)


async def _watch_viber_in_germany(stack: Stack, user: int) -> None:
    await stack.sms4sats.set_stock(GERMANY, "vi", 0, listed=True)
    picker = await stack.ask(user, "/buy", "Pick a country")
    await stack.press(user, picker, "Germany", "Pick a service in")
    answer = await stack.ask(user, "viber", "Viber: no numbers in 🇩🇪 Germany right now")
    told = await stack.press(user, answer, "Tell me when it's back", "I'll tell you once")
    assert "Viber" in told.body and "Germany" in told.body and "24 hours" in told.body


async def _told(stack: Stack, user: int) -> list[ChatMessage]:
    return [m for m in await stack.telegram.bot_messages(user) if " is back: " in m.body]


@BOTH_BACKENDS
async def test_a_watch_tells_once_when_stock_is_back_across_a_restart(stack: Stack) -> None:
    await _watch_viber_in_germany(stack, ALICE)
    await stack.stop_bot()
    await stack.start_bot()
    await stack.sms4sats.set_stock(GERMANY, "vi", 40)
    await stack.advance(61)  # the stock the bot read is a minute old now
    back = await stack.wait_text(ALICE, "Viber is back: there are numbers in 🇩🇪 Germany again")
    confirmation = await stack.press(ALICE, back, "See the price", "Please confirm")
    price = (await stack.services.sms4sats.get_price(GERMANY, "vi")).computed_price
    assert price is not None and f"Price: {price:,} sats" in confirmation.body

    async def ended() -> bool:
        return not await stack.services.watches.store.active()

    # Told once: the watch is over (the note became the confirmation), and nothing follows.
    await eventually(ended)
    before = len(await stack.telegram.bot_messages(ALICE))
    await stack.advance(61)
    await stack.advance(61)
    await stack.ask(ALICE, "/orders", "orders")
    assert len(await stack.telegram.bot_messages(ALICE)) == before + 1


async def test_a_watch_ends_after_a_day_untold(stack: Stack) -> None:
    await _watch_viber_in_germany(stack, ALICE)
    await stack.advance(WATCH_LASTS - 3600)
    await _watch_viber_in_germany(stack, BOB)  # set an hour before ALICE's day is over
    await stack.advance(3601)
    await stack.sms4sats.set_stock(GERMANY, "vi", 40)
    await stack.advance(61)
    await stack.wait_text(BOB, "Viber is back: there are numbers in 🇩🇪 Germany again")
    assert await _told(stack, ALICE) == []


async def test_at_most_five_watches(stack: Stack) -> None:
    services = ["vi", "ts", "nf", "sn", "ma", "vk"]
    for service in services:
        await stack.sms4sats.set_stock(GERMANY, service, 0, listed=True)
    picker = await stack.ask(ALICE, "/buy", "Pick a country")
    await stack.press(ALICE, picker, "Germany", "Pick a service in")
    for n, query in enumerate(("viber", "paypal", "netflix", "olx", "mail.ru", "vkontakte")):
        answer = await stack.ask(ALICE, query, "right now")
        if n < 5:
            await stack.press(ALICE, answer, "Tell me when it's back", "I'll tell you once")
        else:
            alert = await stack.telegram.press(ALICE, answer, "Tell me when it's back")
            assert alert.show_alert and alert.text is not None
            assert "already waiting for 5 services" in alert.text
    assert len(await stack.services.watches.store.for_user(ALICE)) == 5


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_instances_tell_each_watch_once(stack: Stack) -> None:
    people = range(20101, 20109)
    await stack.sms4sats.set_stock(GERMANY, "vi", 0, listed=True)
    for user in people:
        await stack.ask(user, "/start", "Phone numbers")  # a bot cannot write first
        await stack.services.watches.watch(WatchRequest(user, user, GERMANY, "vi", "Viber"))
    async with another_instance(stack) as second:
        instances = [stack.services, services_of(second)]

        async def both_live() -> bool:
            return all(s.engine.cluster.size == 2 for s in instances)

        await eventually(both_live)
        await stack.sms4sats.set_stock(GERMANY, "vi", 40)
        await stack.advance(61)

        async def told() -> Counter[int]:
            return Counter(
                int(call["params"]["chat_id"])
                for call in await stack.telegram.calls()
                if call.get("ok")
                and call["method"] == "sendMessage"
                and " is back: " in str(call["params"].get("text", ""))
            )

        async def all_told() -> bool:
            # A watch leaves `active` when it is claimed, before its message is sent: wait
            # for the messages themselves.
            if await stack.services.watches.store.active():
                return False
            return len(await told()) >= len(people)

        await eventually(all_told, timeout=30)
    told_each = await told()
    assert told_each == dict.fromkeys(people, 1)
