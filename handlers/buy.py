"""Buying a number: country picker → service picker → confirmation → invoice."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.core.buying import NoOffer, Offer, Recheck
from bot.core.placement import Confirmation, Failed, Placed
from bot.domain.countries import AUTO_SELECT, country_by_code, search_countries
from bot.domain.menus import MenuKind
from bot.domain.service_names import POPULAR_SERVICES, service_match_tier
from bot.domain.sms4sats_terms import Problem, Service, Sms4SatsError
from handlers import menus, service_first
from handlers.common import show
from handlers.context import buy_desk, catalog, in_private, menu_desk, order_desk
from handlers.placing import tell_outcome
from handlers.ui import (
    finding_keyboards,
    keyboards,
    names,
    real_sim_keyboards,
    texts,
)
from handlers.ui.callbacks import (
    BuyAgain,
    BuyNumber,
    BuyRealSim,
    CountryChosen,
    CountryPage,
    PickCountry,
    RealSimToggle,
    ServiceChosen,
    ServicePage,
)
from handlers.ui.i18n import current
from handlers.ui.texts import finding as finding_texts
from handlers.ui.texts import real_sim as real_sim_texts

SEARCH_MAX_CHARS = 64
# An empty country offers a bell for this many of the popular services, and names this many of
# what sms4sats lists there at a count of 0.
WATCH_BELLS = 4
OUT_OF_STOCK_NAMED = 8


async def show_countries(
    update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0, *, edit: bool = True
) -> None:
    page, pages, keyboard = keyboards.country_page(page)
    text = texts.country_picker() + texts.page_of(page, pages)
    menu = await show(update, text, keyboard, edit=edit)
    await menus.opened(update, context, menu, MenuKind.COUNTRIES)


async def buy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_countries(update, context)


async def country_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: CountryPage
) -> None:
    await show_countries(update, context, callback.page)


async def _services(
    update: Update, context: ContextTypes.DEFAULT_TYPE, country: int, *, edit: bool = True
) -> list[Service] | None:
    try:
        return keyboards.order_services(await catalog(context).services(country))
    except Sms4SatsError as error:
        await _trouble(update, context, error, edit=edit)
        return None


async def _trouble(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    error: Sms4SatsError,
    *,
    edit: bool = True,
) -> None:
    problem = f"❌ {texts.sms4sats_problem(error)}"
    menu = await show(update, problem, keyboards.no_services(AUTO_SELECT), edit=edit)
    await menus.opened(update, context, menu, MenuKind.COUNTRIES)


async def show_services(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    country_code: int,
    page: int = 0,
    preface: str | None = None,
    *,
    edit: bool = True,
) -> None:
    country = country_by_code(country_code)
    if country is None:
        await show_countries(update, context, edit=edit)
        return
    available = await _services(update, context, country.code, edit=edit)
    if available is None:
        return
    if not available:
        await _show_empty(update, context, country.code, edit=edit)
        return
    page, pages, keyboard = keyboards.service_page(country.code, available, page)
    text = texts.service_picker(names.place(country.code)) + texts.page_of(page, pages)
    if preface:
        text = f"{preface}\n\n{text}"
    menu = await show(update, text, keyboard, edit=edit)
    await menus.opened(update, context, menu, MenuKind.SERVICES, country.code)


async def _show_empty(
    update: Update, context: ContextTypes.DEFAULT_TYPE, country: int, *, edit: bool
) -> None:
    """No numbers in the country: what is out of stock there, and a bell for each of the
    services people want most, so they need not come back to look."""
    listing = catalog(context).known_listing(country) or []
    listed = {s.code: s for s in listing}
    watchable = [
        listed.get(code) or Service(code, "", 0) for code in POPULAR_SERVICES[:WATCH_BELLS]
    ]
    text = texts.no_services(names.place(country))
    gone = keyboards.order_services([s for s in listing if s.count <= 0])
    if gone:
        shown = [names.service(s.code, s.name) for s in gone[:OUT_OF_STOCK_NAMED]]
        text = f"{text}\n{finding_texts.out_of_stock_list(shown)}"
    menu = await show(update, text, finding_keyboards.empty_country(country, watchable), edit=edit)
    await menus.opened(update, context, menu, MenuKind.COUNTRIES)


async def country_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: CountryChosen
) -> None:
    await show_services(update, context, callback.country)


async def service_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ServicePage
) -> None:
    await show_services(update, context, callback.country, callback.page)


async def show_confirmation(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    country_code: int,
    service_code: str,
    preface: str | None = None,
    *,
    edit: bool = True,
    real_sim: bool = False,
) -> None:
    country = country_by_code(country_code)
    if country is None:
        await show_countries(update, context, edit=edit)
        return
    try:
        offer = await buy_desk(context).offer(country.code, service_code)
    except Sms4SatsError as error:
        await _trouble(update, context, error, edit=edit)
        return
    if offer is NoOffer.SERVICE_GONE:
        await show_services(update, context, country.code, preface=texts.service_gone(), edit=edit)
        return
    if not isinstance(offer, Offer):
        menu = await show(
            update, texts.price_unavailable(), keyboards.no_services(AUTO_SELECT), edit=edit
        )
        await menus.opened(update, context, menu, MenuKind.COUNTRIES)
        return
    service, price = offer.service, offer.price
    text = texts.confirm_receive(
        names.service(service.code, service.name), names.place(country.code), price
    )
    offered = offer.real_phone_offered
    real_sim = real_sim and offered
    if real_sim:
        text = f"{text}\n\n{real_sim_texts.note()}"
    if preface:
        text = f"{preface}\n\n{text}"
    keyboard = real_sim_keyboards.confirmation(
        country.code, service.code, price, real_sim=real_sim, offered=offered
    )
    menu = await show(update, text, keyboard, edit=edit)
    await menus.opened(update, context, menu, MenuKind.CONFIRM_NUMBER, country.code)


async def service_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ServiceChosen
) -> None:
    await show_confirmation(update, context, callback.country, callback.service)


async def real_sim_toggle(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: RealSimToggle
) -> None:
    await show_confirmation(
        update, context, callback.country, callback.service, real_sim=callback.on
    )


async def buy(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: BuyNumber | BuyRealSim
) -> None:
    query = update.callback_query
    assert query is not None
    confirmation = query.message
    desk = buy_desk(context)
    real_sim = isinstance(callback, BuyRealSim)
    if (
        not isinstance(confirmation, Message)
        or update.effective_user is None
        or (real_sim and not desk.real_phone)
    ):
        await show(update, texts.old_button())
        return
    where = Confirmation(
        confirmation.chat.id, update.effective_user.id, confirmation.message_id, in_private(update)
    )
    checked = await desk.check_number(
        where, confirmation.date.timestamp(), callback.country, callback.service, callback.price
    )
    if isinstance(checked, Recheck):
        preface = texts.stale_confirmation() if checked is Recheck.STALE else texts.price_changed()
        await show_confirmation(
            update, context, callback.country, callback.service, preface, real_sim=real_sim
        )
        return
    if checked.fresh:
        await show(update, texts.creating_order())
    outcome = await desk.buy_number(
        where, callback.country, callback.service, callback.price, real_sim=real_sim
    )
    if isinstance(outcome, Placed):
        await menus.done(update, context)
    if real_sim and isinstance(outcome, Failed) and outcome.error.problem is Problem.REFUSED:
        # No real SIM to be had: say so plainly, with the ordinary number one tap away.
        await show(
            update,
            real_sim_texts.refused(outcome.error.reason),
            real_sim_keyboards.refused(callback.country, callback.service),
        )
        return
    await tell_outcome(
        update,
        order_desk(context),
        outcome,
        created=texts.order_created,
        retry=(real_sim_keyboards.retry if real_sim else keyboards.retry_buy)(
            callback.country, callback.service, callback.price
        ),
    )


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> bool:
    """Answer typed text with matches of the person's newest picker; False when none is open."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    picker = await menu_desk(context).searched(chat.id, user.id)
    if picker is None:
        return False
    query = " ".join(query.split())[:SEARCH_MAX_CHARS]
    if picker.kind is MenuKind.ALL_SERVICES:
        await service_first.search(update, context, query)
        return True
    if picker.kind is MenuKind.COUNTRIES:
        # Names in every language the bot speaks match, and typed flags and small typos.
        matches = search_countries(query, current())
        if not matches:
            text = texts.no_country_matches(query)
        else:
            text = texts.country_matches(query, len(matches), keyboards.SEARCH_RESULTS)
        menu = await show(update, text, keyboards.country_results(matches))
        await menus.opened(update, context, menu, MenuKind.COUNTRIES)
        return True
    country = country_by_code(picker.country_code) if picker.country_code is not None else None
    if country is None:
        return False
    available = await _services(update, context, country.code)
    if available is None:
        return True
    tiers = {s.code: service_match_tier(query, s.code, s.name) for s in available}
    found = sorted(
        (s for s in available if tiers[s.code] is not None),
        key=lambda s: (tiers[s.code], names.service(s.code, s.name).casefold()),
    )
    if found:
        text = texts.service_matches(query, names.place(country.code))
    else:
        listing = catalog(context).known_listing(country.code) or []
        gone = service_first.out_of_stock_match(query, listing, available)
        if gone is not None:
            # A service people know, with no numbers here now: say so, and offer the bell and
            # the same service in any country.
            name = names.service(gone.code, gone.name)
            text = finding_texts.none_in(name, names.place(country.code))
            keyboard = finding_keyboards.out_of_stock_here(country.code, gone.code)
            menu = await show(update, text, keyboard)
            await menus.opened(update, context, menu, MenuKind.SERVICES, country.code)
            return True
        text = texts.no_service_matches(query, names.place(country.code))
    menu = await show(update, text, keyboards.service_results(country.code, found))
    await menus.opened(update, context, menu, MenuKind.SERVICES, country.code)
    return True


async def buy_again(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: BuyAgain) -> None:
    """From a finished order's card: a new confirmation (fresh price), below; the card stays."""
    await show_confirmation(update, context, callback.country, callback.service, edit=False)


async def pick_country(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: PickCountry
) -> None:
    await show_countries(update, context, edit=False)
