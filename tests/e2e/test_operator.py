"""The operator's view end to end: /stats and its CSV, error reports, the low-balance alert."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from PIL import Image

from bot.core.error_reports import GATHER_SECONDS, WINDOW_SECONDS
from bot.domain.orders import Order, OrderKind, OrderState
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import ADMIN_ID, ALICE, API_KEY, BOB, Stack
from tests.e2e.flows import buy, eventually, pay_and_get_number, rent_a_number

GROUP = -1009876543210
DAY = 24 * 3600


async def _complete(stack: Stack, user: int, waited: float) -> None:
    """A number order paid, then its code `waited` seconds after the payment was seen."""
    invoice = await buy(stack, user)
    await pay_and_get_number(stack, user, invoice)
    await stack.advance(waited)
    await stack.sms4sats.deliver_code(invoice.remote_id, "424242")

    async def completed() -> bool:
        order = await stack.services.orders.get_by_remote_id(invoice.remote_id)
        return order is not None and order.state is OrderState.COMPLETED

    await eventually(completed)


async def _send_by_invoice(stack: Stack, user: int) -> None:
    await stack.ask(user, "/send", "Which phone number")
    await stack.ask(user, "+1 415 555 0123", "What should the SMS")
    confirmation = await stack.ask(user, "Hello", "Please confirm")
    await stack.telegram.press(user, confirmation, "Send for")
    await stack.telegram.wait_for_message(user, lambda m: m.photo_file_id is not None)
    remote = (await stack.sms4sats.orders(kind="send"))[-1]
    await stack.sms4sats.pay(remote["orderId"])
    await stack.wait_text(user, "Sending your SMS")
    await stack.sms4sats.set_sms_status(remote["orderId"], "delivered")
    await stack.wait_text(user, "Delivered")


async def _all_closed(stack: Stack) -> None:
    async def closed() -> bool:
        return not await stack.services.orders.open_orders()

    await eventually(closed, timeout=10)


async def _mix_of_orders(stack: Stack) -> list[Order]:
    """Two codes, a no-number refund, a cancelled and an unpaid invoice, an SMS, a top-up."""
    await _complete(stack, ALICE, 60)
    await _complete(stack, ALICE, 180)

    invoice = await buy(stack, BOB, country="Germany", service="WhatsApp")
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(BOB, "Payment received")
    await stack.sms4sats.no_number(invoice.remote_id)
    await stack.wait_text(BOB, "No number was available")

    invoice = await buy(stack, BOB)
    await stack.telegram.press(BOB, invoice.message, "Cancel")
    await stack.wait_text(BOB, "Cancelled. Nothing was charged")

    await _send_by_invoice(stack, ALICE)

    await stack.ask(ADMIN_ID, "/fund 25000", "top-up of 25,000 sats")
    remote_fund = (await stack.sms4sats.orders(kind="fund"))[0]
    await stack.sms4sats.pay(remote_fund["orderId"])
    await stack.wait_text(ADMIN_ID, "topped up with 25,000 sats")

    await buy(stack, BOB)  # never paid
    await stack.advance(16 * 60)
    await stack.wait_text(BOB, "invoice expired before it was paid")
    await _all_closed(stack)
    orders = [await stack.services.orders.get(i) for i in range(1, 8)]
    assert all(o is not None for o in orders)
    return [o for o in orders if o is not None]


def _stats_message(messages: list[ChatMessage]) -> ChatMessage:
    return [m for m in messages if "Stats ·" in m.body][-1]


async def test_stats_and_csv_after_a_mix_of_orders(stack: Stack) -> None:
    orders = await _mix_of_orders(stack)
    by_state = {(o.kind, o.state) for o in orders}
    assert by_state == {
        (OrderKind.RECEIVE, OrderState.COMPLETED),
        (OrderKind.RECEIVE, OrderState.NO_NUMBER),
        (OrderKind.RECEIVE, OrderState.CANCELLED),
        (OrderKind.RECEIVE, OrderState.INVOICE_EXPIRED),
        (OrderKind.SEND, OrderState.COMPLETED),
        (OrderKind.FUND, OrderState.COMPLETED),
    }
    sales = sum(
        o.amount_sats or 0
        for o in orders
        if o.state is OrderState.COMPLETED and o.kind is not OrderKind.FUND
    )
    usa = next(o.country_name for o in orders if o.service_name == "Telegram")

    report = await stack.ask(ADMIN_ID, "/stats", "Stats ·")
    body = report.body
    # The chart comes first, then its text.
    chart = await _chart_before(stack, report, "last 7 days")
    assert "last 7 days" in body
    assert "Orders: 5 numbers · 1 SMS · 1 top-up · 0 rentals\n" in body
    assert (
        "Outcomes: 2 codes delivered · 1 SMS delivered · 1 no number · 1 cancelled · "
        "1 invoice never paid\n"
    ) in body
    assert f"Sales: {sales:,} sats from 3 completed orders paid by invoice" in body
    assert f"Referral ≈ {round(sales * 0.1):,} sats (10% of sales; an estimate" in body
    assert "operator@example.com" in body
    assert "Top-ups credited: 1 · 25,000 sats" in body
    assert "invoices paid 4/6 (67%)" in body and "codes per number paid 2/3 (67%)" in body
    # Shown by common name, whatever sms4sats calls them.
    assert "Top countries: 🇺🇸 United States 4 (100% ok) · 🇩🇪 Germany 1 (0% ok)" in body
    assert "Top services: Telegram 4 (100% ok) · WhatsApp 1 (0% ok)" in body
    assert "Users: 3 new · 3 active · 3 in all" in body
    # Payment -> code took 60 s and 180 s (plus the polling's own fraction of a second).
    stats = await stack.services.stats.stats(None)
    assert stats.median_seconds_to_code is not None
    assert 120 <= stats.median_seconds_to_code < 125
    assert "Median payment → code: 2 min" in body

    # The buttons switch the period, the chart's too; the CSV holds exactly the period's orders.
    report = await stack.press(ADMIN_ID, report, "All time", "Stats · all time")
    assert "Orders: 5 numbers" in report.body
    redrawn = await stack.wait_text(ADMIN_ID, "sales in sats per day: all time")
    assert redrawn.message_id == chart.message_id and redrawn.photo_file_id != chart.photo_file_id
    await stack.advance(2 * DAY)
    report = await stack.press(ADMIN_ID, report, "24 h", "Stats · last 24 hours")
    assert "Orders: 0 numbers · 0 SMS · 0 top-ups" in report.body
    assert "Outcomes: —" in report.body
    assert "Users: 0 new · 1 active · 3 in all" in report.body  # the admin, pressing

    rows = await _csv(stack, "/stats csv all", "7 orders, all time")
    assert [int(r["order_id"]) for r in rows] == [o.id for o in orders]
    for row, order in zip(rows, orders, strict=True):
        assert (row["kind"], row["state"], row["user_id"]) == (
            order.kind.value, order.state.value, str(order.user_id)
        )  # fmt: skip
        assert row["amount_sats"] == str(order.amount_sats)
    first = rows[0]
    assert first["country"] == usa and first["service"] == "Telegram"
    assert first["paid_at"].endswith("+00:00") and 55 <= int(first["seconds_to_code"]) < 65
    assert await _csv(stack, "/stats csv 24h", "0 orders, last 24 hours") == []
    await stack.ask(ADMIN_ID, "/stats csv yesterday", "not a period I know")


async def test_stats_count_a_rental_as_a_sale_once_its_number_came(stack: Stack) -> None:
    order = await rent_a_number(stack, ALICE)
    amount = order.amount_sats or 0
    assert amount == 1368  # the sandbox's price for two weeks in Indonesia

    body = (await stack.ask(ADMIN_ID, "/stats", "Stats ·")).body
    assert "Orders: 0 numbers · 0 SMS · 0 top-ups · 1 rental\n" in body
    # Running for weeks yet, but not refunded: delivered and sold now, not "still open".
    assert "Outcomes: 1 rented number delivered\n" in body
    assert f"Sales: {amount:,} sats from 1 completed order paid by invoice" in body
    assert "invoices paid 1/1 (100%)" in body
    # The chart counts it the same way.
    (day,) = await stack.services.stats.per_day(None)
    assert (day.state, day.orders, day.sats) == (OrderState.COMPLETED, 1, amount)


async def _chart_before(stack: Stack, report: ChatMessage, period: str) -> ChatMessage:
    """The chart photo sent just before the /stats text: a PNG, its caption naming the period."""
    messages = await stack.telegram.bot_messages(report.chat_id)
    [chart] = [m for m in messages if m.message_id == report.message_id - 1]
    assert chart.photo_file_id is not None
    assert chart.body == f"📈 Orders per day by outcome, and sales in sats per day: {period}."
    png = Image.open(io.BytesIO(await stack.telegram.file_bytes(chart.photo_file_id)))
    assert (png.format, png.size) == ("PNG", (1000, 620))
    return chart


async def _csv(stack: Stack, command: str, caption: str) -> list[dict[str, Any]]:
    message = await stack.ask(ADMIN_ID, command, caption)
    assert message.document_file_id is not None and message.document_name is not None
    assert message.document_name.endswith(".csv")
    data = await stack.telegram.file_bytes(message.document_file_id)
    text = data.decode()
    # No secrets and nothing a stranger could use: no invoice, no sms4sats order id (it reads
    # the code), no code, no phone number, no SMS text.
    orders = await stack.services.orders.for_user(ALICE, limit=50)
    orders += await stack.services.orders.for_user(BOB, limit=50)
    orders += await stack.services.orders.for_user(ADMIN_ID, limit=50)
    for order in orders:
        for secret in (order.invoice, order.remote_id, order.code, order.number, order.phone):
            assert not secret or secret not in text
    assert API_KEY not in text and "lnbc" not in text.lower() and "Hello" not in text
    return list(csv.DictReader(io.StringIO(text)))


async def _make_group(stack: Stack) -> None:
    for user in (ADMIN_ID, ALICE, BOB):
        await stack.user(user)
    await stack.telegram.create_group(
        GROUP, "Operators", owner=ADMIN_ID, admins=[], members=[ALICE, BOB]
    )
    await stack.wait_text(GROUP, "Thanks for adding me")


async def test_stats_is_for_admins_only(stack: Stack) -> None:
    reply = await stack.ask(ALICE, "/stats", "admins only")
    assert "Stats" not in reply.body
    await stack.ask(ALICE, "/stats csv all", "admins only")
    await _make_group(stack)
    # In a group that is not the admin group, even an admin gets no figures: members would see.
    await stack.ask(ADMIN_ID, "/stats", "in the admin group", chat_id=GROUP)
    await stack.reconfigure(admin_chat_id=GROUP)
    await stack.ask(ALICE, "/stats", "admins only", chat_id=GROUP)
    report = await stack.ask(ADMIN_ID, "/stats", "Stats ·", chat_id=GROUP)
    # A member pressing the admin's buttons in the group is refused; nothing changes.
    answer = await stack.telegram.press(ALICE, report, "30 days")
    assert answer.show_alert and answer.text == "Sorry, /stats is for the bot's admins only."
    answer = await stack.telegram.press(ALICE, report, "CSV")
    assert answer.show_alert and "admins only" in (answer.text or "")
    # An admin switches the period in the group.
    await stack.press(ADMIN_ID, report, "30 days", "Stats · last 30 days")
    for chat in (ALICE, GROUP):
        sent = await stack.telegram.bot_messages(chat)
        assert not any(m.document_file_id for m in sent)
    await stack.ask(ADMIN_ID, "/start", "Phone numbers")  # sets the admin's own command menu
    assert "stats" in {
        c["command"] for c in await stack.telegram.commands({"type": "chat", "chat_id": ADMIN_ID})
    }
    help_text = await stack.ask(ADMIN_ID, "/help", "/stats")
    assert "referral" in help_text.body


async def test_stats_csv_in_the_admin_group_goes_to_the_admin_privately(stack: Stack) -> None:
    """The CSV lists user ids: asked in the admin group, it reaches the asking admin alone."""
    await _make_group(stack)
    await stack.reconfigure(admin_chat_id=GROUP)
    await stack.telegram.set_group_admins(GROUP, [BOB])  # an admin through the group only
    await buy(stack, ALICE)
    await stack.ask(ADMIN_ID, "/start", "Phone numbers")  # the admin opened the bot privately

    note = await stack.ask(ADMIN_ID, "/stats csv all", "sent you the CSV", chat_id=GROUP)
    assert note.body == (
        "📄 User777, I sent you the CSV in our private chat: it lists user ids, which are not "
        "for everyone in this group."
    )
    private = await stack.wait_text(ADMIN_ID, "1 order, all time")
    assert private.document_file_id is not None
    assert str(ALICE) in (await stack.telegram.file_bytes(private.document_file_id)).decode()

    # The CSV button under a report in the group does the same.
    report = await stack.ask(ADMIN_ID, "/stats all", "Stats ·", chat_id=GROUP)
    await stack.telegram.press(ADMIN_ID, report, "CSV")
    await stack.after(note, "sent you the CSV")
    await stack.telegram.wait_for_message(
        ADMIN_ID, lambda m: m.document_file_id is not None and m.message_id > private.message_id
    )

    # Bob never opened a private chat with the bot: the group is told so in plain words.
    refusal = await stack.ask(BOB, "/stats csv", "cannot write to you yet", chat_id=GROUP)
    bot_name = stack.telegram_sandbox.config.bot_username
    assert f"Open a chat with @{bot_name}, press Start, then ask again." in refusal.body
    assert not any(m.document_file_id for m in await stack.telegram.bot_messages(GROUP))
    documents = [c for c in await stack.telegram.calls() if c["method"] == "sendDocument"]
    delivered = [str(c["params"]["chat_id"]) for c in documents if c["error_code"] is None]
    assert delivered == [str(ADMIN_ID)] * 2
    assert [c["error_code"] for c in documents if str(c["params"]["chat_id"]) == str(BOB)] == [403]


# --- error reports -----------------------------------------------------------------------------


def _reports(messages: list[ChatMessage]) -> list[ChatMessage]:
    return [m for m in messages if "Error in the bot" in m.body]


async def test_a_handler_error_reaches_the_admin_once_without_secrets(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await stack.ask(ADMIN_ID, "/start", "Phone numbers")  # admins get reports once they opened it
    invoice = await buy(stack, ALICE)
    token = stack.settings.telegram_token
    secret_text = f"lookup failed for {invoice.payreq} with key {API_KEY} via /bot{token}/x"

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError(secret_text)

    monkeypatch.setattr(stack.services.orders, "count_for_user", broken)
    await stack.ask(ALICE, "/orders", "something went wrong on my side")
    await stack.advance(GATHER_SECONDS + 1)
    report = await stack.wait_text(ADMIN_ID, "Error in the bot")
    assert "RuntimeError" in report.body and "lookup failed for" in report.body
    assert "a command (/orders)" in report.body
    for secret in (invoice.payreq, invoice.payreq.upper(), API_KEY, token):
        assert secret not in report.body
    assert "[invoice]" in report.body and "[redacted]" in report.body

    # The same error again within 10 minutes is held back, then reported with its count.
    await stack.ask(BOB, "/orders", "something went wrong on my side")
    await stack.advance(GATHER_SECONDS + 1)
    reporter = stack.services.error_reporter
    assert await reporter.flush(stack.services.operator_inbox) == 0
    assert reporter.waiting == 1
    assert len(_reports(await stack.telegram.bot_messages(ADMIN_ID))) == 1
    await stack.advance(WINDOW_SECONDS)
    await eventually(lambda: _count_reports(stack, ADMIN_ID, 2))
    assert reporter.waiting == 0


async def _count_reports(stack: Stack, chat_id: int, count: int) -> bool:
    return len(_reports(await stack.telegram.bot_messages(chat_id))) == count


async def test_a_poller_error_reaches_the_admin_group_once(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _make_group(stack)
    await stack.reconfigure(admin_chat_id=GROUP)
    invoice = await buy(stack, ALICE)
    failures = 0

    async def broken(order: Order, *, wait: bool = True) -> Order:
        nonlocal failures
        failures += 1
        raise ValueError(f"bad answer for {order.invoice} ({API_KEY})")

    monkeypatch.setattr(stack.services.tracker, "check", broken)

    async def failed_twice() -> bool:
        return failures >= 2

    await eventually(failed_twice)
    await stack.advance(GATHER_SECONDS + 1)
    report = await stack.wait_text(GROUP, "Error in the bot")
    assert "ValueError" in report.body and "background work (bot.core.engine.poller)" in report.body
    assert "order #1" in report.body
    assert invoice.payreq not in report.body and API_KEY not in report.body
    assert "Happened" in report.body  # the poller kept failing every tick: grouped
    # The poller keeps failing; nothing more reaches the group within the window.
    seen = failures

    async def failed_again() -> bool:
        return failures >= seen + 3

    await eventually(failed_again)
    assert await stack.services.error_reporter.flush(stack.services.operator_inbox) == 0
    assert len(_reports(await stack.telegram.bot_messages(GROUP))) == 1
    # With ADMIN_CHAT_ID set, the group is where reports go: no one else got one.
    sent = [c for c in await stack.telegram.calls() if c["method"] == "sendMessage"]
    reported = [c["params"] for c in sent if "Error in the bot" in str(c["params"])]
    assert [int(params["chat_id"]) for params in reported] == [GROUP]


async def test_a_burst_of_50_errors_is_one_report_with_the_count(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await stack.ask(ADMIN_ID, "/start", "Phone numbers")
    failed: set[int] = set()

    async def broken_once(order: Order, *, wait: bool = True) -> Order:
        # Each order fails once, so the burst is exactly 50 errors.
        if order.id in failed:
            return order
        failed.add(order.id)
        raise KeyError("price")

    monkeypatch.setattr(stack.services.tracker, "check", broken_once)
    for i in range(50):
        await stack.services.orders.create(
            remote_id=f"burst-{i}", kind=OrderKind.RECEIVE, user_id=ALICE, chat_id=ALICE,
            amount_sats=1000, invoice=None, invoice_expires_at=None,
        )  # fmt: skip

    async def all_failed() -> bool:
        return len(failed) == 50

    await eventually(all_failed)
    await stack.advance(GATHER_SECONDS + 1)
    report = await stack.wait_text(ADMIN_ID, "Error in the bot")
    assert "KeyError" in report.body and "Happened 50 times" in report.body
    # The first five orders that failed (checks are spread over the interval), then "…".
    assert re.search(r"order #\d+, #\d+, #\d+, #\d+, #\d+…", report.body)
    assert len(_reports(await stack.telegram.bot_messages(ADMIN_ID))) == 1


async def test_error_reports_can_be_turned_off(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await stack.reconfigure(error_reports=False)
    await stack.ask(ADMIN_ID, "/start", "Phone numbers")

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(stack.services.orders, "count_for_user", broken)
    await stack.ask(ALICE, "/orders", "something went wrong on my side")
    await stack.advance(GATHER_SECONDS + 1)
    assert stack.services.error_reporter.waiting == 0
    assert await stack.services.error_reporter.flush(stack.services.operator_inbox) == 0
    assert not _reports(await stack.telegram.bot_messages(ADMIN_ID))


# --- the low-balance alert ---------------------------------------------------------------------


def _alerts(messages: list[ChatMessage]) -> list[ChatMessage]:
    return [m for m in messages if "below your alert" in m.body]


async def _balance_reads(stack: Stack) -> int:
    return len([r for r in await stack.sms4sats.requests() if r["path"] == "/balance"])


async def _more_reads(stack: Stack, before: int) -> bool:
    return await _balance_reads(stack) > before


async def _read_again(stack: Stack, advance: float = 601) -> None:
    """Let time pass so the watch reads the balance, and wait until it has."""
    before = await _balance_reads(stack)
    await stack.advance(advance)

    async def read() -> bool:
        return await _balance_reads(stack) > before

    await eventually(read)


async def test_balance_alert_fires_once_per_crossing(stack: Stack) -> None:
    await stack.ask(ADMIN_ID, "/start", "Phone numbers")
    before = await _balance_reads(stack)
    await stack.reconfigure(balance_alert_sats=40_000)
    await eventually(lambda: _more_reads(stack, before))  # read at start: 50,000, nothing to say
    await stack.sms4sats.configure(api_keys_balance={API_KEY: 30_000})
    await _read_again(stack)
    alert = await stack.wait_text(ADMIN_ID, "below your alert")
    assert "30,000 sats" in alert.body and "40,000 sats" in alert.body
    await _read_again(stack)
    # Restart-safe: a new process reads the balance at once and remembers it already told.
    before = await _balance_reads(stack)
    await stack.reconfigure(balance_alert_sats=40_000)
    await eventually(lambda: _more_reads(stack, before))
    await stack.ask(ADMIN_ID, "/help", "How paying works")  # the chat moved on meanwhile
    assert len(_alerts(await stack.telegram.bot_messages(ADMIN_ID))) == 1

    # Back above re-arms it; an SMS paid from the balance that crosses it again alerts at once
    # (no 10-minute wait: orders paid from the balance trigger a reading).
    await stack.sms4sats.configure(api_keys_balance={API_KEY: 41_000})
    await _read_again(stack)
    before = await _balance_reads(stack)
    await stack.ask(ADMIN_ID, "/send", "Which phone number")
    await stack.ask(ADMIN_ID, "+1 415 555 0123", "What should the SMS")
    confirmation = await stack.ask(ADMIN_ID, "Hi", "Please confirm")
    await stack.telegram.press(ADMIN_ID, confirmation, "Pay from balance")

    async def two_alerts() -> bool:
        return len(_alerts(await stack.telegram.bot_messages(ADMIN_ID))) == 2

    await eventually(two_alerts)
    assert await _balance_reads(stack) > before
    assert "38,000 sats" in _alerts(await stack.telegram.bot_messages(ADMIN_ID))[-1].body
