"""Delivers queued updates to the webhook set with setWebhook, one at a time, in order."""

import asyncio

import aiohttp

from sandbox.telegram.state import SandboxState

_RETRY_SECONDS = 1.0
_DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=10)


async def deliver_webhook_updates(state: SandboxState) -> None:
    """Runs for the server's lifetime; an update leaves the queue once the webhook took it."""
    async with aiohttp.ClientSession(timeout=_DELIVERY_TIMEOUT) as session:
        while not state.closing:
            hook = state.webhook
            if hook is None or not state.updates:
                await state.updates_wakeup.wait(3600)
                continue
            update = state.updates[0]
            headers = {}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            error: str | None = None
            try:
                async with session.post(hook.url, json=update, headers=headers) as response:
                    if not 200 <= response.status < 300:
                        error = (
                            f"Wrong response from the webhook: {response.status} {response.reason}"
                        )
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            if error is None:
                state.confirm_updates(int(update["update_id"]) + 1)
                continue
            hook.last_error_date = state.now()
            hook.last_error_message = error
            await asyncio.sleep(_RETRY_SECONDS)
