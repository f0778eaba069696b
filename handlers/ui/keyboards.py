"""Inline keyboards: pickers, confirmation, menus, the orders list."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.countries import Country, picker_order
from bot.domain.orders import Order
from bot.domain.service_names import POPULAR_SERVICES
from bot.domain.sms4sats_terms import Service
from handlers.ui import names, texts
from handlers.ui.callbacks import (
    BuyNumber,
    Callback,
    CallbackDataError,
    CountryChosen,
    CountryPage,
    LanguageChosen,
    MenuBuy,
    MenuOrders,
    MenuRent,
    OrdersPage,
    ServiceChosen,
    ServiceFirst,
    ServicePage,
    ShowOrder,
)
from handlers.ui.i18n import LOCALES, current
from handlers.ui.texts import finding as finding_texts
from handlers.ui.texts import rental as rental_texts

COUNTRIES_PER_PAGE = 12
SERVICES_PER_PAGE = 12
ORDERS_PER_PAGE = 8
SEARCH_RESULTS = 12
COLUMNS = 2


def button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback.pack())


def _grid(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + COLUMNS]) for i in range(0, len(buttons), COLUMNS)]


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    return min(max(page, 0), page_count(total, per_page) - 1)


def _nav(
    page: int,
    pages: int,
    make: type[CountryPage] | type[OrdersPage],
    *leading: InlineKeyboardButton,
) -> list[InlineKeyboardButton]:
    row = list(leading)
    if page > 0:
        row.append(button(texts.previous_page(), make(page - 1)))
    if page < pages - 1:
        row.append(button(texts.next_page(), make(page + 1)))
    return row


def start_menu(*, rentals: bool = False) -> InlineKeyboardMarkup:
    """Buy and My orders; with RENTALS on, "Rent a number" beside Buy."""
    buy, orders = button(texts.button_buy(), MenuBuy()), button(texts.button_orders(), MenuOrders())
    if rentals:
        return InlineKeyboardMarkup(
            [[buy, button(rental_texts.button_rent(), MenuRent())], [orders]]
        )
    return InlineKeyboardMarkup([[buy, orders]])


def private_start_menu(buy_link: str, orders_link: str) -> InlineKeyboardMarkup:
    """The start menu for a group: links that continue in each person's private chat."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.button_buy(), url=buy_link),
                InlineKeyboardButton(texts.button_orders(), url=orders_link),
            ]
        ]
    )


def private_link_button(link: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.button_continue_privately(), url=link)]]
    )


def country_page(page: int) -> tuple[int, int, InlineKeyboardMarkup]:
    """(page, pages, keyboard) for a page of the country list, Auto-Select and popular first."""
    # Sorted by the names on the buttons, in the reader's language.
    countries = picker_order(current())
    page = clamp_page(page, len(countries), COUNTRIES_PER_PAGE)
    pages = page_count(len(countries), COUNTRIES_PER_PAGE)
    shown = countries[page * COUNTRIES_PER_PAGE : (page + 1) * COUNTRIES_PER_PAGE]
    rows = _grid([button(names.country_button(c), CountryChosen(c.code)) for c in shown])
    # People who come with a service in mind start there instead (handlers/service_first).
    rows.insert(0, [button(finding_texts.button_service_first(), ServiceFirst(0))])
    nav = _nav(page, pages, CountryPage)
    if nav:
        rows.append(nav)
    return page, pages, InlineKeyboardMarkup(rows)


def country_results(countries: Sequence[Country]) -> InlineKeyboardMarkup:
    rows = _grid(
        [button(names.country_button(c), CountryChosen(c.code)) for c in countries[:SEARCH_RESULTS]]
    )
    rows.append([button(texts.show_all_countries(), CountryPage(0))])
    return InlineKeyboardMarkup(rows)


def order_services(services: Sequence[Service]) -> list[Service]:
    """Popular services first (in POPULAR_SERVICES order), then the others by name."""
    rank = {code: i for i, code in enumerate(POPULAR_SERVICES)}
    return sorted(services, key=lambda s: (rank.get(s.code, len(rank)), s.name.casefold(), s.code))


def _service_buttons(country: int, services: Sequence[Service]) -> list[InlineKeyboardButton]:
    buttons = []
    for service in services:
        try:
            label = names.service(service.code, service.name)
            buttons.append(button(label, ServiceChosen(country, service.code)))
        except CallbackDataError:
            # A code with characters the callback format reserves cannot be ordered by button.
            continue
    return buttons


def service_page(
    country: int, services: Sequence[Service], page: int
) -> tuple[int, int, InlineKeyboardMarkup]:
    page = clamp_page(page, len(services), SERVICES_PER_PAGE)
    pages = page_count(len(services), SERVICES_PER_PAGE)
    shown = services[page * SERVICES_PER_PAGE : (page + 1) * SERVICES_PER_PAGE]
    rows = _grid(_service_buttons(country, shown))
    nav = [button(texts.back_to_countries(), CountryPage(0))]
    if page > 0:
        nav.append(button(texts.previous_page(), ServicePage(country, page - 1)))
    if page < pages - 1:
        nav.append(button(texts.next_page(), ServicePage(country, page + 1)))
    rows.append(nav)
    return page, pages, InlineKeyboardMarkup(rows)


def service_results(country: int, services: Sequence[Service]) -> InlineKeyboardMarkup:
    rows = _grid(_service_buttons(country, services[:SEARCH_RESULTS]))
    rows.append(
        [
            button(texts.back_to_countries(), CountryPage(0)),
            button(texts.all_services(), ServicePage(country, 0)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def no_services(auto_select: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.back_to_countries(), CountryPage(0)),
                button(f"🌐 {texts.auto_select()}", CountryChosen(auto_select)),
            ]
        ]
    )


def retry_buy(country: int, service: str, price: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.try_again(), BuyNumber(country, service, price))],
            [button(texts.back(), ServicePage(country, 0))],
        ]
    )


def orders_page(
    orders: Sequence[Order], labels: Sequence[str], page: int, total: int
) -> InlineKeyboardMarkup:
    rows = [[button(text, ShowOrder(order.id))] for order, text in zip(orders, labels, strict=True)]
    nav = _nav(page, page_count(total, ORDERS_PER_PAGE), OrdersPage)
    if nav:
        rows.append(nav)
    rows.append([button(texts.button_buy(), MenuBuy())])
    return InlineKeyboardMarkup(rows)


def no_orders() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.button_buy(), MenuBuy())]])


def language_menu(owner: int, current: str) -> InlineKeyboardMarkup:
    buttons = [
        button(texts.language_button(locale, locale == current), LanguageChosen(owner, locale))
        for locale in LOCALES
    ]
    return InlineKeyboardMarkup(_grid(buttons))
