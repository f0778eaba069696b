"""Getting updates: long polling with getUpdates, or a webhook."""

import re
from typing import Any

from sandbox.telegram.errors import ApiError, bad_request
from sandbox.telegram.models import WebhookSettings
from sandbox.telegram.params import Params
from sandbox.telegram.state import SandboxState
from sandbox.telegram.waiters import wait_until

# Telegram ends a long poll after at most 50 seconds whatever timeout was asked for.
_MAX_POLL_SECONDS = 50.0
_WEBHOOK_CONFLICT = ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first",
)
_TERMINATED = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running",
)


def _allowed_updates(params: Params) -> list[str] | None:
    raw = params.get_json("allowed_updates")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(kind, str) for kind in raw):
        raise bad_request("can't parse allowed updates")
    return list(raw)


async def get_updates(state: SandboxState, params: Params) -> list[dict[str, Any]]:
    if state.webhook is not None:
        raise _WEBHOOK_CONFLICT
    offset = params.get_int("offset")
    if offset is not None:
        state.confirm_updates(offset)
    allowed = _allowed_updates(params)
    if allowed is not None:
        state.allowed_updates = allowed
    limit = min(max(params.get_int("limit") or 100, 1), 100)
    timeout = min(max(params.get_float("timeout") or 0.0, 0.0), _MAX_POLL_SECONDS)

    # A newer getUpdates ends this one, as Telegram does when two bot instances poll.
    state.poll_generation += 1
    generation = state.poll_generation
    state.updates_wakeup.notify()

    def superseded() -> bool:
        return state.poll_generation != generation or state.closing

    def pending() -> list[dict[str, Any]] | None:
        return state.updates[:limit] or None

    updates = await wait_until(state.updates_wakeup, pending, timeout, stop=superseded)
    if state.poll_generation != generation and not state.closing:
        raise _TERMINATED
    return updates or []


async def set_webhook(state: SandboxState, params: Params) -> bool:
    url = params.get_str("url") or ""
    if params.get_bool("drop_pending_updates"):
        state.updates.clear()
    if not url:
        state.webhook = None
        return True
    if not re.match(r"^https?://[^/?#\s]+", url, re.IGNORECASE):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    allowed = _allowed_updates(params)
    if allowed is not None:
        state.allowed_updates = allowed
    state.webhook = WebhookSettings(
        url=url,
        secret_token=secret,
        max_connections=params.get_int("max_connections") or 40,
        allowed_updates=allowed,
    )
    state.updates_wakeup.notify()
    return True


async def delete_webhook(state: SandboxState, params: Params) -> bool:
    state.webhook = None
    if params.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.updates_wakeup.notify()
    return True


async def get_webhook_info(state: SandboxState, params: Params) -> dict[str, Any]:
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info
