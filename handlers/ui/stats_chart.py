"""The /stats chart: one PNG, orders per day stacked by outcome above sales in sats per day.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, so no global figure state and
no display): `render` is a plain function that callers run in a worker thread, since drawing a
year of days takes a CPU-bound fraction of a second the event loop must not wait for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_skeleton
from babel.numbers import format_decimal

from bot.domain.orders import OrderState
from bot.domain.stats import DayOutcome
from handlers.ui.texts.stats_chart import ChartWords

EPOCH = date(1970, 1, 1)
WIDTH_PX, HEIGHT_PX, DPI = 1000, 620, 100
# Colour-blind-safe (Okabe-Ito), one per outcome, in the stack's order; open orders grey.
_COLOURS = {
    OrderState.COMPLETED: "#009E73",
    OrderState.NO_NUMBER: "#E69F00",
    OrderState.CANCELLED: "#56B4E9",
    OrderState.EXPIRED: "#D55E00",
    OrderState.FAILED: "#CC79A7",
    OrderState.INVOICE_EXPIRED: "#BBBBBB",
}
_OPEN_COLOUR = "#666666"
_SALES_COLOUR = "#F7931A"  # bitcoin orange
# More day labels than this crowd the axis; the locator picks fewer.
MAX_DAY_LABELS = 8
MAX_MONTH_LABELS = 6
MAX_BAR_DAYS = 62


def render(
    rows: Sequence[DayOutcome], first_day: int | None, last_day: int, words: ChartWords
) -> bytes:
    """The PNG for the days first_day..last_day (days since 1970-01-01, UTC); with first_day
    None (all time) the chart starts at the first day with an order."""
    # Imported at the first chart, not at start: matplotlib takes most of a second to import,
    # and only /stats needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if first_day is None:
        first_day = min((row.day for row in rows), default=last_day)
    days = list(range(first_day, last_day + 1))
    index = {day: i for i, day in enumerate(days)}
    stacks = {state: [0] * len(days) for state in (*words.outcomes, None)}
    sales = [0] * len(days)
    for row in rows:
        i = index.get(row.day)
        if i is None:
            continue
        key = row.state if row.state in words.outcomes else None
        stacks[key][i] += row.orders
        sales[i] += row.sats

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    orders_axes, sales_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    figure.suptitle(words.title, fontsize=13)
    # Bars while each day is wide enough to see; past that, stepped areas, which draw in a
    # fraction of the time and leave no hairline gaps between days.
    bars = len(days) <= MAX_BAR_DAYS
    bottom = [0] * len(days)
    for state, counts in stacks.items():
        if not any(counts):
            continue
        label = words.outcomes[state] if state is not None else words.still_open
        colour = _COLOURS[state] if state is not None else _OPEN_COLOUR
        top = [b + c for b, c in zip(bottom, counts, strict=True)]
        if bars:
            orders_axes.bar(days, counts, 0.8, bottom=bottom, label=label, color=colour)
        else:
            orders_axes.fill_between(
                days, bottom, top, step="mid", label=label, color=colour, linewidth=0
            )
        bottom = top
    if any(bottom):
        # Above the plot, so it never hides a day.
        orders_axes.legend(
            loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=9, frameon=False,
            ncols=min(len(orders_axes.get_legend_handles_labels()[0]), 4),
        )  # fmt: skip
    else:
        orders_axes.text(
            0.5, 0.5, words.nothing, transform=orders_axes.transAxes, ha="center", va="center",
            fontsize=12, color="#666666",
        )  # fmt: skip
    if bars:
        sales_axes.bar(days, sales, 0.8, color=_SALES_COLOUR)
    else:
        sales_axes.fill_between(days, 0, sales, step="mid", color=_SALES_COLOUR, linewidth=0)
    orders_axes.set_ylim(bottom=0)
    sales_axes.set_ylim(bottom=0)

    locale = words.locale
    orders_axes.set_ylabel(words.orders_axis)
    sales_axes.set_ylabel(words.sats_axis)
    for axes in (orders_axes, sales_axes):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        axes.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _: format_decimal(int(value), locale=locale))
        )
        axes.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    sales_axes.set_xlim(first_day - 0.6, last_day + 0.6)
    long_range = last_day - first_day >= 300
    labels = MAX_MONTH_LABELS if long_range else MAX_DAY_LABELS
    sales_axes.xaxis.set_major_locator(MaxNLocator(nbins=labels, integer=True))
    skeleton = "yMMM" if long_range else "MMMd"
    sales_axes.xaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: format_skeleton(skeleton, EPOCH + timedelta(days=int(value)),
                                             locale=locale)
        )
    )  # fmt: skip

    png = io.BytesIO()
    figure.savefig(png, format="png")
    return png.getvalue()


def today(now: float) -> int:
    """The UTC day `now` falls on, as days since 1970-01-01."""
    return (datetime.fromtimestamp(now, UTC).date() - EPOCH).days
