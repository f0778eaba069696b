"""Settings from environment variables, also read from a `.env` file.

Every value is checked at start so that a bad setting stops the bot with one line naming the
variable, instead of failing later in the middle of a chat.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from dotenv import dotenv_values

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_SMS4SATS_API_URL = "https://api2.sms4sats.com"
DEFAULT_DATABASE_URL = "sqlite:///data/sms4sats-bot.db"
DEFAULT_POLL_INTERVAL = 3.0
DEFAULT_MAX_UNPAID_INVOICES = 3
DEFAULT_MAX_ORDERS_PER_HOUR = 20
# sms4sats is a shared service with no documented rate limit: about what 150 orders checked
# every 3 s ask. Past it, checks stretch out evenly, orders waiting for a code first.
DEFAULT_SMS4SATS_MAX_RPS = 50.0
DEFAULT_TELEGRAM_SEND_TIMEOUT = 20.0
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8080
DEFAULT_BROWSE_REQUESTS_PER_SECOND = 2.0

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")
# The token .env.example ships with: well-formed, so only its words give it away.
PLACEHOLDER_TOKEN = "123456789:replace-with-your-token"
# A Lightning Address is an email-shaped identifier (LUD-16); the domain part needs a dot.
_LIGHTNING_ADDRESS_RE = re.compile(r"^[a-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
# What Telegram accepts as a webhook's secret_token.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_T = TypeVar("_T")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """Settings are missing or malformed: one line per bad variable, naming it and what it
    expects. `variable` is the first one named."""

    def __init__(self, variable: str, expected: str) -> None:
        super().__init__(f"{variable}: {expected}")
        self.variable = variable
        self.lines: tuple[str, ...] = (f"{variable}: {expected}",)

    @classmethod
    def gathered(cls, problems: list[ConfigError]) -> ConfigError:
        first = problems[0]
        error = cls(first.variable, first.lines[0].split(": ", 1)[1])
        error.lines = tuple(line for problem in problems for line in problem.lines)
        error.args = ("\n".join(error.lines),)
        return error


@dataclass(frozen=True, slots=True)
class Settings:
    # repr=False keeps the secrets out of any log line or traceback that prints the settings.
    telegram_token: str = field(repr=False)
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    sms4sats_api_url: str = DEFAULT_SMS4SATS_API_URL
    sms4sats_api_key: str | None = field(default=None, repr=False)
    sms4sats_ref: str | None = None
    admin_ids: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    database_path: Path = Path("data/sms4sats-bot.db")
    """The SQLite file, used unless `postgres_url` is set."""
    postgres_url: str | None = field(default=None, repr=False)
    """DATABASE_URL when it names PostgreSQL; it may hold a password, hence repr=False."""
    poll_interval: float = DEFAULT_POLL_INTERVAL
    sms4sats_max_rps: float = DEFAULT_SMS4SATS_MAX_RPS
    """The ceiling on status checks sent to sms4sats per second."""
    log_level: str = "INFO"
    max_unpaid_invoices: int = DEFAULT_MAX_UNPAID_INVOICES
    max_orders_per_hour: int = DEFAULT_MAX_ORDERS_PER_HOUR
    telegram_send_timeout: float = DEFAULT_TELEGRAM_SEND_TIMEOUT
    """Seconds the bot's own sends (cards, codes) wait for Telegram's answer."""
    error_reports: bool = True
    """Whether unexpected errors are reported to the admins (ERROR_REPORTS=off turns it off)."""
    balance_alert_sats: int | None = None
    """The admins get a note when the prepaid balance drops below this (BALANCE_ALERT_SATS)."""
    webhook_url: str | None = None
    """The public URL Telegram POSTs updates to; None means long polling."""
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    """Where the bot's HTTP server listens (webhook, /healthz, /metrics)."""
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    metrics_port: int | None = None
    """The port of /healthz and /metrics: with long polling the bot's only HTTP server (none
    when None); with a webhook a second one, so they need not sit beside the public webhook."""
    browse_requests_per_second: float = DEFAULT_BROWSE_REQUESTS_PER_SECOND
    """Requests per second to sms4sats for browsing (stock and prices), shared by everyone."""
    browse_refresh: bool = True
    """Whether stock and prices of the popular countries and services are kept fresh in the
    background (BROWSE_REFRESH=off: fetched only when a page needs them)."""
    rentals: bool = False
    """Whether /rent offers numbers for weeks (RENTALS=on). Off by default: how sms4sats reports
    a rental's SMS is not documented, so the bot reads it leniently and the operator opts in."""
    real_phone: bool = True
    """Whether the receive confirmation offers a real SIM (REAL_PHONE=off hides the toggle)."""

    @property
    def http_port(self) -> int | None:
        """The port of the bot's main HTTP server, or None when it runs none."""
        return self.webhook_port if self.webhook_url else self.metrics_port

    @property
    def metrics_server_port(self) -> int | None:
        """With a webhook and a METRICS_PORT of its own: the port of the second server."""
        if self.webhook_url is None or self.metrics_port in (None, self.webhook_port):
            return None
        return self.metrics_port

    @property
    def health_port(self) -> int | None:
        """Where /healthz answers (the health check asks there), or None."""
        return self.metrics_port or self.http_port

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never reach a chat or a log line."""
        password = urlsplit(self.postgres_url).password if self.postgres_url else None
        return tuple(
            s
            for s in (
                self.telegram_token,
                self.sms4sats_api_key,
                self.webhook_secret,
                password and unquote(password),
            )
            if s
        )


# Every variable the bot reads (docs/operations.md lists each with its default; a test checks).
VARIABLES: tuple[str, ...] = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "SMS4SATS_API_URL",
    "SMS4SATS_API_KEY",
    "SMS4SATS_REF",
    "ADMIN_IDS",
    "ADMIN_CHAT_ID",
    "DATABASE_URL",
    "POLL_INTERVAL",
    "SMS4SATS_MAX_RPS",
    "LOG_LEVEL",
    "MAX_UNPAID_INVOICES",
    "MAX_ORDERS_PER_HOUR",
    "ERROR_REPORTS",
    "BROWSE_REQUESTS_PER_SECOND",
    "BROWSE_REFRESH",
    "BALANCE_ALERT_SATS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "METRICS_PORT",
    "RENTALS",
    "REAL_PHONE",
)


class _Environment:
    """The variables as given: the environment (a mapping) over the `.env` file.

    python-dotenv parses `.env` (quotes, comments, `export`); a blank variable is unset (VAR= in
    `.env` or a compose file means "use the default"). `settings()` checks each with the
    function of its own below and gathers the failures, so that every bad variable gets its one
    line; the messages name what a variable expects without echoing a secret. (pydantic-settings
    read them for a while: it made every start 0.13 to 0.15 s slower, importing pydantic, and
    checked nothing of its own.)
    """

    def __init__(self, environ: Mapping[str, str], env_file: Path | None) -> None:
        given: dict[str, str | None] = {}
        if env_file is not None and env_file.is_file():
            given.update(dotenv_values(env_file))
        # Names are matched exactly (TELEGRAM_BOT_TOKEN), as a shell and docker compose pass
        # them; `.env` may hold other variables (the sandbox's, a shell's), which are ignored.
        given.update({name: environ[name] for name in VARIABLES if name in environ})
        self._values = {
            name: value.strip()
            for name in VARIABLES
            if (value := given.get(name)) is not None and value.strip()
        }

    def settings(self) -> Settings:
        """The checked settings, or a ConfigError with one line per bad variable."""
        problems: list[ConfigError] = []
        get = self._values.get

        def checked(check: Callable[[], _T], fallback: _T) -> _T:
            try:
                return check()
            except ConfigError as error:
                problems.append(error)
                return fallback

        api_key = checked(lambda: _api_key(get("SMS4SATS_API_KEY")), None)
        telegram_api_url = checked(
            lambda: _url("TELEGRAM_API_URL", get("TELEGRAM_API_URL"), DEFAULT_TELEGRAM_API_URL),
            DEFAULT_TELEGRAM_API_URL,
        )
        settings = Settings(
            telegram_token=checked(lambda: _token(get("TELEGRAM_BOT_TOKEN")), ""),
            telegram_api_url=telegram_api_url,
            sms4sats_api_url=checked(
                lambda: _url("SMS4SATS_API_URL", get("SMS4SATS_API_URL"), DEFAULT_SMS4SATS_API_URL),
                DEFAULT_SMS4SATS_API_URL,
            ),
            sms4sats_api_key=api_key,
            sms4sats_ref=checked(lambda: _ref(get("SMS4SATS_REF")), None),
            admin_ids=checked(lambda: _admin_ids(get("ADMIN_IDS")), frozenset()),
            admin_chat_id=checked(lambda: _admin_chat_id(get("ADMIN_CHAT_ID")), None),
            database_path=checked(
                lambda: _database_path(get("DATABASE_URL") or DEFAULT_DATABASE_URL), Path()
            ),
            postgres_url=checked(lambda: _postgres_url(get("DATABASE_URL")), None),
            poll_interval=checked(lambda: _poll_interval(get("POLL_INTERVAL")), 0.0),
            sms4sats_max_rps=checked(lambda: _max_rps(get("SMS4SATS_MAX_RPS")), 0.0),
            log_level=checked(lambda: _log_level(get("LOG_LEVEL")), "INFO"),
            max_unpaid_invoices=checked(
                lambda: _count(
                    "MAX_UNPAID_INVOICES", get("MAX_UNPAID_INVOICES"), DEFAULT_MAX_UNPAID_INVOICES
                ),
                0,
            ),
            max_orders_per_hour=checked(
                lambda: _count(
                    "MAX_ORDERS_PER_HOUR", get("MAX_ORDERS_PER_HOUR"), DEFAULT_MAX_ORDERS_PER_HOUR
                ),
                0,
            ),
            error_reports=checked(
                lambda: _switch("ERROR_REPORTS", get("ERROR_REPORTS"), default=True), True
            ),
            browse_requests_per_second=checked(
                lambda: _browse_rate(get("BROWSE_REQUESTS_PER_SECOND")), 0.0
            ),
            browse_refresh=checked(
                lambda: _switch("BROWSE_REFRESH", get("BROWSE_REFRESH"), default=True), True
            ),
            balance_alert_sats=checked(
                lambda: _balance_alert(get("BALANCE_ALERT_SATS"), api_key), None
            ),
            webhook_url=checked(lambda: _webhook_url(get("WEBHOOK_URL"), telegram_api_url), None),
            webhook_secret=checked(
                lambda: _webhook_secret(get("WEBHOOK_SECRET"), get("WEBHOOK_URL")), None
            ),
            webhook_listen=get("WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN,
            webhook_port=checked(lambda: _port("WEBHOOK_PORT", get("WEBHOOK_PORT")), None)
            or DEFAULT_WEBHOOK_PORT,
            metrics_port=checked(lambda: _port("METRICS_PORT", get("METRICS_PORT")), None),
            rentals=checked(lambda: _switch("RENTALS", get("RENTALS"), default=False), False),
            real_phone=checked(
                lambda: _switch("REAL_PHONE", get("REAL_PHONE"), default=True), True
            ),
        )
        if problems:
            raise ConfigError.gathered(problems)
        return settings


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Read the settings; the process environment wins over the `.env` file.

    Raises ConfigError naming every bad variable, one line each.
    """
    return _Environment(os.environ if environ is None else environ, env_file).settings()


