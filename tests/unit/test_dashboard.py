"""deploy/grafana-dashboard.json asks only for what the bot exports: every PromQL query names
metrics (and labels) read from the bot's real registry, so a renamed metric fails here instead
of leaving a panel that says "No data" forever."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.wiring.metrics import BotMetrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana-dashboard.json"
# PromQL words that are not metric names: aggregations' modifiers, grouping, offsets, booleans.
KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and",
     "or", "unless", "inf", "nan"}
)  # fmt: skip
IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def exported() -> dict[str, frozenset[str]]:
    """Every sample name the bot's registry exposes (with _total, _bucket, ...), with the label
    names it carries."""
    metrics = BotMetrics()
    metrics.code_latency.observe(1.0)  # a histogram's buckets exist from the start anyway
    asyncio.run(metrics.render(None))
    names: dict[str, set[str]] = {}
    for family in metrics.registry.collect():
        for sample in family.samples:
            names.setdefault(sample.name, set()).update(sample.labels)
    return {name: frozenset(labels) for name, labels in names.items()}


def queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    found = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            found.append((panel["title"], target["expr"]))
    return found


def parse(expr: str) -> tuple[set[str], set[str]]:
    """The metric names and the label names a query uses."""
    labels: set[str] = set()
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings: label values, never names
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors and Grafana's $__ variables
    for matchers in re.findall(r"\{([^}]*)\}", text):
        labels.update(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    text = re.sub(r"\{[^}]*\}", "", text)
    for grouping in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", text):
        labels.update(name.strip() for name in grouping.split(",") if name.strip())
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", text)
    metrics = set()
    for match in IDENTIFIER.finditer(text):
        name = match.group()
        after = text[match.end() :].lstrip()
        if (
            after.startswith("(")
            or name in KEYWORDS
            or text[match.start() - 1 : match.start()] == "$"
        ):
            continue  # a function, a keyword, or a Grafana variable
        metrics.add(name)
    return metrics, labels


def test_the_parser_reads_metric_and_label_names() -> None:
    assert parse(
        'sum by (endpoint, outcome) (rate(m_total{outcome!="ok"}[$__rate_interval])) * 60'
    ) == ({"m_total"}, {"endpoint", "outcome"})
    assert parse("histogram_quantile(0.5, sum by (le) (increase(h_bucket[$__range])))") == (
        {"h_bucket"}, {"le"},
    )  # fmt: skip


@pytest.mark.parametrize(("title", "expr"), queries())
def test_every_query_names_exported_metrics(title: str, expr: str) -> None:
    names = exported()
    metrics, labels = parse(expr)
    assert metrics, f"{title}: {expr} names no metric"
    for metric in metrics:
        assert metric in names, f"{title}: {metric} is not exported by the bot"
    known = frozenset().union(*(names[m] for m in metrics)) | {"le", "instance", "job"}
    assert labels <= known, f"{title}: labels {labels - known} are not on {metrics}"


def test_the_dashboard_covers_what_the_operator_watches() -> None:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    titles = {panel["title"] for panel in dashboard["panels"]}
    assert {"Codes delivered per hour", "Code latency quantiles", "Open orders by state",
            "sms4sats errors", "Telegram 429s"} <= titles  # fmt: skip
    everything = " ".join(expr for _, expr in queries())
    for metric in ("sms4sats_bot_codes_delivered_total", "sms4sats_bot_code_latency_seconds_bucket",
                   "sms4sats_bot_open_orders", "sms4sats_bot_sms4sats_requests_total",
                   "sms4sats_bot_telegram_rate_limited_total"):  # fmt: skip
        assert metric in everything
    # Unique panel ids, and every panel reads the dashboard's Prometheus variable.
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert all(p["datasource"]["uid"] == "${datasource}" for p in dashboard["panels"])
