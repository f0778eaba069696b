"""Callback data: packed and parsed in one module, within Telegram's 64 bytes."""

from __future__ import annotations

import pytest

from handlers.routes import ROUTES
from handlers.ui.callbacks import (
    MAX_BYTES,
    BuyNumber,
    Callback,
    CallbackDataError,
    CancelOrder,
    CountryPage,
    MenuBuy,
    ServiceChosen,
    parse,
)


@pytest.mark.parametrize(
    "callback",
    [
        MenuBuy(),
        CountryPage(3),
        ServiceChosen(187, "tg"),
        BuyNumber(999, "go", 1500),
        CancelOrder(7),
    ],
)
def test_round_trip(callback: Callback) -> None:
    data = callback.pack()
    assert len(data.encode()) <= MAX_BYTES
    assert parse(data) == callback


@pytest.mark.parametrize(
    "data",
    [None, "", "zz:1", "cp", "cp:1:2", "cp:one", "bn:187:tg", "oc:1;drop", "cp:" + "9" * 30],
)
def test_unknown_or_malformed_data_is_rejected(data: str | None) -> None:
    assert parse(data) is None


def test_reserved_characters_and_length_are_refused_when_packing() -> None:
    with pytest.raises(CallbackDataError):
        ServiceChosen(1, "a:b").pack()
    with pytest.raises(CallbackDataError):
        ServiceChosen(1, "x" * 70).pack()


def test_largest_realistic_callbacks_fit() -> None:
    assert len(BuyNumber(999, "abcdefghij_0", 10_000_000).pack()) <= MAX_BYTES
    assert len(CancelOrder(2**53).pack()) <= MAX_BYTES


def test_every_callback_type_has_a_route() -> None:
    assert set(Callback._registry.values()) <= set(ROUTES)