_ON = ("on", "true", "yes", "1")
_OFF = ("off", "false", "no", "0")


def _switch(variable: str, value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in _ON + _OFF:
        return value.lower() in _ON
    raise ConfigError(variable, f"expected on or off, got {value!r}")


def _balance_alert(value: str | None, api_key: str | None) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,12}", value) or int(value) < 1:
        raise ConfigError(
            "BALANCE_ALERT_SATS", f"expected a whole number of sats (like 10000), got {value!r}"
        )
    if api_key is None:
        # Without a key there is no prepaid balance to watch; a silent no-op would mislead.
        raise ConfigError("BALANCE_ALERT_SATS", "needs SMS4SATS_API_KEY (the balance it watches)")
    return int(value)


def _count(variable: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not re.fullmatch(r"\d{1,6}", value) or int(value) < 1:
        raise ConfigError(variable, f"expected a whole number from 1 to 999999, got {value!r}")
    return int(value)


def _token(value: str | None) -> str:
    if value is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN", "required: the bot token from @BotFather (like 123456:ABC-xyz)"
        )
    if value == PLACEHOLDER_TOKEN or "replace-with-your-token" in value:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN",
            "still the placeholder from .env.example: put the token from @BotFather there",
        )
    if not _TOKEN_RE.match(value):
        # The value is deliberately not echoed: it may be a real token pasted with a typo.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN",
            "malformed: expected digits, a colon, then letters, digits, - or _",
        )
    return value


