"""What typed text is, as a phone number: the problem named plainly."""

from __future__ import annotations

import pytest

from bot.domain.phones import InvalidPhoneNumber, PhoneProblem, normalize_phone


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("hello", PhoneProblem.NOT_A_NUMBER),  # no digit at all: not a number, whatever else
        ("+hello", PhoneProblem.NOT_A_NUMBER),
        ("call me maybe", PhoneProblem.NOT_A_NUMBER),
        ("4155550123", PhoneProblem.NO_COUNTRY_CODE),
        ("+1 555", PhoneProblem.INVALID_FOR_COUNTRY),
        ("+" + "1" * 45, PhoneProblem.TOO_LONG),
    ],
)
def test_problems(text: str, problem: PhoneProblem) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_phone(text)
    assert caught.value.problem is problem


def test_a_number() -> None:
    assert normalize_phone("+1 (415) 555-0123") == "+14155550123"
    assert normalize_phone("0044 7911 123456") == "+447911123456"
