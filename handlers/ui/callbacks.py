"""Callback data of every inline button, packed and parsed here and nowhere else.

Each button carries the ids it acts on (`o:42:c` cancels order 42), so a button pressed after a
restart still works, and an old keyboard can only ever act on the order it was made for.
Telegram allows 64 bytes; `pack` refuses anything longer.
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass, fields
from typing import ClassVar, Final

MAX_BYTES: Final = 64
# Ids are SQLite integers: anything outside a signed 64-bit range is forged and never matches.
MAX_INT: Final = 2**63 - 1
_FIELD_RE = re.compile(r"^[A-Za-z0-9_.\-]*$")


class CallbackDataError(ValueError):
    pass


@dataclass(frozen=True)
class Callback:
    PREFIX: ClassVar[str]
    _registry: ClassVar[dict[str, type[Callback]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.PREFIX in Callback._registry:
            raise TypeError(f"duplicate callback prefix {cls.PREFIX!r}")
        Callback._registry[cls.PREFIX] = cls

    def pack(self) -> str:
        parts = [self.PREFIX]
        for value in astuple(self):
            text = str(int(value)) if isinstance(value, bool) else str(value)
            if not _FIELD_RE.match(text):
                raise CallbackDataError(f"callback field {text!r} has a reserved character")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data


def parse(data: str | None) -> Callback | None:
    """The callback a button carries, or None for data this bot version does not know."""
    if not data:
        return None
    prefix, *values = data.split(":")
    cls = Callback._registry.get(prefix)
    if cls is None:
        return None
    specs = fields(cls)
    if len(values) != len(specs):
        return None
    converted: list[object] = []
    for spec, value in zip(specs, values, strict=True):
        if not _FIELD_RE.match(value):
            return None
        if spec.type in ("int", int):
            if not re.fullmatch(r"-?\d{1,19}", value) or abs(int(value)) > MAX_INT:
                return None
            converted.append(int(value))
        elif spec.type in ("bool", bool):
            if value not in ("0", "1"):
                return None
            converted.append(value == "1")
        else:
            converted.append(value)
    return cls(*converted)


# --- menus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuBuy(Callback):
    PREFIX: ClassVar[str] = "mb"


@dataclass(frozen=True)
class MenuOrders(Callback):
    PREFIX: ClassVar[str] = "mo"


# --- buying a number ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryPage(Callback):
    PREFIX: ClassVar[str] = "cp"
    page: int


@dataclass(frozen=True)
class CountryChosen(Callback):
    PREFIX: ClassVar[str] = "cc"
    country: int


@dataclass(frozen=True)
class ServicePage(Callback):
    PREFIX: ClassVar[str] = "sp"
    country: int
    page: int


@dataclass(frozen=True)
class ServiceChosen(Callback):
    PREFIX: ClassVar[str] = "sc"
    country: int
    service: str


@dataclass(frozen=True)
class BuyAgain(Callback):
    """On a finished order's card: the same service (in `country`) again, as a new menu."""

    PREFIX: ClassVar[str] = "ba"
    country: int
    service: str


@dataclass(frozen=True)
class PickCountry(Callback):
    """On a finished order's card: a new country picker."""

    PREFIX: ClassVar[str] = "pk"


@dataclass(frozen=True)
class BuyNumber(Callback):
    """The Buy button of a confirmation; `price` is what the confirmation showed."""

    PREFIX: ClassVar[str] = "bn"
    country: int
    service: str
    price: int


@dataclass(frozen=True)
class ServiceFirst(Callback):
    """The service first picker: every service with numbers somewhere, a page of it."""

    PREFIX: ClassVar[str] = "sf"
    page: int


@dataclass(frozen=True)
class ServiceCountries(Callback):
    """The countries that have numbers for `service`, cheapest first, a page of them."""

    PREFIX: ClassVar[str] = "sn"
    service: str
    page: int


@dataclass(frozen=True)
class AnotherCountry(Callback):
    """On a finished order's card: the countries that have numbers for `service`, as a new
    menu (the card stays)."""

    PREFIX: ClassVar[str] = "ac"
    service: str