def _url(variable: str, value: str | None, default: str) -> str:
    if value is None:
        return default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(variable, f"expected an http:// or https:// URL, got {value!r}")
    if parts.query or parts.fragment:
        raise ConfigError(
            variable, f"expected a base URL without ?query or #fragment, got {value!r}"
        )
    return value.rstrip("/")


def _api_key(value: str | None) -> str | None:
    if value is not None and (len(value) > 256 or any(c.isspace() for c in value)):
        raise ConfigError("SMS4SATS_API_KEY", "malformed: expected one word without spaces")
    return value


def _ref(value: str | None) -> str | None:
    if value is not None and not _LIGHTNING_ADDRESS_RE.match(value):
        raise ConfigError(
            "SMS4SATS_REF", f"expected a Lightning Address like name@example.com, got {value!r}"
        )
    return value


def _admin_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids: set[int] = set()
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        if not re.fullmatch(r"\d{1,20}", item):
            raise ConfigError(
                "ADMIN_IDS", f"expected comma-separated Telegram user ids, got {item!r}"
            )
        ids.add(int(item))
    return frozenset(ids)


def _admin_chat_id(value: str | None) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"-\d{1,20}", value):
        raise ConfigError(
            "ADMIN_CHAT_ID", f"expected a group chat id (a negative number), got {value!r}"
        )
    return int(value)


