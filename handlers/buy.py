"""Buying a number: country picker → service picker → confirmation → invoice."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.core.placement import Confirmation, ReceiveRequest
from bot.core.services import Services
from bot.domain.countries import AUTO_SELECT, country_by_code, label, search_countries
from bot.sms4sats import Service, Sms4SatsError
from handlers.common import show
from handlers.context import get_services, in_private, person_data
from handlers.placing import tell_outcome
from handlers.ui import keyboards, texts
from handlers.ui.callbacks import BuyNumber, CountryChosen, CountryPage, ServiceChosen, ServicePage

PICKER_KEY = "picker"
"""person_data entry naming the picker that typed text searches: ("country",) or ("service", cc)."""

# A confirmation older than this is shown again with a fresh price instead of ordering.
CONFIRMATION_MAX_AGE = 15 * 60
SEARCH_MAX_CHARS = 64


def _picker(context: ContextTypes.DEFAULT_TYPE, update: Update, *state: object) -> None:
    person_data(context, update)[PICKER_KEY] = state


def open_picker(context: ContextTypes.DEFAULT_TYPE, update: Update) -> tuple[object, ...] | None:
    state = person_data(context, update).get(PICKER_KEY)
    return state if isinstance(state, tuple) else None


def close_picker(context: ContextTypes.DEFAULT_TYPE, update: Update) -> None:
    person_data(context, update).pop(PICKER_KEY, None)


async def show_countries(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0) -> None:
    page, pages, keyboard = keyboards.country_page(page)
    _picker(context, update, "country")
    await show(update, texts.country_picker() + texts.page_of(page, pages), keyboard)


async def buy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_countries(update, context)


async def country_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: CountryPage
) -> None:
    await show_countries(update, context, callback.page)


async def _services(update: Update, services: Services, country: int) -> list[Service] | None:
    try:
        return keyboards.order_services(await services.catalog.services(country))
    except Sms4SatsError as error:
        problem = f"❌ {texts.sms4sats_problem(error)}"
        await show(update, problem, keyboards.no_services(AUTO_SELECT))
        return None


async def show_services(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    country_code: int,
    page: int = 0,
    preface: str | None = None,
) -> None:
    services = get_services(context)
    country = country_by_code(country_code)
    if country is None:
        await show_countries(update, context)
        return
    available = await _services(update, services, country.code)
    if available is None:
        return
    if not available:
        _picker(context, update, "country")
        await show(update, texts.no_services(label(country)), keyboards.no_services(AUTO_SELECT))
        return
    page, pages, keyboard = keyboards.service_page(country.code, available, page)
    text = texts.service_picker(label(country)) + texts.page_of(page, pages)
    if preface:
        text = f"{preface}\n\n{text}"
    _picker(context, update, "service", country.code)
    await show(update, text, keyboard)


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
) -> None:
    services = get_services(context)
    country = country_by_code(country_code)
    if country is None:
        await show_countries(update, context)
        return
    try:
        service = await services.catalog.service(country.code, service_code)
        if service is None:
            await show_services(update, context, country.code, preface=texts.service_gone())
            return
        price = await services.catalog.receive_price(country.code, service_code)
    except Sms4SatsError as error:
        problem = f"❌ {texts.sms4sats_problem(error)}"
        await show(update, problem, keyboards.no_services(AUTO_SELECT))
        return
    if not price:
        await show(update, texts.price_unavailable(), keyboards.no_services(AUTO_SELECT))
        return
    close_picker(context, update)
    text = texts.confirm_receive(service.name, label(country), price)
    if preface:
        text = f"{preface}\n\n{text}"
    await show(update, text, keyboards.confirmation(country.code, service.code, price))


async def service_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ServiceChosen
) -> None:
    await show_confirmation(update, context, callback.country, callback.service)


async def buy(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: BuyNumber) -> None:
    query = update.callback_query
    assert query is not None
    confirmation = query.message
    if not isinstance(confirmation, Message) or update.effective_user is None:
        await show(update, texts.old_button())
        return
    services = get_services(context)
    existing = await services.orders.by_origin(confirmation.chat.id, confirmation.message_id)
    if existing is None:
        if services.clock() - confirmation.date.timestamp() > CONFIRMATION_MAX_AGE:
            await show_confirmation(
                update, context, callback.country, callback.service, texts.stale_confirmation()
            )
            return
        try:
            price = await services.catalog.receive_price(callback.country, callback.service)
        except Sms4SatsError:
            price = callback.price  # the confirmation is fresh; sms4sats will price the invoice
        if price and price != callback.price:
            await show_confirmation(
                update, context, callback.country, callback.service, texts.price_changed()
            )
            return
        await show(update, texts.creating_order())
    country = country_by_code(callback.country)
    try:
        service = await services.catalog.service(callback.country, callback.service)
    except Sms4SatsError:
        service = None  # only its display name is missing; the code is what sms4sats needs
    request = ReceiveRequest(
        country=callback.country,
        service=callback.service,
        amount=callback.price,
        country_name=country.name if country else None,
        service_name=service.name if service else None,
    )
    where = Confirmation(
        confirmation.chat.id, update.effective_user.id, confirmation.message_id, in_private(update)
    )
    outcome = await services.placement.place(where, request)
    await tell_outcome(
        update,
        services,
        outcome,
        created=texts.order_created,
        retry=keyboards.retry_buy(callback.country, callback.service, callback.price),
    )


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> bool:
    """Answer typed text with matches of the open picker; False when no picker is open."""
    state = open_picker(context, update)
    if not state:
        return False
    query = " ".join(query.split())[:SEARCH_MAX_CHARS]
    if state[0] == "country":
        matches = search_countries(query)
        if not matches:
            await show(update, texts.no_country_matches(query), keyboards.country_results([]))
            return True
        text = texts.country_matches(query, len(matches), keyboards.SEARCH_RESULTS)
        await show(update, text, keyboards.country_results(matches))
        return True
    if state[0] == "service" and len(state) == 2 and isinstance(state[1], int):
        country = country_by_code(state[1])
        if country is None:
            return False
        available = await _services(update, get_services(context), country.code)
        if available is None:
            return True
        needle = query.casefold()
        found = [s for s in available if needle in s.name.casefold() or needle == s.code]
        if not found:
            await show(
                update,
                texts.no_service_matches(query, label(country)),
                keyboards.service_results(country.code, []),
            )
            return True
        await show(
            update,
            texts.service_matches(query, label(country)),
            keyboards.service_results(country.code, found),
        )
        return True
    return False
