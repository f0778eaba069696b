"""The menus a person has open: pickers and confirmations, each of a kind."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MenuKind(StrEnum):
    COUNTRIES = "countries"
    SERVICES = "services"
    CONFIRM_NUMBER = "confirm-number"
    CONFIRM_SMS = "confirm-sms"
    TOP_UP = "top-up"
    # Service first: every service, then the countries that have the one picked.
    ALL_SERVICES = "all-services"
    SERVICE_COUNTRIES = "service-countries"
    # Rentals: the rental countries, and the confirmation of one.
    RENTALS = "rentals"
    CONFIRM_RENTAL = "confirm-rental"

    @property
    def searchable(self) -> bool:
        return self in (
            MenuKind.COUNTRIES,
            MenuKind.SERVICES,
            MenuKind.ALL_SERVICES,
            MenuKind.RENTALS,
        )


@dataclass(frozen=True, slots=True)
class Menu:
    chat_id: int
    message_id: int
    user_id: int
    kind: MenuKind
    country_code: int | None
    opened_at: float
    search_until: float | None
    left_at: float | None