_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_DATABASE_URL_FORMS = (
    "expected sqlite:///relative/path.db, sqlite:////absolute/path.db or "
    "postgresql://user:password@host:5432/database"
)


def _database_path(value: str) -> Path:
    """The SQLite file; the default one when DATABASE_URL names PostgreSQL (then unused)."""
    if value.startswith(_POSTGRES_SCHEMES):
        value = DEFAULT_DATABASE_URL
    prefix = "sqlite:///"
    if not value.startswith(prefix) or len(value) == len(prefix):
        # A URL of another kind may carry a password: only its scheme is quoted.
        scheme = value.split("://", 1)[0] if "://" in value else value[:20]
        raise ConfigError("DATABASE_URL", f"{_DATABASE_URL_FORMS}, got {scheme!r}...")
    # sqlite:////abs keeps its leading slash; sqlite:///rel is relative to the working directory.
    return Path(value[len(prefix) :])


def _postgres_url(value: str | None) -> str | None:
    """A PostgreSQL URL, checked for shape only (reaching the server is checked at start).

    Messages never quote the URL: it may hold the database password.
    """
    if value is None or not value.startswith(_POSTGRES_SCHEMES):
        return None
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked for it)
    except ValueError:
        raise ConfigError(
            "DATABASE_URL", "malformed PostgreSQL URL: the port must be a number (like 5432)"
        ) from None
    # libpq also takes the host as ?host=/path/to/socket/dir, for a server on a unix socket.
    if not parts.hostname and not parse_qs(parts.query).get("host"):
        raise ConfigError(
            "DATABASE_URL",
            "malformed PostgreSQL URL: no host; expected postgresql://user:password@host:5432/"
            "database",
        )
    if not parts.path.strip("/"):
        raise ConfigError(
            "DATABASE_URL",
            "malformed PostgreSQL URL: no database name; expected "
            "postgresql://user:password@host:5432/database",
        )
    return value


