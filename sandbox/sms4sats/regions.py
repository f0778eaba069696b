"""Country input as clients send it, and plausible phone numbers for a country."""

from __future__ import annotations

import random
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType

from sandbox.sms4sats.countries import Country, all_countries, country_by_code, resolve_country

_FALLBACK_REGION = "US"


@cache
def _countries_by_iso() -> dict[str, Country]:
    index: dict[str, Country] = {}
    for country in all_countries():
        if country.iso:
            # Later entries win: 187 "USA" must beat 12 "USA (virtual)", which shares "US".
            index[country.iso.upper()] = country
    return index


def resolve_country_input(value: object) -> Country | None:
    """A country from a code, a numeric string, a name or alias in any case, or an ISO code.

    The docs' /price example resolves "us" to 187, hence the ISO codes.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    found = resolve_country(value)
    if found is not None or not isinstance(value, str):
        return found
    return _countries_by_iso().get(value.strip().upper())


def plausible_number(country_code: int, rng: random.Random) -> str:
    """A mobile number of the country in international digits without "+"."""
    country = country_by_code(country_code)
    region = (country.iso if country else None) or _FALLBACK_REGION
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    if example is None:
        example = phonenumbers.example_number(region)
    if example is None:
        return f"1555{rng.randrange(10**7):07d}"
    national = str(example.national_number)
    # Varying only the tail keeps the operator prefix, so the number still looks like the country.
    tail = min(4, len(national) - 2)
    varied = national[:-tail] + "".join(str(rng.randrange(10)) for _ in range(tail))
    return f"{example.country_code}{varied}"


def region_label(country: Country) -> str:
    """The short country label of price descriptions, "US" as in the docs' example."""
    return (country.iso or country.name).upper()
