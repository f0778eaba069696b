"""White-box rules of the sandbox state, without HTTP: timing of transitions and bookkeeping."""

from __future__ import annotations

import random

import pytest

from sandbox.sms4sats import Clock, SandboxConfig, SandboxState
from sandbox.sms4sats.catalog import resolve_service, service_by_code
from sandbox.sms4sats.countries import country_by_code
from sandbox.sms4sats.errors import InvalidRequest, TransitionRefused
from sandbox.sms4sats.orders import Order, OrderState, SmsStatus


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(SandboxConfig(api_keys_balance={"k": 5000}), Clock(), rng=random.Random(7))


def new_receive(state: SandboxState, country: int = 187, service: str = "tg") -> Order:
    found = country_by_code(country)
    assert found is not None
    return state.create_receive_order(found, service_by_code(service))


def test_tick_applies_each_step_at_the_moment_it_fell_due(state: SandboxState) -> None:
    state.config.auto = True
    order = new_receive(state)
    state.tick(order.created_at + 1000)
    assert order.state == OrderState.CODE
    assert order.paid_at == order.created_at + 4.0
    assert order.number_at == order.paid_at + 3.0
    assert order.code_at == order.number_at + 10.0
    assert order.code is not None
    assert not order.code.startswith("0")


def test_hold_timeout_wins_over_a_late_code(state: SandboxState) -> None:
    state.config.auto = True
    state.config.code_delay = 5000
    order = new_receive(state)
    state.tick(order.created_at + 10_000)
    assert order.state == OrderState.EXPIRED
    assert order.paid_at is not None
    assert order.ended_at == order.paid_at + state.config.hold_timeout


def test_invoice_expiry_wins_when_payment_would_come_too_late(state: SandboxState) -> None:
    state.config.auto = True
    state.config.pay_delay = 2000
    order = new_receive(state)
    state.tick(order.created_at + 5000)
    assert order.state == OrderState.INVOICE_EXPIRED
    assert not order.paid


def test_nothing_moves_by_itself_outside_auto_mode(state: SandboxState) -> None:
    order = new_receive(state)
    state.tick(order.created_at + 600)
    assert order.state == OrderState.UNPAID


def test_listeners_see_every_change(state: SandboxState) -> None:
    seen: list[str] = []
    state.add_listener(lambda order: seen.append(str(order.sms_status)))
    state.config.auto = True
    order = state.create_send_order("+19871234567", "hi")
    state.tick(order.created_at + 100)
    assert seen == ["created", "sent", "delivered"]


def test_a_failing_listener_does_not_break_the_state(state: SandboxState) -> None:
    def explode(order: Order) -> None:
        raise RuntimeError("boom")

    state.add_listener(explode)
    order = new_receive(state)
    state.pay(order.order_id)
    assert order.state == OrderState.PAID


def test_immediate_payment_debits_exactly_the_price(state: SandboxState) -> None:
    country = country_by_code(187)
    assert country is not None
    service = service_by_code("tg")
    order = state.create_receive_order(country, service, payer_key="k")
    assert order.payreq is None
    assert order.paid
    assert state.balance("k") == 5000 - order.amount
    with pytest.raises(InvalidRequest, match="Insufficient balance"):
        state.create_receive_order(country, service, payer_key="nobody")


def test_sms_status_only_moves_forward(state: SandboxState) -> None:
    order = state.create_send_order("+19871234567", "hi")
    state.pay(order.order_id)
    state.set_sms_status(order.order_id, SmsStatus.SENT)
    with pytest.raises(TransitionRefused):
        state.set_sms_status(order.order_id, SmsStatus.SENT)


def test_auto_select_cannot_hold_stock(state: SandboxState) -> None:
    auto = country_by_code(999)
    telegram = resolve_service("telegram")
    assert auto is not None
    assert telegram is not None
    with pytest.raises(InvalidRequest):
        state.set_stock(auto, telegram, 3)
