"""The sms4sats sandbox over real HTTP: contract shapes, lifecycles, control API and faults."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import bolt11
import httpx
import pytest
from aiohttp import web

from sandbox.sms4sats import (
    SandboxConfig,
    SandboxControl,
    SandboxControlError,
    Sms4SatsSandbox,
    run_sms4sats_sandbox,
)

API_KEY = "test-key"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
NO_NUMBER = (
    "No available number, payment request is canceled. "
    "Your funds are returned to your wallet automatically."
)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sms4SatsSandbox]:
    config = SandboxConfig(api_keys_balance={API_KEY: 10_000})
    async with run_sms4sats_sandbox(port=0, config=config) as running:
        yield running


@pytest.fixture
async def http(sandbox: Sms4SatsSandbox) -> AsyncIterator[httpx.AsyncClient]:
    # Plain HTTP on loopback: no certificates to load (about 30 ms of CPU per client).
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=5, verify=False) as client:
        yield client


@pytest.fixture
def control(sandbox: Sms4SatsSandbox, http: httpx.AsyncClient) -> SandboxControl:
    return SandboxControl(sandbox.url, http)


async def get_json(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def status_of(http: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(http, "/orderstatus", orderId=order_id)
    return body


async def create_receive(
    http: httpx.AsyncClient, country: Any = 187, service: str = "tg", **extra: Any
) -> dict[str, Any]:
    response = await http.post(
        "/createorder", json={"country": country, "service": service, **extra}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_send(http: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    body = {"phone": "+19871234567", "message": "hello from the tests", **extra}
    response = await http.post("/createsendorder", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def assert_error(response: httpx.Response, status: int, reason_part: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert reason_part in body["reason"]


# Catalog endpoints.


async def test_root_answers_ok(http: httpx.AsyncClient) -> None:
    assert await get_json(http, "/") == {"status": "OK"}


async def test_get_countries_lists_every_country_but_auto_select(http: httpx.AsyncClient) -> None:
    countries = await get_json(http, "/getCountries")
    assert isinstance(countries, list)
    by_id = {entry["id"]: entry for entry in countries}
    assert 999 not in by_id
    assert by_id[187] == {"id": 187, "eng": "USA", "visible": 1, "rent": 1}
    assert by_id[0]["eng"] == "Russia"
    assert by_id[0]["rent"] == 0
    assert all(isinstance(entry["id"], int) for entry in countries)


async def test_services_are_a_bare_array_of_documented_shape(http: httpx.AsyncClient) -> None:
    services = await get_json(http, "/getnumbersstatus", country=187)
    assert isinstance(services, list)
    assert len(services) > 10
    for service in services:
        assert set(service) == {"key", "text", "value", "count", "image"}
        assert service["key"] == service["value"]
        assert isinstance(service["count"], str)
        assert int(service["count"]) > 0
        assert service["image"]["avatar"] is True
        assert not service["image"]["src"].startswith(("http", "/"))
    telegram = next(service for service in services if service["value"] == "tg")
    assert telegram["text"] == "Telegram"


async def test_some_countries_have_no_stock(http: httpx.AsyncClient) -> None:
    assert await get_json(http, "/getnumbersstatus", country=5) == []


async def test_auto_select_offers_the_union_of_stock(http: httpx.AsyncClient) -> None:
    usa = await get_json(http, "/getnumbersstatus", country=187)
    auto = {
        entry["value"]: int(entry["count"])
        for entry in await get_json(http, "/getnumbersstatus", country=999)
    }
    for entry in usa:
        assert auto[entry["value"]] >= int(entry["count"])


@pytest.mark.parametrize(
    "spelling", ["187", " 187 ", "USA", "usa", "United States of America", "us"]
)
async def test_country_input_is_lenient(http: httpx.AsyncClient, spelling: str) -> None:
    expected = await get_json(http, "/getnumbersstatus", country=187)
    assert await get_json(http, "/getnumbersstatus", country=spelling) == expected


async def test_russian_alias_finds_russia(http: httpx.AsyncClient) -> None:
    assert await get_json(http, "/getnumbersstatus", country="Russian") == await get_json(
        http, "/getnumbersstatus", country=0
    )


async def test_unknown_or_missing_country_is_a_validation_error(http: httpx.AsyncClient) -> None:
    assert_error(
        await http.get("/getnumbersstatus", params={"country": "Atlantis"}), 400, "Unknown"
    )
    assert_error(await http.get("/getnumbersstatus"), 400, "country is required")


async def test_stock_can_be_set(http: httpx.AsyncClient, control: SandboxControl) -> None:
    await control.set_stock(187, "tg", 0)
    services = await get_json(http, "/getnumbersstatus", country=187)
    assert "tg" not in {service["value"] for service in services}
    await control.set_stock("Myanmar", "Telegram", 7)
    assert await get_json(http, "/getnumbersstatus", country=5) == [
        {
            "key": "tg",
            "text": "Telegram",
            "value": "tg",
            "count": "7",
            "image": {"avatar": True, "src": "img/services/tg.webp"},
        }
    ]


async def test_an_empty_service_can_stay_listed_with_a_count_of_zero_and_come_back(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.set_stock(43, "vi", 0, listed=True)
    listed = {s["value"]: s["count"] for s in await get_json(http, "/getnumbersstatus", country=43)}
    assert listed["vi"] == "0"  # a string, as the real API sends counts
    auto = {s["value"]: s["count"] for s in await get_json(http, "/getnumbersstatus", country=999)}
    assert "vi" in auto
    response = await http.post("/createorder", json={"country": 43, "service": "vi"})
    assert response.status_code == 400  # listed, but nothing to sell
    await control.set_stock(43, "vi", 12)  # restocked
    listed = {s["value"]: s["count"] for s in await get_json(http, "/getnumbersstatus", country=43)}
    assert listed["vi"] == "12"


async def test_a_price_can_be_set_per_country(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.set_price(43, "wa", 1234)
    price = await get_json(http, "/price", country=43, service="wa")
    assert price["computed"]["price"] == 1234
    order = await create_receive(http, 43, "wa")
    invoice = bolt11.decode(order["payreq"])
    assert invoice.amount_msat == 1234 * 1000


async def test_price_without_arguments_has_the_documented_mixed_types(
    http: httpx.AsyncClient,
) -> None:
    price = await get_json(http, "/price")
    assert isinstance(price["receive"], str)
    assert isinstance(price["s4s"], str)
    assert price["send"] == 3000
    assert isinstance(price["rent"], int)
    assert price["query"] == {}
    assert "computed" not in price
    assert "status" not in price


async def test_price_computes_a_country_and_service(http: httpx.AsyncClient) -> None:
    price = await get_json(http, "/price", country="us", service="google")
    assert price["query"] == {"country": "us", "service": "google"}
    computed = price["computed"]
    assert computed["country"] == 187
    assert isinstance(computed["price"], int)
    assert 1500 <= computed["price"] <= 4000
    assert price["receive"] == str(computed["price"])
    assert computed["description"].startswith("sms4sats payment ")


@pytest.mark.parametrize(
    ("alias", "code"),
    [("Google,youtube,Gmail", "go"), ("GOOGLE", "go"), ("other", "ot"), ("Telegram", "tg")],
)
async def test_long_service_names_price_like_their_codes(
    http: httpx.AsyncClient, alias: str, code: str
) -> None:
    by_alias = await get_json(http, "/price", country=22, service=alias)
    by_code = await get_json(http, "/price", country=22, service=code)
    assert by_alias["computed"] == by_code["computed"]


async def test_price_of_a_send(http: httpx.AsyncClient) -> None:
    price = await get_json(http, "/price", country=187, service="send")
    assert price["computed"]["price"] == price["send"] == 3000


async def test_price_varies_by_service_and_is_stable(http: httpx.AsyncClient) -> None:
    prices = {
        service: (await get_json(http, "/price", country=187, service=service))["computed"]["price"]
        for service in ("tg", "wa", "go", "fb", "ig", "dr", "ot")
    }
    assert len(set(prices.values())) > 1
    again = await get_json(http, "/price", country=187, service="tg")
    assert again["computed"]["price"] == prices["tg"]


async def test_price_rejects_an_unknown_service(http: httpx.AsyncClient) -> None:
    assert_error(await http.get("/price", params={"service": "nope"}), 400, "Unknown service")


async def test_rental_countries(http: httpx.AsyncClient) -> None:
    rentals = await get_json(http, "/getRentalCountries")
    assert isinstance(rentals, list)
    assert rentals
    for rental in rentals:
        assert set(rental) == {"cc", "country", "duration", "price"}
        assert isinstance(rental["cc"], int)
        assert isinstance(rental["duration"], str)
        assert rental["duration"].isdigit()
        assert isinstance(rental["price"], int)
    england = next(rental for rental in rentals if rental["cc"] == 16)
    assert england["country"] == "England"
    for_one_service = await get_json(http, "/getRentalCountries", service="fb")
    assert next(r for r in for_one_service if r["cc"] == 16)["price"] < england["price"]


async def test_rental_order_charges_the_rental_price(http: httpx.AsyncClient) -> None:
    rentals = await get_json(http, "/getRentalCountries")
    england = next(rental for rental in rentals if rental["cc"] == 16)
    created = await create_receive(http, country=16, service="full", isRental=True)
    assert bolt11.decode(created["payreq"]).amount_msat == england["price"] * 1000
    refused = await http.post(
        "/createorder", json={"country": 0, "service": "full", "isRental": True}
    )
    assert_error(refused, 400, "No rental numbers")


# Receive orders.


async def test_invoice_is_real_bolt11_for_the_quoted_price(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient
) -> None:
    quoted = (await get_json(http, "/price", country=22, service="wa"))["computed"]["price"]
    created = await create_receive(http, country=22, service="wa")
    assert created["status"] == "OK"
    assert HEX64.match(created["orderId"])
    invoice = bolt11.decode(created["payreq"])
    assert created["payreq"].startswith("lnbc")
    assert invoice.amount_msat == quoted * 1000
    assert invoice.payment_hash == created["orderId"]
    assert invoice.expiry == 900
    cltv = invoice.tags.get(bolt11.TagChar.min_final_cltv_expiry)
    assert cltv is not None
    assert cltv.data == 80
    assert invoice.description == "sms4sats payment IN wa"
    assert abs(invoice.date - sandbox.clock.now()) < 5
    preimage = (await SandboxControl(sandbox.url, http).order(created["orderId"]))["preimage"]
    assert hashlib.sha256(bytes.fromhex(preimage)).hexdigest() == created["orderId"]


async def test_auto_select_invoices_its_own_quoted_price(http: httpx.AsyncClient) -> None:
    quoted = (await get_json(http, "/price", country=999, service="tg"))["computed"]["price"]
    created = await create_receive(http, country=999, service="tg")
    assert bolt11.decode(created["payreq"]).amount_msat == quoted * 1000


async def test_receive_lifecycle_pay_number_code(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http, country="India", service="openai"))["orderId"]
    assert await status_of(http, order_id) == {"status": "OK", "paid": False}

    await control.pay(order_id)
    assert await status_of(http, order_id) == {"status": "OK", "paid": True}

    await control.assign_number(order_id, "+918123456789")
    waiting = await status_of(http, order_id)
    assert waiting["number"] == 918123456789
    assert isinstance(waiting["id"], int)
    assert isinstance(waiting["timestamp"], int)
    assert waiting["timestamp"] > 1_600_000_000_000
    assert waiting["country"] == "India"
    assert waiting["service"] == "OpenAI"
    assert "code" not in waiting
    assert "error" not in waiting

    await control.deliver_code(order_id, "48010")
    done = await status_of(http, order_id)
    assert done == {**waiting, "code": 48010}


async def test_default_number_is_plausible_for_the_country(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http, country=16))["orderId"]
    await control.pay(order_id)
    await control.assign_number(order_id)
    number = (await status_of(http, order_id))["number"]
    assert isinstance(number, int)
    assert str(number).startswith("44")


async def test_code_arrives_as_number_or_string(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    await control.deliver_code(order_id, "048213")
    assert (await status_of(http, order_id))["code"] == 48213
    await control.configure(code_as_string=True)
    assert (await status_of(http, order_id))["code"] == "048213"


async def test_delivering_a_code_assigns_a_number_first(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    internal = await control.deliver_code(order_id)
    assert internal["state"] == "code"
    status = await status_of(http, order_id)
    assert isinstance(status["code"], int)
    assert isinstance(status["number"], int)


async def test_no_number_is_reported_with_status_ok(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    await control.no_number(order_id)
    assert await status_of(http, order_id) == {"status": "OK", "paid": True, "error": NO_NUMBER}
    assert_error(await http.get("/cancelorder", params={"orderId": order_id}), 400, "closed")


async def test_cancel_an_unpaid_order_at_once(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    assert await get_json(http, "/cancelorder", orderId=order_id) == {"status": "OK"}
    status = await status_of(http, order_id)
    assert status["paid"] is False
    assert "canceled" in status["error"]
    with pytest.raises(SandboxControlError) as refused:
        await control.pay(order_id)
    assert refused.value.status_code == 409


async def test_cancel_is_refused_for_two_minutes_after_payment(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    await control.assign_number(order_id)
    assert_error(
        await http.get("/cancelorder", params={"orderId": order_id}), 400, "2 minutes after payment"
    )
    await control.advance_clock(60)
    assert_error(await http.get("/cancelorder", params={"orderId": order_id}), 400, "2 minutes")

    await control.advance_clock(70)
    assert await get_json(http, "/cancelorder", orderId=order_id) == {"status": "OK"}
    status = await status_of(http, order_id)
    assert status["paid"] is True
    assert isinstance(status["number"], int)
    assert status["error"].startswith("Order canceled")
    assert "returned" in status["error"]
    assert_error(await http.get("/cancelorder", params={"orderId": order_id}), 400, "closed")


async def test_cancel_after_the_code_is_refused(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    await control.deliver_code(order_id)
    await control.advance_clock(300)
    assert_error(
        await http.get("/cancelorder", params={"orderId": order_id}),
        400,
        "Order already has a code and cannot be canceled",
    )


async def test_cancel_needs_get_and_a_receive_order(http: httpx.AsyncClient) -> None:
    order_id = (await create_receive(http))["orderId"]
    posted = await http.post(
        "/cancelorder", params={"orderId": order_id}, json={"orderId": order_id}
    )
    assert posted.status_code == 405
    assert posted.json()["status"] == "error"
    send_id = (await create_send(http))["orderId"]
    assert_error(await http.get("/cancelorder", params={"orderId": send_id}), 400, "receive")
    assert_error(await http.get("/cancelorder", params={"orderId": "0" * 64}), 404, "not found")
    assert_error(await http.get("/cancelorder"), 400, "orderId")


async def test_paid_order_without_code_expires_after_21_minutes(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    await control.assign_number(order_id)
    await control.advance_clock(1250)
    assert "error" not in await status_of(http, order_id)
    await control.advance_clock(15)
    expired = await status_of(http, order_id)
    assert expired["paid"] is True
    assert isinstance(expired["number"], int)
    assert expired["error"].startswith("Order expired without a code")
    assert (await control.order(order_id))["state"] == "expired"


async def test_order_still_allocating_expires_too(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    await control.advance_clock(1261)
    expired = await status_of(http, order_id)
    assert set(expired) == {"status", "paid", "error"}
    assert "expired" in expired["error"]


async def test_unpaid_invoice_expires(http: httpx.AsyncClient, control: SandboxControl) -> None:
    order_id = (await create_receive(http))["orderId"]
    await control.advance_clock(901)
    assert await status_of(http, order_id) == {
        "status": "OK",
        "paid": False,
        "error": "Invoice expired",
    }
    with pytest.raises(SandboxControlError, match="Invoice expired") as refused:
        await control.pay(order_id)
    assert refused.value.status_code == 409


async def test_unknown_and_missing_order_ids(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    missing = await http.get("/orderstatus", params={"orderId": "f" * 64})
    assert missing.status_code == 404
    assert missing.json() == {"status": "error", "reason": "Order not found"}
    assert_error(await http.get("/orderstatus"), 400, "orderId is required")
    await control.configure(not_found_status=200)
    assert (await http.get("/orderstatus", params={"orderId": "f" * 64})).status_code == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"service": "tg"}, "country is required"),
        ({"country": "Atlantis", "service": "tg"}, "Unknown country"),
        ({"country": 187}, "service is required"),
        ({"country": 187, "service": "nope"}, "Unknown service"),
        ({"country": 5, "service": "tg"}, "No numbers available for this service"),
        ({"country": 187, "service": "tg", "immediate": "perhaps"}, "immediate"),
        ([187, "tg"], "JSON object"),
    ],
)
async def test_create_order_validation(http: httpx.AsyncClient, body: Any, reason: str) -> None:
    assert_error(await http.post("/createorder", json=body), 400, reason)


async def test_invalid_json_body_is_a_validation_error(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/createorder", content=b'{"country": 187,', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "Invalid JSON")


async def test_out_of_stock_service_cannot_be_ordered(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.set_stock(187, "tg", 0)
    refused = await http.post("/createorder", json={"country": 187, "service": "tg"})
    assert_error(refused, 400, "No numbers available for this service")


async def test_lenient_order_input_and_ref_are_recorded(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    created = await create_receive(
        http, country="Germany", service="other", ref="lnvpn@getalby.com", isRental=False
    )
    internal = await control.order(created["orderId"])
    assert internal["country"] == 43
    assert internal["service"] == "ot"
    assert internal["ref"] == "lnvpn@getalby.com"
    assert internal["api_key_used"] is False
    logged = (await control.requests())[-1]
    assert logged["path"] == "/createorder"
    assert logged["json"]["ref"] == "lnvpn@getalby.com"
    assert logged["api_key_present"] is False


async def test_auto_select_order_gets_a_real_country(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_receive(http, country="999"))["orderId"]
    internal = await control.order(order_id)
    assert internal["requested_country"] == 999
    assert internal["country"] != 999
    await control.pay(order_id)
    await control.assign_number(order_id)
    assert (await status_of(http, order_id))["country"] != "Auto-Select"


async def test_immediate_order_needs_a_key_with_balance(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    body = {"country": 187, "service": "tg", "immediate": True}
    missing = await http.post("/createorder", json=body)
    assert missing.status_code == 400
    assert missing.json() == {"status": "error", "reason": "X-API-Key header is missing."}
    poor = await http.post("/createorder", json=body, headers={"X-API-Key": "empty-key"})
    assert_error(poor, 400, "Insufficient balance")

    price = (await get_json(http, "/price", country=187, service="tg"))["computed"]["price"]
    paid = await http.post("/createorder", json=body, headers={"X-API-Key": API_KEY})
    created = paid.json()
    assert created["payreq"] == "paid"
    assert HEX64.match(created["orderId"])
    assert await status_of(http, created["orderId"]) == {"status": "OK", "paid": True}
    balance = await http.get("/balance", headers={"X-API-Key": API_KEY})
    assert balance.json() == {"status": "OK", "balance": 10_000 - price}
    assert (await control.order(created["orderId"]))["api_key_used"] is True
    creations = [entry for entry in await control.requests() if entry["path"] == "/createorder"]
    assert [entry["api_key_present"] for entry in creations] == [False, True, True]


async def test_key_without_immediate_still_gets_an_invoice(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/createorder", json={"country": 187, "service": "tg"}, headers={"X-API-Key": API_KEY}
    )
    assert response.json()["payreq"].startswith("lnbc")
    balance = await http.get("/balance", headers={"X-API-Key": API_KEY})
    assert balance.json()["balance"] == 10_000


# Send orders.


@pytest.fixture
async def webhook_inbox() -> AsyncIterator[tuple[str, asyncio.Queue[dict[str, Any]]]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        await inbox.put(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/hook", inbox
    finally:
        await runner.cleanup()


async def next_hook(inbox: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(inbox.get(), timeout=3)


async def test_send_lifecycle_with_webhooks(
    http: httpx.AsyncClient,
    control: SandboxControl,
    webhook_inbox: tuple[str, asyncio.Queue[dict[str, Any]]],
) -> None:
    hook_url, inbox = webhook_inbox
    created = await create_send(http, webhookUrl=hook_url)
    order_id = created["orderId"]
    invoice = bolt11.decode(created["payreq"])
    assert invoice.amount_msat == 3000 * 1000
    assert invoice.description == "sms4sats send"

    unpaid = await status_of(http, order_id)
    assert unpaid["paid"] is False
    assert re.match(r"^SM[0-9a-f]{32}$", unpaid["id"])
    assert isinstance(unpaid["timestamp"], int)
    assert "smsStatus" not in unpaid

    await control.pay(order_id)
    assert (await next_hook(inbox))["smsStatus"] == "created"
    await control.set_sms_status(order_id, "sent")
    assert (await next_hook(inbox))["smsStatus"] == "sent"
    await control.set_sms_status(order_id, "delivered")
    delivered = await next_hook(inbox)
    assert delivered == await status_of(http, order_id)
    assert delivered["paid"] is True
    assert delivered["id"] == unpaid["id"]
    assert delivered["smsStatus"] == "delivered"
    with pytest.raises(SandboxControlError) as final:
        await control.set_sms_status(order_id, "failed")
    assert final.value.status_code == 409


async def test_send_can_fail(http: httpx.AsyncClient, control: SandboxControl) -> None:
    order_id = (await create_send(http))["orderId"]
    with pytest.raises(SandboxControlError, match="not paid"):
        await control.set_sms_status(order_id, "sent")
    await control.pay(order_id)
    await control.set_sms_status(order_id, "failed")
    assert (await status_of(http, order_id))["smsStatus"] == "failed"


async def test_unreachable_webhook_is_logged_not_fatal(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    order_id = (await create_send(http, webhookUrl="http://127.0.0.1:9/nowhere"))["orderId"]
    await control.pay(order_id)
    for _ in range(50):
        attempts = await control.webhooks()
        if attempts and ("error" in attempts[0] or "status" in attempts[0]):
            break
        await asyncio.sleep(0.02)
    assert "error" in attempts[0]
    assert (await status_of(http, order_id))["smsStatus"] == "created"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"phone": "19871234567", "message": "hi"}, "E.164"),
        ({"phone": "+0123456789", "message": "hi"}, "E.164"),
        ({"phone": "+19871234567"}, "140"),
        ({"phone": "+19871234567", "message": ""}, "140"),
        ({"phone": "+19871234567", "message": "x" * 141}, "140"),
        ({"phone": "+19871234567", "message": "hi", "webhookUrl": "ftp://x"}, "webhookUrl"),
    ],
)
async def test_send_validation(http: httpx.AsyncClient, body: dict[str, Any], reason: str) -> None:
    assert_error(await http.post("/createsendorder", json=body), 400, reason)


async def test_send_of_140_characters_is_accepted(http: httpx.AsyncClient) -> None:
    await create_send(http, message="x" * 140)


async def test_immediate_send_draws_on_the_balance(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    body = {"phone": "+19871234567", "message": "hi", "immediate": True}
    missing = await http.post("/createsendorder", json=body)
    assert_error(missing, 400, "X-API-Key header is missing.")
    created = (
        await http.post("/createsendorder", json=body, headers={"X-API-Key": API_KEY})
    ).json()
    assert created["payreq"] == "paid"
    status = await status_of(http, created["orderId"])
    assert status["paid"] is True
    assert status["smsStatus"] == "created"
    balance = await http.get("/balance", headers={"X-API-Key": API_KEY})
    assert balance.json()["balance"] == 7_000


# Prepaid accounts.


async def test_fund_balance_history(http: httpx.AsyncClient, control: SandboxControl) -> None:
    headers = {"X-API-Key": "new-key"}
    assert (await http.get("/balance", headers=headers)).json() == {"status": "OK", "balance": 0}
    created = (await http.post("/fund", json={"amount": 9500}, headers=headers)).json()
    assert created["status"] == "OK"
    invoice = bolt11.decode(created["payreq"])
    assert invoice.amount_msat == 9_500_000
    assert invoice.payment_hash == created["orderId"]
    assert invoice.description == "fund account"
    assert await status_of(http, created["orderId"]) == {"status": "OK", "paid": False}

    await control.pay(created["orderId"])
    assert await status_of(http, created["orderId"]) == {"status": "OK", "paid": True}
    assert (await http.get("/balance", headers=headers)).json()["balance"] == 9500
    history = (await http.get("/history", headers=headers)).json()
    assert history["status"] == "OK"
    assert history["totalAmount"] == 9500
    (record,) = history["orders"]
    assert record["amount"] == record["price"] == 9500
    assert record["desc"] == record["description"] == "fund account"
    assert record["holdinvoice"] is True
    assert record["userId"] == "new-key"
    assert isinstance(record["createdAt"], int)
    assert hashlib.sha256(bytes.fromhex(record["preimage"])).hexdigest() == record["preimageHash"]
    assert record["preimageHash"] == created["orderId"]


@pytest.mark.parametrize("path", ["/balance", "/history"])
async def test_account_reads_need_a_key(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 400
    assert response.json() == {"status": "error", "reason": "X-API-Key header is missing."}


@pytest.mark.parametrize("amount", [0, -5, "100", 1.5, True, None])
async def test_fund_needs_a_positive_amount(http: httpx.AsyncClient, amount: Any) -> None:
    response = await http.post("/fund", json={"amount": amount}, headers={"X-API-Key": API_KEY})
    assert_error(response, 400, "amount")


async def test_fund_needs_a_key(http: httpx.AsyncClient) -> None:
    assert_error(
        await http.post("/fund", json={"amount": 100}), 400, "X-API-Key header is missing."
    )


# Auto mode.


async def test_auto_mode_walks_a_receive_order_to_its_code(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.configure(auto=True)
    order_id = (await create_receive(http))["orderId"]
    assert (await status_of(http, order_id))["paid"] is False
    await control.advance_clock(4.5)
    assert await status_of(http, order_id) == {"status": "OK", "paid": True}
    await control.advance_clock(3)
    assert "number" in await status_of(http, order_id)
    await control.advance_clock(10)
    done = await status_of(http, order_id)
    assert isinstance(done["code"], int)
    internal = await control.order(order_id)
    assert internal["paid_at"] == pytest.approx(internal["created_at"] + 4.0)
    assert internal["number_at"] == pytest.approx(internal["paid_at"] + 3.0)
    assert internal["code_at"] == pytest.approx(internal["number_at"] + 10.0)


async def test_auto_mode_catches_up_in_one_jump(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.configure(auto=True, code_delay=60)
    receive_id = (await create_receive(http))["orderId"]
    send_id = (await create_send(http))["orderId"]
    fund_id = (await http.post("/fund", json={"amount": 500}, headers={"X-API-Key": "k2"})).json()
    await control.advance_clock(3600)
    assert "code" in await status_of(http, receive_id)
    assert (await status_of(http, send_id))["smsStatus"] == "delivered"
    assert (await status_of(http, fund_id["orderId"]))["paid"] is True
    assert (await http.get("/balance", headers={"X-API-Key": "k2"})).json()["balance"] == 500


async def test_auto_mode_reports_no_number_when_stock_runs_out(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.configure(auto=True)
    order_id = (await create_receive(http, country=187, service="wa"))["orderId"]
    await control.set_stock(187, "wa", 0)
    await control.advance_clock(60)
    assert (await status_of(http, order_id))["error"] == NO_NUMBER


# Faults.


async def test_http500_fault_for_n_calls_then_normal(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.inject_fault("http500", count=2)
    for _ in range(2):
        failed = await http.get("/getCountries")
        assert failed.status_code == 500
        assert failed.json() == {"status": "error", "reason": "backend error"}
    assert (await http.get("/getCountries")).status_code == 200


async def test_invalid_json_fault(http: httpx.AsyncClient, control: SandboxControl) -> None:
    await control.inject_fault("invalid_json")
    broken = await http.get("/price")
    assert broken.status_code == 200
    assert broken.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert (await http.get("/price")).json()["send"] == 3000


async def test_html502_fault(http: httpx.AsyncClient, control: SandboxControl) -> None:
    await control.inject_fault("html502", path="/orderstatus")
    assert (await http.get("/")).status_code == 200
    gateway = await http.get("/orderstatus", params={"orderId": "a" * 64})
    assert gateway.status_code == 502
    assert gateway.headers["content-type"].startswith("text/html")
    assert "<html>" in gateway.text
    assert (await http.get("/orderstatus", params={"orderId": "a" * 64})).status_code == 404


async def test_slow_fault_delays_then_answers(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await control.inject_fault("slow", delay=0.3, path="/")
    with pytest.raises(httpx.ReadTimeout):
        await http.get("/", timeout=0.05)
    await control.inject_fault("slow", delay=0.1, path="/")
    started = asyncio.get_running_loop().time()
    assert (await http.get("/")).json() == {"status": "OK"}
    assert asyncio.get_running_loop().time() - started >= 0.1


async def test_a_fault_with_a_share_hits_that_fraction_of_the_calls(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    # An upstream where some calls fail and the rest answer: a fifth of 400 calls, give or take.
    await control.inject_fault("http500", count=1000, path="/", share=0.2)
    answers = [(await http.get("/")).status_code for _ in range(400)]
    assert 50 <= answers.count(500) <= 110
    assert answers.count(200) == 400 - answers.count(500)
    pending, _ = await control.inject_fault("http500", count=1, path="/", share=1)
    assert pending["share"] == 0.2 and pending["remaining"] == 1000 - answers.count(500)
    with pytest.raises(SandboxControlError):
        await control.inject_fault("slow", path="/", share=0)


async def test_faults_can_be_cleared_and_spare_the_control_api(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    pending = await control.inject_fault("http500", count=5)
    assert pending[0]["remaining"] == 5
    assert await control.orders() == []
    await control.clear_faults()
    assert (await http.get("/")).status_code == 200


async def test_unknown_fault_kind_is_refused(control: SandboxControl) -> None:
    with pytest.raises(SandboxControlError) as refused:
        await control.inject_fault("meltdown")
    assert refused.value.status_code == 400


# Control API and housekeeping.


async def test_unknown_paths_answer_json_404(http: httpx.AsyncClient) -> None:
    for path in ("/getServices", "/getPrice", "/__sandbox/nothing"):
        response = await http.get(path)
        assert response.status_code == 404
        assert response.json() == {"status": "error", "reason": "not found"}


async def test_control_errors(http: httpx.AsyncClient, control: SandboxControl) -> None:
    with pytest.raises(SandboxControlError) as unknown:
        await control.pay("0" * 64)
    assert unknown.value.status_code == 404
    send_id = (await create_send(http))["orderId"]
    await control.pay(send_id)
    with pytest.raises(SandboxControlError) as wrong_kind:
        await control.assign_number(send_id)
    assert wrong_kind.value.status_code == 409
    with pytest.raises(SandboxControlError) as twice:
        await control.pay(send_id)
    assert twice.value.status_code == 409
    receive_id = (await create_receive(http))["orderId"]
    with pytest.raises(SandboxControlError, match="not paid"):
        await control.assign_number(receive_id)
    await control.pay(receive_id)
    with pytest.raises(SandboxControlError) as bad_number:
        await control.assign_number(receive_id, "12ab")
    assert bad_number.value.status_code == 400


async def test_orders_listing_by_kind(http: httpx.AsyncClient, control: SandboxControl) -> None:
    await create_receive(http)
    await create_send(http, ref="me@example.com")
    sends = await control.orders("send")
    assert [order["kind"] for order in sends] == ["send"]
    assert sends[0]["phone"] == "+19871234567"
    assert sends[0]["message"] == "hello from the tests"
    assert sends[0]["ref"] == "me@example.com"
    assert len(await control.orders()) == 2


async def test_config_changes_apply_and_are_checked(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    config = await control.configure(error_status=422, cancel_after=30)
    assert config["error_status"] == 422
    assert_error(await http.get("/orderstatus"), 422, "orderId")
    order_id = (await create_receive(http))["orderId"]
    await control.pay(order_id)
    assert_error(await http.get("/cancelorder", params={"orderId": order_id}), 422, "30 seconds")
    with pytest.raises(SandboxControlError):
        await control.configure(no_such_field=1)
    with pytest.raises(SandboxControlError):
        await control.configure(auto="yes")


async def test_request_log_records_what_clients_sent(
    http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await http.get("/orderstatus", params={"orderId": "abc"})
    await http.post("/createorder", json={"country": 187}, headers={"X-API-Key": "k"})
    logged = await control.requests()
    assert logged[0]["method"] == "GET"
    assert logged[0]["query"] == {"orderId": "abc"}
    assert logged[0]["json"] is None
    assert logged[1]["json"] == {"country": 187}
    assert logged[1]["api_key_present"] is True
    assert all(not entry["path"].startswith("/__sandbox") for entry in logged)


async def test_reset_starts_over(
    sandbox: Sms4SatsSandbox, http: httpx.AsyncClient, control: SandboxControl
) -> None:
    await create_receive(http)
    await control.inject_fault("http500", count=3, path="/price")
    await control.advance_clock(1000)
    await control.configure(auto=True)
    await control.set_stock(187, "tg", 0)
    await control.reset()
    assert await control.orders() == []
    assert await control.requests() == []
    assert sandbox.clock.offset == 0
    assert sandbox.config.auto is False
    assert (await http.get("/price")).status_code == 200
    assert any(s["value"] == "tg" for s in await get_json(http, "/getnumbersstatus", country=187))
    assert (await http.get("/balance", headers={"X-API-Key": API_KEY})).json()["balance"] == 10_000


async def test_runner_reports_its_real_port(sandbox: Sms4SatsSandbox) -> None:
    assert re.match(r"^http://127\.0\.0\.1:\d+$", sandbox.url)
    assert not sandbox.url.endswith(":0")
