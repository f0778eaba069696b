"""`python -m bot check` (`make check`): the settings tried against the world, one line each.

Reads the settings like the bot, then checks the database, Telegram, sms4sats, the referral
Lightning Address and the admins, all at once, each within its own time limit, so the whole run
takes at most about CHECK_SECONDS. Every line starts with ✅, ⚠️ or ❌ and says what to do; the
exit code is 1 when any line is ❌, else 0 (2 for settings the bot would refuse to start with).

The lines are for the operator's terminal (English), never a chat; none carries a secret: each
is passed through the same redaction as the logs before it is printed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import httpx
from telegram import Bot
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.config import ConfigError, Settings, load_settings, redact
from bot.lightning_address import AddressUnresolved, resolve
from bot.sms4sats import Sms4SatsClient, Sms4SatsError
from bot.wiring.tls import tls_context
from storage import StorageError
from storage.schema_status import schema_status

# Each check's own limit; they run at the same time, so the whole run stays under 10 s.
CHECK_SECONDS = 8.0
SMS4SATS_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
# A webhook delivery that failed this recently is a webhook that does not work now.
RECENT_WEBHOOK_ERROR_SECONDS = 24 * 3600.0
# Telegram's member statuses of a bot that is in the group.
_IN_GROUP = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


class Mark(StrEnum):
    OK = "✅"
    WARN = "⚠️"
    FAIL = "❌"


@dataclass(frozen=True, slots=True)
class Line:
    mark: Mark
    subject: str
    text: str

    def __str__(self) -> str:
        return f"{self.mark} {self.subject}: {self.text}"


def ok(subject: str, text: str) -> Line:
    return Line(Mark.OK, subject, text)


def warn(subject: str, text: str) -> Line:
    return Line(Mark.WARN, subject, text)


def fail(subject: str, text: str) -> Line:
    return Line(Mark.FAIL, subject, text)


Check = Callable[[], Awaitable[list[Line]]]


async def run_checks(
    settings: Settings,
    *,
    lightning_http: httpx.AsyncClient | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Line]:
    """Every check's lines, in a fixed order. `lightning_http` resolves the Lightning Address
    (its transport decides where the https request goes; tests route it to a stand-in)."""
    checks: list[tuple[str, Check]] = [
        ("Database", lambda: _database(settings)),
        ("Telegram", lambda: _telegram(settings, clock)),
        ("sms4sats", lambda: _sms4sats(settings)),
        ("SMS4SATS_REF", lambda: _referral(settings, lightning_http)),
        ("Admins", lambda: _admins(settings)),
    ]
    results = await asyncio.gather(*(_limited(subject, check) for subject, check in checks))
    return [line for lines in results for line in lines]


async def _limited(subject: str, check: Check) -> list[Line]:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            return await check()
    except TimeoutError:
        return [fail(subject, f"no answer within {CHECK_SECONDS:.0f} s")]


# --- the database ------------------------------------------------------------------------------


async def _database(settings: Settings) -> list[Line]:
    subject = "Database"
    try:
        status = await schema_status(settings.postgres_url or settings.database_path)
    except StorageError as error:
        return [fail(subject, f"{error} (check DATABASE_URL)")]
    where = status.where
    if status.applied is None:
        return [ok(subject, f"{where} does not exist yet; the bot creates it at start")]
    if status.applied > status.known:
        return [
            fail(
                subject,
                f"{where} is from a newer version of the bot (schema {status.applied}, this bot "
                f"knows {status.known}): run that version, or restore a backup",
            )
        ]
    if status.applied < status.known:
        pending = status.known - status.applied
        return [
            warn(
                subject,
                f"{where}: {pending} migration{'s' if pending != 1 else ''} pending; the bot "
                "applies them at start (back the database up first)",
            )
        ]
    return [ok(subject, f"{where}, schema up to date ({status.known} migrations)")]


# --- Telegram ----------------------------------------------------------------------------------


def _bot(settings: Settings) -> Bot:
    return Bot(
        settings.telegram_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=HTTPXRequest(httpx_kwargs={"verify": tls_context()}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": tls_context()}),
    )


async def _telegram(settings: Settings, clock: Callable[[], float]) -> list[Line]:
    subject = "Telegram"
    bot = _bot(settings)
    try:
        async with bot:
            lines = [ok(subject, f"the token is @{bot.username}'s")]
            if settings.webhook_url is not None:
                lines.append(await _webhook(bot, settings.webhook_url, clock))
            return lines
    except InvalidToken:
        return [fail(subject, "Telegram refused TELEGRAM_BOT_TOKEN: copy it again from @BotFather")]
    except NetworkError as error:
        return [fail(subject, f"cannot reach {settings.telegram_api_url}: {_reason(error)}")]
    except TelegramError as error:
        return [fail(subject, f"Telegram answered: {_reason(error)}")]


async def _webhook(bot: Bot, configured: str, clock: Callable[[], float]) -> Line:
    subject = "Webhook"
    info = await bot.get_webhook_info()
    pending = f"{info.pending_update_count} update{'s' if info.pending_update_count != 1 else ''}"
    if not info.url:
        return warn(subject, "none registered yet; the bot registers WEBHOOK_URL when it starts")
    if info.url != configured:
        return fail(
            subject,
            f"Telegram sends updates to {info.url}, not to WEBHOOK_URL ({configured}): start "
            "the bot with this WEBHOOK_URL (it registers it at start), or fix WEBHOOK_URL",
        )
    if info.last_error_date is not None:
        ago = clock() - info.last_error_date.timestamp()
        if ago < RECENT_WEBHOOK_ERROR_SECONDS:
            return fail(
                subject,
                f"{configured}: Telegram's last delivery failed {_ago(ago)} ago: "
                f"{info.last_error_message or 'no reason given'}; {pending} waiting. Check that "
                "the proxy in front of the bot answers on this URL",
            )
    return ok(subject, f"{configured}, {pending} waiting")


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def _reason(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


# --- sms4sats ----------------------------------------------------------------------------------


async def _sms4sats(settings: Settings) -> list[Line]:
    subject = "sms4sats"
    url = settings.sms4sats_api_url
    async with httpx.AsyncClient(follow_redirects=False, verify=tls_context()) as http:
        client = Sms4SatsClient(
            http, url, api_key=settings.sms4sats_api_key, retries=0, timeout=SMS4SATS_TIMEOUT
        )
        try:
            countries = await client.get_countries()
            if not countries:
                return [fail(subject, f"{url} lists no countries (getCountries)")]
            country = countries[0]
            services = await client.get_services(country.code)
            prices = await client.get_price(country.code, services[0].code if services else None)
        except Sms4SatsError as error:
            return [fail(subject, f"{url}: {_sms4sats_problem(error)}")]
        if prices.computed_price is None and prices.receive is None:
            return [fail(subject, f"{url}: price answers without a price")]
        lines = [
            ok(
                subject,
                f"{url} answers: {len(countries)} countries, {len(services)} services in "
                f"{country.name or country.code}, prices",
            )
        ]
        if settings.sms4sats_api_key is not None:
            try:
                balance = await client.balance()
            except Sms4SatsError as error:
                lines.append(fail("SMS4SATS_API_KEY", f"the balance: {_sms4sats_problem(error)}"))
            else:
                lines.append(ok("SMS4SATS_API_KEY", f"prepaid balance {balance:,} sats"))
        return lines


def _sms4sats_problem(error: Sms4SatsError) -> str:
    if error.reason:
        return f"{error.problem.value}: {error.reason}"
    if error.status_code is not None:
        return f"{error.problem.value} (HTTP {error.status_code})"
    return f"{error.problem.value}: check SMS4SATS_API_URL and the network"


# --- the referral ------------------------------------------------------------------------------


async def _referral(settings: Settings, http: httpx.AsyncClient | None) -> list[Line]:
    subject = "SMS4SATS_REF"
    address = settings.sms4sats_ref
    if address is None:
        return [warn(subject, "not set: sms4sats pays the referral share to no one")]
    try:
        if http is None:
            async with httpx.AsyncClient(verify=tls_context()) as own:
                pay = await resolve(address, own)
        else:
            pay = await resolve(address, http)
    except AddressUnresolved as error:
        return [
            fail(
                subject,
                f"{address} does not resolve: {error}; sms4sats cannot pay the referral there. "
                "Check the address in your wallet",
            )
        ]
    return [
        ok(
            subject,
            f"{address} resolves: a payRequest for {pay.min_sendable_msat // 1000:,} to "
            f"{pay.max_sendable_msat // 1000:,} sats",
        )
    ]


async def referral_warning(address: str, http: httpx.AsyncClient) -> str | None:
    """What the bot logs at start when the address does not resolve (None when it does)."""
    try:
        await resolve(address, http)
    except AddressUnresolved as error:
        return (
            f"SMS4SATS_REF {address} does not resolve ({error}): sms4sats cannot pay the "
            "referral there; `python -m bot check` says more"
        )
    return None


# --- the admins --------------------------------------------------------------------------------


async def _admins(settings: Settings) -> list[Line]:
    subject = "Admins"
    lines = []
    if settings.admin_ids:
        count = len(settings.admin_ids)
        lines.append(ok(subject, f"ADMIN_IDS: {count} admin{'s' if count != 1 else ''}"))
    elif settings.admin_chat_id is None:
        lines.append(
            warn(subject, "no ADMIN_IDS and no ADMIN_CHAT_ID: /stats, /balance and the error "
                 "reports reach no one; set ADMIN_IDS to your Telegram user id")
        )  # fmt: skip
    if settings.admin_chat_id is not None:
        lines.append(await _admin_chat(settings, settings.admin_chat_id))
    return lines


async def _admin_chat(settings: Settings, chat_id: int) -> Line:
    subject = "ADMIN_CHAT_ID"
    bot = _bot(settings)
    try:
        async with bot:
            chat = await bot.get_chat(chat_id)
            if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
                return fail(subject, f"{chat_id} is a {chat.type}, not a group")
            member = await bot.get_chat_member(chat_id, bot.id)
    except (BadRequest, Forbidden) as error:
        return fail(
            subject,
            f"{chat_id}: {_reason(error)}; add the bot to the group, and check that ADMIN_CHAT_ID "
            "is that group's id",
        )
    except InvalidToken:
        return fail(subject, "cannot be checked: Telegram refused TELEGRAM_BOT_TOKEN")
    except TelegramError as error:
        return fail(subject, f"cannot be checked: {_reason(error)}")
    if member.status not in _IN_GROUP:
        return fail(subject, f"the bot is not in «{chat.title}» ({member.status}): add it again")
    return ok(subject, f"the bot is in «{chat.title}»; its administrators are admins of the bot")


# --- the command -------------------------------------------------------------------------------


def exit_code(lines: Sequence[Line]) -> int:
    return 1 if any(line.mark is Mark.FAIL for line in lines) else 0


def main(argv: Sequence[str] = ()) -> int:
    if argv:
        print("Usage: python -m bot check", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    # PTB and httpx log their retries and requests; the lines below say what matters.
    logging.basicConfig(level=logging.CRITICAL)
    lines = asyncio.run(run_checks(settings))
    for line in lines:
        print(redact(str(line), settings.secrets), flush=True)
    return exit_code(lines)
