"""The sandbox's own copy of the sms4sats country list (countries.json beside this file).

The stand-in keeps its own copy instead of reading the bot's: it plays sms4sats, and sms4sats
does not share the bot's code. A list in the bot that drifts from the one sms4sats serves then
shows up in the tests, as it would in production, instead of agreeing by construction.

Each entry: the code, every spelling the sms4sats docs list has for it (the first is the one
`getCountries` answers with), and the ISO 3166-1 alpha-2 code (None for Auto-Select), which the
stand-in uses for plausible phone numbers and for the docs' "us" in /price.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

AUTO_SELECT = 999

_DATA = Path(__file__).with_name("countries.json")


@dataclass(frozen=True, slots=True)
class Country:
    code: int
    name: str
    """The spelling `getCountries` answers with (the docs list's first for the code)."""
    aliases: tuple[str, ...] = ()
    """Every other spelling the list has for the same code."""
    iso: str | None = None
    """ISO 3166-1 alpha-2, upper case; None for Auto-Select, which is no country."""


@cache
def all_countries() -> tuple[Country, ...]:
    """Every country in list order, one entry per code."""
    entries = json.loads(_DATA.read_text("utf-8"))
    assert isinstance(entries, list)
    return tuple(
        Country(
            int(entry["code"]),
            str(entry["names"][0]),
            tuple(str(name) for name in entry["names"][1:]),
            str(entry["iso"]).upper() if entry.get("iso") else None,
        )
        for entry in entries
    )


@cache
def _by_code() -> dict[int, Country]:
    return {country.code: country for country in all_countries()}


@cache
def _by_name() -> dict[str, Country]:
    index: dict[str, Country] = {}
    for country in all_countries():
        for spelling in (country.name, *country.aliases):
            index.setdefault(spelling.casefold(), country)
    return index


def country_by_code(code: int) -> Country | None:
    return _by_code().get(code)


def resolve_country(value: str | int) -> Country | None:
    """A country from a code, a numeric string or a spelling of the list in any case."""
    if isinstance(value, int):
        return country_by_code(value)
    text = value.strip()
    if text.lstrip("-").isdigit():
        return country_by_code(int(text))
    return _by_name().get(text.casefold())
