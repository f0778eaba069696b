"""Unexpected errors, reported to the admins: grouped by type and rate limited.

Errors reach the reporter through the log: handlers' errors through the error handler's log
line, background errors (the poller's `log.exception(...)`, a failed job) through theirs. A
`logging.Handler` bridge turns every ERROR record with an exception from the bot's own loggers
into a report, so no background module needs to know the reporter exists.

Grouping: the first error of a kind waits `GATHER_SECONDS` for its siblings (a poll tick that
fails for 50 orders is one report saying 50), then goes out. After that the same kind is
reported at most once per `WINDOW_SECONDS`, with how often it happened meanwhile. A report
carries the exception's type and a short message with the bot token, the API key and any
Lightning invoice removed; never a traceback, never a user's message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core.operator import ErrorReport, OperatorInbox
from bot.domain.clock import Clock

log = logging.getLogger(__name__)

WINDOW_SECONDS = 600.0
GATHER_SECONDS = 10.0
MESSAGE_CHARS = 200
ORDER_IDS_KEPT = 5
# The loggers of the bot itself; a library's own errors (say, the network while polling
# Telegram) are logged but not reported: the admins can do nothing about them.
OWN_LOGGERS = ("bot", "handlers", "storage")

_INVOICE_RE = re.compile(r"(lightning:)?ln(bc|tb|bcrt|tbs|sb)[0-9a-z]{10,}", re.IGNORECASE)
_ORDER_RE = re.compile(r"\border (\d{1,19})\b", re.IGNORECASE)

Key = tuple[str, str, str | None]


@dataclass(slots=True)
class _Group:
    message: str
    first_at: float
    last_at: float
    count: int = 0
    order_ids: list[int] = field(default_factory=list)


class ErrorReporter:
    def __init__(self, clock: Clock, secrets: Iterable[str], *, enabled: bool = True) -> None:
        self._clock = clock
        # Longest first, so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self.enabled = enabled
        self._pending: dict[Key, _Group] = {}
        self._sent_at: dict[Key, float] = {}
        # Log records may come from any thread; the flush runs on the event loop.
        self._lock = threading.Lock()

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return _INVOICE_RE.sub("[invoice]", text)

    def record(
        self,
        error: BaseException,
        *,
        origin: str,
        detail: str | None = None,
        order_id: int | None = None,
    ) -> None:
        if not self.enabled:
            return
        if detail is not None:
            # A command's name is what a user typed: scrubbed and kept short like the message.
            detail = self.scrub(detail)[:40]
        key: Key = (type(error).__qualname__, origin, detail)
        now = self._clock()
        with self._lock:
            group = self._pending.get(key)
            if group is None:
                message = self.scrub(" ".join(str(error).split()))
                if len(message) > MESSAGE_CHARS:
                    message = message[: MESSAGE_CHARS - 1] + "…"
                group = self._pending[key] = _Group(message, first_at=now, last_at=now)
            group.count += 1
            group.last_at = now
            kept = group.order_ids
            if order_id is not None and order_id not in kept and len(kept) < ORDER_IDS_KEPT:
                kept.append(order_id)

    @property
    def waiting(self) -> int:
        """Errors recorded and not reported yet (gathering, or held back by the window)."""
        with self._lock:
            return sum(group.count for group in self._pending.values())

    def due(self) -> list[ErrorReport]:
        """Takes the reports that may go out now (their group gathered, their window over)."""
        now = self._clock()
        reports = []
        with self._lock:
            for key, group in list(self._pending.items()):
                sent_at = self._sent_at.get(key)
                if now - group.first_at < GATHER_SECONDS:
                    continue
                if sent_at is not None and now - sent_at < WINDOW_SECONDS:
                    continue
                del self._pending[key]
                self._sent_at[key] = now
                error_type, origin, detail = key
                reports.append(
                    ErrorReport(
                        error_type=error_type,
                        message=group.message,
                        origin=origin,
                        detail=detail,
                        order_ids=tuple(group.order_ids),
                        count=group.count,
                        first_at=group.first_at,
                        last_at=group.last_at,
                    )
                )
            # Windows long over need no memory (a restart forgets them anyway).
            for key in [k for k, t in self._sent_at.items() if now - t >= WINDOW_SECONDS]:
                if key not in self._pending:
                    del self._sent_at[key]
        return reports

    async def flush(self, inbox: OperatorInbox) -> int:
        """Send what is due; how many reports went out. Run by a short repeating job."""
        sent = 0
        for report in self.due():
            try:
                delivered = await inbox.report_error(report)
            except Exception as error:
                # Logged without the exception attached: the bridge would turn it into a report.
                log.warning("Could not send an error report: %s", self.scrub(repr(error)))
                continue
            if delivered:
                sent += 1
            else:
                log.warning("No admin could get an error report (%s)", report.error_type)
        return sent


class ErrorLogBridge(logging.Handler):
    """Turns ERROR log records with an exception, from the bot's own loggers, into reports.

    A record can say what the bot was doing with `extra={"report_origin": ..., "report_detail":
    ..., "order_id": ...}`; otherwise it counts as background work of its logger, and an
    "Order 42: ..." message names the order.
    """

    def __init__(self, reporter: ErrorReporter) -> None:
        super().__init__(level=logging.ERROR)
        self._reporter = reporter

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.exc_info is None or record.exc_info[1] is None:
                return
            if record.name.split(".")[0] not in OWN_LOGGERS:
                return
            error = record.exc_info[1]
            order_id = getattr(record, "order_id", None)
            if order_id is None:
                found = _ORDER_RE.search(record.getMessage())
                order_id = int(found.group(1)) if found else None
            self._reporter.record(
                error,
                origin=str(getattr(record, "report_origin", "background")),
                detail=getattr(record, "report_detail", record.name),
                order_id=order_id if isinstance(order_id, int) else None,
            )
        except Exception:
            self.handleError(record)
