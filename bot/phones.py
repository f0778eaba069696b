"""Phone numbers: parsing what people type, and showing what sms4sats returns."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class InvalidPhoneNumber(ValueError):
    pass


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
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not cleaned.startswith("+"):
        raise InvalidPhoneNumber("Please include the country code, starting with + (like +44…).")
    if len(cleaned) > 40:
        raise InvalidPhoneNumber("That is too long to be a phone number.")
    try:
        number = phonenumbers.parse(cleaned, None)
    except NumberParseException as error:
        raise InvalidPhoneNumber("That does not look like a phone number.") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("That is not a valid phone number for its country.")
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))
