"""The sms4sats client against the sandbox, over real HTTP: shapes, quirks, errors, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import generate_latest

from bot.domain.invoices import decode_invoice
from bot.domain.remote import OrderStatus, SmsStatus
from bot.sms4sats import Problem, Sms4SatsClient, Sms4SatsError, parse_order_status
from bot.wiring.app import sms4sats_http
from bot.wiring.metrics import BotMetrics
from sandbox.sms4sats import SandboxConfig, SandboxControl, Sms4SatsSandbox, run_sms4sats_sandbox

API_KEY = "client-test-key"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sms4SatsSandbox]:
    config = SandboxConfig(api_keys_balance={API_KEY: 10_000})
    async with run_sms4sats_sandbox(config=config) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # Plain HTTP on loopback: no certificates to load (about 30 ms of CPU per client).
    async with httpx.AsyncClient(verify=False) as client:
        yield client


@pytest.fixture
def control(sandbox: Sms4SatsSandbox, http: httpx.AsyncClient) -> SandboxControl:
    return SandboxControl(sandbox.url, http)


def make_client(sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, **kwargs: Any) -> Sms4SatsClient:
    kwargs.setdefault("backoff", 0.01)
    return Sms4SatsClient(http, sandbox.url, **kwargs)


async def test_lists(sandbox: Sms4SatsSandbox, http: httpx.AsyncClient) -> None:
    client = make_client(sandbox, http)
    countries = await client.get_countries()
    assert any(c.code == 187 for c in countries)
    services = await client.get_services(187)
    assert services and all(s.count > 0 for s in services)
    assert any(s.code == "tg" and s.name == "Telegram" for s in services)
    assert await client.get_services(5) == []  # a country with no stock
    rentals = await client.get_rental_countries()
    assert rentals and all(r.price > 0 and r.weeks > 0 for r in rentals)


async def test_price_with_mixed_types(sandbox: Sms4SatsSandbox, http: httpx.AsyncClient) -> None:
    client = make_client(sandbox, http)
    generic = await client.get_price()
    assert isinstance(generic.receive, int) and isinstance(generic.send, int)
    assert generic.computed_price is None
    exact = await client.get_price(187, "tg")
    assert exact.computed_country == 187 and exact.computed_price


async def test_receive_order_through_its_states(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http, ref="operator@example.com")
    await control.configure(code_as_string=True)  # so a leading zero survives the JSON
    price = (await client.get_price(187, "tg")).computed_price
    created = await client.create_order(187, "tg")
    assert not created.paid_from_balance and created.invoice
    invoice = decode_invoice(created.payreq)
    assert invoice is not None and invoice.amount_sats == price
    assert invoice.payment_hash == created.order_id

    assert await client.order_status(created.order_id) == OrderStatus(paid=False)
    await control.pay(created.order_id)
    assert (await client.order_status(created.order_id)).paid
    await control.assign_number(created.order_id, "14155550123")
    status = await client.order_status(created.order_id)
    assert status.number == "14155550123" and status.code is None and status.country
    await control.deliver_code(created.order_id, "012345")
    status = await client.order_status(created.order_id)
    assert status.code == "012345" and status.error is None

    sent = [r for r in await control.requests() if r["path"] == "/createorder"][-1]
    assert sent["json"] == {"country": 187, "service": "tg", "ref": "operator@example.com"}
    assert sent["api_key_present"] is False


async def test_code_as_number_is_kept_as_string(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http)
    created = await client.create_order(187, "tg")
    await control.pay(created.order_id)
    await control.deliver_code(created.order_id, "48010")
    status = await client.order_status(created.order_id)
    assert status.code == "48010"
    raw = (
        await http.get(f"{sandbox.url}/orderstatus", params={"orderId": created.order_id})
    ).json()
    assert raw["code"] == 48010  # the docs' shape: a JSON number


def test_order_status_quirks() -> None:
    status = parse_order_status(
        {"status": "OK", "paid": True, "code": 48010.0, "number": 12345678901, "id": 1125699791,
         "timestamp": 1666613406969, "country": "India", "service": "openAI"}
    )  # fmt: skip
    assert status.code == "48010" and status.number == "12345678901"
    assert status.provider_id == "1125699791" and status.timestamp is not None
    no_number = parse_order_status({"status": "OK", "paid": True, "error": "No available number"})
    assert no_number.error == "No available number" and no_number.paid
    send = parse_order_status({"status": "OK", "paid": True, "smsStatus": "Delivered"})
    assert send.sms_status is SmsStatus.DELIVERED
    assert parse_order_status({"paid": True, "smsStatus": "weird"}).sms_status is None


async def test_no_number(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http)
    created = await client.create_order(187, "tg")
    await control.pay(created.order_id)
    await control.no_number(created.order_id)
    status = await client.order_status(created.order_id)
    assert status.paid and status.error and "No available number" in status.error


async def test_cancel_uses_get_and_reports_refusal(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http)
    created = await client.create_order(187, "tg")
    await control.pay(created.order_id)
    with pytest.raises(Sms4SatsError) as refused:
        await client.cancel_order(created.order_id)
    assert refused.value.reason and "2 minutes" in refused.value.reason
    assert not refused.value.temporary
    await control.advance_clock(121)
    await client.cancel_order(created.order_id)
    assert (await client.order_status(created.order_id)).error
    cancel = [r for r in await control.requests() if r["path"] == "/cancelorder"][-1]
    assert cancel["method"] == "GET" and cancel["query"] == {"orderId": created.order_id}


async def test_send_order_and_balance(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http, api_key=API_KEY)
    assert await client.balance() == 10_000
    created = await client.create_send_order("+14155550123", "hello", immediate=True)
    assert created.paid_from_balance and created.invoice is None
    assert await client.balance() < 10_000
    status = await client.order_status(created.order_id)
    assert status.paid and status.sms_status is SmsStatus.CREATED
    await control.set_sms_status(created.order_id, "delivered")
    assert (await client.order_status(created.order_id)).sms_status is SmsStatus.DELIVERED
    sent = [r for r in await control.requests() if r["path"] == "/createsendorder"][-1]
    assert sent["api_key_present"] is True


async def test_fund_and_history(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http, api_key=API_KEY)
    created = await client.fund(5000)
    invoice = decode_invoice(created.payreq)
    assert invoice is not None and invoice.amount_sats == 5000
    await control.pay(created.order_id)
    assert await client.balance() == 15_000
    history = await client.history()
    assert history.records[0].amount == 5000
    assert history.total_amount >= 5000


async def test_keyed_calls_without_key_fail_before_sending(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http)
    with pytest.raises(Sms4SatsError, match="no_api_key"):
        await client.balance()
    assert not [r for r in await control.requests() if r["path"] == "/balance"]


async def test_refusals_carry_the_reason_and_never_the_key(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    client = make_client(sandbox, http, api_key=API_KEY)
    with pytest.raises(Sms4SatsError) as caught:
        await client.create_send_order("+14155550123", "x" * 141)
    assert "140" in str(caught.value)
    with pytest.raises(Sms4SatsError) as caught:
        await client.create_order(187, "no-such-service")
    assert str(caught.value).startswith("sms4sats refused")
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize("kind", ["http500", "invalid_json", "html502"])
async def test_reads_are_retried_through_faults(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl, kind: str
) -> None:
    client = make_client(sandbox, http, retries=2)
    await control.inject_fault(kind, count=2, path="/getnumbersstatus")
    assert await client.get_services(187)


@pytest.mark.parametrize("kind", ["http500", "invalid_json", "html502"])
async def test_faults_become_temporary_errors(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl, kind: str
) -> None:
    client = make_client(sandbox, http, retries=0)
    await control.inject_fault(kind, count=1, path="/price")
    with pytest.raises(Sms4SatsError) as caught:
        await client.get_price()
    assert caught.value.temporary
    assert caught.value.problem in (Problem.TROUBLE, Problem.BROKEN_ANSWER)


async def test_order_creation_is_never_retried(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http, retries=3)
    await control.inject_fault("http500", count=1, path="/createorder")
    with pytest.raises(Sms4SatsError):
        await client.create_order(187, "tg")
    assert len([r for r in await control.requests() if r["path"] == "/createorder"]) == 1
    assert await control.orders(kind="receive") == []


async def test_a_hanging_server_times_out(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    client = make_client(sandbox, http, retries=0, timeout=httpx.Timeout(0.3))
    await control.inject_fault("slow", count=1, path="/orderstatus", delay=1)
    with pytest.raises(Sms4SatsError) as caught:
        await client.order_status("f" * 64)
    assert caught.value.temporary and caught.value.problem is Problem.TIMEOUT


async def test_unreachable_server(http: httpx.AsyncClient) -> None:
    client = Sms4SatsClient(http, "http://127.0.0.1:9", retries=0)
    with pytest.raises(Sms4SatsError) as caught:
        await client.get_services(187)
    assert caught.value.temporary and caught.value.problem is Problem.UNREACHABLE


async def test_status_checks_on_the_lean_path_answer_as_through_httpx(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    # The bot's own client: its status checks skip httpx's layers, and /metrics counts them.
    metrics = BotMetrics()
    lean_http, status_get = sms4sats_http(metrics)
    async with lean_http:
        lean = Sms4SatsClient(
            lean_http, sandbox.url, retries=0, status_get=status_get,
            status_timeout=httpx.Timeout(0.3),
        )  # fmt: skip
        plain = make_client(sandbox, http)
        created = await plain.create_order(187, "tg")
        await control.configure(code_as_string=True)

        async def same() -> None:
            lean_status = await lean.order_status(created.order_id)
            assert lean_status == await plain.order_status(created.order_id)

        await control.pay(created.order_id)
        await same()
        await control.assign_number(created.order_id)
        await same()
        await control.deliver_code(created.order_id, "012345")
        await same()
        # The same errors as through httpx: a hang, a server in trouble, a refusal.
        await control.inject_fault("slow", count=1, path="/orderstatus", delay=1)
        with pytest.raises(Sms4SatsError) as hung:
            await lean.order_status(created.order_id)
        assert hung.value.problem is Problem.TIMEOUT and hung.value.temporary
        await control.inject_fault("http500", count=1, path="/orderstatus")
        with pytest.raises(Sms4SatsError) as trouble:
            await lean.order_status(created.order_id)
        assert trouble.value.problem is Problem.TROUBLE and trouble.value.temporary
        with pytest.raises(Sms4SatsError) as unknown:
            await lean.order_status("f" * 64)
        assert unknown.value.problem is Problem.REFUSED and not unknown.value.temporary
        # Other calls still go through httpx.
        assert await lean.get_services(187)
    text = generate_latest(metrics.registry).decode()
    assert 'sms4sats_bot_sms4sats_requests_total{endpoint="orderstatus",outcome="ok"} 3.0' in text
    assert 'endpoint="orderstatus",outcome="error"} 1.0' in text
    assert 'endpoint="getnumbersstatus",outcome="ok"} 1.0' in text


async def test_unreachable_server_on_the_lean_path() -> None:
    lean_http, status_get = sms4sats_http()
    async with lean_http:
        client = Sms4SatsClient(lean_http, "http://127.0.0.1:9", retries=0, status_get=status_get)
        with pytest.raises(Sms4SatsError) as caught:
            await client.order_status("f" * 64)
    assert caught.value.temporary and caught.value.problem is Problem.UNREACHABLE
