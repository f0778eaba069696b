"""The bot speaks the user's language, end to end: from Telegram's language_code, from /language
(also after a restart), in groups as their admins set it, and in the command menus."""

from __future__ import annotations

import re

from bot.core import sending
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ADMIN_ID, ALICE, BOB, Stack
from tests.e2e.flows import eventually

GROUP = -1009876543210
CAROL = 10003  # a group admin, not one of the bot's admins
DAVE = 10004  # owns the group
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


async def russian_user(stack: Stack, user_id: int) -> None:
    await stack.telegram.create_user(user_id, "Алиса", language_code="ru")
    stack.users.add(user_id)


async def test_a_russian_user_gets_the_whole_purchase_in_russian(stack: Stack) -> None:
    await russian_user(stack, ALICE)
    picker = await stack.ask(ALICE, "/buy", "Выберите страну")
    assert _has_button(picker, "Далее ›")
    services = await stack.press(ALICE, picker, "США", "Выберите сервис")
    confirmation = await stack.press(ALICE, services, "Telegram", "Подтвердите заказ")
    # Sats grouped the Russian way (a no-break space), in Russian words.
    assert re.search(r"Цена: \d{1,3}(\u00a0\d{3})* сат", confirmation.body)
    assert "холд-инвойс" in confirmation.body and "Страна: 🇺🇸 США" in confirmation.body
    buy_button = next(b.text for b in confirmation.buttons if b.text.startswith("⚡"))
    assert buy_button.startswith("⚡ Купить за ")

    await stack.telegram.press(ALICE, confirmation, "Купить за")
    invoice = await stack.telegram.wait_for_message(
        ALICE, lambda m: m.photo_file_id is not None and "Инвойс" in m.body
    )
    assert "Оплатите до" in invoice.body and _has_button(invoice, "Отменить заказ")
    orders = await stack.sms4sats.orders(kind="receive")
    remote_id = next(o["orderId"] for o in orders if o["payreq"].lower() in invoice.body.lower())

    await stack.sms4sats.pay(remote_id)
    await stack.wait_text(ALICE, "Оплата получена")
    await stack.sms4sats.assign_number(remote_id, "14155550123")
    card = await stack.wait_text(ALICE, "Ваш номер")
    assert _has_button(card, "Копировать номер") and "+1 415-555-0123" in card.body

    # The code comes after a restart: the language is read from the database, not memory.
    await stack.stop_bot()
    await stack.sms4sats.deliver_code(remote_id, "5150")
    await stack.start_bot()
    code = await stack.wait_text(ALICE, "Ваш код")
    assert "5150" in code.body and _has_button(code, "Копировать код")
    await stack.wait_text(ALICE, "Готово — спасибо!")

    # Every message of the flow, and every button left on them, is in Russian.
    for message in await stack.telegram.bot_messages(ALICE):
        assert CYRILLIC.search(message.body), f"not in Russian: {message.body!r}"
        for label in _labels(message):
            assert CYRILLIC.search(label), f"button not in Russian: {label!r}"


async def test_countries_are_named_and_found_in_the_users_language(stack: Stack) -> None:
    await russian_user(stack, ALICE)
    await stack.ask(ALICE, "/buy", "Выберите страну")
    found = await stack.ask(ALICE, "герм", "Страны по запросу «герм»")
    assert _labels(found)[0] == "🇩🇪 Германия"
    # English names match too (people type what they know), shown in Russian.
    found = await stack.ask(ALICE, "Germany", "Страны по запросу «Germany»")
    assert _labels(found)[0] == "🇩🇪 Германия"


async def test_a_timed_out_send_is_told_in_the_users_language(stack: Stack) -> None:
    # The timeout runs as a job, outside any update: it sets the language itself.
    await stack.telegram.create_user(ALICE, "Alice", language_code="de")
    stack.users.add(ALICE)
    await stack.ask(ALICE, "/send", "An welche Telefonnummer")
    await stack.advance(sending.CONVERSATION_TIMEOUT + 1)
    await stack.wait_text(ALICE, "Das /send-Gespräch ist abgelaufen")


async def test_language_switches_to_spanish_and_sticks_after_a_restart(stack: Stack) -> None:
    menu = await stack.ask(ALICE, "/language", "Pick the language I should speak with you")
    # Each language by its own name, the current one ticked.
    assert _labels(menu) == [
        "✅ English", "Русский", "Español", "Português (Brasil)", "Deutsch",
    ]  # fmt: skip
    done = await stack.press(ALICE, menu, "Español", "Listo")
    assert "ahora te hablo en <b>Español</b>" in (done.html or "")
    await stack.ask(ALICE, "/help", "Comandos")

    # Her private menu follows her choice, whatever language her app has.
    async def spanish_menu() -> bool:
        listed = await stack.telegram.commands({"type": "chat", "chat_id": ALICE}, "")
        return any(c["description"] == "Cambiar el idioma" for c in listed)

    await eventually(spanish_menu)

    await stack.stop_bot()
    await stack.start_bot()
    await stack.ask(ALICE, "/buy", "Elige un país")
    menu = await stack.ask(ALICE, "/language", "Elige el idioma")
    assert "✅ Español" in _labels(menu)


