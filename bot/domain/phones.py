"""Phone numbers: parsing what people type, and showing what sms4sats returns."""

from __future__ import annotations

import re
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class PhoneProblem(StrEnum):
    """Why typed text is not a phone number; the texts catalog turns it into words."""

    NO_COUNTRY_CODE = "no_country_code"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    INVALID_FOR_COUNTRY = "invalid_for_country"


class InvalidPhoneNumber(ValueError):
    def __init__(self, problem: PhoneProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def format_phone(digits_or_e164: str) -> str:
    """`+<digits>` grouped for reading (`+1 415-555-0123`); as given when it is not a number."""
    digits = re.sub(r"\D", "", digits_or_e164)
    if not digits:
        return digits_or_e164
    try:
        number = phonenumbers.parse("+" + digits, None)
    except NumberParseException:
        return "+" + digits
    if not phonenumbers.is_possible_number(number):
        return "+" + digits
    return str(phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL))


def e164(digits: str) -> str:
    return "+" + re.sub(r"\D", "", digits)


def normalize_phone(text: str) -> str:
    """E.164 (`+14155550123`) from what a person typed; InvalidPhoneNumber says what is wrong."""
    cleaned = text.strip()
    if not any(ch.isdigit() for ch in cleaned):
        # "hello" is not a number missing its country code: say what it is.
        raise InvalidPhoneNumber(PhoneProblem.NOT_A_NUMBER)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not cleaned.startswith("+"):
        raise InvalidPhoneNumber(PhoneProblem.NO_COUNTRY_CODE)
    if len(cleaned) > 40:
        raise InvalidPhoneNumber(PhoneProblem.TOO_LONG)
    try:
        number = phonenumbers.parse(cleaned, None)
    except NumberParseException as error:
        raise InvalidPhoneNumber(PhoneProblem.NOT_A_NUMBER) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(PhoneProblem.INVALID_FOR_COUNTRY)
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))
