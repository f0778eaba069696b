"""`python -m bot.wiring.healthcheck`: exit 0 when the running bot's /healthz says ok, else 1.

For container health checks (deploy/Dockerfile): a slim image has no curl, and this reads the
same settings as the bot, so it asks the port the bot really listens on: METRICS_PORT when set
(the image sets it, so a bot on long polling is checked too), else WEBHOOK_PORT.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.config import ConfigError, load_settings

TIMEOUT = 5.0


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 1
    port = settings.health_port
    if port is None:
        print("No HTTP server: set WEBHOOK_URL or METRICS_PORT", file=sys.stderr)
        return 1
    # A server listening on every address is asked on loopback.
    host = settings.webhook_listen
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{port}/healthz"
    # No proxy: the bot is on this machine, whatever HTTP_PROXY the container has.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=TIMEOUT) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
