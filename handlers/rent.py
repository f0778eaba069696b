"""Renting a number (RENTALS=on): rental countries → confirmation → invoice; the card's button.

With RENTALS off nothing here is reachable: /rent answers as an unknown command, and the
buttons of an older menu say they are old.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.core.buying import Expecting, Go, Recheck
from bot.core.placement import Confirmation, Placed
from bot.domain.countries import search_countries
from bot.domain.menus import MenuKind
from bot.domain.sms4sats_terms import RentalCountry, Sms4SatsError
from handlers import menus
from handlers.common import answer, private_link, show
from handlers.context import buy_desk, catalog, features, in_private, menu_desk, order_desk
from handlers.placing import tell_outcome
from handlers.ui import keyboards, rental_keyboards, texts
from handlers.ui.callbacks import ExpectSms, MenuRent, RentChosen, RentNumber, RentPage
from handlers.ui.i18n import current
from handlers.ui.texts import rental as rental_texts

DEEP_LINK_RENT = "rent"
SEARCH_MAX_CHARS = 64


def enabled(context: ContextTypes.DEFAULT_TYPE) -> bool:
    return features(context).rentals


async def rent_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not enabled(context):
        # As for any command the bot does not have: an answer in private, quiet in groups.
        if update.effective_message is not None and in_private(update):
            await update.effective_message.reply_text(texts.unknown_command())
        return
    if not in_private(update):
        # Numbers and SMS are private: renting continues in a private chat, like buying.
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                texts.group_buy(),
                reply_markup=keyboards.private_link_button(private_link(context, DEEP_LINK_RENT)),
            )
        return
    await show_rentals(update, context)


async def _rentals(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> list[RentalCountry] | None:
    try:
        return rental_keyboards.ordered(await catalog(context).rental_countries())
    except Sms4SatsError as error:
        await show(
            update, f"❌ {texts.sms4sats_problem(error)}", rental_keyboards.back_to_rentals()
        )
        return None


async def show_rentals(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    page: int = 0,
    preface: str | None = None,
    *,
    edit: bool = True,
) -> None:
    rentals = await _rentals(update, context)
    if rentals is None:
        return
    if not rentals:
        await show(update, rental_texts.no_rentals(), edit=edit)
        return
    page, pages, keyboard = rental_keyboards.page(rentals, page)
    text = rental_texts.picker() + texts.page_of(page, pages)
    if preface:
        text = f"{preface}\n\n{text}"
    menu = await show(update, text, keyboard, edit=edit)
    await menus.opened(update, context, menu, MenuKind.RENTALS)


async def menu_rent(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: MenuRent) -> None:
    if not enabled(context):
        await show(update, texts.old_button(), edit=False)
        return
    await show_rentals(update, context)


async def rent_page(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: RentPage) -> None:
    if enabled(context):
        await show_rentals(update, context, callback.page)


async def show_confirmation(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    country: int,
    preface: str | None = None,
) -> None:
    try:
        rental = await catalog(context).rental_country(country)
    except Sms4SatsError as error:
        await show(
            update, f"❌ {texts.sms4sats_problem(error)}", rental_keyboards.back_to_rentals()
        )
        return
    if rental is None:
        await show_rentals(update, context, preface=rental_texts.country_gone())
        return
    text = rental_texts.confirm(rental_keyboards.place(rental), rental.weeks, rental.price)
    if preface:
        text = f"{preface}\n\n{text}"
    menu = await show(update, text, rental_keyboards.confirmation(rental))
    await menus.opened(update, context, menu, MenuKind.CONFIRM_RENTAL, rental.code)


async def rent_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: RentChosen
) -> None:
    if enabled(context):
        await show_confirmation(update, context, callback.country)


async def rent(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: RentNumber) -> None:
    """The Rent button: the order, once per confirmation, at the price and weeks it showed."""
    query = update.callback_query
    assert query is not None
    confirmation = query.message
    if not enabled(context) or not isinstance(confirmation, Message):
        await show(update, texts.old_button())
        return
    if update.effective_user is None:
        return
    desk = buy_desk(context)
    where = Confirmation(
        confirmation.chat.id, update.effective_user.id, confirmation.message_id, in_private(update)
    )
    checked = await desk.check_rental(
        where, confirmation.date.timestamp(), callback.country, callback.weeks, callback.price
    )
    if checked is Recheck.STALE:
        await show_confirmation(update, context, callback.country, texts.stale_confirmation())
        return
    if checked is Recheck.GONE:
        await show_rentals(update, context, preface=rental_texts.country_gone())
        return
    if not isinstance(checked, Go):
        await show_confirmation(update, context, callback.country, rental_texts.price_changed())
        return
    if checked.fresh:
        await show(update, texts.creating_order())
    outcome = await desk.rent(where, callback.country, callback.weeks, callback.price, checked)
    if isinstance(outcome, Placed):
        await menus.done(update, context)
    retry = RentalCountry(callback.country, "", callback.weeks, callback.price)
    await tell_outcome(
        update,
        order_desk(context),
        outcome,
        created=texts.order_created,
        retry=rental_keyboards.retry(retry),
    )


async def expect_sms(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: ExpectSms
) -> None:
    """ "I'm expecting an SMS": the rental is checked every poll interval for a while, now first."""
    query = update.callback_query
    assert query is not None
    desk = buy_desk(context)
    expecting = await desk.expect_sms(query.from_user.id, callback.order)
    if expecting is Expecting.NOT_FOUND:
        await answer(query, texts.order_not_found(), alert=True)
        return
    if expecting is Expecting.ENDED:
        await answer(query, rental_texts.ended_answer())
        return
    await answer(query, rental_texts.expecting_answer())
    await desk.look_now(callback.order)


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE, query: str) -> bool:
    """Typed text while the rental countries are the newest picker: the matching ones."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or not enabled(context):
        return False
    picker = await menu_desk(context).searched(chat.id, user.id)
    if picker is None or picker.kind is not MenuKind.RENTALS:
        return False
    query = " ".join(query.split())[:SEARCH_MAX_CHARS]
    rentals = await _rentals(update, context)
    if rentals is None:
        return True
    by_code = {rental.code: rental for rental in rentals}
    # Names in the reader's language and in English, aliases and ISO codes, best match first.
    found = [by_code[c.code] for c in search_countries(query, current()) if c.code in by_code]
    found += [
        r for r in rentals
        if r not in found and query.casefold() in r.name.casefold()
    ]  # fmt: skip
    text = rental_texts.matches(query) if found else rental_texts.no_matches(query)
    menu = await show(update, text, rental_keyboards.results(found), edit=False)
    await menus.opened(update, context, menu, MenuKind.RENTALS)
    return True