@dataclass(frozen=True)
class WatchStock(Callback):
    """ "Tell me when it's back": `service` in `country` (Auto-Select: in any country)."""

    PREFIX: ClassVar[str] = "wt"
    country: int
    service: str


# --- orders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrdersPage(Callback):
    PREFIX: ClassVar[str] = "op"
    page: int


@dataclass(frozen=True)
class ShowOrder(Callback):
    PREFIX: ClassVar[str] = "os"
    order: int


@dataclass(frozen=True)
class CancelOrder(Callback):
    PREFIX: ClassVar[str] = "oc"
    order: int


@dataclass(frozen=True)
class CancelFromList(Callback):
    """A cancel button of the /cancel list (which is updated after the press)."""

    PREFIX: ClassVar[str] = "ol"
    order: int


@dataclass(frozen=True)
class RefreshOrder(Callback):
    PREFIX: ClassVar[str] = "or"
    order: int


# --- sending an SMS, the prepaid balance -----------------------------------------------------
# These menus may live in a group, so each carries the id of the user who opened it (`owner`):
# the router turns anyone else away before the handler runs.


@dataclass(frozen=True)
class SendPay(Callback):
    """Pay for the SMS drafted as `draft`: by invoice, or (admins) from the prepaid balance."""

    PREFIX: ClassVar[str] = "sx"
    owner: int
    draft: int
    from_balance: bool


@dataclass(frozen=True)
class SendDiscard(Callback):
    PREFIX: ClassVar[str] = "sd"
    owner: int
    draft: int


@dataclass(frozen=True)
class FundMenu(Callback):
    PREFIX: ClassVar[str] = "fm"
    owner: int


@dataclass(frozen=True)
class FundAmount(Callback):
    PREFIX: ClassVar[str] = "fa"
    owner: int
    amount: int


@dataclass(frozen=True)
class FundClose(Callback):
    PREFIX: ClassVar[str] = "fx"
    owner: int


# --- the operator's /stats -------------------------------------------------------------------
# No owner: any admin may switch the view in the admin group; the admin check runs on each press.


@dataclass(frozen=True)
class StatsView(Callback):
    """Show /stats for `period` (24h, 7d, 30d, all); `chart` is the message id of the chart
    sent with it, redrawn for the period (0: none)."""

    PREFIX: ClassVar[str] = "st"
    period: str
    chart: int


@dataclass(frozen=True)
class StatsCsv(Callback):
    """Send the CSV of the orders of `period`."""

    PREFIX: ClassVar[str] = "sv"
    period: str


# --- /language -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageChosen(Callback):
    """Speak `locale` with the person, or in the group (its admins only: checked on press)."""

    PREFIX: ClassVar[str] = "lg"
    owner: int
    locale: str


# --- renting a number (RENTALS=on) -----------------------------------------------------------


@dataclass(frozen=True)
class MenuRent(Callback):
    PREFIX: ClassVar[str] = "mr"


@dataclass(frozen=True)
class RentPage(Callback):
    PREFIX: ClassVar[str] = "rp"
    page: int


@dataclass(frozen=True)
class RentChosen(Callback):
    """A rental country (`cc` of getRentalCountries) picked: its confirmation."""

    PREFIX: ClassVar[str] = "rc"
    country: int


@dataclass(frozen=True)
class RentNumber(Callback):
    """The Rent button of a confirmation, with the duration and price it showed."""

    PREFIX: ClassVar[str] = "rn"
    country: int
    weeks: int
    price: int


@dataclass(frozen=True)
class ExpectSms(Callback):
    """On a rental's card: watch it closely for a while, an SMS is on its way."""

    PREFIX: ClassVar[str] = "ex"
    order: int


# --- a real SIM (REAL_PHONE) -----------------------------------------------------------------


@dataclass(frozen=True)
class RealSimToggle(Callback):
    """On a receive confirmation: show it again with the real SIM `on` or off."""

    PREFIX: ClassVar[str] = "rs"
    country: int
    service: str
    on: bool


@dataclass(frozen=True)
class BuyRealSim(Callback):
    """The Buy button of a confirmation with the real SIM on."""

    PREFIX: ClassVar[str] = "br"
    country: int
    service: str
    price: int
