"""/stats: the operator's view of sales, referral earnings and what works, for admins only.

`/stats [24h|7d|30d|all]` sends a chart of the period (orders per day by outcome, sales per
day) and the summary with buttons to switch the period, which redraw both;
`/stats csv [period]` (or the CSV button) sends the orders of the period as a CSV document,
always in the admin's private chat: it lists user ids, which a group's members must not read.
The admin check runs on every command and every press, in private chats and groups alike.
The figures and the CSV are `bot.core.figures.StatsDesk`'s; this module draws and sends them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging

from telegram import InlineKeyboardMarkup, InputFile, InputMediaPhoto, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.core.figures import DEFAULT_PERIOD, PERIODS, Barred, StatsDesk
from handlers.common import answer, show
from handlers.context import in_private, stats_desk
from handlers.ui import cards, i18n, names, stats_chart, texts
from handlers.ui.callbacks import StatsCsv, StatsView
from handlers.ui.keyboards import button
from handlers.ui.texts import stats_chart as stats_chart_texts

log = logging.getLogger(__name__)


async def _is_admin(update: Update, desk: StatsDesk) -> bool:
    """Whether an admin asks, in a private chat or the admin group; if not, they are told.

    Other groups are refused even for an admin: their members would read the figures.
    """
    user, chat = update.effective_user, update.effective_chat
    barred = await desk.barred(
        None if user is None else user.id,
        None if chat is None else chat.id,
        private=in_private(update),
    )
    if barred is None:
        return True
    refusal = texts.admins_only("/stats") if barred is Barred.ADMINS_ONLY else texts.stats_where()
    if update.callback_query is not None:
        await answer(update.callback_query, refusal, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return False


def _keyboard(period: str, chart: int) -> InlineKeyboardMarkup:
    periods = [
        button(texts.stats_period_button(p, p == period), StatsView(p, chart)) for p in PERIODS
    ]
    return InlineKeyboardMarkup(
        [periods[:2], periods[2:], [button(texts.button_stats_csv(), StatsCsv(period))]]
    )


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    desk = stats_desk(context)
    message = update.effective_message
    if message is None or not await _is_admin(update, desk):
        return
    args = [a.lower() for a in context.args or []]
    wants_csv = bool(args) and args[0] == "csv"
    if wants_csv:
        args = args[1:]
    period = args[0] if args else DEFAULT_PERIOD
    if period not in PERIODS or len(args) > 1:
        await message.reply_text(texts.stats_bad_period(" ".join(args)))
        return
    if wants_csv:
        await _send_csv(update, context, desk, period)
        return
    chart = None
    try:
        chart = await message.reply_photo(
            await _chart(desk, period), caption=stats_chart_texts.chart_caption(period)
        )
    except TelegramError as error:
        # The figures still go out: the text says everything the chart shows.
        log.warning("Could not send the /stats chart: %s", error)
    report = await _report(desk, period)
    await show(update, report, _keyboard(period, chart.message_id if chart else 0))


async def stats_view(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: StatsView
) -> None:
    desk = stats_desk(context)
    if not await _is_admin(update, desk):
        return
    assert update.callback_query is not None
    await answer(update.callback_query)
    period = callback.period if callback.period in PERIODS else DEFAULT_PERIOD
    await show(update, await _report(desk, period), _keyboard(period, callback.chart))
    chat = update.effective_chat
    if callback.chart and chat is not None:
        media = InputMediaPhoto(
            await _chart(desk, period), caption=stats_chart_texts.chart_caption(period)
        )
        try:
            await context.bot.edit_message_media(media, chat_id=chat.id, message_id=callback.chart)
        except BadRequest as error:
            # Deleted meanwhile, or the same period pressed again: the text is what counts.
            log.info("Could not redraw the /stats chart: %s", error)


async def _chart(desk: StatsDesk, period: str) -> bytes:
    figures = await desk.per_day(period)
    first = None if figures.since is None else stats_chart.today(figures.since)
    words = stats_chart_texts.chart_words(period, i18n.current())
    # Drawing takes a CPU-bound fraction of a second: not on the event loop.
    return await asyncio.to_thread(
        stats_chart.render, figures.rows, first, stats_chart.today(figures.now), words
    )


async def stats_csv(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: StatsCsv) -> None:
    desk = stats_desk(context)
    if not await _is_admin(update, desk):
        return
    assert update.callback_query is not None
    await answer(update.callback_query)
    period = callback.period if callback.period in PERIODS else DEFAULT_PERIOD
    await _send_csv(update, context, desk, period)


async def _report(desk: StatsDesk, period: str) -> str:
    report = await desk.report(period)
    stats = report.stats
    named = dataclasses.replace(
        stats,
        top_countries=tuple(
            dataclasses.replace(row, name=names.place(int(row.name), row.raw_name))
            for row in stats.top_countries
        ),
        top_services=tuple(
            dataclasses.replace(row, name=names.service(row.name, row.raw_name))
            for row in stats.top_services
        ),
    )
    return texts.stats_report(named, period, report.referral, cards.CARDS)


async def _send_csv(
    update: Update, context: ContextTypes.DEFAULT_TYPE, desk: StatsDesk, period: str
) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    exported = await desk.csv(period)
    document = InputFile(io.BytesIO(exported.content), filename=exported.name)
    count = exported.count
    caption = texts.stats_csv_caption(count, period)
    if in_private(update):
        await chat.send_document(document, caption=caption)
        return
    # Asked in the admin group: the user ids go to the asking admin alone.
    try:
        await context.bot.send_document(user.id, document, caption=caption)
    except Forbidden:
        note = stats_chart_texts.csv_needs_private_chat(user.first_name, context.bot.username)
    else:
        note = stats_chart_texts.csv_sent_privately(user.first_name)
    await chat.send_message(note)
