"""Keyboards of renting a number: the rental countries (paged, searchable) and the confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.countries import country_by_code
from bot.domain.sms4sats_terms import RentalCountry
from handlers.ui import names, texts
from handlers.ui.callbacks import RentChosen, RentNumber, RentPage
from handlers.ui.keyboards import button, clamp_page, page_count
from handlers.ui.texts import rental as rental_texts

# One per row: a label carries the country, the weeks and the price.
RENTALS_PER_PAGE = 8
SEARCH_RESULTS = 8


def place(rental: RentalCountry) -> str:
    """The country's flag and common name, or sms4sats' spelling for a code the bot lacks."""
    country = country_by_code(rental.code)
    return names.country_button(country) if country is not None else rental.name


def ordered(rentals: Sequence[RentalCountry]) -> list[RentalCountry]:
    """By the names on the buttons, in the reader's language."""
    return sorted(rentals, key=lambda r: names_key(place(r)))


def names_key(label: str) -> str:
    # Flags first in a label sort as symbols; the name after them decides.
    return label.split(" ", 1)[-1].casefold()


def _button_row(rental: RentalCountry) -> list[InlineKeyboardButton]:
    label = rental_texts.country_button(place(rental), rental.weeks, rental.price)
    return [button(label, RentChosen(rental.code))]


def page(rentals: Sequence[RentalCountry], number: int) -> tuple[int, int, InlineKeyboardMarkup]:
    number = clamp_page(number, len(rentals), RENTALS_PER_PAGE)
    pages = page_count(len(rentals), RENTALS_PER_PAGE)
    shown = rentals[number * RENTALS_PER_PAGE : (number + 1) * RENTALS_PER_PAGE]
    rows = [_button_row(r) for r in shown]
    nav: list[InlineKeyboardButton] = []
    if number > 0:
        nav.append(button(texts.previous_page(), RentPage(number - 1)))
    if number < pages - 1:
        nav.append(button(texts.next_page(), RentPage(number + 1)))
    if nav:
        rows.append(nav)
    return number, pages, InlineKeyboardMarkup(rows)


def results(rentals: Sequence[RentalCountry]) -> InlineKeyboardMarkup:
    rows = [_button_row(r) for r in rentals[:SEARCH_RESULTS]]
    rows.append([button(rental_texts.button_all_countries(), RentPage(0))])
    return InlineKeyboardMarkup(rows)


def confirmation(rental: RentalCountry) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(
                    rental_texts.button_pay(rental.price),
                    RentNumber(rental.code, rental.weeks, rental.price),
                )
            ],
            [button(texts.back(), RentPage(0))],
        ]
    )


def retry(rental: RentalCountry) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.try_again(), RentNumber(rental.code, rental.weeks, rental.price))],
            [button(texts.back(), RentPage(0))],
        ]
    )


def back_to_rentals() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(rental_texts.button_all_countries(), RentPage(0))]])
