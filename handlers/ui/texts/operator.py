"""The operator's view: /stats, error reports and the balance alert."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.core.operator import ErrorReport
from bot.domain.kinds import KINDS
from bot.domain.orders import OrderKind, OrderState
from bot.domain.stats import Stats, TopRow
from handlers.ui.i18n import N_, N_plural, _, ngettext, number
from handlers.ui.texts.base import clock, duration, esc, sats

_STATS_PERIOD_BUTTONS = {
    "24h": N_("24 h"),
    "7d": N_("7 days"),
    "30d": N_("30 days"),
    "all": N_("All time"),
}
_STATS_PERIOD_NAMES = {
    "24h": N_("last 24 hours"),
    "7d": N_("last 7 days"),
    "30d": N_("last 30 days"),
    "all": N_("all time"),
}
REFERRAL_RATE = 0.10


def admin_help_stats() -> str:
    return "\n" + _("/stats — sales, referral earnings, what sells and what fails")


def group_admin_help_stats() -> str:
    return "\n" + _("Admins can also see /stats here.")


def button_stats_csv() -> str:
    return _("📄 CSV of these orders")


def stats_where() -> str:
    return _(
        "/stats works in a private chat with me, or in the admin group (ADMIN_CHAT_ID), so the "
        "figures stay among admins."
    )


def stats_bad_period(text: str) -> str:
    return _(
        "❌ “%(text)s” is not a period I know. Use 24h, 7d, 30d or all, like "
        "<code>/stats csv 30d</code>.",
        text=esc(text[:20]),
    )


def stats_period_name(period: str) -> str:
    return _(_STATS_PERIOD_NAMES[period])


def stats_period_button(period: str, selected: bool) -> str:
    label = _(_STATS_PERIOD_BUTTONS[period])
    return f"• {label} •" if selected else label


def share(part: int, whole: int) -> str:
    """A part of a whole as "2/3 (67%)", or a dash when there is nothing to divide by."""
    return f"{number(part)}/{number(whole)} ({round(100 * part / whole)}%)" if whole else "—"


@dataclass(frozen=True, slots=True)
class KindFigures:
    """One order kind's orders in the period, for its own words on /stats."""

    orders: int
    paid: int
    """Paid, by invoice or from the prepaid balance."""
    delivered: int
    """In a state its rules count as delivered (`KindRules.delivered`)."""
    delivered_sats: int
    """What the delivered ones cost, however they were paid."""


class KindStatsWords(Protocol):
    """What /stats says about one order kind: its card's words (`handlers.ui.cards`), so that
    the report itself names no kind."""

    def stats_orders(self, count: int) -> str:
        """Its orders on the Orders line ("5 numbers")."""

    def stats_delivered(self, count: int) -> str | None:
        """Its delivered orders among the outcomes ("2 codes delivered"); None for a kind that
        is not a sale (a line of its own says what it did)."""

    def stats_line(self, figures: KindFigures) -> str | None:
        """A line of its own under the sales and the referral, if it has one."""

    def stats_conversion(self, figures: KindFigures) -> str | None:
        """Its part of the Conversion line, after the invoices paid, if it has one."""


def _top_line(title: str, rows: tuple[TopRow, ...]) -> str:
    if not rows:
        return f"{title}: —"
    items = []
    for row in rows:
        rate = row.success_rate
        if rate is None:
            item = _(
                "%(name)s %(orders)s (none paid)", name=esc(row.name), orders=number(row.orders)
            )
        else:
            item = _(
                "%(name)s %(orders)s (%(percent)s%% ok)",
                name=esc(row.name),
                orders=number(row.orders),
                percent=round(100 * rate),
            )
        items.append(item)
    return f"{title}: " + " · ".join(items)


