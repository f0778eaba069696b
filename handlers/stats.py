"""/stats: the operator's view of sales, referral earnings and what works, for admins only.

`/stats [24h|7d|30d|all]` sends a chart of the period (orders per day by outcome, sales per
day) and the summary with buttons to switch the period, which redraw both;
`/stats csv [period]` (or the CSV button) sends the orders of the period as a CSV document,
always in the admin's private chat: it lists user ids, which a group's members must not read.
The admin check runs on every command and every press, in private chats and groups alike.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import logging
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, InputFile, InputMediaPhoto, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.core.services import Services
from bot.domain.stats import OrderRecord
from handlers.common import answer, show
from handlers.context import get_services, in_private
from handlers.ui import i18n, names, stats_chart, texts
from handlers.ui.callbacks import StatsCsv, StatsView
from handlers.ui.keyboards import button
from handlers.ui.texts import stats_chart as stats_chart_texts

log = logging.getLogger(__name__)

# The periods the view offers, in seconds back from now (None: all time).
PERIODS: dict[str, float | None] = {
    "24h": 24 * 3600.0,
    "7d": 7 * 24 * 3600.0,
    "30d": 30 * 24 * 3600.0,
    "all": None,
}
DEFAULT_PERIOD = "7d"
CSV_COLUMNS = (
    "order_id", "created_at", "kind", "state", "user_id", "country", "service", "amount_sats",
    "paid_from_balance", "paid_at", "number_at", "code_at", "closed_at", "seconds_to_code",
)  # fmt: skip


async def _is_admin(update: Update, services: Services) -> bool:
    """Whether an admin asks, in a private chat or the admin group; if not, they are told.

    Other groups are refused even for an admin: their members would read the figures.
    """
    user, chat = update.effective_user, update.effective_chat
    refusal = None
    if user is None or not await services.admins.is_admin(user.id):
        refusal = texts.admins_only("/stats")
    elif not in_private(update) and (chat is None or chat.id != services.admins.admin_chat_id):
        refusal = texts.stats_where()
    if refusal is None:
        return True
    if update.callback_query is not None:
        await answer(update.callback_query, refusal, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return False


def _since(services: Services, period: str) -> float | None:
    back = PERIODS[period]
    return None if back is None else services.clock() - back


def _keyboard(period: str, chart: int) -> InlineKeyboardMarkup:
    periods = [
        button(texts.stats_period_button(p, p == period), StatsView(p, chart)) for p in PERIODS
    ]
    return InlineKeyboardMarkup(
        [periods[:2], periods[2:], [button(texts.button_stats_csv(), StatsCsv(period))]]
    )


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    message = update.effective_message
    if message is None or not await _is_admin(update, services):
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
        await _send_csv(update, context, services, period)
        return
    chart = None
    try:
        chart = await message.reply_photo(
            await _chart(services, period), caption=stats_chart_texts.chart_caption(period)
        )
    except TelegramError as error:
        # The figures still go out: the text says everything the chart shows.
        log.warning("Could not send the /stats chart: %s", error)
    report = await _report(services, period)
    await show(update, report, _keyboard(period, chart.message_id if chart else 0))


async def stats_view(
    update: Update, context: ContextTypes.DEFAULT_TYPE, callback: StatsView
) -> None:
    services = get_services(context)
    if not await _is_admin(update, services):
        return
    assert update.callback_query is not None
    await answer(update.callback_query)
    period = callback.period if callback.period in PERIODS else DEFAULT_PERIOD
    await show(update, await _report(services, period), _keyboard(period, callback.chart))
    chat = update.effective_chat
    if callback.chart and chat is not None:
        media = InputMediaPhoto(
            await _chart(services, period), caption=stats_chart_texts.chart_caption(period)
        )
        try:
            await context.bot.edit_message_media(media, chat_id=chat.id, message_id=callback.chart)
        except BadRequest as error:
            # Deleted meanwhile, or the same period pressed again: the text is what counts.
            log.info("Could not redraw the /stats chart: %s", error)


async def _chart(services: Services, period: str) -> bytes:
    since = _since(services, period)
    rows = await services.stats.per_day(since)
    now = services.clock()
    first = None if since is None else stats_chart.today(since)
    words = stats_chart_texts.chart_words(period, i18n.current())
    # Drawing takes a CPU-bound fraction of a second: not on the event loop.
    return await asyncio.to_thread(stats_chart.render, rows, first, stats_chart.today(now), words)


async def stats_csv(update: Update, context: ContextTypes.DEFAULT_TYPE, callback: StatsCsv) -> None:
    services = get_services(context)
    if not await _is_admin(update, services):
        return
    assert update.callback_query is not None
    await answer(update.callback_query)
    period = callback.period if callback.period in PERIODS else DEFAULT_PERIOD
    await _send_csv(update, context, services, period)


async def _report(services: Services, period: str) -> str:
    stats = await services.stats.stats(_since(services, period))
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
    return texts.stats_report(named, period, services.settings.sms4sats_ref)


async def _send_csv(
    update: Update, context: ContextTypes.DEFAULT_TYPE, services: Services, period: str
) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for record in services.stats.orders(_since(services, period)):
        writer.writerow(csv_row(record))
        count += 1
    stamp = datetime.fromtimestamp(services.clock(), UTC).strftime("%Y%m%d-%H%M")
    document = InputFile(
        io.BytesIO(buffer.getvalue().encode()), filename=f"orders-{period}-{stamp}.csv"
    )
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


def csv_row(record: OrderRecord) -> list[str]:
    """One order as CSV cells: times in ISO 8601 UTC, empty for what did not happen."""
    waited = ""
    if record.code_at is not None and record.paid_at is not None:
        waited = f"{record.code_at - record.paid_at:.0f}"
    return [
        str(record.id),
        _iso(record.created_at),
        record.kind,
        record.state,
        str(record.user_id),
        _cell(record.country),
        _cell(record.service),
        "" if record.amount_sats is None else str(record.amount_sats),
        "1" if record.paid_from_balance else "0",
        _iso(record.paid_at),
        _iso(record.number_at),
        _iso(record.code_at),
        _iso(record.closed_at),
        waited,
    ]


def _cell(text: str | None) -> str:
    # Names come from sms4sats: one starting like a formula must not run in a spreadsheet.
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


def _iso(moment: float | None) -> str:
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")
