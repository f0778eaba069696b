"""Buying a number: country picker → service picker → confirmation → invoice."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.countries import AUTO_SELECT, country_by_code, label, search_countries
from bot.services import Services, get_services
from bot.sms4sats import Service, Sms4SatsError
from handlers import keyboards, texts
from handlers.callbacks import BuyNumber, CountryChosen, CountryPage, ServiceChosen, ServicePage
from handlers.common import menu_lock, show
from storage import OrderKind

PICKER_KEY = "picker"
"""user_data entry naming the picker that typed text searches: ("country",) or ("service", cc)."""

# A confirmation older than this is shown again with a fresh price instead of ordering.
CONFIRMATION_MAX_AGE = 15 * 60
SEARCH_MAX_CHARS = 64


def _picker(context: ContextTypes.DEFAULT_TYPE, *state: object) -> None:
    if context.user_data is not None:
        context.user_data[PICKER_KEY] = state


def open_picker(context: ContextTypes.DEFAULT_TYPE) -> tuple[object, ...] | None:
    if context.user_data is None:
        return None
    state = context.user_data.get(PICKER_KEY)
    return state if isinstance(state, tuple) else None


def close_picker(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(PICKER_KEY, None)


async def show_countries(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0) -> None:
    page, pages, keyboard = keyboards.country_page(page)
    text = texts.COUNTRY_PICKER + (f"\nPage {page + 1} of {pages}." if pages > 1 else "")
    _picker(context, "country")
    await show(update, text, keyboard)


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
        await show(update, f"❌ {texts.esc(error)}", keyboards.no_services(AUTO_SELECT))
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
        _picker(context, "country")
        await show(update, texts.no_services(label(country)), keyboards.no_services(AUTO_SELECT))
        return
    page, pages, keyboard = keyboards.service_page(country.code, available, page)
    text = texts.service_picker(label(country))
    if preface:
        text = f"{preface}\n\n{text}"
    if pages > 1:
        text += f"\nPage {page + 1} of {pages}."
    _picker(context, "service", country.code)
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
            await show_services(update, context, country.code, preface=texts.SERVICE_GONE)
            return
        price = await services.catalog.receive_price(country.code, service_code)
    except Sms4SatsError as error:
        await show(update, f"❌ {texts.esc(error)}", keyboards.no_services(AUTO_SELECT))
        return
    if not price:
        await show(update, texts.PRICE_UNAVAILABLE, keyboards.no_services(AUTO_SELECT))
        return
    close_picker(context)
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
        await show(update, texts.OLD_BUTTON)
        return
    async with menu_lock(confirmation):
        await _buy_locked(update, context, callback, confirmation)


async def _buy_locked(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: BuyNumber, confirmation: Message
) -> None:
    services = get_services(context)
    user = update.effective_user
    assert user is not None
    chat_id = confirmation.chat.id
    existing = await services.orders.by_origin(chat_id, confirmation.message_id)
    if existing is not None:
        await show(update, texts.ALREADY_ORDERED)
        await services.tracker.deliver(existing)
        return
    if services.clock() - confirmation.date.timestamp() > CONFIRMATION_MAX_AGE:
        await show_confirmation(
            update, context, callback.country, callback.service, texts.STALE_CONFIRMATION
        )
        return
    try:
        price = await services.catalog.receive_price(callback.country, callback.service)
    except Sms4SatsError:
        price = callback.price  # the confirmation is fresh; sms4sats will price the invoice
    if price and price != callback.price:
        await show_confirmation(
            update, context, callback.country, callback.service, texts.PRICE_CHANGED
        )
        return
    country = country_by_code(callback.country)
    try:
        service = await services.catalog.service(callback.country, callback.service)
    except Sms4SatsError:
        service = None  # only its display name is missing; the code is what sms4sats needs
    await show(update, texts.CREATING_ORDER)
    # Between creating the order at sms4sats and storing it nothing may fail: no other calls.
    try:
        created = await services.sms4sats.create_order(callback.country, callback.service)
    except Sms4SatsError as error:
        await show(
            update,
            texts.order_failed(str(error)),
            keyboards.retry_buy(callback.country, callback.service, callback.price),
        )
        return
    order = await services.tracker.open_order(
        created,
        kind=OrderKind.RECEIVE,
        user_id=user.id,
        chat_id=chat_id,
        amount=callback.price,
        origin_message_id=confirmation.message_id,
        country_code=callback.country,
        country_name=country.name if country else None,
        service_code=callback.service,
        service_name=service.name if service else callback.service,
    )
    await show(update, texts.order_created(order.id))
    await services.tracker.deliver(order)


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> bool:
    """Answer typed text with matches of the open picker; False when no picker is open."""
    state = open_picker(context)
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