async def test_a_group_admin_sets_german_for_everyone_in_the_group(stack: Stack) -> None:
    for user in (ADMIN_ID, ALICE, CAROL, DAVE):
        await stack.user(user)
    await russian_user(stack, BOB)
    await stack.telegram.create_group(
        GROUP, "Stammtisch", owner=DAVE, admins=[CAROL], members=[ALICE, BOB, ADMIN_ID]
    )
    await stack.wait_text(GROUP, "Thanks for adding me")

    # Not a group admin: no menu, whoever they are elsewhere (the bot's own admin included).
    await stack.ask(ALICE, "/language", "Only this group's admins", chat_id=GROUP)
    await stack.ask(ADMIN_ID, "/language", "Only this group's admins", chat_id=GROUP)

    menu = await stack.ask(CAROL, "/language", "This group's language", chat_id=GROUP)
    answer = await stack.telegram.press(ALICE, menu, "Deutsch")
    assert answer.show_alert and answer.text == "This menu belongs to someone else."
    await stack.press(CAROL, menu, "Deutsch", "Die Sprache dieser Gruppe ist jetzt")

    # A Russian member's /buy in the group is answered in the group's language.
    reply = await stack.ask(BOB, "/buy", "Nummern und Codes sind privat", chat_id=GROUP)
    assert _labels(reply) == ["🔒 Im privaten Chat weiter"]
    # In his private chat Bob still gets Russian.
    await stack.ask(BOB, "/buy", "Выберите страну")

    # Rights are checked on every press: a menu pressed after losing them changes nothing.
    menu = await stack.ask(CAROL, "/language", "Sprache dieser Gruppe", chat_id=GROUP)
    await stack.telegram.set_group_admins(GROUP, [])
    answer = await stack.telegram.press(CAROL, menu, "English")
    assert (
        answer.show_alert
        and answer.text == "Nur die Admins dieser Gruppe können ihre Sprache ändern."
    )
    await stack.ask(BOB, "/orders", "Deine Bestellungen sind privat", chat_id=GROUP)


async def test_command_menus_and_descriptions_in_every_language(stack: Stack) -> None:
    expected = {
        "": "Change the language",
        "ru": "Сменить язык",
        "es": "Cambiar el idioma",
        "pt": "Mudar o idioma",
        "de": "Sprache ändern",
    }
    # An admin's menu is set once they open the bot (Telegram refuses it for a chat not yet
    # started), in the admin's language, for whatever language their app shows.
    await stack.ask(ADMIN_ID, "/start", "Phone numbers for SMS codes")

    async def admin_menu_set() -> bool:
        listed = await stack.telegram.commands({"type": "chat", "chat_id": ADMIN_ID}, "ru")
        return "balance" in [c["command"] for c in listed]

    await eventually(admin_menu_set)
    for code, description in expected.items():
        private = await stack.telegram.commands({"type": "all_private_chats"}, code)
        assert {"command": "language", "description": description} in private
        group = await stack.telegram.commands({"type": "all_group_chats"}, code)
        assert [c["command"] for c in group] == ["buy", "orders", "help"]
        admins = await stack.telegram.commands({"type": "all_chat_administrators"}, code)
        assert "language" in [c["command"] for c in admins]
        bot_admin = await stack.telegram.commands({"type": "chat", "chat_id": ADMIN_ID}, code)
        assert "balance" in [c["command"] for c in bot_admin]
    descriptions = await stack.telegram.descriptions()
    assert set(descriptions["description"]) == set(expected)
    assert set(descriptions["short_description"]) == set(expected)
    assert descriptions["description"]["de"].startswith("Telefonnummern, die SMS-Codes empfangen")
    assert descriptions["short_description"]["ru"].startswith("SMS-коды активации")

    # Descriptions are set only when they differ: a restart sets none again.
    calls = len(await stack.telegram.calls())
    await stack.stop_bot()
    await stack.start_bot()
    later = (await stack.telegram.calls())[calls:]
    assert not [c for c in later if c.get("method", "").endswith("Description")
                and c["method"].startswith("set")]  # fmt: skip


def _has_button(message: ChatMessage, label: str) -> bool:
    return any(label in text for text in _labels(message))


def _labels(message: ChatMessage) -> list[str]:
    return [button.text for button in message.buttons]
