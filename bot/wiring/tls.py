"""The certificate authorities the bot's HTTPS clients trust, loaded once per process."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's own default (certifi's authorities, or SSL_CERT_FILE / SSL_CERT_DIR), made once.

    Loading the authorities takes about 30 ms of CPU, and every client would load them again:
    Telegram's two (PTB's requests), sms4sats' (aiohttp's connector) and the one-off checks, and
    again for each application built in the same process (the tests build hundreds). An SSL
    context is safe to share between clients and connections.
    """
    return httpx.create_ssl_context()
