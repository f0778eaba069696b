"""Webhook mode, /healthz and /metrics: the bot's own HTTP server, end to end."""

from __future__ import annotations

import dataclasses
import re
import socket

import pytest

from bot.wiring.app import StartupError
from tests.e2e.conftest import ALICE, API_KEY, BOB, BOTH_BACKENDS, Stack
from tests.e2e.flows import buy, eventually, free_port, pay_and_get_number

SECRET = "webhook-Secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def webhook_mode(stack: Stack) -> str:
    """Restart the bot in webhook mode; the webhook's URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    await stack.reconfigure(
        webhook_url=url, webhook_secret=SECRET, webhook_listen="127.0.0.1", webhook_port=port
    )
    return url


def metric(text: str, name: str, **labels: str) -> float:
    """One sample of the Prometheus text exposition (0 when it is absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(rf"^{pattern}$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def start_update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1, "date": 1_700_000_000, "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Mallory"},
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }  # fmt: skip


@BOTH_BACKENDS
async def test_buy_in_webhook_mode(stack: Stack) -> None:
    url = await webhook_mode(stack)
    hook = stack.telegram_sandbox.state.webhook
    assert hook is not None and hook.url == url and hook.secret_token == SECRET
    assert hook.allowed_updates is not None and "callback_query" in hook.allowed_updates

    await stack.say(ALICE, "/start")
    await stack.wait_text(ALICE, "Phone numbers for SMS codes")
    invoice = await buy(stack, ALICE)
    metrics = (await stack.http.get(f"{stack.http_url}/metrics")).text
    assert metric(metrics, "sms4sats_bot_open_orders", kind="receive",
                  state="awaiting_payment") == 1  # fmt: skip
    await pay_and_get_number(stack, ALICE, invoice)
    await stack.sms4sats.deliver_code(invoice.remote_id, "4321")
    await stack.wait_text(ALICE, "🔑 Your code")

    calls = [c["method"] for c in await stack.telegram.calls()]
    since_webhook = calls[len(calls) - calls[::-1].index("setWebhook") :]
    assert "getUpdates" not in since_webhook  # every update came by POST

    metrics = (await stack.http.get(f"{stack.http_url}/metrics")).text
    assert metric(metrics, "sms4sats_bot_codes_delivered_total") == 1
    assert metric(metrics, "sms4sats_bot_code_latency_seconds_count") == 1
    assert metric(metrics, "sms4sats_bot_updates_handled_total", type="callback_query") >= 3
    assert metric(metrics, "sms4sats_bot_updates_handled_total", type="message") >= 1
    assert metric(metrics, "sms4sats_bot_open_orders", kind="receive",
                  state="awaiting_payment") == 0  # fmt: skip
    assert metric(metrics, "sms4sats_bot_telegram_messages_sent_total") >= 3
    assert metric(metrics, "sms4sats_bot_telegram_requests_total", method="sendphoto",
                  outcome="ok") == 1  # fmt: skip
    assert metric(metrics, "sms4sats_bot_sms4sats_requests_total", endpoint="orderstatus",
                  outcome="ok") >= 2  # fmt: skip


async def test_wrong_or_missing_secret_is_refused_and_not_handled(stack: Stack) -> None:
    url = await webhook_mode(stack)
    mallory = 666
    await stack.user(mallory, "Mallory")
    for headers in ({}, {SECRET_HEADER: "guess"}, {SECRET_HEADER: SECRET + "x"}):
        response = await stack.http.post(url, json=start_update(10**6, mallory, "/start"),
                                          headers=headers)  # fmt: skip
        assert response.status_code == 403
    bad = await stack.http.post(url, content=b"not json", headers={SECRET_HEADER: SECRET})
    assert bad.status_code == 400

    # The right secret is handled; the refused updates never were (one answer, not four).
    await stack.say(BOB, "/start")
    await stack.wait_text(BOB, "Phone numbers for SMS codes")
    calls = await stack.telegram.calls()
    assert not [c for c in calls if str(c["params"].get("chat_id")) == str(mallory)]
    metrics = (await stack.http.get(f"{stack.http_url}/metrics")).text
    assert metric(metrics, "sms4sats_bot_webhook_rejected_total") == 3
    assert metric(metrics, "sms4sats_bot_updates_handled_total", type="message") == 1


@BOTH_BACKENDS
async def test_healthz_follows_the_database(stack: Stack) -> None:
    await webhook_mode(stack)
    health = await stack.http.get(f"{stack.http_url}/healthz")
    assert (health.status_code, health.text) == (200, "ok\n")
    await stack.services.database.close()
    health = await stack.http.get(f"{stack.http_url}/healthz")
    assert (health.status_code, health.text) == (503, "unavailable\n")
    # The metrics still answer, the counters being what helps most then.
    metrics = await stack.http.get(f"{stack.http_url}/metrics")
    assert metrics.status_code == 200 and "sms4sats_bot_updates_handled_total" in metrics.text


async def test_metrics_port_with_long_polling_and_429s(stack: Stack) -> None:
    await stack.reconfigure(metrics_port=free_port())
    assert stack.application is not None and stack.application.updater is not None
    await stack.telegram.inject_fault("sendMessage", 429, retry_after=1, chat_id=ALICE)
    await stack.say(ALICE, "/start")
    await stack.wait_text(ALICE, "Phone numbers for SMS codes")
    assert (await stack.http.get(f"{stack.http_url}/healthz")).status_code == 200

    async def counted() -> bool:
        text = (await stack.http.get(f"{stack.http_url}/metrics")).text
        return metric(text, "sms4sats_bot_telegram_messages_sent_total") >= 1

    await eventually(counted)
    response = await stack.http.get(f"{stack.http_url}/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert metric(text, "sms4sats_bot_telegram_rate_limited_total") == 1
    assert metric(text, "sms4sats_bot_telegram_retries_total") == 1
    assert metric(text, "sms4sats_bot_telegram_requests_total", method="sendmessage",
                  outcome="rate_limited") == 1  # fmt: skip
    for secret in (stack.settings.telegram_token, API_KEY, SECRET):
        assert secret not in text
    # Not a webhook: nothing but the health and the metrics is served.
    assert (await stack.http.post(f"{stack.http_url}/telegram/hook", json={})).status_code in (
        404,
        405,
    )


async def test_a_busy_port_is_one_line(stack: Stack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(StartupError) as caught:
            await stack.reconfigure(metrics_port=port)
    assert str(caught.value).startswith(f"Cannot listen on 127.0.0.1:{port}: ")
    assert "\n" not in str(caught.value)


async def test_metrics_port_beside_a_webhook_is_served(stack: Stack) -> None:
    """METRICS_PORT with a webhook: /healthz and /metrics on their own port too (kept off the
    public webhook's proxy), never silently ignored."""
    metrics_port = free_port()
    await stack.stop_bot()
    stack.settings = dataclasses.replace(stack.settings, metrics_port=metrics_port)
    await webhook_mode(stack)
    separate = f"http://127.0.0.1:{metrics_port}"
    assert (await stack.http.get(f"{separate}/healthz")).text == "ok\n"
    text = (await stack.http.get(f"{separate}/metrics")).text
    assert "sms4sats_bot_codes_delivered_total" in text
    # No webhook there: Telegram's updates go to WEBHOOK_PORT only.
    assert (await stack.http.post(f"{separate}/telegram/hook", json={})).status_code in (404, 405)


def sample_present(text: str, name: str, **labels: str) -> bool:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f"{name}{{{wanted}}} " in text if labels else f"\n{name} " in f"\n{text}"


async def test_known_series_read_0_before_anything_happens(stack: Stack) -> None:
    """A dashboard's rate() and "open orders by state" show 0, not "no data", on a quiet bot;
    and no `_created` series doubles the scrape."""
    await stack.reconfigure(metrics_port=free_port())
    text = (await stack.http.get(f"{stack.http_url}/metrics")).text
    assert "_created" not in text
    for kind, state in [
        ("receive", "awaiting_payment"),
        ("receive", "paid"),
        ("receive", "number"),
        ("send", "sent"),
        ("fund", "awaiting_payment"),
    ]:
        assert sample_present(text, "sms4sats_bot_open_orders", kind=kind, state=state)
        assert metric(text, "sms4sats_bot_open_orders", kind=kind, state=state) == 0
    assert sample_present(text, "sms4sats_bot_sms4sats_requests_total", endpoint="orderstatus",
                          outcome="http_5xx")  # fmt: skip
    assert sample_present(text, "sms4sats_bot_telegram_requests_total", method="sendmessage",
                          outcome="rate_limited")  # fmt: skip
    assert sample_present(text, "sms4sats_bot_updates_handled_total", type="callback_query")
    assert sample_present(text, "sms4sats_bot_codes_delivered_total")
    assert sample_present(text, "sms4sats_bot_code_latency_seconds_count")

    # An order opened, then closed: its series goes back to 0 and stays.
    invoice = await buy(stack, ALICE)
    text = (await stack.http.get(f"{stack.http_url}/metrics")).text
    assert metric(text, "sms4sats_bot_open_orders", kind="receive", state="awaiting_payment") == 1
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.sms4sats.no_number(invoice.remote_id)

    async def closed() -> bool:
        text = (await stack.http.get(f"{stack.http_url}/metrics")).text
        return all(
            sample_present(text, "sms4sats_bot_open_orders", kind="receive", state=state)
            and metric(text, "sms4sats_bot_open_orders", kind="receive", state=state) == 0
            for state in ("awaiting_payment", "paid", "number")
        )

    await eventually(closed)
