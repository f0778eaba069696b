"""Keyboards of finding a number faster: service first, out of stock, the bell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.countries import AUTO_SELECT, country_by_code
from bot.domain.sms4sats_terms import Service
from handlers.ui import names, texts
from handlers.ui.callbacks import (
    CallbackDataError,
    CountryChosen,
    CountryPage,
    ServiceChosen,
    ServiceCountries,
    ServiceFirst,
    ServicePage,
    WatchStock,
)
from handlers.ui.keyboards import (
    COLUMNS,
    SEARCH_RESULTS,
    SERVICES_PER_PAGE,
    button,
    clamp_page,
    page_count,
)
from handlers.ui.texts import finding as finding_texts

COUNTRIES_PER_PAGE = 12


def _grid(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + COLUMNS]) for i in range(0, len(buttons), COLUMNS)]


def _service_buttons(services: Sequence[Service]) -> list[InlineKeyboardButton]:
    buttons = []
    for service in services:
        try:
            label = names.service(service.code, service.name)
            buttons.append(button(label, ServiceCountries(service.code, 0)))
        except CallbackDataError:
            continue  # a code the callback format cannot carry cannot be ordered by button
    return buttons


def service_first_button() -> InlineKeyboardButton:
    return button(finding_texts.button_service_first(), ServiceFirst(0))


def service_list(services: Sequence[Service], page: int) -> tuple[int, int, InlineKeyboardMarkup]:
    page = clamp_page(page, len(services), SERVICES_PER_PAGE)
    pages = page_count(len(services), SERVICES_PER_PAGE)
    shown = services[page * SERVICES_PER_PAGE : (page + 1) * SERVICES_PER_PAGE]
    rows = _grid(_service_buttons(shown))
    nav = [button(texts.back_to_countries(), CountryPage(0))]
    if page > 0:
        nav.append(button(texts.previous_page(), ServiceFirst(page - 1)))
    if page < pages - 1:
        nav.append(button(texts.next_page(), ServiceFirst(page + 1)))
    rows.append(nav)
    return page, pages, InlineKeyboardMarkup(rows)


def service_results(services: Sequence[Service]) -> InlineKeyboardMarkup:
    rows = _grid(_service_buttons(services[:SEARCH_RESULTS]))
    rows.append(
        [
            button(texts.back_to_countries(), CountryPage(0)),
            button(texts.all_services(), ServiceFirst(0)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _country_button(code: int, service: str, price: int | None) -> InlineKeyboardButton:
    country = country_by_code(code)
    label = names.country_button(country) if country is not None else str(code)
    if price:
        label = finding_texts.country_with_price(label, price)
    return button(label, ServiceChosen(code, service))


def service_countries(
    service: str,
    ordered: Sequence[int],
    prices: Mapping[int, int],
    page: int,
    *,
    auto_select: bool,
) -> InlineKeyboardMarkup:
    """A page of the countries for the service (already in order), Auto-Select on top."""
    shown = ordered[page * COUNTRIES_PER_PAGE : (page + 1) * COUNTRIES_PER_PAGE]
    rows: list[list[InlineKeyboardButton]] = []
    if auto_select and page == 0:
        rows.append([_country_button(AUTO_SELECT, service, prices.get(AUTO_SELECT))])
    rows.extend(_grid([_country_button(code, service, prices.get(code)) for code in shown]))
    pages = page_count(len(ordered), COUNTRIES_PER_PAGE)
    nav = [button(finding_texts.back_to_service_list(), ServiceFirst(0))]
    if page > 0:
        nav.append(button(texts.previous_page(), ServiceCountries(service, page - 1)))
    if page < pages - 1:
        nav.append(button(texts.next_page(), ServiceCountries(service, page + 1)))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


def _watch_row(country: int, service: str) -> list[InlineKeyboardButton]:
    try:
        return [button(finding_texts.button_watch(), WatchStock(country, service))]
    except CallbackDataError:
        return []


def out_of_stock_here(country: int, service: str) -> InlineKeyboardMarkup:
    """A service with no numbers in the country: the bell, and the service in any country."""
    rows = [_watch_row(country, service)]
    rows.append(
        [
            button(texts.back(), ServicePage(country, 0)),
            button(finding_texts.button_any_country(), ServiceCountries(service, 0)),
        ]
    )
    return InlineKeyboardMarkup([row for row in rows if row])


def out_of_stock_anywhere(service: str) -> InlineKeyboardMarkup:
    rows = [
        _watch_row(AUTO_SELECT, service),
        [button(finding_texts.back_to_service_list(), ServiceFirst(0))],
    ]
    return InlineKeyboardMarkup([row for row in rows if row])


def empty_country(country: int, watchable: Sequence[Service]) -> InlineKeyboardMarkup:
    """No numbers at all in the country: a bell per service people want most, then the way
    out (another country, Auto-Select)."""
    bells = []
    for service in watchable:
        try:
            label = finding_texts.button_watch_service(names.service(service.code, service.name))
            bells.append(button(label, WatchStock(country, service.code)))
        except CallbackDataError:
            continue
    rows = _grid(bells)
    rows.append(
        [
            button(texts.back_to_countries(), CountryPage(0)),
            button(f"🌐 {texts.auto_select()}", CountryChosen(AUTO_SELECT)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def back_in_stock(country: int, service: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(finding_texts.button_see_price(), ServiceChosen(country, service))]]
    )
