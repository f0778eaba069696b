"""python -m sandbox.sms4sats: serve the sandbox on localhost until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from .config import SandboxConfig
from .server import run_sms4sats_sandbox


def _api_key_balance(text: str) -> tuple[str, int]:
    key, separator, sats = text.partition("=")
    if not separator or not key or not sats.isdigit():
        raise argparse.ArgumentTypeError("use KEY=SATS, e.g. demo-key=50000")
    return key, int(sats)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.sms4sats",
        description="An offline stand-in for the sms4sats API, with a control API at /__sandbox/.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8400, help="0 picks a free port")
    parser.add_argument(
        "--auto",
        action="store_true",
        help="orders progress by themselves",
    )
    parser.add_argument("--pay-delay", type=float, default=defaults.pay_delay)
    parser.add_argument("--number-delay", type=float, default=defaults.number_delay)
    parser.add_argument("--code-delay", type=float, default=defaults.code_delay)
    parser.add_argument("--send-delay", type=float, default=defaults.send_delay)
    parser.add_argument("--cancel-after", type=float, default=defaults.cancel_after)
    parser.add_argument("--hold-timeout", type=float, default=defaults.hold_timeout)
    parser.add_argument("--invoice-expiry", type=int, default=defaults.invoice_expiry)
    parser.add_argument("--code-as-string", action="store_true")
    parser.add_argument("--error-status", type=int, default=defaults.error_status)
    parser.add_argument("--not-found-status", type=int, default=defaults.not_found_status)
    parser.add_argument("--send-price", type=int, default=defaults.send_price)
    parser.add_argument(
        "--api-key",
        type=_api_key_balance,
        action="append",
        default=[],
        metavar="KEY=SATS",
        help="a prepaid API key and its balance (repeatable)",
    )
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        auto=args.auto,
        pay_delay=args.pay_delay,
        number_delay=args.number_delay,
        code_delay=args.code_delay,
        send_delay=args.send_delay,
        cancel_after=args.cancel_after,
        hold_timeout=args.hold_timeout,
        invoice_expiry=args.invoice_expiry,
        code_as_string=args.code_as_string,
        error_status=args.error_status,
        not_found_status=args.not_found_status,
        send_price=args.send_price,
        api_keys_balance=dict(args.api_key),
    )


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with run_sms4sats_sandbox(args.host, args.port, config_from(args)) as sandbox:
        print(f"sms4sats sandbox listening on {sandbox.url}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