def _webhook_url(value: str | None, telegram_api_url: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ConfigError(
            "WEBHOOK_URL",
            f"expected the public https:// URL Telegram sends updates to, got {value!r}",
        )
    # Telegram calls webhooks over HTTPS only, and would refuse this one at every start. A
    # self-hosted Bot API server (or the sandbox) also calls plain http, on any port.
    if parts.scheme != "https" and telegram_api_url == DEFAULT_TELEGRAM_API_URL:
        raise ConfigError(
            "WEBHOOK_URL", f"expected an https:// URL (Telegram calls only HTTPS), got {value!r}"
        )
    return value


def _webhook_secret(value: str | None, webhook_url: str | None) -> str | None:
    if webhook_url is None:
        return value
    if value is None:
        raise ConfigError(
            "WEBHOOK_SECRET",
            "required with WEBHOOK_URL: 1 to 256 characters of A-Z, a-z, 0-9, _ and -",
        )
    if not _WEBHOOK_SECRET_RE.match(value):
        # Not echoed: it is a secret, maybe with one wrong character.
        raise ConfigError(
            "WEBHOOK_SECRET", "malformed: expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return value


def _port(variable: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,5}", value) or not 1 <= int(value) <= 65535:
        raise ConfigError(variable, f"expected a port number from 1 to 65535, got {value!r}")
    return int(value)


def _poll_interval(value: str | None) -> float:
    if value is None:
        return DEFAULT_POLL_INTERVAL
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0.1 <= seconds <= 3600:
        raise ConfigError(
            "POLL_INTERVAL", f"expected seconds between 0.1 and 3600 (like 3), got {value!r}"
        )
    return seconds


def _browse_rate(value: str | None) -> float:
    return _rate("BROWSE_REQUESTS_PER_SECOND", value, DEFAULT_BROWSE_REQUESTS_PER_SECOND, 0.1, 100)


def _max_rps(value: str | None) -> float:
    return _rate("SMS4SATS_MAX_RPS", value, DEFAULT_SMS4SATS_MAX_RPS, 1, 100_000)


def _rate(name: str, value: str | None, default: float, low: float, high: float) -> float:
    """Requests per second between `low` and `high`, or one line naming the variable."""
    if value is None:
        return default
    try:
        rate = float(value)
    except ValueError:
        rate = float("nan")
    if not low <= rate <= high:
        raise ConfigError(
            name,
            f"expected requests per second between {low:g} and {high:g} (like {default:g}), "
            f"got {value!r}",
        )
    return rate


def _log_level(value: str | None) -> str:
    if value is None:
        return "INFO"
    level = value.upper()
    if level not in _LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"expected one of {', '.join(_LOG_LEVELS)}, got {value!r}")
    return level


class RedactSecrets(logging.Filter):
    """Replaces secrets in every log record, whatever library wrote it.

    httpx logs full request URLs, and the Bot API puts the token in the URL path.
    """

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = redact(message, self._secrets)
        if redacted != message or record.exc_info:
            record.msg, record.args = redacted, None
            if record.exc_info:
                # Exceptions (PTB's InvalidToken, httpx errors) may quote a URL with the token.
                formatter = logging.Formatter()
                record.exc_text = redact(formatter.formatException(record.exc_info), self._secrets)
                record.exc_info = None
        return True


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(settings.secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # httpx announces every request at INFO, including getUpdates every few seconds; the bot's
    # own log lines say what matters.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    # stamina announces each retry as a bare "stamina.retry_scheduled" WARNING; the sms4sats
    # client logs the same retry itself, saying what failed and when it tries again.
    logging.getLogger("stamina").setLevel(max(logging.ERROR, root.level))
