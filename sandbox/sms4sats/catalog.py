"""What the sandbox sells: services, stock per country, prices and rental offers.

Stock and prices are derived from a hash of (country, service), so every run and every test sees
the same numbers without a data file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from sandbox.sms4sats.countries import AUTO_SELECT, Country, all_countries

from .regions import region_label


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    """SMS-Activate style code, the `value` clients send to /createorder."""
    name: str
    """The long name (`text` in /getnumbersstatus, `service` in /orderstatus)."""

    @property
    def image(self) -> str:
        return f"img/services/{self.code}.webp"


SERVICES: tuple[Service, ...] = (
    Service("tg", "Telegram"),
    Service("wa", "WhatsApp"),
    Service("go", "Google,youtube,Gmail"),
    Service("fb", "facebook"),
    Service("ig", "Instagram+Threads"),
    Service("tw", "Twitter"),
    Service("ds", "Discord"),
    Service("oi", "Tinder"),
    Service("am", "Amazon"),
    Service("ub", "Uber"),
    Service("dr", "OpenAI"),
    Service("mm", "Microsoft"),
    Service("wx", "Apple"),
    Service("lf", "TikTok/Douyin"),
    Service("vi", "Viber"),
    Service("ts", "PayPal"),
    Service("nf", "Netflix"),
    Service("sn", "OLX"),
    Service("ma", "Mail.ru"),
    Service("vk", "VKontakte"),
    Service("ya", "Yandex"),
    Service("wb", "WeChat"),
    Service("fu", "Snapchat"),
    Service("bw", "Signal"),
    Service("mb", "Yahoo"),
    Service("tn", "LinkedIn"),
    Service("mt", "Steam"),
    Service("kt", "KakaoTalk"),
    Service("ot", "Any other"),
)

RENTAL_ALL_SERVICES = Service("full", "Full rent")
"""What /getRentalCountries means when no service is given: the number for every service."""

SEND_SERVICE = "send"
"""/price accepts service=send to compute the price of an SMS send order."""

# Countries that sell nothing by default, so clients can exercise their empty state.
EMPTY_COUNTRIES: frozenset[int] = frozenset({5, 30, 74, 91, 180, 181})
# Always in stock wherever anything is, so tests and demos can rely on them.
STAPLE_SERVICES: frozenset[str] = frozenset({"tg", "wa", "go", "ot"})

MIN_RECEIVE_PRICE = 1500
MAX_RECEIVE_PRICE = 4000
REAL_PHONE_PRICE = 4000
"""The `s4s` figure of /price: numbers from the sms4sats network of real phones."""
DEFAULT_RENT_PRICE = 15000


@dataclass(frozen=True, slots=True)
class RentalOffer:
    country_code: int
    weeks: int
    price: int


RENTAL_OFFERS: tuple[RentalOffer, ...] = (
    RentalOffer(6, 2, 1368),
    RentalOffer(16, 2, 4815),
    RentalOffer(22, 1, 2100),
    RentalOffer(43, 1, 6000),
    RentalOffer(78, 1, 5200),
    RentalOffer(187, 4, 12000),
)


def _digest(*parts: object) -> int:
    text = ":".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@cache
def _services_by_input() -> dict[str, Service]:
    index: dict[str, Service] = {}
    for service in SERVICES:
        index.setdefault(service.code, service)
    for service in SERVICES:
        index.setdefault(service.name.casefold(), service)
        # "google" and "youtube" find "Google,youtube,Gmail", as the docs' /price example implies.
        for part in re.split(r"[,+/]", service.name):
            index.setdefault(part.strip().casefold(), service)
    index["other"] = service_by_code("ot")
    return index


def service_by_code(code: str) -> Service:
    for service in SERVICES:
        if service.code == code:
            return service
    raise KeyError(code)


def resolve_service(value: object) -> Service | None:
    """A service from its code or its long name (or one part of it), in any case."""
    if not isinstance(value, str):
        return None
    return _services_by_input().get(value.strip().casefold())


def default_stock(country_code: int, service_code: str) -> int:
    if country_code in EMPTY_COUNTRIES:
        return 0
    roll = _digest("stock", country_code, service_code)
    if service_code not in STAPLE_SERVICES and roll % 5 == 0:
        return 0
    return 5 + (roll >> 8) % 400


def receive_price(country_code: int, service_code: str) -> int:
    """Sats for one activation; /price reports it and /createorder invoices exactly this."""
    steps = (MAX_RECEIVE_PRICE - MIN_RECEIVE_PRICE) // 100 + 1
    return MIN_RECEIVE_PRICE + (_digest("price", country_code, service_code) % steps) * 100


def rental_offer(country_code: int) -> RentalOffer | None:
    for offer in RENTAL_OFFERS:
        if offer.country_code == country_code:
            return offer
    return None


def rental_price(offer: RentalOffer, service: Service) -> int:
    # A number rented for one service costs less than one rented for all of them.
    if service == RENTAL_ALL_SERVICES:
        return offer.price
    return offer.price * 2 // 3


def resolve_rental_service(value: object) -> Service | None:
    if value is None or (isinstance(value, str) and value.strip().casefold() == "full"):
        return RENTAL_ALL_SERVICES
    return resolve_service(value)


class StockBook:
    """Numbers on offer per (country, service): the hashed defaults plus overrides from tests,
    and prices the same way. A service set to 0 with `listed` stays in /getnumbersstatus with a
    count of "0", as the real API sends it (clients must not offer it)."""

    def __init__(self) -> None:
        self._overrides: dict[tuple[int, str], int] = {}
        self._listed_empty: set[tuple[int, str]] = set()
        self._prices: dict[tuple[int, str], int] = {}

    def price(self, country_code: int, service_code: str) -> int:
        return self._prices.get((country_code, service_code)) or receive_price(
            country_code, service_code
        )

    def set_price(self, country_code: int, service_code: str, price: int) -> None:
        self._prices[(country_code, service_code)] = price

    def count(self, country_code: int, service_code: str) -> int:
        if country_code == AUTO_SELECT:
            return sum(self.count(country.code, service_code) for country in real_countries())
        key = (country_code, service_code)
        if key in self._overrides:
            return self._overrides[key]
        return default_stock(country_code, service_code)

    def set(
        self, country_code: int, service_code: str, count: int, *, listed: bool = False
    ) -> None:
        self._overrides[(country_code, service_code)] = count
        if listed and count == 0:
            self._listed_empty.add((country_code, service_code))
        else:
            self._listed_empty.discard((country_code, service_code))

    def _listed_at_zero(self, country_code: int, service_code: str) -> bool:
        if country_code == AUTO_SELECT:
            return any(service == service_code for _, service in self._listed_empty)
        return (country_code, service_code) in self._listed_empty

    def in_stock(self, country_code: int) -> list[tuple[Service, int]]:
        """What /getnumbersstatus lists: services with numbers, and those set to "0" listed."""
        counts = ((service, self.count(country_code, service.code)) for service in SERVICES)
        return [
            (service, count)
            for service, count in counts
            if count > 0 or self._listed_at_zero(country_code, service.code)
        ]

    def auto_select(self, service_code: str) -> Country | None:
        """Where Auto-Select takes a number from: the first listed country that has one."""
        for country in real_countries():
            if self.count(country.code, service_code) > 0:
                return country
        return None

    def reset(self) -> None:
        self._overrides.clear()
        self._listed_empty.clear()
        self._prices.clear()


@cache
def real_countries() -> tuple[Country, ...]:
    """Every listed country except Auto-Select."""
    return tuple(country for country in all_countries() if country.code != AUTO_SELECT)


def receive_description(country: Country, service: Service) -> str:
    """The invoice description of a receive order, also /price's `computed.description`."""
    return f"sms4sats payment {region_label(country)} {service.code}"


def rental_description(country: Country, service: Service) -> str:
    return f"sms4sats rental {region_label(country)} {service.code}"
