"""The lenient reading of a rental's status: every shape the issue lists, and an unknown one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain import rental_status
from bot.domain.remote import ReceivedSms
from bot.domain.rental_status import code_in, moment, parse_rental
from bot.sms4sats import parse_order_status

BASE: dict[str, Any] = {"status": "OK", "paid": True, "number": 6281234567, "id": 77}
END = datetime(2026, 12, 16, 7, 0, tzinfo=UTC)
END_S = END.timestamp()


@pytest.fixture(autouse=True)
def forget_reported() -> None:
    # Each test sees "logged once" afresh.
    rental_status._reported.clear()


def test_code_as_number_is_the_newest_sms() -> None:
    parsed = parse_rental({**BASE, "code": 48010})
    assert parsed.messages == (ReceivedSms("48010", "48010"),)
    assert parsed.ends_at is None


def test_code_as_string_keeps_leading_zeros() -> None:
    assert parse_rental({**BASE, "code": "048213"}).messages == (ReceivedSms("048213", "048213"),)


def test_code_as_whole_float() -> None:
    assert parse_rental({**BASE, "code": 1234.0}).messages[0].code == "1234"


@pytest.mark.parametrize("key", ["messages", "sms", "smsList", "values", "codes"])
def test_lists_of_strings_under_every_key(key: str) -> None:
    parsed = parse_rental({**BASE, key: ["111111", "Your code is 222-333"]})
    assert [(m.text, m.code) for m in parsed.messages] == [
        ("111111", "111111"),
        ("Your code is 222-333", "222333"),
    ]


@pytest.mark.parametrize("text_key", ["code", "text", "sms", "message"])
@pytest.mark.parametrize(
    ("time_key", "value", "seconds"),
    [
        ("date", 1_764_658_800_000, 1_764_658_800.0),  # milliseconds
        ("timestamp", 1_764_658_800, 1_764_658_800.0),  # seconds
        ("receivedAt", "2025-12-02T07:00:00Z", 1_764_658_800.0),  # ISO 8601
    ],
)
def test_lists_of_objects_with_every_text_and_time_key(
    text_key: str, time_key: str, value: object, seconds: float
) -> None:
    parsed = parse_rental({**BASE, "messages": [{text_key: "Code 5555", time_key: value}]})
    (sms,) = parsed.messages
    assert sms.text == "Code 5555" and sms.code == "5555" and sms.received_at == seconds


def test_object_without_a_time_and_with_a_code_of_its_own() -> None:
    parsed = parse_rental({**BASE, "sms": [{"text": "G-771234 is your code", "code": "771234"}]})
    assert parsed.messages == (ReceivedSms("G-771234 is your code", "771234"),)


def test_a_text_without_a_code_is_kept_as_text() -> None:
    (sms,) = parse_rental({**BASE, "messages": [{"text": "Welcome to the service!"}]}).messages
    assert sms.code is None and sms.text == "Welcome to the service!"


def test_oldest_first_whatever_order_sms4sats_lists_them() -> None:
    parsed = parse_rental(
        {**BASE, "messages": [{"text": "second 2222", "date": 2_000_000_000_000},
                              {"text": "first 1111", "date": 1_000_000_000_000}]}
    )  # fmt: skip
    assert [m.code for m in parsed.messages] == ["1111", "2222"]


def test_the_same_sms_seen_twice_is_one() -> None:
    item = {"text": "Code 1234", "date": 1_764_658_800_000}
    parsed = parse_rental({**BASE, "messages": [item, dict(item)], "sms": [dict(item)]})
    assert len(parsed.messages) == 1


def test_newest_code_already_in_the_list_is_not_repeated() -> None:
    parsed = parse_rental(
        {**BASE, "code": 4321, "messages": [{"text": "Your code: 4321", "date": 1_764_658_800}]}
    )
    assert [m.code for m in parsed.messages] == ["4321"]


def test_newest_code_missing_from_the_list_comes_last() -> None:
    parsed = parse_rental({**BASE, "code": "9999", "messages": ["1111"]})
    assert [m.code for m in parsed.messages] == ["1111", "9999"]


@pytest.mark.parametrize("key", ["endDate", "expiresAt", "rentEnd", "until", "expires"])
@pytest.mark.parametrize(
    "value", [END_S * 1000, END_S, int(END_S * 1000), "2026-12-16T07:00:00Z",
              "2026-12-16T07:00:00+00:00", str(int(END_S))],
)  # fmt: skip
def test_end_time_under_every_key_in_every_unit(key: str, value: object) -> None:
    assert parse_rental({**BASE, key: value}).ends_at == END_S


def test_moment_reads_naive_iso_as_utc() -> None:
    assert moment("2026-12-16T07:00:00") == END_S
    assert moment("next tuesday") is None
    assert moment(True) is None


def test_code_in_text() -> None:
    assert code_in("Your WhatsApp code 123-456") == "123456"
    assert code_in("Telegram code: 54321. Do not share") == "54321"
    assert code_in("Hello there") is None


def test_the_client_carries_sms_and_end_on_the_status() -> None:
    status = parse_order_status(
        {**BASE, "endDate": END_S * 1000, "messages": [{"text": "1234", "date": END_S}]}
    )
    assert status.ends_at == END_S
    assert status.messages == (ReceivedSms("1234", "1234", END_S),)
    assert status.number == "6281234567"


def test_a_receive_status_is_a_known_shape(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parse_rental(
            {"status": "OK", "paid": True, "code": 48010, "id": 1, "number": 1, "timestamp": 1,
             "country": "India", "service": "openAI"}
        )  # fmt: skip
    assert not caplog.records


def test_an_unknown_shape_is_logged_once_by_key_names_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "SECRET-SMS-TEXT 991122"
    body = {**BASE, "inbox": [{"body": secret}]}
    with caplog.at_level(logging.WARNING):
        first = parse_rental(body)
        parse_rental(body)
    assert first.messages == ()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    logged = warnings[0].getMessage()
    assert "inbox" in logged and "number" in logged
    assert secret not in logged and "6281234567" not in logged


def test_an_item_it_cannot_read_is_reported_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        parsed = parse_rental({**BASE, "messages": [{"payload": "x"}, "7777"], "until": "soon"})
    assert [m.code for m in parsed.messages] == ["7777"]
    assert parsed.ends_at is None
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