def stats_report(
    stats: Stats,
    period: str,
    referral_address: str | None,
    words: Mapping[OrderKind, KindStatsWords],
) -> str:
    """The /stats message: compact, one fact per line. Sales are the kinds whose rules say so,
    counted once delivered (each kind's rules say when); each kind's own lines, and its words on
    the Orders, Outcomes and Conversion lines, come from `words` (its card)."""
    figures = {kind: _figures(stats, kind) for kind in KINDS}
    sales_kinds = tuple(kind for kind, rules in KINDS.items() if rules.in_sales)

    def outcome(states: frozenset[OrderState]) -> int:
        # A kind's delivered states are its "delivered" outcome, not counted again here: a
        # running rental is delivered, not "still open".
        return sum(stats.count(kind=k, states=states - KINDS[k].delivered) for k in sales_kinds)

    def single(state: OrderState) -> int:
        return outcome(frozenset({state}))

    counted = [
        (single(OrderState.NO_NUMBER), N_plural("%(count)s no number", "%(count)s no number")),
        (single(OrderState.CANCELLED), N_plural("%(count)s cancelled", "%(count)s cancelled")),
        (single(OrderState.EXPIRED), N_plural("%(count)s expired", "%(count)s expired")),
        (single(OrderState.FAILED), N_plural("%(count)s failed", "%(count)s failed")),
        (single(OrderState.INVOICE_EXPIRED),
         N_plural("%(count)s invoice never paid", "%(count)s invoices never paid")),
        (outcome(frozenset(s for s in OrderState if not s.is_final)),
         N_plural("%(count)s still open", "%(count)s still open")),
    ]  # fmt: skip
    # Outcomes that did not happen are left out: the message stays short.
    outcomes = [
        said
        for kind in sales_kinds
        if figures[kind].delivered
        and (said := words[kind].stats_delivered(figures[kind].delivered))
    ]
    outcomes += [ngettext(*forms, count) for count, forms in counted if count]

    def sold(measure: Callable[..., int], *, from_balance: bool) -> int:
        """Sats (`stats.sats`) or orders (`stats.count`) delivered and paid by invoice, or
        (`from_balance`) from the prepaid balance."""
        return sum(
            measure(kind=k, states=KINDS[k].delivered, from_balance=from_balance)
            for k in sales_kinds
        )

    sales = sold(stats.sats, from_balance=False)
    from_balance = sold(stats.sats, from_balance=True)
    shown = sum(stats.count(kind=k, from_balance=False) for k in sales_kinds)
    paid = sum(stats.count(kind=k, from_balance=False, paid=True) for k in sales_kinds)
    lines = [
        _("📊 <b>Stats · %(period)s</b>", period=_(_STATS_PERIOD_NAMES[period])),
        _(
            "Orders: %(kinds)s",
            kinds=" · ".join(words[kind].stats_orders(figures[kind].orders) for kind in KINDS),
        ),
        _("Outcomes: %(outcomes)s", outcomes=" · ".join(outcomes) or "—"),
        _(
            "💰 Sales: <b>%(amount)s</b> from %(orders)s paid by invoice",
            amount=sats(sales),
            orders=ngettext(
                "%(count)s completed order",
                "%(count)s completed orders",
                sold(stats.count, from_balance=False),
            ),
        ),
    ]
    if from_balance:
        lines.append(_("Paid from the prepaid balance: %(amount)s", amount=sats(from_balance)))
    if referral_address:
        lines.append(
            _(
                "🤝 Referral ≈ <b>%(amount)s</b> (10%% of sales; an estimate: sms4sats pays it to "
                "%(address)s, the bot only counts)",
                amount=sats(round(sales * REFERRAL_RATE)),
                address=esc(referral_address),
            )
        )
    else:
        lines.append(
            _("🤝 Referral: none. Set SMS4SATS_REF to your Lightning Address to earn 10%.")
        )
    lines += [line for kind in KINDS if (line := words[kind].stats_line(figures[kind]))]
    conversion = [_("Conversion: invoices paid %(paid)s", paid=share(paid, shown))]
    conversion += [part for kind in KINDS if (part := words[kind].stats_conversion(figures[kind]))]
    median = stats.median_seconds_to_code
    lines += [
        " · ".join(conversion),
        _(
            "⏱ Median payment → code: %(time)s",
            time=duration(median) if median is not None else "—",
        ),
        _top_line(_("🌍 Top countries"), stats.top_countries),
        _top_line(_("📱 Top services"), stats.top_services),
        _(
            "👥 Users: %(new)s new · %(active)s active · %(all)s in all",
            new=number(stats.new_users),
            active=number(stats.active_users),
            all=number(stats.all_users),
        ),
    ]
    return "\n".join(lines)


def _figures(stats: Stats, kind: OrderKind) -> KindFigures:
    delivered = KINDS[kind].delivered
    return KindFigures(
        orders=stats.count(kind=kind),
        paid=stats.count(kind=kind, paid=True),
        delivered=stats.count(kind=kind, states=delivered),
        delivered_sats=stats.sats(kind=kind, states=delivered),
    )


def stats_csv_caption(count: int, period: str) -> str:
    return ngettext(
        "📄 %(count)s order, %(period)s (times in UTC). No invoices, codes, phone numbers or "
        "messages are included.",
        "📄 %(count)s orders, %(period)s (times in UTC). No invoices, codes, phone numbers or "
        "messages are included.",
        count,
        period=_(_STATS_PERIOD_NAMES[period]),
    )


_ERROR_ORIGINS = {
    "command": N_("a command"),
    "button": N_("a button press"),
    "message": N_("a message"),
    "update": N_("an update"),
    "background": N_("background work"),
}


def error_report(report: ErrorReport) -> str:
    origin = _ERROR_ORIGINS.get(report.origin)
    where = esc(_(origin) if origin else report.origin)
    if report.detail:
        where += f" ({esc(report.detail)})"
    if report.order_ids:
        orders = ", ".join(f"#{i}" for i in report.order_ids)
        if report.count > len(report.order_ids):
            orders += "…"
        where = _("%(where)s, order %(orders)s", where=where, orders=orders)
    lines = [
        _("⚠️ <b>Error in the bot</b>: <code>%(type)s</code>", type=esc(report.error_type)),
        esc(report.message) if report.message else _("(no message)"),
        _("Where: %(where)s", where=where),
    ]
    first = clock(datetime.fromtimestamp(report.first_at, UTC))
    last = clock(datetime.fromtimestamp(report.last_at, UTC))
    if report.count <= 1:
        lines.append(_("At %(time)s.", time=first))
    elif first == last:
        lines.append(
            ngettext(
                "Happened %(count)s time, at %(time)s.",
                "Happened %(count)s times, at %(time)s.",
                report.count,
                time=first,
            )
        )
    else:
        lines.append(
            ngettext(
                "Happened %(count)s time, from %(first)s to %(last)s.",
                "Happened %(count)s times, from %(first)s to %(last)s.",
                report.count,
                first=first,
                last=last,
            )
        )
    if report.origin != "background":
        lines.append(_("Each user got the usual apology."))
    lines.append(_("The full traceback is in the bot's log."))
    return "\n".join(lines)


def balance_low(balance: int, threshold: int) -> str:
    return _(
        "🪫 The prepaid sms4sats balance is <b>%(balance)s</b>, below your alert at "
        "%(threshold)s. Top it up with /fund. (Said once, until it is back above.)",
        balance=sats(balance),
        threshold=sats(threshold),
    )
