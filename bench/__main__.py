"""`make bench`: the poller and outbox against the design they replaced, side by side.

    .venv/bin/python -m bench            # every scenario, both designs (about 10 minutes)
    .venv/bin/python -m bench --quick    # smaller sizes, to try it out

The two stand-ins run in processes of their own (`bench.standins`) and each design runs
each scenario in a fresh bot process (`bench.bot_run`), so CPU and peak RSS are the
bot's alone. Prints one table; asserts nothing about speed, and exits non-zero only when the
new design lost a code or told one twice.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx


@contextmanager
def standin(role: str) -> Iterator[tuple[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.standins", role], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url, control = process.stdout.readline().split()
        yield url, control
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            # Calls hanging on purpose (the hang scenario) would hold a clean stop for 30 s.
            process.kill()
            process.wait(10)


def run(role_urls: dict[str, tuple[str, str]], design: str, scenario: str, **options: Any) -> Any:
    (sms, sms_control), (telegram, telegram_control) = role_urls["sms4sats"], role_urls["telegram"]
    command = [
        sys.executable, "-m", "bench.bot_run", "--design", design, "--scenario", scenario,
        "--sms", sms, "--sms-control", sms_control, "--telegram", telegram,
        "--telegram-control", telegram_control,
    ]  # fmt: skip
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    # Each run starts from an empty sms4sats: earlier runs' orders would slow its scans.
    httpx.post(f"{sms_control}/reset", timeout=30).raise_for_status()
    print(f"… {design:>3} {scenario} {options}", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def table(results: Sequence[dict[str, Any]]) -> str:
    by = {(r["design"], r["scenario"], r["orders"]): r for r in results}
    rows: list[tuple[str, str, str, str]] = []

    def row(label: str, target: str, key: tuple[str, int], value: Any) -> None:
        old, new = by.get(("old", *key)), by.get(("new", *key))
        rows.append(
            (label, _fmt(value(old)) if old else "-", _fmt(value(new)) if new else "-", target)
        )

    for orders, interval in _latency_sizes(results):
        key = ("latency", orders)
        for q in ("p50", "p95", "max"):
            target = f"<= {interval + 0.3:g}" if q == "p95" else ""
            row(f"code latency {q} s, {orders} open, interval {interval:g}", target, key,
                lambda r, q=q: r[q])  # fmt: skip
        row(f"  codes told / twice ({orders} open)", "all / 0", key,
            lambda r: f"{r['codes_told']}/{r['codes']} / {r['codes_told_twice']}")  # fmt: skip
        for kind, target in (("fresh invoice", "<= 1.0"), ("invoice unpaid >2 min", "<= 0.25"),
                             ("waiting for code", "<= 1.0"), ("ended", "0")):  # fmt: skip
            row(f"  checks/order/interval: {kind}", target, key,
                lambda r, k=kind: r["checks_per_interval"].get(k))  # fmt: skip
        row("  CPU ms per sms4sats check", "<= 0.3", key, lambda r: r["cpu_ms_per_check"])
    for r in results:
        if r["scenario"] == "wave":
            key = ("wave", r["orders"])
            n = r["orders"]
            row(f"{n} bought, paid at once, codes 5-25 s later (interval 1):", "", key,
                lambda r: "")  # fmt: skip
            for q, target in (("p50", ""), ("p95", "<= 1.3"), ("max", "")):
                row(f"  code latency {q} s (sms4sats to Telegram)", target, key,
                    lambda r, q=q: r[q])  # fmt: skip
            row("  told / twice", "all / 0", key,
                lambda r: f"{r['codes_told']}/{r['codes']} / {r['codes_told_twice']}")  # fmt: skip
            for bound, target in (("0.25", ""), ("0.5", ">= 97%"), ("1.0", "all"), ("2.0", "")):
                row(f"  bot side: sent within {bound} s of seen", target, key,
                    lambda r, b=bound: f"{r['bot_side'].get(b, 0)}/{r['codes']}")  # fmt: skip
            row("  checks/order/interval before the wave", "<= 1.0", key,
                lambda r: r["checks_per_interval"].get("fresh invoice"))  # fmt: skip
            row("  CPU ms per sms4sats check", "", key, lambda r: r["cpu_ms_per_check"])
            break
    for r in results:
        if r["scenario"] == "hang":
            key = ("hang", r["orders"])
            n = r["orders"]
            row(f"{n} with numbers, 5% of checks hang 30 s (interval {r['interval']:g}):", "",
                key, lambda r: "")  # fmt: skip
            for q, target in (("p50", "<= 0.5"), ("p95", "<= 5"), ("max", "")):
                row(f"  code latency {q} s", target, key, lambda r, q=q: r[q])
            row("  told / twice", "all / 0", key,
                lambda r: f"{r['codes_told']}/{r['codes']} / {r['codes_told_twice']}")  # fmt: skip
            row("  checks/order/interval while hanging", "", key,
                lambda r: r["checks_per_interval"].get("waiting for code"))  # fmt: skip
            break
    for r in results:
        if r["scenario"] == "rss":
            key = ("rss", r["orders"])
            row(f"peak RSS MB, {r['open_orders']} open", "<= 120", key, lambda r: r["peak_rss_mb"])
            row("  CPU ms per sms4sats check", "<= 0.3", key, lambda r: r["cpu_ms_per_check"])
            break
    for r in results:
        if r["scenario"] == "burst":
            key = ("burst", r["orders"])
            n = r["orders"]
            row(f"{n} codes at once: all told, s", "<= 40", key, lambda r: r["all_told_s"])
            row("  codes per second", "", key, lambda r: r["codes_per_s"])
            row("  Telegram 429 answers", "0", key, lambda r: r["telegram_429"])
            row("  told / twice", "all / 0", key,
                lambda r: f"{r['codes_told']}/{r['codes']} / {r['codes_told_twice']}")  # fmt: skip
            break
    width = max(len(label) for label, *_ in rows)
    lines = [f"{'':<{width}}  {'old':>12}  {'new':>12}  {'target':>8}"]
    lines += [
        f"{label:<{width}}  {old:>12}  {new:>12}  {target:>8}" for label, old, new, target in rows
    ]
    return "\n".join(lines)


def _latency_sizes(results: Sequence[dict[str, Any]]) -> list[tuple[int, float]]:
    seen = {(r["orders"], r["interval"]) for r in results if r["scenario"] == "latency"}
    return sorted(seen)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, a minute or two")
    parser.add_argument("--design", choices=["old", "new"], action="append")
    parser.add_argument("--only", action="append", help="scenarios to run (all by default)")
    args = parser.parse_args(argv)
    designs = args.design or ["old", "new"]
    for variable in ("NO_PROXY", "no_proxy"):
        os.environ[variable] = ",".join(
            filter(None, [os.environ.get(variable, ""), "127.0.0.1", "localhost"])
        )
    plan: list[tuple[str, dict[str, Any]]]
    if args.quick:
        plan = [("latency", {"orders": 200, "interval": 1, "wave": 100, "spread": 5}),
                ("wave", {"orders": 100, "interval": 1, "spread": 20}),
                ("hang", {"orders": 50, "interval": 0.5, "spread": 10}),
                ("rss", {"orders": 1000, "interval": 1}),
                ("burst", {"orders": 200, "interval": 1})]  # fmt: skip
    else:
        plan = [("latency", {"orders": 200, "interval": 1, "wave": 200, "spread": 20}),
                ("latency", {"orders": 5000, "interval": 5, "wave": 500, "spread": 40}),
                ("wave", {"orders": 200, "interval": 1, "spread": 20}),
                ("hang", {"orders": 100, "interval": 0.5, "spread": 20}),
                ("rss", {"orders": 10000, "interval": 5}),
                ("burst", {"orders": 1000, "interval": 1})]  # fmt: skip
    if args.only:
        plan = [(scenario, options) for scenario, options in plan if scenario in args.only]
    results = []
    with ExitStack() as stack:
        urls = {role: stack.enter_context(standin(role)) for role in ("sms4sats", "telegram")}
        for scenario, options in plan:
            for design in designs:
                results.append(run(urls, design, scenario, **options))
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(table(results))
    # The old design losing or repeating codes is what the table shows, not a failed run.
    broken = [
        r
        for r in results
        if r["design"] == "new"
        and (r.get("codes_told_twice") or r.get("codes_told", 0) < r.get("codes", 0))
    ]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
