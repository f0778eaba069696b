"""Service first: pick the service, then a country that has it, cheapest first.

The service list is every service with numbers somewhere (Auto-Select's stock), popular ones
first. The countries of a service are those the stock board knows to have it in stock, with their
price where it is known; a page waits at most the board's page budget for the prices it shows,
and a country whose price is not known yet is shown without one. Then the usual confirmation.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.countries import AUTO_SELECT, picker_order
from bot.domain.menus import MenuKind
from bot.domain.service_names import curated_services, service_match_tier
from bot.domain.sms4sats_terms import Service, Sms4SatsError
from handlers import menus
from handlers.common import show
from handlers.context import catalog
from handlers.ui import finding_keyboards, keyboards, names, texts
from handlers.ui.callbacks import AnotherCountry, ServiceCountries, ServiceFirst
from handlers.ui.i18n import current
from handlers.ui.texts import finding as finding_texts

RENTAL_ALL_SERVICES = "full"


async def _listing(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, edit: bool = True
) -> list[Service] | None:
    """Every service sms4sats lists anywhere (counts of 0 included), or None after saying why."""
    try:
        return await catalog(context).listed(AUTO_SELECT)
    except Sms4SatsError as error:
        text = f"❌ {texts.sms4sats_problem(error)}"
        menu = await show(update, text, keyboards.no_services(AUTO_SELECT), edit=edit)
        await menus.opened(update, context, menu, MenuKind.COUNTRIES)
        return None


async def show_service_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0
) -> None:
    listing = await _listing(update, context)
    if listing is None:
        return
    available = keyboards.order_services([s for s in listing if s.count > 0])
    page, pages, keyboard = finding_keyboards.service_list(available, page)
    text = finding_texts.service_first_picker() + texts.page_of(page, pages)
    menu = await show(update, text, keyboard)
    await menus.opened(update, context, menu, MenuKind.ALL_SERVICES)


async def service_first(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ServiceFirst
) -> None:
    await show_service_list(update, context, callback.page)


def _service_name(code: str, listing: list[Service]) -> str:
    raw = next((s.name for s in listing if s.code == code), "")
    return names.service(code, raw)


async def service_countries(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ServiceCountries
) -> None:
    await show_service_countries(update, context, callback.service, callback.page)


async def another_country(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: AnotherCountry
) -> None:
    """From a finished order's card: the same service in another country, as a new menu."""
    await show_service_countries(update, context, callback.service, 0, edit=False)


async def show_service_countries(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    service: str,
    page: int,
    *,
    edit: bool = True,
) -> None:
    board = catalog(context)
    listing = await _listing(update, context, edit=edit)
    if listing is None:
        return
    name = _service_name(service, listing)
    anywhere = any(s.code == service and s.count > 0 for s in listing)
    stocked = dict(board.countries_with(service))
    if not stocked and not anywhere:
        text = finding_texts.none_anywhere(name)
        keyboard = finding_keyboards.out_of_stock_anywhere(service)
        menu = await show(update, text, keyboard, edit=edit)
        await menus.opened(update, context, menu, MenuKind.SERVICE_COUNTRIES)
        return
    # Popular countries, then the rest by the names on their buttons: the order among equals.
    rank = {country.code: i for i, country in enumerate(picker_order(current()))}

    def ordered() -> list[int]:
        def key(code: int) -> tuple[int, int, int]:
            price = board.known_price(code, service)
            return (0, price, rank.get(code, len(rank))) if price else (1, 0, rank.get(code, 0))

        return sorted(stocked, key=key)

    pages = keyboards.page_count(len(stocked), finding_keyboards.COUNTRIES_PER_PAGE)
    page = keyboards.clamp_page(page, len(stocked), finding_keyboards.COUNTRIES_PER_PAGE)
    per_page = finding_keyboards.COUNTRIES_PER_PAGE
    shown = ordered()[page * per_page : (page + 1) * per_page]
    if anywhere and page == 0:
        shown.insert(0, AUTO_SELECT)
    # The prices this page shows, waited for at most the page budget; then the order again,
    # since prices that arrived now may move a country up.
    prices = await board.prices_for_page(service, shown)
    keyboard = finding_keyboards.service_countries(
        service, ordered(), prices, page, auto_select=anywhere
    )
    text = finding_texts.service_countries(name) + texts.page_of(page, pages)
    menu = await show(update, text, keyboard, edit=edit)
    await menus.opened(update, context, menu, MenuKind.SERVICE_COUNTRIES)


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> None:
    """Typed text in the service first picker: matching services in stock anywhere; a known
    service with no numbers anywhere is said so, with the bell."""
    listing = await _listing(update, context)
    if listing is None:
        return
    available = [s for s in listing if s.count > 0]
    tiers = {s.code: service_match_tier(query, s.code, s.name) for s in available}
    found = sorted(
        (s for s in available if tiers[s.code] is not None),
        key=lambda s: (tiers[s.code], names.service(s.code, s.name).casefold()),
    )
    if found:
        text = finding_texts.service_first_matches(query)
        menu = await show(update, text, finding_keyboards.service_results(found))
        await menus.opened(update, context, menu, MenuKind.ALL_SERVICES)
        return
    gone = out_of_stock_match(query, listing, available)
    if gone is not None:
        text = finding_texts.none_anywhere(names.service(gone.code, gone.name))
        menu = await show(update, text, finding_keyboards.out_of_stock_anywhere(gone.code))
        await menus.opened(update, context, menu, MenuKind.ALL_SERVICES)
        return
    text = finding_texts.no_service_first_matches(query)
    menu = await show(update, text, finding_keyboards.service_results([]))
    await menus.opened(update, context, menu, MenuKind.ALL_SERVICES)


def out_of_stock_match(
    query: str, listing: list[Service], available: list[Service]
) -> Service | None:
    """The best match of the query among known services without numbers: those sms4sats lists
    with a count of 0, and the curated ones it does not list at all."""
    stocked = {s.code for s in available}
    candidates = {s.code: s for s in listing if s.code not in stocked}
    for curated in curated_services():
        if curated.code == RENTAL_ALL_SERVICES:
            continue  # a rental of every service, not something to receive one code from
        if curated.code not in stocked and curated.code not in candidates:
            raw = curated.raw[0] if curated.raw else ""
            candidates[curated.code] = Service(curated.code, raw, 0)
    ranked = [
        (tier, names.service(s.code, s.name).casefold(), s)
        for s in candidates.values()
        if (tier := service_match_tier(query, s.code, s.name)) is not None
    ]
    if not ranked:
        return None
    return min(ranked, key=lambda item: (item[0], item[1]))[2]
